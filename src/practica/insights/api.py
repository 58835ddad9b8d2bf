"""The JSON API of the steward's dashboard: one endpoint per panel, the same numbers as the pages."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["insights"])
