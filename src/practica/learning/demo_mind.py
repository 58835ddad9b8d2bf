"""Demo data for experiments, the assumption register, shared vision and personal learning goals."""

from __future__ import annotations
