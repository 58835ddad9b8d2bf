"""The JSON API for knowledge checks: item banks, attempts, reports, group views."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["checks"])
