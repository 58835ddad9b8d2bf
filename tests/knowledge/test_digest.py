"""The unanswered-questions digest: after 3 days, once per question, to the community's leads only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from typer.testing import CliRunner

from practica.calibration.models import Certainty
from practica.communities.models import Role, Visibility
from practica.communities.services import (
    community_create,
    membership_invite,
    membership_join,
    membership_set_role,
)
from practica.knowledge import qa
from practica.knowledge.digest import unanswered_digest
from practica.knowledge.models import Question

pytestmark = pytest.mark.django_db


@pytest.fixture
def testing(owner, member):
    community = community_create(actor=owner, name="Testing")
    membership_join(person=member, community=community)
    return community


def ask(community, person, title: str, days_ago: float) -> Question:
    question = qa.question_ask(actor=person, community=community, title=title)
    Question.objects.filter(pk=question.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return question


def test_leads_hear_once_about_questions_waiting_more_than_three_days(testing, owner, member):
    waiting = ask(testing, member, "Old and unanswered", days_ago=4)
    ask(testing, member, "Asked yesterday", days_ago=1)
    answered = ask(testing, member, "Old but answered", days_ago=5)
    qa.answer_post(actor=owner, question=answered, body="Here", certainty=Certainty.LOW)
    outdated = ask(testing, member, "Old and outdated", days_ago=5)
    qa.question_mark_relevance(actor=member, question=outdated, relevance="outdated")

    report = unanswered_digest(base_url="https://practica.example.org/")

    assert [message.to for message in mail.outbox] == [[owner.email]]
    body = mail.outbox[0].body
    assert "Old and unanswered" in body
    assert f"https://practica.example.org/communities/testing/questions/{waiting.pk}/" in body
    assert "Asked yesterday" not in body and "Old but answered" not in body and "Old and outdated" not in body
    assert report.question_count == 1
    waiting.refresh_from_db()
    assert waiting.digest_sent_at is not None
    unanswered_digest()
    assert len(mail.outbox) == 1


def test_each_lead_gets_their_own_email_and_members_none(testing, owner, member, make_person):
    co_lead = make_person("colead")
    membership_join(person=co_lead, community=testing)
    membership_set_role(actor=owner, membership=co_lead.community_memberships.get(), role=Role.LEAD)
    ask(testing, member, "Waiting", days_ago=4)
    unanswered_digest()
    assert sorted(message.to[0] for message in mail.outbox) == sorted([owner.email, co_lead.email])
    assert member.email not in [address for message in mail.outbox for address in message.to]


def test_a_dry_run_sends_and_marks_nothing(testing, owner, member):
    question = ask(testing, member, "Waiting", days_ago=4)
    report = unanswered_digest(dry_run=True)
    assert report.dry_run and report.question_count == 1 and report.emails[0].recipients == [owner.email]
    assert mail.outbox == []
    question.refresh_from_db()
    assert question.digest_sent_at is None


def test_the_clock_can_be_given(testing, member):
    question = ask(testing, member, "Fresh", days_ago=0)
    assert unanswered_digest(now=timezone.now() + timedelta(days=2)).question_count == 0
    assert unanswered_digest(now=timezone.now() + timedelta(days=3, hours=1)).question_count == 1
    question.refresh_from_db()
    assert question.digest_sent_at is not None


def test_a_private_communitys_questions_go_only_to_its_own_leads(testing, owner, member, make_person):
    secret_lead = make_person("secretlead")
    private = community_create(actor=secret_lead, name="Secret Guild", visibility=Visibility.PRIVATE)
    membership_invite(actor=secret_lead, community=private, person=member)
    membership_join(person=member, community=private)
    ask(private, member, "Secret plans", days_ago=4)
    ask(testing, member, "Open question", days_ago=4)
    unanswered_digest()
    by_recipient = {message.to[0]: message.body for message in mail.outbox}
    assert set(by_recipient) == {owner.email, secret_lead.email}
    assert (
        "Secret plans" in by_recipient[secret_lead.email]
        and "Open question" not in by_recipient[secret_lead.email]
    )
    assert "Secret plans" not in by_recipient[owner.email]


def test_the_digest_command_prints_what_it_sends(testing, owner, member, monkeypatch):
    from practica import cli

    monkeypatch.setattr(cli, "migrate", lambda verbosity=0: None)
    ask(testing, member, "Waiting", days_ago=4)
    dry = CliRunner().invoke(cli.app, ["digest", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would send 1 digest(s) covering 1 question(s)." in dry.output
    assert mail.outbox == []
    sent = CliRunner().invoke(cli.app, ["digest"])
    assert "Testing: 1 question(s) to owner@example.org" in sent.output
    assert len(mail.outbox) == 1


def test_links_start_with_the_configured_address_unless_one_is_given(testing, member, owner, settings):
    settings.PRACTICA_BASE_URL = "https://learn.example.com"
    waiting = ask(testing, member, "Configured address", days_ago=4)
    unanswered_digest(dry_run=False)
    assert f"https://learn.example.com/communities/testing/questions/{waiting.pk}/" in mail.outbox[0].body
    other = ask(testing, member, "Given address", days_ago=4)
    unanswered_digest(base_url="https://other.example.com/")
    assert f"https://other.example.com/communities/testing/questions/{other.pk}/" in mail.outbox[1].body


def test_the_command_warns_when_links_would_be_paths(testing, member, owner, monkeypatch, settings):
    from practica import cli

    settings.PRACTICA_BASE_URL = ""
    monkeypatch.setattr(cli, "migrate", lambda verbosity=0: None)
    ask(testing, member, "Waiting", days_ago=4)
    result = CliRunner().invoke(cli.app, ["digest", "--dry-run"])
    assert "set PRACTICA_BASE_URL" in result.output
    given = CliRunner().invoke(cli.app, ["digest", "--dry-run", "--base-url", "https://x.example"])
    assert "set PRACTICA_BASE_URL" not in given.output
