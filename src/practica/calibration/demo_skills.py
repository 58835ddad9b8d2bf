"""Demo data for skills: taxonomy, assessments, evidence levels and gaps."""

from __future__ import annotations
