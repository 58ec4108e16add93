"""``sk.campaign(...)`` and ``sk.replay(...)`` whatever Python binds to those names.

``skyshield.campaign`` and ``skyshield.replay`` are subpackages as well as API functions: once a
subpackage is imported, Python sets it as the package attribute of that name, hiding the
function. So those two subpackages are made callable: calling the module calls the API
function (:func:`skyshield.api.campaign`, :func:`skyshield.api.replay`), and everything else
about them (their contents, ``import skyshield.replay as r``) stays as it is.
"""

from __future__ import annotations

import sys
import types
from typing import Any

__all__ = ["make_callable"]


class _CallableModule(types.ModuleType):
    """A subpackage whose call is the API function of the same name."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from . import api

        return getattr(api, self.__name__.rsplit(".", 1)[-1])(*args, **kwargs)


def make_callable(module_name: str) -> None:
    """Make the (already imported) subpackage ``module_name`` callable as its API function."""
    sys.modules[module_name].__class__ = _CallableModule
