"""The private calibration record: CBM-scored judgements, visible only to their owner."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from practica.calibration.models import CalibrationRecord, RecordSource
from practica.calibration.selectors import calibration_profile
from practica.calibration.services import calibration_record_remove, calibration_record_set

pytestmark = pytest.mark.django_db


def score(person, source_id: int, certainty: int, fraction: float):
    return calibration_record_set(
        person=person,
        source=RecordSource.ANSWER,
        source_id=source_id,
        certainty=certainty,
        fraction=fraction,
        summary=f"Answer {source_id}",
        resolved_at=timezone.now(),
    )


def test_a_judgement_is_scored_with_the_cbm_table(owner):
    assert score(owner, 1, 3, 0.0).mark == -6
    assert score(owner, 2, 3, 1.0).mark == 3
    assert score(owner, 3, 2, 0.0).mark == -2
    assert score(owner, 4, 1, 0.0).mark == 0


def test_rescoring_replaces_and_removing_forgets(owner):
    score(owner, 1, 3, 1.0)
    score(owner, 1, 3, 0.0)
    assert CalibrationRecord.objects.get().mark == -6
    calibration_record_remove(source=RecordSource.ANSWER, source_id=1)
    assert not CalibrationRecord.objects.exists()


def test_the_profile_summarises_with_cbm(owner):
    score(owner, 1, 3, 1.0)
    score(owner, 2, 3, 0.0)
    profile = calibration_profile(owner.pk)
    assert profile.count == 2
    assert profile.summary is not None
    assert profile.summary.accuracy == 0.5
    assert profile.summary.average_mark == -1.5
    assert calibration_profile(0).summary is None


def test_the_page_shows_only_your_own_record(client_for, owner, member):
    score(owner, 1, 3, 0.0)
    assert "Answer 1" in client_for(owner).get("/me/calibration/").text
    page = client_for(member).get("/me/calibration/").text
    assert "Answer 1" not in page
    assert "Nothing scored yet" in page
    response = Client().get("/me/calibration/")
    assert response.status_code == 302
