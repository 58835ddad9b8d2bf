"""Malformed payloads against every learning API endpoint that writes: always a 4xx with a message,
never a server error (a 500 would also leave the caller without a reason)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from practica.learning import experiments, goals, reviews, vision
from practica.learning.mind_selectors import organisation_scope
from practica.learning.models import Assumption, ReviewPhase
from tests.learning.helpers import make_experiment

pytestmark = pytest.mark.django_db
API = "/api/v1"

FIELDS = [
    "title",
    "text",
    "section",
    "anonymous",
    "phase",
    "item_ids",
    "items",
    "group_id",
    "into",
    "owner_id",
    "owner",
    "due_on",
    "status",
    "outcome",
    "action_id",
    "communities",
    "community_slugs",
    "team",
    "team_slug",
    "note",
    "via_id",
    "via",
    "probability",
    "result",
    "result_data",
    "decision",
    "learning",
    "statement",
    "details",
    "confidence",
    "scope",
    "direction",
    "summary",
    "experiment_id",
    "review_id",
    "answer_id",
    "url",
    "score",
    "comment",
    "person_id",
    "person",
    "skills",
    "skill_ids",
    "vision",
    "reality",
    "hypothesis",
    "method",
    "metric",
    "success_criterion",
    "planned_days",
    "assumption_id",
    "forecast_id",
    "dots_per_person",
    "allow_anonymous",
    "template",
    "template_slug",
    "held_at",
    "done",
    "insight_id",
    "item_id",
    "based_on_version",
    "target_date",
]
WEIRD: list[Any] = ["zz", 10**30, -1, None, [1, "x"], {"a": 1}, True, "", 1.5]


def bodies() -> list[str]:
    raw = ["not json", "[]", "{}", '{"unknown": 1}', "null", '"text"', "{" * 3]
    raw += [json.dumps(dict.fromkeys(FIELDS, value)) for value in WEIRD]
    return raw


@pytest.fixture
def world(owner, member, team, testing):
    from practica.learning.models import MethodTemplate

    review = reviews.review_create(
        actor=owner, template=MethodTemplate.objects.get(slug="start-stop-continue"), team=team
    )
    item = reviews.review_item_add(actor=owner, review=review, section="start", text="Pair more")
    reviews.review_set_phase(actor=owner, review=review, phase=ReviewPhase.ACT)
    action = reviews.action_create(actor=owner, review=review, title="Pair on Fridays", owner=member)
    insight = reviews.insight_create(actor=owner, review=review, title="Pairing helps", item_ids=[item.pk])
    experiment = make_experiment(owner, team=team)
    running = make_experiment(owner, team=team, title="Running")
    experiments.experiment_start(actor=owner, experiment=running)
    assumption = Assumption.objects.create(
        statement="Pairing helps", owner=owner, scope="personal", confidence=0.6
    )
    draft = vision.vision_draft_propose(
        actor=member, scope=organisation_scope(member), text="We learn in the open", note=""
    )
    goal = goals.goal_create(actor=owner, title="Learn Rust", vision="Fluent", current_reality="None")
    return {
        "review": review.pk,
        "item": item.pk,
        "action": action.pk,
        "insight": insight.pk,
        "experiment": experiment.pk,
        "running": running.pk,
        "assumption": assumption.pk,
        "draft": draft.pk,
        "goal": goal.pk,
        "team": team.slug,
        "community": testing.slug,
    }


def endpoints(w: dict[str, Any]) -> list[tuple[str, str]]:
    r, g = w["review"], w["goal"]
    return [
        ("post", f"/teams/{w['team']}/experiments"),
        ("post", f"/communities/{w['community']}/experiments"),
        ("put", f"/experiments/{w['experiment']}"),
        ("post", f"/experiments/{w['experiment']}/predictions"),
        ("post", f"/experiments/{w['running']}/conclude"),
        ("put", f"/experiments/{w['running']}/learning-card"),
        ("post", "/assumptions"),
        ("put", f"/assumptions/{w['assumption']}"),
        ("post", f"/assumptions/{w['assumption']}/changes"),
        ("post", f"/assumptions/{w['assumption']}/evidence"),
        ("post", "/vision/drafts"),
        ("post", f"/communities/{w['community']}/vision/drafts"),
        ("post", f"/vision-drafts/{w['draft']}/comments"),
        ("post", "/vision/pulse"),
        ("post", f"/communities/{w['community']}/vision/pulse"),
        ("post", "/me/goals"),
        ("put", f"/goals/{g}"),
        ("post", f"/goals/{g}/shares"),
        ("post", f"/goals/{g}/milestones"),
        ("post", f"/goals/{g}/check-ins"),
        ("post", "/learning/reviews"),
        ("post", f"/learning/reviews/{r}/phase"),
        ("post", f"/learning/reviews/{r}/items"),
        ("patch", f"/learning/reviews/{r}/items/{w['item']}"),
        ("post", f"/learning/reviews/{r}/groups"),
        ("post", f"/learning/reviews/{r}/insights"),
        ("post", f"/learning/reviews/{r}/actions"),
        ("post", f"/learning/reviews/{r}/follow-ups"),
        ("patch", f"/learning/actions/{w['action']}"),
        ("post", f"/learning/insights/{w['insight']}/shares"),
        ("post", f"/learning/insights/{w['insight']}/adoptions"),
    ]


def test_malformed_payloads_get_a_4xx_with_a_message_never_a_500(client_for, owner, world):
    client = client_for(owner)
    client.raise_request_exception = False
    failures = []
    for method, url in endpoints(world):
        for body in bodies():
            response = getattr(client, method)(API + url, data=body, content_type="application/json")
            if response.status_code >= 500:
                failures.append((method, url, body[:60], response.status_code))
            elif response.status_code >= 400:
                assert response.content.strip(), (method, url, body)
    assert failures == [], "\n".join(map(str, failures))


def page_posts(w: dict[str, Any]) -> list[str]:
    r, g, e, a = w["review"], w["goal"], w["experiment"], w["assumption"]
    return [
        "/learning/methods/new/",
        "/learning/reviews/new/",
        f"/learning/reviews/{r}/phase/",
        f"/learning/reviews/{r}/items/",
        f"/learning/reviews/{r}/items/{w['item']}/edit/",
        f"/learning/reviews/{r}/items/{w['item']}/move/",
        f"/learning/reviews/{r}/groups/",
        f"/learning/reviews/{r}/insights/",
        f"/learning/reviews/{r}/actions/",
        f"/learning/reviews/{r}/links/",
        f"/learning/actions/{w['action']}/status/",
        f"/learning/insights/{w['insight']}/share/",
        f"/learning/insights/{w['insight']}/adopt/",
        f"/learning/teams/{w['team']}/experiments/new/",
        f"/learning/experiments/{e}/edit/",
        f"/learning/experiments/{e}/predict/",
        f"/learning/experiments/{w['running']}/conclude/",
        f"/learning/experiments/{w['running']}/learning-card/",
        "/learning/assumptions/new/",
        f"/learning/assumptions/{a}/edit/",
        f"/learning/assumptions/{a}/change/",
        f"/learning/assumptions/{a}/evidence/",
        "/learning/vision/drafts/",
        "/learning/vision/pulse/",
        "/learning/goals/new/",
        f"/learning/goals/{g}/edit/",
        f"/learning/goals/{g}/milestones/",
        f"/learning/goals/{g}/check-ins/",
        f"/learning/goals/{g}/share/",
    ]


def test_malformed_forms_on_the_pages_never_give_a_500(client_for, owner, world):
    client = client_for(owner)
    client.raise_request_exception = False
    forms: list[dict[str, Any]] = [
        {},
        dict.fromkeys(FIELDS, "zz"),
        dict.fromkeys(FIELDS, "99999999999999999999999"),
        dict.fromkeys(FIELDS, "-1"),
        dict.fromkeys(FIELDS, "\x00"),
        {name: ["1", "x"] for name in FIELDS},
    ]
    failures = []
    for url in page_posts(world):
        for form in forms:
            for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
                response = client.post(url, form, **headers)
                if response.status_code >= 500:
                    failures.append((url, str(form)[:40], headers, response.status_code))
    assert failures == [], "\n".join(map(str, failures))
