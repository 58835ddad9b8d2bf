"""Demo data for the learning app; each module registers its steps on import."""

from __future__ import annotations

from practica.learning import demo_mind, demo_reviews  # noqa: F401
