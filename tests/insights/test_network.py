"""The knowledge network panel: built from real interactions, team level only, stewards only."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from practica.communities.models import Attendance, Community, Visibility
from practica.communities.services import community_create
from practica.insights.models import InsightSnapshot
from practica.insights.network import compute_network
from practica.insights.refresh import refresh_insights
from practica.knowledge.models import Answer, Outcome, Question
from practica.learning.models import LearningGoal, MethodTemplate, Review, ReviewItem
from practica.people.models import Person, Team
from practica.people.services import team_create, team_membership_set
from tests.insights.conftest import past_event

pytestmark = pytest.mark.django_db


class Organisation:
    """Teams Payments (the cast's team: the owner and five more) and Search (Engineering) learn
    from each other through a community; Ledger
    (Finance) only holds its own retrospectives; Tiny (Finance) has two people."""

    def __init__(self, make_person: Callable[..., Person], payments: Team) -> None:
        engineering = payments.parent
        finance = team_create(name="Finance")
        self.teams: dict[str, Team] = {
            "Payments": payments,
            "Search": team_create(name="Search", parent=engineering),
            "Ledger": team_create(name="Ledger", parent=finance),
            "Tiny": team_create(name="Tiny", parent=finance),
        }
        self.people: dict[str, list[Person]] = {}
        for name, size in (("Payments", 5), ("Search", 5), ("Ledger", 5), ("Tiny", 2)):
            self.people[name] = []
            for number in range(size):
                person = make_person(f"{name.lower()}{number}", display_name=f"{name} Person {number}")
                team_membership_set(person=person, team=self.teams[name], manager=None)
                self.people[name].append(person)

    def answer(self, community: Community, asker: Person, answerer: Person, *, worked: bool = True) -> None:
        question = Question.objects.create(community=community, author=asker, title="How do you test this?")
        now = timezone.now()
        Answer.objects.create(
            question=question,
            author=answerer,
            body="Like this.",
            certainty=2,
            accepted=True,
            accepted_at=now,
            outcome=Outcome.WORKED if worked else "",
            outcome_at=now if worked else None,
        )

    def meetup(self, community: Community, people: list[Person], *, days_ago: int = 10) -> None:
        event = past_event(community, days_ago=days_ago)
        Attendance.objects.bulk_create([Attendance(event=event, person=person) for person in people])

    def retrospective(self, team: str) -> None:
        template = MethodTemplate.objects.get(slug="start-stop-continue")
        review = Review.objects.create(title="Retro", template=template, team=self.teams[team])
        ReviewItem.objects.bulk_create(
            [ReviewItem(review=review, section="keep", text="Pairing", author=p) for p in self.people[team]]
        )


@pytest.fixture
def organisation(make_person: Callable[..., Person], owner: Person, team: Team) -> Organisation:
    org = Organisation(make_person, team)
    guild = community_create(actor=owner, name="Testing Guild")
    payments, search = org.people["Payments"], org.people["Search"]
    for asker, answerer in zip(payments, search, strict=True):
        org.answer(guild, asker, answerer)
    org.answer(guild, search[0], payments[0], worked=False)
    org.meetup(guild, payments[:3] + search[:3])
    org.retrospective("Ledger")
    org.retrospective("Payments")
    goal = LearningGoal.objects.create(
        person=search[1], title="Learn payments", vision="v", current_reality="r"
    )
    goal.shared_with.add(payments[1])
    return org


def units_by_name(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in data["units_table"]}


def test_teams_that_learn_from_each_other_are_not_silos_and_one_that_keeps_to_itself_is(
    organisation: Organisation,
) -> None:
    data = compute_network()
    units = units_by_name(data)
    assert not units["Payments"]["silo"] and not units["Search"]["silo"]
    assert units["Ledger"]["silo"] and units["Ledger"]["external_share"] == 0
    assert data["interactions"]["answer_worked"] == 5
    assert data["interactions"]["answer_accepted"] == 1
    assert data["interactions"]["mentoring"] == 1
    assert data["interactions"]["event"] == 1
    assert data["interactions"]["review"] == 2
    # Search answered Payments' questions: knowledge flows from Search to Payments most.
    top = data["flows"][0]
    assert (top["source"], top["target"]) == (units["Search"]["id"], units["Payments"]["id"])


def test_without_community_interactions_the_teams_drift_apart(organisation: Organisation) -> None:
    data = compute_network()
    assert data["with_communities"]["cross_group_share"] > data["without_communities"]["cross_group_share"]
    # Mentoring is not a community interaction: some exchange remains without communities.
    assert data["without_communities"]["cross_group_share"] > 0
    units = units_by_name(data)
    assert units["Payments"]["external_share_without"] < units["Payments"]["external_share"]


def test_small_teams_are_merged_and_hidden_and_no_person_is_named(organisation: Organisation) -> None:
    data = compute_network()
    names = set(units_by_name(data))
    assert "Tiny" not in names
    assert "Small teams in Finance" not in names  # two people: still below the minimum group size
    assert data["hidden_units"] >= 1
    text = json.dumps(data)
    for people in organisation.people.values():
        for person in people:
            assert person.display_name not in text
            assert f'"{person.pk}"' not in text


def test_private_community_interactions_are_left_out(organisation: Organisation, owner: Person) -> None:
    before = compute_network()
    secret = community_create(actor=owner, name="Secret", visibility=Visibility.PRIVATE)
    organisation.answer(secret, organisation.people["Ledger"][0], organisation.people["Search"][0])
    organisation.meetup(secret, organisation.people["Ledger"] + organisation.people["Search"])
    after = compute_network()
    assert after["interactions"] == before["interactions"]
    assert units_by_name(after)["Ledger"]["silo"]


def test_older_interactions_weigh_less(organisation: Organisation, owner: Person) -> None:
    guild = Community.objects.get(name="Testing Guild")
    ledger, search = organisation.people["Ledger"], organisation.people["Search"]
    organisation.meetup(guild, ledger[:1] + search[:1], days_ago=1)
    recent = units_by_name(compute_network())["Ledger"]["external"]
    event = Attendance.objects.filter(person=ledger[0]).get().event
    event.starts_at = timezone.now() - timedelta(days=181)
    event.save()
    old = units_by_name(compute_network())["Ledger"]["external"]
    assert old == pytest.approx(recent / 2, rel=0.02)


def test_computing_reads_a_constant_number_of_queries(
    organisation: Organisation, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(10):
        compute_network()
    guild = Community.objects.get(name="Testing Guild")
    for asker, answerer in zip(organisation.people["Ledger"], organisation.people["Payments"], strict=True):
        organisation.answer(guild, asker, answerer)
    organisation.meetup(guild, organisation.people["Ledger"])
    with django_assert_max_num_queries(10):
        compute_network()


# Page and API ----------------------------------------------------------------------------------


def test_steward_sees_the_network_page_with_its_tables(
    organisation: Organisation, steward: Person, client_for: Callable[[Person], Client]
) -> None:
    refresh_insights(only=["network"])
    response = client_for(steward).get("/insights/network/")
    assert response.status_code == 200
    html = response.content.decode()
    for anchor in ('id="network-graph"', 'id="silos-table"', 'id="flows-table"', 'id="structure-table"'):
        assert anchor in html
    assert "Ledger" in html and "Payments" in html
    assert "<script>" not in html.replace('<script type="application/json"', "")
    assert "practica/insights/network.js" in html
    assert "Payments Person 0" not in html


def test_page_before_the_first_computation_says_how_to_compute(
    steward: Person, client_for: Callable[[Person], Client]
) -> None:
    response = client_for(steward).get("/insights/network/")
    assert response.status_code == 200
    assert 'id="network-empty"' in response.content.decode()


def test_admin_may_open_the_page(admin: Person, client_for: Callable[[Person], Client]) -> None:
    assert client_for(admin).get("/insights/network/").status_code == 200


def test_members_and_outsiders_are_refused(
    member: Person, outsider: Person, client_for: Callable[[Person], Client]
) -> None:
    refresh_insights(only=["network"])
    for person in (member, outsider):
        assert client_for(person).get("/insights/network/").status_code == 403
        assert client_for(person).get("/api/v1/insights/network").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in() -> None:
    client = Client()
    response = client.get("/insights/network/")
    assert response.status_code == 302 and "signin" in response["Location"]
    assert client.get("/api/v1/insights/network").status_code == 401


def test_page_reads_a_constant_number_of_queries(
    organisation: Organisation,
    steward: Person,
    client_for: Callable[[Person], Client],
    django_assert_max_num_queries: Any,
) -> None:
    refresh_insights(only=["network"])
    client = client_for(steward)
    client.get("/insights/network/")
    with django_assert_max_num_queries(6):
        assert client.get("/insights/network/").status_code == 200


def test_api_gives_the_same_numbers_as_the_page(
    organisation: Organisation, steward: Person, client_for: Callable[[Person], Client]
) -> None:
    refresh_insights(only=["network"])
    body = client_for(steward).get("/api/v1/insights/network").json()
    assert body["computed"] is True
    assert body["data"] == InsightSnapshot.objects.get(kind="network", key="").data
    assert {row["name"] for row in body["data"]["units_table"]} >= {"Payments", "Search", "Ledger"}


# Named brokers: only with consent ----------------------------------------------------------------


def _everyone(organisation: Organisation) -> list[Person]:
    return [person for people in organisation.people.values() for person in people]


@pytest.fixture
def bridged(organisation: Organisation, make_person: Callable[..., Person]) -> Organisation:
    """A third group, Docs (its own department), and two knowledge brokers: Ledger Person 0 and Docs
    Person 0 answer questions from Ledger, Payments and Docs alike, so their ties spread over three
    groups (a participation coefficient near 2/3, well above the 0.5 rule)."""
    docs = team_create(name="Docs", parent=team_create(name="Writing"))
    organisation.teams["Docs"] = docs
    organisation.people["Docs"] = []
    for number in range(5):
        person = make_person(f"docs{number}", display_name=f"Docs Person {number}")
        team_membership_set(person=person, team=docs, manager=None)
        organisation.people["Docs"].append(person)
    organisation.retrospective("Docs")
    guild = Community.objects.get(name="Testing Guild")
    people = organisation.people
    for team in ("Ledger", "Docs"):  # close-knit teams: each person answers the next two
        members = people[team]
        for index, asker in enumerate(members):
            for step in (1, 2):
                organisation.answer(guild, asker, members[(index + step) % len(members)])
    for broker in (people["Ledger"][0], people["Docs"][0]):
        for asker in people["Ledger"][1:3] + people["Payments"][1:3] + people["Docs"][1:3]:
            organisation.answer(guild, asker, broker)
    return organisation


def test_brokers_are_counted_and_only_those_who_agree_are_named(
    bridged: Organisation, steward: Person, client_for: Callable[[Person], Client]
) -> None:
    from practica.people.services import person_set_broker_listing

    assert compute_network()["named_brokers"] == []  # nobody agreed yet
    everyone = _everyone(bridged)
    for person in everyone:
        person_set_broker_listing(person=person, listed=True)
    data = compute_network()
    counted = data["with_communities"]["brokers"]
    named = [row["person"] for row in data["named_brokers"]]
    assert counted >= 2, "the organisation needs brokers for this test to mean anything"
    assert len(named) == counted  # every broker agreed, so every broker is named
    assert {bridged.people["Ledger"][0].pk, bridged.people["Docs"][0].pk} <= set(named)
    holdout = Person.objects.get(pk=named[0])
    person_set_broker_listing(person=holdout, listed=False)
    refresh_insights(only=["network"])
    stored = InsightSnapshot.objects.get(kind="network", key="").data
    assert holdout.pk not in [row["person"] for row in stored["named_brokers"]]
    assert stored["with_communities"]["brokers"] == counted  # counted all the same
    assert holdout.display_name not in json.dumps(stored)

    html = client_for(steward).get("/insights/network/").content.decode()
    body = client_for(steward).get("/api/v1/insights/network").json()
    shown = [row for row in body["data"]["named_brokers"]]
    assert [row["person"] for row in shown] == named[1:]
    for row in shown:
        person = Person.objects.get(pk=row["person"])
        assert row["name"] == person.display_name and person.display_name in html
        assert row["teams"] == [m.team.name for m in person.team_memberships.all()]
    assert holdout.display_name not in html
    assert 'id="named-brokers-table"' in html
    # The brokers are people with ties to both sides; nobody else is named.
    non_brokers = {person.display_name for person in everyone} - {row["name"] for row in shown}
    assert not any(name in html for name in non_brokers - {holdout.display_name})


def test_withdrawing_consent_takes_effect_before_the_next_refresh(
    bridged: Organisation, steward: Person, client_for: Callable[[Person], Client]
) -> None:
    from practica.people.services import person_set_broker_listing

    for person in _everyone(bridged):
        person_set_broker_listing(person=person, listed=True)
    refresh_insights(only=["network"])
    client = client_for(steward)
    first = client.get("/api/v1/insights/network").json()["data"]["named_brokers"][0]
    person = Person.objects.get(pk=first["person"])
    assert person.display_name in client.get("/insights/network/").content.decode()
    person_set_broker_listing(person=person, listed=False)
    assert person.pk not in [
        row["person"] for row in client.get("/api/v1/insights/network").json()["data"]["named_brokers"]
    ]
    assert person.display_name not in client.get("/insights/network/").content.decode()


def test_nobody_agreed_says_so_and_names_nobody(
    bridged: Organisation, steward: Person, client_for: Callable[[Person], Client]
) -> None:
    refresh_insights(only=["network"])
    html = client_for(steward).get("/insights/network/").content.decode()
    assert 'id="named-brokers-none"' in html
    assert not any(person.display_name in html for person in _everyone(bridged))


def test_page_with_named_brokers_reads_a_constant_number_of_queries(
    bridged: Organisation,
    steward: Person,
    client_for: Callable[[Person], Client],
    django_assert_max_num_queries: Any,
) -> None:
    from practica.people.services import person_set_broker_listing

    for person in _everyone(bridged):
        person_set_broker_listing(person=person, listed=True)
    refresh_insights(only=["network"])
    client = client_for(steward)
    client.get("/insights/network/")
    with django_assert_max_num_queries(8):
        assert client.get("/insights/network/").status_code == 200
