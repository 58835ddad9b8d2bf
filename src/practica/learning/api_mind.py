"""The JSON API for experiments, the assumption register, shared vision and personal learning goals."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["mind"])
