"""The JSON API for reviews, method templates, insights and actions."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["reviews"])
