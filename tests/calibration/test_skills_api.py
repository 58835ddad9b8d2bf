"""Skills in the JSON API: 401 without a token, 404 for private and for other people's data, 403 for
managing without the role, 400 with the refusal's text."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from practica.calibration import skills
from practica.calibration.models import RecordSource, Skill, SkillAssessment
from practica.calibration.services import calibration_record_set
from practica.people.services import api_token_create

pytestmark = pytest.mark.django_db


def bearer(person) -> dict[str, str]:
    _, token = api_token_create(person=person, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def call(method: str, person, path: str, body: dict | None = None):
    client = Client()
    headers = bearer(person) if person else {}
    if body is None:
        return getattr(client, method)(path, **headers)
    return getattr(client, method)(path, body, content_type="application/json", **headers)


@pytest.fixture
def testing_skill(steward):
    return skills.skill_create(actor=steward, name="Testing")


def test_anonymous_calls_get_401(testing_skill):
    assert call("get", None, "/api/v1/skills").status_code == 401
    assert call("get", None, "/api/v1/me/skills").status_code == 401
    response = call(
        "post", None, f"/api/v1/skills/{testing_skill.pk}/assessments", {"source": "self", "level": 3}
    )
    assert response.status_code == 401
    assert not SkillAssessment.objects.exists()


def test_skills_are_listed_read_and_managed_by_a_steward(steward, testing_skill):
    listed = call("get", steward, "/api/v1/skills").json()
    assert [item["slug"] for item in listed["items"]] == ["testing"]
    created = call(
        "post", steward, "/api/v1/skills", {"name": "Test automation", "parent_id": testing_skill.pk}
    )
    assert created.status_code == 201
    assert created.json()["parent_id"] == testing_skill.pk
    skill_id = created.json()["id"]
    moved = call("put", steward, f"/api/v1/skills/{skill_id}", {"name": "Automation", "parent_id": None})
    assert moved.json()["parent_id"] is None
    assert moved.json()["name"] == "Automation"
    assert call("get", steward, f"/api/v1/skills/{skill_id}").json()["name"] == "Automation"
    assert call("delete", steward, f"/api/v1/skills/{skill_id}").status_code == 204
    assert not Skill.objects.filter(pk=skill_id).exists()


def test_members_may_not_manage_organisation_wide_skills(member, testing_skill):
    assert call("post", member, "/api/v1/skills", {"name": "Hacking"}).status_code == 403
    assert call("put", member, f"/api/v1/skills/{testing_skill.pk}", {"name": "X"}).status_code == 403
    assert call("delete", member, f"/api/v1/skills/{testing_skill.pk}").status_code == 403
    assert list(Skill.objects.values_list("name", flat=True)) == ["Testing"]


def test_a_cycle_or_a_duplicate_is_a_400_with_the_reason(steward, testing_skill):
    child = skills.skill_create(actor=steward, name="Child", parent=testing_skill)
    response = call(
        "put", steward, f"/api/v1/skills/{testing_skill.pk}", {"name": "Testing", "parent_id": child.pk}
    )
    assert response.status_code == 400
    assert "under itself" in response.json()["detail"]
    response = call("post", steward, "/api/v1/skills", {"name": "testing"})
    assert response.status_code == 400
    assert "already exists" in response.json()["detail"]


def test_a_lead_adds_a_community_skill_and_a_private_one_is_404_for_outsiders(
    owner, outsider, testing, private
):
    created = call("post", owner, "/api/v1/skills", {"name": "Pairing", "community": "testing"})
    assert created.status_code == 201
    assert created.json()["community"] == "testing"
    secret = skills.skill_create(actor=owner, name="Lock picking", community=private)
    assert call("get", outsider, "/api/v1/skills?community=secret-guild").status_code == 404
    assert call("get", outsider, f"/api/v1/skills/{secret.pk}").status_code == 404
    assert (
        call("post", outsider, "/api/v1/skills", {"name": "X", "community": "secret-guild"}).status_code
        == 404
    )
    response = call(
        "post", outsider, f"/api/v1/skills/{secret.pk}/assessments", {"source": "self", "level": 3}
    )
    assert response.status_code == 404
    assert not SkillAssessment.objects.exists()


def test_assessments_and_my_evidence(owner, member, testing, testing_skill):
    me = call(
        "post", member, f"/api/v1/skills/{testing_skill.pk}/assessments", {"source": "self", "level": 5}
    )
    assert me.status_code == 201
    peer = call(
        "post", owner, f"/api/v1/skills/{testing_skill.pk}/assessments",
        {"source": "lead", "level": 3, "person_id": member.pk, "justification": "Ran the regression suite."},
    )  # fmt: skip
    assert peer.status_code == 201
    assert peer.json()["assessor"] == "Olivia Owner"
    [row] = call("get", member, "/api/v1/me/skills").json()
    assert (row["self_level"], row["evidence_level"], row["evidence_source"], row["gap"]) == (5, 3, "lead", 2)
    received = call("get", member, "/api/v1/me/skill-assessments").json()
    assert received["count"] == 2
    given = call("get", owner, "/api/v1/me/skill-assessments/given").json()
    assert [item["person_id"] for item in given["items"]] == [member.pk]
    # The assessor's own /me/skills says nothing about the member.
    assert call("get", owner, "/api/v1/me/skills").json() == []


def test_another_persons_assessment_is_404(owner, member, outsider, steward, admin, testing, testing_skill):
    given = skills.skill_assess(
        assessor=owner, person=member, skill=testing_skill, source="peer", level=3,
        justification="Paired on the flaky suite.",
    )  # fmt: skip
    assert call("get", member, f"/api/v1/skill-assessments/{given.pk}").status_code == 200
    assert call("get", owner, f"/api/v1/skill-assessments/{given.pk}").status_code == 200
    for stranger in (outsider, steward, admin):
        assert call("get", stranger, f"/api/v1/skill-assessments/{given.pk}").status_code == 404
        assert call("get", stranger, "/api/v1/me/skill-assessments").json()["count"] == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"source": "self", "level": 9}, "from 1"),
        ({"source": "peer", "level": 3, "justification": "Paired on it."}, "use the self-assessment"),
        ({"source": "check", "level": 3}, "knowledge checks"),
        (
            {"source": "peer", "level": 3, "person_id": 999999, "justification": "Paired on it."},
            "has that id",
        ),
    ],
)
def test_bad_assessments_are_400_and_change_nothing(member, testing_skill, body, message):
    response = call("post", member, f"/api/v1/skills/{testing_skill.pk}/assessments", body)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not SkillAssessment.objects.exists()


def test_an_outsider_cannot_peer_assess(outsider, member, testing_skill):
    response = call(
        "post", outsider, f"/api/v1/skills/{testing_skill.pk}/assessments",
        {"source": "peer", "level": 1, "person_id": member.pk, "justification": "Never met them."},
    )  # fmt: skip
    assert response.status_code == 400
    assert "shares an active community or a team" in response.json()["detail"]


def test_my_calibration_summary_has_levels_and_months(owner, member):
    for index, (certainty, fraction) in enumerate([(3, 1.0), (3, 0.0), (1, 1.0)]):
        calibration_record_set(
            person=owner, source=RecordSource.ANSWER, source_id=index + 1, certainty=certainty,
            fraction=fraction, summary="An answer", resolved_at=timezone.now(),
        )  # fmt: skip
    mine = call("get", owner, "/api/v1/me/calibration").json()["certainty"]
    assert mine["count"] == 3
    assert [level["count"] for level in mine["levels"]] == [1, 0, 2]
    assert mine["levels"][1]["share_correct"] is None
    assert mine["levels"][2]["share_correct"] == 0.5
    assert len(mine["months"]) == 1
    assert mine["months"][0]["average_mark"] == pytest.approx(-2 / 3)
    theirs = call("get", member, "/api/v1/me/calibration").json()["certainty"]
    assert theirs["count"] == 0
    assert theirs["levels"] == [] and theirs["months"] == []
