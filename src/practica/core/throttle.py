"""Limit how often one client may try a password, on the sign-in page and the token endpoint alike."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from practica.core.errors import ApplicationError

WINDOW_SECONDS = 300
TOO_MANY_ATTEMPTS = "Too many sign-in attempts. Wait five minutes and try again."


def _key(scope: str, client: str) -> str:
    return f"practica:throttle:{scope}:{client}"


def attempts_exceeded(scope: str, client: str) -> bool:
    """True when ``client`` has used up its failed attempts for ``scope`` in the current window."""
    return int(cache.get(_key(scope, client), 0)) >= settings.PRACTICA_LOGIN_THROTTLE


def check_attempts(scope: str, client: str) -> None:
    """Raise ApplicationError when the client must wait before trying again."""
    if attempts_exceeded(scope, client):
        raise ApplicationError(TOO_MANY_ATTEMPTS)


def record_failure(scope: str, client: str) -> None:
    """Count one failed attempt; the count expires WINDOW_SECONDS after the first failure."""
    key = _key(scope, client)
    if cache.add(key, 1, WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, WINDOW_SECONDS)


def reset(scope: str, client: str) -> None:
    """Forget failures after a successful attempt."""
    cache.delete(_key(scope, client))


def client_address(meta: dict[str, str]) -> str:
    """The address a request came from (REMOTE_ADDR; a proxy must set it, see the README)."""
    return meta.get("REMOTE_ADDR", "unknown")
