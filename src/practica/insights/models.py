"""Insights: precomputed aggregates for the steward's dashboard."""

from __future__ import annotations
