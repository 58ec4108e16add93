"""Sensor models: radar horizon, detection range and probability of detection."""
