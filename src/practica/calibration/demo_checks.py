"""Demo data for knowledge checks: item banks, attempts, reports, group views."""

from __future__ import annotations
