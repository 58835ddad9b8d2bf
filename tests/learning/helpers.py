"""Plain helpers shared by the learning tests (the fixtures are in ``conftest.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from practica.core.errors import ApplicationError
from practica.learning import experiments
from practica.learning.models import Experiment, Review, ReviewPhase
from practica.learning.reviews import review_set_phase

CARD: dict[str, Any] = {
    "title": "Pairing onboarding",
    "hypothesis": "We believe that pairing new joiners with a buddy halves onboarding time.",
    "method": "Pair the next four joiners for two weeks.",
    "metric": "Days to first merged change",
    "success_criterion": "Median below 5 days",
    "planned_days": 14,
}


def make_experiment(actor, *, team=None, community=None, **fields: Any) -> Experiment:
    return experiments.experiment_create(actor=actor, team=team, community=community, **{**CARD, **fields})


def refused(action: Callable[[], object], message: str = "") -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        action()
    assert message in caught.value.message
    return caught.value


def set_phase(review: Review, phase: ReviewPhase) -> Review:
    assert review.facilitator is not None
    return review_set_phase(actor=review.facilitator, review=review, phase=phase)
