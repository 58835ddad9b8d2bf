"""URLs for knowledge checks: item banks, attempts, reports, group views (included by calibration/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
