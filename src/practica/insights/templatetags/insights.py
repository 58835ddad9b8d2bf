"""Template filters of the dashboard."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def duration(milliseconds: int | None) -> str:
    """``0.8 s``, ``12 s``, ``2 min 5 s``: how long a computation took."""
    if milliseconds is None:
        return ""
    seconds = milliseconds / 1000
    if seconds < 0.1:
        return "under 0.1 s"
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``mapping|get:key`` for dict keys a template cannot spell (numbers, dashes)."""
    if isinstance(mapping, dict):
        return mapping.get(key, mapping.get(str(key)))
    return None


@register.filter
def percent(share: float | None) -> str:
    """0.734 -> ``73%``; None -> ``""``."""
    return "" if share is None else f"{share * 100:.0f}%"
