"""The offline web app behind ``skyshield serve`` (``pip install 'skyshield[web]'``): a map of
the theatre, the playback of one replication under each option, and the comparison of options,
all through the public facade :mod:`skyshield.api`.

FastAPI is imported only when the app is made.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def create_app(*args: Any, **kwargs: Any) -> Any:
    """The ASGI app (:func:`skyshield.web.app.create_app`)."""
    from .app import create_app as _create

    return _create(*args, **kwargs)
