"""skyshield: compare air-support security-guarantee options on the same raids."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("skyshield")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
