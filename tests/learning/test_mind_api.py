"""The mind API: experiments, assumptions, vision and goals, with outsiders and bad input."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from practica.calibration.models import CalibrationRecord
from practica.learning import goals, vision
from practica.learning.mind_selectors import organisation_scope
from practica.learning.models import (
    AlignmentPulse,
    Assumption,
    AssumptionChange,
    Experiment,
    ExperimentPrediction,
    LearningGoal,
    VisionDraft,
)
from tests.learning.helpers import CARD, make_experiment

pytestmark = pytest.mark.django_db
API = "/api/v1"


def call(client: Client, method: str, url: str, data: dict | None = None):
    if method == "get":
        return client.get(API + url)
    return getattr(client, method)(API + url, data=json.dumps(data or {}), content_type="application/json")


def test_signed_out_callers_get_401(client, owner, team):
    experiment = make_experiment(owner, team=team)
    for url in (f"/experiments/{experiment.pk}", "/assumptions", "/vision", "/me/goals", "/learnings"):
        assert client.get(API + url).status_code == 401, url


def test_the_experiment_lifecycle(client_for, owner, member, team, crowd):
    client = client_for(owner)
    response = call(client, "post", f"/teams/{team.slug}/experiments", CARD)
    assert response.status_code == 201
    experiment_id = response.json()["id"]
    assert response.json()["group"]["visible"] is False
    for person, p in zip([owner, member, *crowd[:3]], [0.9, 0.8, 0.7, 0.6, 0.5], strict=True):
        assert (
            call(
                client_for(person), "post", f"/experiments/{experiment_id}/predictions", {"probability": p}
            ).status_code
            == 201
        )
    body = call(client, "get", f"/experiments/{experiment_id}").json()
    assert (
        body["group"]["visible"] is False and body["group"]["mean"] is None and body["my_prediction"] == 0.9
    )
    started = call(client, "post", f"/experiments/{experiment_id}/start").json()
    assert started["status"] == "running"
    body = call(client, "get", f"/experiments/{experiment_id}").json()
    assert body["group"]["shown"] and body["group"]["mean"] == pytest.approx(0.7)
    assert "predictions" not in body and "Max Member" not in json.dumps(body)
    late = call(
        client_for(crowd[4]), "post", f"/experiments/{experiment_id}/predictions", {"probability": 0.5}
    )
    assert late.status_code == 400 and "closed" in late.json()["detail"]
    missing = call(
        client, "post", f"/experiments/{experiment_id}/conclude", {"result": "", "result_data": "x"}
    )
    assert missing.status_code == 400 and "Choose the result" in missing.json()["detail"]
    no_data = call(
        client, "post", f"/experiments/{experiment_id}/conclude", {"result": "won", "result_data": ""}
    )
    assert no_data.status_code == 400 and not CalibrationRecord.objects.exists()
    done = call(
        client, "post", f"/experiments/{experiment_id}/conclude", {"result": "won", "result_data": "4 days"}
    )
    assert done.status_code == 200 and done.json()["my_brier"] == pytest.approx(0.01)
    assert CalibrationRecord.objects.count() == 5
    card = call(
        client,
        "put",
        f"/experiments/{experiment_id}/learning-card",
        {"learning": "It works", "decision": "persevere"},
    )
    assert card.json()["decision"] == "persevere"
    assert [e["id"] for e in call(client, "get", "/learnings?result=won").json()["items"]] == [experiment_id]


def test_experiment_outsiders(client_for, owner, outsider, team, private):
    hidden = make_experiment(owner, community=private)
    team_one = make_experiment(owner, team=team)
    client = client_for(outsider)
    assert call(client, "get", f"/experiments/{hidden.pk}").status_code == 404
    assert call(client, "get", f"/communities/{private.slug}/experiments").status_code == 404
    assert call(client, "post", f"/communities/{private.slug}/experiments", CARD).status_code == 404
    assert (
        call(client, "post", f"/experiments/{hidden.pk}/predictions", {"probability": 0.5}).status_code == 404
    )
    refused = call(client, "post", f"/experiments/{team_one.pk}/predictions", {"probability": 0.5})
    assert refused.status_code == 400 and "Only members" in refused.json()["detail"]
    assert call(client, "post", f"/experiments/{team_one.pk}/start").status_code == 400
    assert call(client, "post", f"/teams/{team.slug}/experiments", CARD).status_code == 400
    assert call(client, "get", "/learnings").json()["items"] == []
    assert not ExperimentPrediction.objects.exists() and Experiment.objects.count() == 2


@pytest.mark.parametrize("probability", [-0.1, 1.1])
def test_a_probability_outside_0_to_1_is_a_400(client_for, owner, team, probability):
    experiment = make_experiment(owner, team=team)
    response = call(
        client_for(owner), "post", f"/experiments/{experiment.pk}/predictions", {"probability": probability}
    )
    assert response.status_code == 400 and not ExperimentPrediction.objects.exists()


def test_assumptions_api(client_for, owner, member, outsider, team, private):
    client = client_for(owner)
    created = call(
        client,
        "post",
        "/assumptions",
        {
            "statement": "Pairing halves onboarding time",
            "scope": "team",
            "team": team.slug,
            "confidence": 0.6,
        },
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    no_note = call(
        client, "post", f"/assumptions/{pk}/changes", {"status": "supported", "confidence": 0.75, "note": ""}
    )
    assert no_note.status_code == 400 and "what changed your mind" in no_note.json()["detail"]
    assert not AssumptionChange.objects.exists()
    assert (
        call(
            client,
            "post",
            f"/assumptions/{pk}/changes",
            {"status": "supported", "confidence": 0.75, "note": "Two cohorts"},
        ).status_code
        == 201
    )
    evidence = call(
        client_for(member),
        "post",
        f"/assumptions/{pk}/evidence",
        {"direction": "for", "summary": "Wiki", "url": "https://wiki.example.org"},
    )
    assert evidence.status_code == 201
    detail = call(client, "get", f"/assumptions/{pk}").json()
    assert detail["status"] == "supported" and len(detail["changes"]) == 1 and len(detail["evidence"]) == 1
    outside = client_for(outsider)
    assert call(outside, "get", f"/assumptions/{pk}").status_code == 404
    assert (
        call(
            outside,
            "post",
            f"/assumptions/{pk}/changes",
            {"status": "refuted", "confidence": 0.1, "note": "x"},
        ).status_code
        == 404
    )
    assert call(outside, "get", "/assumptions").json()["items"] == []
    assert (
        call(
            outside,
            "post",
            "/assumptions",
            {"statement": "S", "scope": "community", "community": private.slug, "confidence": 0.5},
        ).status_code
        == 404
    )
    assert Assumption.objects.count() == 1


def test_vision_api(client_for, owner, member, outsider, steward, private):
    client = client_for(member)
    draft = call(client, "post", "/vision/drafts", {"text": "Learn in public"})
    assert draft.status_code == 201
    other = vision.vision_draft_propose(actor=owner, scope=organisation_scope(owner), text="Other")
    assert call(client, "post", f"/vision-drafts/{draft.json()['id']}/adopt").status_code == 400
    assert (
        call(client_for(steward), "post", f"/vision-drafts/{draft.json()['id']}/adopt").json()["version"] == 1
    )
    stale = call(client_for(steward), "post", f"/vision-drafts/{other.pk}/adopt")
    assert stale.status_code == 400 and "Re-base" in stale.json()["detail"]
    assert call(client, "post", "/vision/pulse", {"score": 6}).status_code == 400
    assert call(client, "post", "/vision/pulse", {"score": 4, "comment": "yes"}).status_code == 201
    results = call(client, "get", "/vision").json()["results"]
    assert results["shown"] is False and results["comments"] is None and results["mean"] is None
    assert AlignmentPulse.objects.count() == 1
    outside = client_for(outsider)
    assert call(outside, "get", f"/communities/{private.slug}/vision").status_code == 404
    assert (
        call(outside, "post", f"/communities/{private.slug}/vision/drafts", {"text": "x"}).status_code == 404
    )
    assert call(outside, "post", f"/communities/{private.slug}/vision/pulse", {"score": 3}).status_code == 404
    assert VisionDraft.objects.count() == 2


def test_goals_api(client_for, member, owner, outsider, admin):
    client = client_for(member)
    created = call(
        client, "post", "/me/goals", {"title": "Facilitate", "vision": "v", "current_reality": "r"}
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    for person in (owner, outsider, admin):
        assert call(client_for(person), "get", f"/goals/{pk}").status_code == 404
        assert call(client_for(person), "post", f"/goals/{pk}/check-ins", {"note": "x"}).status_code == 404
        assert call(client_for(person), "get", "/me/goals").json() == {"mine": [], "shared_with_me": []}
    assert call(client, "post", f"/goals/{pk}/shares", {"email": owner.email}).status_code == 200
    mentor = client_for(owner)
    assert call(mentor, "get", f"/goals/{pk}").json()["shared_with"] == []
    assert call(mentor, "post", f"/goals/{pk}/check-ins", {"note": "Nice"}).status_code == 201
    assert call(mentor, "post", f"/goals/{pk}/milestones", {"title": "x"}).status_code == 400
    milestone = call(client, "post", f"/goals/{pk}/milestones", {"title": "Co-facilitate"}).json()
    assert call(client, "put", f"/goals/{pk}/milestones/{milestone['id']}", {"done": True}).json()["done_at"]
    assert call(client, "get", f"/goals/{pk}").json()["shared_with"] == ["Olivia Owner"]
    assert call(mentor, "delete", f"/goals/{pk}").status_code == 400
    assert LearningGoal.objects.count() == 1
    goals.goal_unshare(actor=member, goal=LearningGoal.objects.get(), person=owner)
    assert call(mentor, "get", f"/goals/{pk}").status_code == 404
