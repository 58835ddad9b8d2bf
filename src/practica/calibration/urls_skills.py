"""URLs for skills: taxonomy, assessments, evidence levels and gaps (included by calibration/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
