"""Template filters every Practica template can use without loading them."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince, timeuntil

from practica.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Render Markdown to HTML that nh3 has already cleaned, so it is safe to mark as such."""
    return mark_safe(render_markdown(text))


@register.filter(name="ago")
def ago(moment: datetime | None) -> str:
    """``just now``, ``5 minutes ago``, ``3 days ago`` (or ``in 2 days`` for a moment ahead)."""
    if moment is None:
        return ""
    now = timezone.now()
    if abs((now - moment).total_seconds()) < 60:
        return "just now"
    if moment > now:
        return f"in {timeuntil(moment, now)}"
    return f"{timesince(moment, now)} ago"
