"""Calibration tools: fit the fast models against the slow ones by driving the whole engine.

Nothing in the engine, the runner or the store imports this package (data flows one way:
the constants it fits are pasted into the models, with their source).

* :mod:`skyshield.calibration.sensing`: the statistical sense against full fidelity, per
  sensor kind and threat class (``python -m skyshield.calibration.sensing``).
"""
