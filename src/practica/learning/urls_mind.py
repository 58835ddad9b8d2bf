"""URLs for experiments, assumptions, vision and goals (included by learning/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
