"""Reading the user's documents (scenario, catalog, option files): YAML with line numbers,
validation with errors that name the file, the line and the field."""

from .errors import Problem, ScenarioError, format_path
from .validate import validate_document
from .yamlio import builtin_titles, load_yaml, loads_yaml

__all__ = ["Problem", "ScenarioError", "builtin_titles", "format_path", "load_yaml", "loads_yaml", "validate_document"]
