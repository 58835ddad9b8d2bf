"""Template filters every Practica template can use without loading them."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from practica.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Render Markdown to HTML that nh3 has already cleaned, so it is safe to mark as such."""
    return mark_safe(render_markdown(text))
