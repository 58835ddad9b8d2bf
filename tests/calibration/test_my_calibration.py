"""The private calibration page's panels: certainty per level, record over time, skills against the
evidence (with who assessed and which check attempt), each with its note; only ever the owner's."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from practica.calibration import skills
from practica.calibration.models import (
    AssessmentSource,
    CalibrationRecord,
    CheckAttempt,
    KnowledgeCheck,
    RecordSource,
    SkillAssessment,
)
from practica.calibration.services import calibration_record_set

pytestmark = pytest.mark.django_db


def score(person, source_id: int, certainty: int, fraction: float, *, days_ago: int = 0):
    return calibration_record_set(
        person=person,
        source=RecordSource.ANSWER,
        source_id=source_id,
        certainty=certainty,
        fraction=fraction,
        summary=f"Answer {source_id}",
        resolved_at=timezone.now() - timedelta(days=days_ago),
    )


def spec(page: str, element_id: str) -> dict:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', page, re.S)
    assert match, f"no {element_id} on the page"
    return json.loads(match.group(1))


@pytest.fixture
def testing_skill(steward):
    return skills.skill_create(actor=steward, name="Test automation")


def test_certainty_levels_are_charted_against_the_honest_bands(client_for, owner):
    score(owner, 1, 3, 1.0)
    score(owner, 2, 3, 0.0)
    score(owner, 3, 1, 1.0)
    page = client_for(owner).get("/me/calibration/").text
    chart = spec(page, "levels-spec")
    bands, points = chart["layer"][0]["data"]["values"], chart["layer"][1]["data"]["values"]
    assert bands[2] == {"certainty": "High", "lower": 80.0, "upper": 100.0}
    high = {"certainty": "High", "right": 50.0, "judgements": 2, "verdict": "slightly over-confident"}
    assert high in points
    assert "Right at each certainty" in page
    assert page.count("How to read this") >= 2  # the record and the levels chart


def test_the_record_over_time_needs_two_months(client_for, owner):
    score(owner, 1, 2, 1.0)
    page = client_for(owner).get("/me/calibration/").text
    assert "a line over time appears from the second month on" in page
    score(owner, 2, 3, 0.0, days_ago=70)
    page = client_for(owner).get("/me/calibration/").text
    values = spec(page, "months-spec")["layer"][1]["data"]["values"]
    assert [value["mark"] for value in values] == [-6.0, 2.0]
    assert 'id="months-table"' in page


def test_skills_show_the_gap_and_the_evidence_behind_it(client_for, owner, member, testing, testing_skill):
    skills.skill_assess(assessor=member, person=member, skill=testing_skill, source="self", level=5)
    skills.skill_assess(
        assessor=owner, person=member, skill=testing_skill, source="lead", level=2,
        justification="Needs help choosing what to automate.",
    )  # fmt: skip
    check = KnowledgeCheck.objects.create(community=testing, title="Automation basics", slug="automation")
    attempt = CheckAttempt.objects.create(
        check_ref=check, person=member, estimated_score=0.9, submitted_at=timezone.now(), accuracy=0.4
    )
    SkillAssessment.objects.create(
        person=member, skill=testing_skill, source=AssessmentSource.CHECK, level=2, attempt=attempt
    )
    page = client_for(member).get("/me/calibration/").text
    section = page[page.index('id="skills"') :]
    assert 'gap <strong class="gap">+3</strong>' in section
    assert "Olivia Owner" in section  # the lead is named
    assert "Needs help choosing what to automate." in section
    assert "Knowledge check “Automation basics”</a> (attempt 1, 40% right)" in section
    assert f"/communities/testing/checks/{check.pk}/attempts/{attempt.pk}/" in section
    history = page[page.index('id="checks"') : page.index('id="skills"')]
    assert "Automation basics" in history
    assert "<td>90%</td><td>40%</td>" in history  # expected beside actual
    assert "check assessments" in section  # the evidence came from the check, which outranks the lead
    gaps = spec(page, "gaps-spec")["data"]["values"]
    assert gaps == [{"skill": "Test automation", "gap": 3, "self": 5, "evidence": 2}]


def test_nobody_else_sees_the_skills_panel(client_for, owner, member, steward, admin, testing, testing_skill):
    skills.skill_assess(assessor=member, person=member, skill=testing_skill, source="self", level=5)
    skills.skill_assess(
        assessor=owner, person=member, skill=testing_skill, source="lead", level=2,
        justification="Needs help choosing what to automate.",
    )  # fmt: skip
    for viewer in (owner, steward, admin):
        page = client_for(viewer).get("/me/calibration/").text
        assert "Needs help choosing what to automate." not in page
        assert "No skills assessed yet" in page


def test_the_page_pins_its_queries(
    client_for, owner, member, testing, steward, django_assert_max_num_queries
):
    client = client_for(member)
    first = skills.skill_create(actor=steward, name="Skill 0")
    skills.skill_assess(assessor=member, person=member, skill=first, source="self", level=3)
    score(member, 1, 2, 1.0)
    client.get("/me/calibration/")
    with django_assert_max_num_queries(14) as few:
        client.get("/me/calibration/")
    for index in range(1, 8):
        skill = skills.skill_create(actor=steward, name=f"Skill {index}")
        skills.skill_assess(assessor=member, person=member, skill=skill, source="self", level=3)
        skills.skill_assess(
            assessor=owner,
            person=member,
            skill=skill,
            source="peer",
            level=2,
            justification="Seen it in review.",
        )
        score(member, index + 1, 3, 0.0, days_ago=40 * index)
    assert CalibrationRecord.objects.filter(person=member).count() == 8
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/me/calibration/")
