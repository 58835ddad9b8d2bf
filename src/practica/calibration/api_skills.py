"""The JSON API for skills: taxonomy, assessments, evidence levels and gaps."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["skills"])
