"""URL names (slugs) for things people name: readable, unique, stable once given."""

from __future__ import annotations

from django.db.models import Model
from django.utils.text import slugify


def unique_slug(model: type[Model], name: str, *, fallback: str, max_length: int = 120) -> str:
    """``name`` as a slug, with ``-2``, ``-3`` ... appended while ``model`` already uses it."""
    base = slugify(name)[:max_length] or fallback
    slug, number = base, 2
    while model._default_manager.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug
