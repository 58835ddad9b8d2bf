"""Q&A in the JSON API: 401 without a token, 404 for private, 400 with the refusal's text."""

from __future__ import annotations

import pytest
from django.test import Client

from practica.calibration.models import CalibrationRecord, Certainty
from practica.communities.models import Visibility
from practica.communities.services import community_create, membership_invite, membership_join
from practica.knowledge import qa
from practica.knowledge.models import Answer, Outcome, Question, Vote
from practica.people.services import api_token_create

pytestmark = pytest.mark.django_db


def bearer(person) -> dict[str, str]:
    _, token = api_token_create(person=person, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post(person, path: str, body: dict) -> object:
    return Client().post(path, body, content_type="application/json", **bearer(person))


@pytest.fixture
def testing(owner, member):
    community = community_create(actor=owner, name="Testing", tags="qa")
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def private(owner, member):
    community = community_create(actor=owner, name="Secret Guild", visibility=Visibility.PRIVATE)
    membership_invite(actor=owner, community=community, person=member)
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def question(testing, member):
    return qa.question_ask(actor=member, community=testing, title="Why is my test flaky?", tags="pytest")


def test_anonymous_calls_get_401(question):
    client = Client()
    assert client.get("/api/v1/communities/testing/questions").status_code == 401
    assert client.get(f"/api/v1/questions/{question.pk}").status_code == 401
    assert (
        client.post(
            "/api/v1/communities/testing/questions", {"title": "x"}, content_type="application/json"
        ).status_code
        == 401
    )
    assert client.get("/api/v1/experts/pytest").status_code == 401


def test_ask_answer_accept_and_mark_the_outcome(member, owner, testing):
    created = post(
        member, "/api/v1/communities/testing/questions", {"title": "How to retry?", "tags": ["ci"]}
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["title"], body["tags"], body["answers"], body["community"]) == (
        "How to retry?", [{"name": "ci", "slug": "ci"}], [], "testing",
    )  # fmt: skip
    answered = post(
        owner, f"/api/v1/questions/{body['id']}/answers", {"body": "Use tenacity", "certainty": 3}
    )
    assert answered.status_code == 201 and answered.json()["certainty"] == 3
    answer_id = answered.json()["id"]
    assert post(member, f"/api/v1/answers/{answer_id}/accept", {}).json()["accepted"] is True
    outcome = post(member, f"/api/v1/answers/{answer_id}/outcome", {"outcome": "did_not_work"})
    assert outcome.json()["outcome"] == "did_not_work"
    assert CalibrationRecord.objects.get(person=owner).mark == -6
    cleared = post(member, f"/api/v1/answers/{answer_id}/outcome", {"outcome": None})
    assert cleared.json()["outcome"] == "" and not CalibrationRecord.objects.exists()
    post(member, f"/api/v1/answers/{answer_id}/comments", {"body": "Thanks"})
    post(owner, f"/api/v1/questions/{body['id']}/comments", {"body": "Which CI?"})
    detail = Client().get(f"/api/v1/questions/{body['id']}", **bearer(member)).json()
    assert detail["answers"][0]["accepted"] is True
    assert [c["body"] for c in detail["answers"][0]["comments"]] == ["Thanks"]
    assert [c["body"] for c in detail["comments"]] == ["Which CI?"]


def test_list_filters_and_the_unanswered_queue(member, owner, testing, question):
    qa.answer_post(actor=owner, question=question, body="Seed", certainty=Certainty.LOW)
    qa.question_ask(actor=member, community=testing, title="Still waiting", tags="ci")
    client = Client()
    headers = bearer(member)
    listing = client.get("/api/v1/communities/testing/questions", {"unanswered": "true"}, **headers).json()
    assert [q["title"] for q in listing["items"]] == ["Still waiting"]
    tagged = client.get("/api/v1/communities/testing/questions", {"tag": "pytest"}, **headers).json()
    assert [q["title"] for q in tagged["items"]] == ["Why is my test flaky?"]
    queue = client.get("/api/v1/questions/unanswered", **headers).json()
    assert [q["title"] for q in queue["items"]] == ["Still waiting"]


def test_a_private_communitys_questions_are_404_for_outsiders(private, member, owner, outsider):
    question = qa.question_ask(actor=member, community=private, title="Secret plans", tags="pytest")
    answer = qa.answer_post(actor=owner, question=question, body="Hush", certainty=Certainty.HIGH)
    client = Client()
    headers = bearer(outsider)
    assert client.get("/api/v1/communities/secret-guild/questions", **headers).status_code == 404
    assert client.get(f"/api/v1/questions/{question.pk}", **headers).status_code == 404
    assert [q["title"] for q in client.get("/api/v1/questions/unanswered", **headers).json()["items"]] == []
    writes = {
        "/api/v1/communities/secret-guild/questions": {"title": "Sneaky"},
        f"/api/v1/questions/{question.pk}/answers": {"body": "leak", "certainty": 1},
        f"/api/v1/questions/{question.pk}/vote": {"value": 1},
        f"/api/v1/questions/{question.pk}/comments": {"body": "leak"},
        f"/api/v1/questions/{question.pk}/relevance": {"relevance": "outdated"},
        f"/api/v1/answers/{answer.pk}/accept": {},
        f"/api/v1/answers/{answer.pk}/outcome": {"outcome": "worked"},
        f"/api/v1/answers/{answer.pk}/vote": {"value": 1},
        f"/api/v1/answers/{answer.pk}/comments": {"body": "leak"},
    }
    for path, body in writes.items():
        assert post(outsider, path, body).status_code == 404, path
    assert (Question.objects.count(), Answer.objects.count(), Vote.objects.count()) == (1, 1, 0)


def test_refusals_are_400_with_the_reason_and_change_nothing(member, owner, testing, question, make_person):
    empty = post(member, "/api/v1/communities/testing/questions", {"title": "  "})
    assert empty.status_code == 400 and "needs a title" in empty.json()["detail"]
    big = post(member, "/api/v1/communities/testing/questions", {"title": "Big", "body": "x" * 50_001})
    assert big.status_code == 400 and "50,000" in big.json()["detail"]
    no_certainty = post(owner, f"/api/v1/questions/{question.pk}/answers", {"body": "Guess"})
    assert no_certainty.status_code == 400 and "Say how sure you are" in no_certainty.json()["detail"]
    answer = qa.answer_post(actor=owner, question=question, body="Seed", certainty=Certainty.HIGH)
    bystander = make_person("bystander")
    membership_join(person=bystander, community=testing)
    accept = post(bystander, f"/api/v1/answers/{answer.pk}/accept", {})
    assert accept.status_code == 400 and "Only the person who asked" in accept.json()["detail"]
    outcome = post(bystander, f"/api/v1/answers/{answer.pk}/outcome", {"outcome": Outcome.WORKED})
    assert outcome.status_code == 400
    assert post(member, f"/api/v1/answers/{answer.pk}/vote", {"value": 1}).json() == {"score": 1}
    twice = post(member, f"/api/v1/answers/{answer.pk}/vote", {"value": 1})
    assert twice.status_code == 400 and "already voted" in twice.json()["detail"]
    answer.refresh_from_db()
    assert (answer.accepted, answer.outcome, answer.score) == (False, "", 1)
    assert Question.objects.count() == 1 and not CalibrationRecord.objects.exists()


def test_experts_lists_only_opted_in_people(testing, member, owner, question, outsider):
    from practica.communities.models import Tag

    for number in range(3):
        asked = qa.question_ask(actor=member, community=testing, title=f"Q{number}", tags="pytest")
        answer = qa.answer_post(actor=owner, question=asked, body="Do it", certainty=Certainty.MID)
        qa.answer_set_outcome(actor=member, answer=answer, outcome=Outcome.WORKED)
    client = Client()
    assert client.get("/api/v1/experts/pytest", **bearer(outsider)).json() == []
    qa.expert_opt_in(person=owner, tag=Tag.objects.get(slug="pytest"))
    experts = client.get("/api/v1/experts/pytest", **bearer(outsider)).json()
    assert experts == [
        {"person_id": owner.pk, "display_name": owner.display_name, "resolved": 3, "worked": 3,
         "average_mark": 2.0, "score": 1.0}
    ]  # fmt: skip
    assert client.get("/api/v1/experts/nope", **bearer(outsider)).status_code == 404
