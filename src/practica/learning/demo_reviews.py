"""Demo data for reviews: method templates, retrospectives and after-action reviews, insights and actions."""

from __future__ import annotations
