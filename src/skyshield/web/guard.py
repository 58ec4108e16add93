"""The app's gate, as one ASGI middleware: the Host header (against DNS rebinding), the access
token (when bound to anything but loopback), and the size of request bodies.

The token may come as the ``X-Skyshield-Token`` header, the ``token`` query parameter or the
``skyshield_token`` cookie (which the page sets on the first visit with ``?token=``, so that
the scripts and styles it loads carry it); it is compared in constant time.
"""

from __future__ import annotations

import hmac
import json
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

__all__ = ["TOKEN_COOKIE", "TOKEN_HEADER", "Guard", "token_ok"]

TOKEN_HEADER = "x-skyshield-token"
TOKEN_COOKIE = "skyshield_token"


def token_ok(given: str | None, token: str) -> bool:
    """Constant-time comparison of a presented token with the server's."""
    return given is not None and hmac.compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8"))


def _presented(scope: dict[str, Any]) -> list[str]:
    out = []
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    if TOKEN_HEADER in headers:
        out.append(headers[TOKEN_HEADER])
    q = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    out += q.get("token", [])[:1]
    if "cookie" in headers:
        c: SimpleCookie = SimpleCookie()
        try:
            c.load(headers["cookie"])
        except Exception:  # a malformed cookie header presents no token
            return out
        if TOKEN_COOKIE in c:
            out.append(c[TOKEN_COOKIE].value)
    return out


async def _reply(send: Any, status: int, message: str) -> None:
    body = json.dumps({"detail": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """ASGI middleware.

    Parameters
    ----------
    app
        The wrapped ASGI app.
    token
        Required on every request when not ``None``.
    allowed_hosts
        Host header values accepted (without port); ``None`` accepts any.
    max_body_bytes
        Larger request bodies are refused with 413 (by ``Content-Length`` at once, or while
        reading a body sent without one).
    """

    def __init__(self, app: Any, token: str | None, allowed_hosts: set[str] | None, max_body_bytes: int):
        self.app = app
        self.token = token
        self.allowed_hosts = allowed_hosts
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if self.allowed_hosts is not None:
            host = headers.get("host", "")
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name not in self.allowed_hosts:
                await _reply(send, 400, "unexpected Host header")
                return
        if self.token is not None and not any(token_ok(t, self.token) for t in _presented(scope)):
            await _reply(send, 401, "a valid token is required (printed when the server started)")
            return
        length = headers.get("content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_body_bytes
            except ValueError:
                await _reply(send, 400, "bad Content-Length")
                return
            if too_big:
                await _reply(send, 413, f"request body over {self.max_body_bytes} bytes")
                return
        if scope.get("method") in ("POST", "PUT", "PATCH"):
            chunks, size = [], 0
            while True:
                msg = await receive()
                if msg["type"] != "http.request":
                    return
                chunk = msg.get("body", b"")
                size += len(chunk)
                if size > self.max_body_bytes:
                    await _reply(send, 413, f"request body over {self.max_body_bytes} bytes")
                    return
                chunks.append(chunk)
                if not msg.get("more_body", False):
                    break
            body = b"".join(chunks)
            sent = False

            async def replay() -> dict[str, Any]:
                nonlocal sent
                if not sent:
                    sent = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            await self.app(scope, replay, send)
            return
        await self.app(scope, receive, send)
