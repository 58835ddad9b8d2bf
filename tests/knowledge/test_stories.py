"""Value-creation stories: writing them (cycles, links to the same community only, metrics) and the matrix."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from practica.calibration.models import Certainty
from practica.communities.events import event_create
from practica.communities.models import Visibility
from practica.communities.services import community_create, membership_join
from practica.core.errors import ApplicationError
from practica.knowledge.models import (
    MAX_BODY,
    Answer,
    ArtefactKind,
    Cycle,
    PracticeStatus,
    Question,
    StoryLink,
    StoryMetric,
    ValueStory,
)
from practica.knowledge.practices import practice_create
from practica.knowledge.stories import MetricInput, story_create, value_matrix

pytestmark = pytest.mark.django_db


@pytest.fixture
def testing(owner, member):
    community = community_create(actor=owner, name="Testing")
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def security(owner):
    return community_create(actor=owner, name="Security", visibility=Visibility.PRIVATE)


def artefacts(community, person):
    """An event, a published practice and an answer of ``community``."""
    start = (timezone.now() - timedelta(days=3)).replace(tzinfo=None, microsecond=0)
    event = event_create(
        actor=community.memberships.get(role="lead").person,
        community=community,
        title=f"{community.name} kata",
        starts_local=start,
        ends_local=start + timedelta(hours=1),
        time_zone="UTC",
    )[0]
    practice = practice_create(
        actor=person, community=community, title=f"{community.name} playbook", status=PracticeStatus.PUBLISHED
    )
    # Built directly: the answer is only something to cite here, not what is tested.
    question = Question.objects.create(community=community, author=person, title="How do we mock time?")
    answer = Answer.objects.create(
        question=question, author=person, body="Inject a clock.", certainty=Certainty.HIGH
    )
    return event, practice, answer


def world() -> tuple:
    return ValueStory.objects.count(), StoryLink.objects.count(), StoryMetric.objects.count()


def tell(actor, community, **fields):
    fields.setdefault("title", "The kata cut flaky tests")
    fields.setdefault("body", "We ran the kata; team Payments adopted it.")
    fields.setdefault("cycles", [Cycle.IMMEDIATE, Cycle.APPLIED])
    return story_create(actor=actor, community=community, **fields)


def test_a_member_tells_a_story_with_cycles_links_and_metrics(testing, member):
    event, practice, answer = artefacts(testing, member)
    story = tell(
        member,
        testing,
        events=[event.pk],
        practices=[practice.pk],
        answers=[answer.pk],
        metrics=[
            MetricInput(label="Build failures", before="12", after=4, unit="per week"),
            MetricInput(label="", before=None, after=None, unit=""),  # an empty row of the form
        ],
    )
    assert story.cycles == [Cycle.IMMEDIATE, Cycle.APPLIED]
    assert sorted(story.links.values_list("kind", flat=True)) == sorted(
        [ArtefactKind.EVENT, ArtefactKind.PRACTICE, ArtefactKind.ANSWER]
    )
    assert list(story.metrics.values_list("label", "before", "after", "unit")) == [
        ("Build failures", 12.0, 4.0, "per week")
    ]


def test_links_to_another_communitys_artefacts_are_refused_and_nothing_is_saved(
    testing, security, member, owner
):
    event, practice, answer = artefacts(security, owner)
    before = world()
    for links in ({"events": [event.pk]}, {"practices": [practice.pk]}, {"answers": [answer.pk]}):
        with pytest.raises(
            ApplicationError, match="A story can only cite artefacts of Testing; not found there"
        ):
            tell(member, testing, **links)
    with pytest.raises(ApplicationError, match="not found there: event 999999"):
        tell(member, testing, events=[999_999])
    assert world() == before


def test_a_draft_practice_cannot_be_cited(testing, member):
    draft = practice_create(actor=member, community=testing, title="Half-written")
    before = world()
    with pytest.raises(
        ApplicationError, match=r"“Half-written” is a draft: publish it before a story cites it\."
    ):
        tell(member, testing, practices=[draft.pk])
    assert world() == before


@pytest.mark.parametrize(
    ("metric", "message"),
    [
        (
            MetricInput(label="Failures", before="twelve"),
            "“Before” of the metric “Failures” must be a number",
        ),
        (MetricInput(label="Failures", after="nan"), "must be a finite number"),
        (MetricInput(label="Failures", after=float("inf")), "must be a finite number"),
        (MetricInput(label="", before=3), "Each metric needs a label"),
        (MetricInput(label="Failures", unit="per week"), "Give the metric “Failures” a number"),
        (MetricInput(label="x" * 121, before=1), "at most 120 characters"),
    ],
)
def test_metrics_are_validated_and_nothing_is_saved(testing, member, metric, message):
    before = world()
    with pytest.raises(ApplicationError, match=message):
        tell(member, testing, metrics=[metric])
    assert world() == before


def test_at_most_three_metrics(testing, member):
    with pytest.raises(ApplicationError, match="at most 3 metrics"):
        tell(member, testing, metrics=[MetricInput(label=f"m{n}", before=n) for n in range(4)])
    assert world() == (0, 0, 0)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "  "}, "A story needs a title."),
        ({"body": " "}, "Tell the story"),
        ({"body": "x" * (MAX_BODY + 1)}, "the limit is 50,000"),
        ({"cycles": []}, "Tick at least one cycle"),
        ({"cycles": ["immediate", "magic"]}, "Unknown cycles: magic."),
    ],
)
def test_bad_stories_are_refused(testing, member, fields, message):
    with pytest.raises(ApplicationError, match=message):
        tell(member, testing, **fields)
    assert world() == (0, 0, 0)


def test_only_active_members_tell_stories(testing, outsider):
    with pytest.raises(ApplicationError, match="Only active members"):
        tell(outsider, testing)
    assert world() == (0, 0, 0)


def test_the_value_matrix_counts_stories_per_cycle(testing, owner, member):
    tell(member, testing, title="A", cycles=[Cycle.IMMEDIATE])
    tell(member, testing, title="B", cycles=[Cycle.IMMEDIATE, Cycle.POTENTIAL, Cycle.APPLIED])
    tell(owner, testing, title="C", cycles=[Cycle.APPLIED, Cycle.REALIZED])
    other = community_create(actor=owner, name="Elsewhere")
    tell(owner, other, title="Not here", cycles=[Cycle.REFRAMING])
    matrix = value_matrix(testing)
    assert matrix.story_count == 3
    assert [(row.cycle, row.count) for row in matrix.rows] == [
        (Cycle.IMMEDIATE, 2),
        (Cycle.POTENTIAL, 1),
        (Cycle.APPLIED, 2),
        (Cycle.REALIZED, 1),
        (Cycle.REFRAMING, 0),
    ]
    titles = {row.cycle: [story.title for story in row.stories] for row in matrix.rows}
    assert titles == {
        Cycle.IMMEDIATE: ["B", "A"],
        Cycle.POTENTIAL: ["B"],
        Cycle.APPLIED: ["C", "B"],
        Cycle.REALIZED: ["C"],
        Cycle.REFRAMING: [],
    }


def test_the_value_matrix_shows_the_latest_few_per_cycle_in_two_queries(
    testing, member, django_assert_num_queries
):
    for number in range(7):
        tell(
            member,
            testing,
            title=f"Story {number}",
            cycles=[Cycle.IMMEDIATE] + ([Cycle.REFRAMING] if number == 0 else []),
        )
    with django_assert_num_queries(2):
        matrix = value_matrix(testing, shown=3)
    rows = {row.cycle: row for row in matrix.rows}
    assert rows[Cycle.IMMEDIATE].count == 7
    assert [story.title for story in rows[Cycle.IMMEDIATE].stories] == ["Story 6", "Story 5", "Story 4"]
    assert [story.title for story in rows[Cycle.REFRAMING].stories] == ["Story 0"]  # old, yet shown
    with django_assert_num_queries(1):
        assert value_matrix(testing, shown=0).rows[0].stories == []


# Pages -------------------------------------------------------------------------------------------------


def url(name: str, community, *args) -> str:
    return reverse(f"stories:{name}", args=[community.slug, *args])


def form_data(**fields) -> dict:
    data = {"title": "The kata", "body": "It helped.", "cycles": ["immediate", "applied"]}
    return {**data, **fields}


def test_a_member_tells_a_story_on_the_page_and_sees_it_in_the_matrix(client_for, member, testing):
    event, practice, _ = artefacts(testing, member)
    client = client_for(member)
    page = client.get(url("create", testing)).text
    for words in (
        "Immediate value",
        "Taking part was valuable in itself",
        "Reframing value",
        event.title,
        practice.title,
        "How do we mock time?",
    ):
        assert words in page
    response = client.post(
        url("create", testing),
        form_data(
            events=[event.pk],
            practices=[practice.pk],
            metric_label_1="Build failures",
            metric_before_1="12",
            metric_after_1="4",
            metric_unit_1="per week",
        ),
    )
    story = ValueStory.objects.get()
    assert response.url == url("detail", testing, story.pk)
    detail = client.get(response.url).text
    assert "Build failures" in detail and event.title in detail and practice.title in detail
    listing = client.get(url("list", testing)).text
    assert "Value created" in listing and "The kata" in listing


def test_bad_story_input_keeps_the_values_and_says_what_is_wrong(client_for, member, testing):
    client = client_for(member)
    response = client.post(
        url("create", testing), form_data(cycles=[], metric_label_1="Speed", metric_before_1="fast")
    )
    assert response.status_code == 200
    assert "Enter a number." in response.text
    assert 'value="The kata"' in response.text and 'value="Speed"' in response.text
    response = client.post(url("create", testing), form_data(cycles=[]))
    assert "Tick at least one cycle of value the story reaches." in response.text
    assert world() == (0, 0, 0)


def test_outsiders_get_404_on_a_private_communitys_story_pages_and_posts(
    client_for, owner, outsider, security
):
    story = tell(owner, security)
    client = client_for(outsider)
    for address in (url("list", security), url("create", security), url("detail", security, story.pk)):
        assert client.get(address).status_code == 404, address
    assert client.post(url("create", security), form_data()).status_code == 404
    assert world() == (1, 0, 0)
    bearer_client = Client()
    bearer_client.force_login(outsider.user)
    assert bearer_client.get(f"/api/v1/communities/{security.slug}/stories").status_code == 404
    assert bearer_client.get(f"/api/v1/communities/{security.slug}/value-matrix").status_code == 404


def test_non_members_of_an_open_community_read_stories_but_get_403_writing(
    client_for, outsider, member, testing
):
    tell(member, testing)
    client = client_for(outsider)
    assert client.get(url("list", testing)).status_code == 200
    assert client.get(url("create", testing)).status_code == 403
    assert client.post(url("create", testing), form_data()).status_code == 403
    assert world() == (1, 0, 0)


def test_anonymous_visitors_are_sent_to_sign_in(testing, member):
    story = tell(member, testing)
    client = Client()
    for address in (url("list", testing), url("create", testing), url("detail", testing, story.pk)):
        assert client.get(address).url.startswith(reverse("login"))
    assert client.post(url("create", testing), form_data()).url.startswith(reverse("login"))
    assert world() == (1, 0, 0)


def test_script_in_a_story_is_sanitised(client_for, member, testing):
    story = tell(member, testing, body="Hi <script>alert(1)</script> [x](javascript:alert(2))")
    page = client_for(member).get(url("detail", testing, story.pk)).text
    assert "<script>alert(1)" not in page
    assert 'href="javascript' not in page and "&lt;script&gt;" in page  # shown as text, never run


def test_the_community_page_shows_the_compact_value_matrix(client_for, member, testing):
    tell(member, testing, cycles=[Cycle.REALIZED])
    page = client_for(member).get(reverse("communities:detail", args=[testing.slug])).text
    assert "Value created" in page and "Realized value" in page
    assert "Read the stories" in page


def test_the_story_list_uses_a_constant_number_of_queries(client_for, member, testing):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(member)
    event, practice, answer = artefacts(testing, member)

    def count() -> int:
        client.get(url("list", testing))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("list", testing)).status_code == 200
        return len(captured)

    tell(member, testing, events=[event.pk], metrics=[MetricInput(label="m", before=1)])
    small = count()
    for number in range(6):
        tell(
            member,
            testing,
            title=f"S{number}",
            events=[event.pk],
            practices=[practice.pk],
            answers=[answer.pk],
            metrics=[MetricInput(label="a", before=1), MetricInput(label="b", after=2)],
        )
    assert count() == small


# Editing and deleting ---------------------------------------------------------------------------------


def test_the_author_edits_a_story_on_the_page_and_keeps_an_old_citation(client_for, member, testing):
    event, practice, answer = artefacts(testing, member)
    story = tell(
        member,
        testing,
        events=[event.pk],
        answers=[answer.pk],
        metrics=[MetricInput(label="Build failures", before=12, after=4, unit="per week")],
    )
    client = client_for(member)
    detail = client.get(url("detail", testing, story.pk)).text
    assert "Edit the story" in detail and "Delete the story" in detail
    form = client.get(url("edit", testing, story.pk)).text
    assert 'value="The kata cut flaky tests"' in form and 'value="Build failures"' in form
    response = client.post(
        url("edit", testing, story.pk),
        form_data(
            title="The kata halved flaky tests",
            cycles=["realized"],
            events=[event.pk],
            practices=[practice.pk],
            metric_label_1="Build failures",
            metric_before_1="12",
            metric_after_1="3",
            metric_unit_1="per week",
        ),
    )
    assert response.status_code == 302 and response.url == url("detail", testing, story.pk)
    story.refresh_from_db()
    assert story.title == "The kata halved flaky tests" and story.cycles == [Cycle.REALIZED]
    assert sorted(story.links.values_list("kind", flat=True)) == sorted(
        [ArtefactKind.EVENT, ArtefactKind.PRACTICE]
    )
    assert list(story.metrics.values_list("after", flat=True)) == [3.0]
    assert world() == (1, 2, 1)


def test_a_bad_edit_changes_nothing_and_keeps_what_was_typed(client_for, member, testing):
    story = tell(member, testing, metrics=[MetricInput(label="Speed", before=1, after=2)])
    response = client_for(member).post(url("edit", testing, story.pk), form_data(title="New", cycles=[]))
    assert response.status_code == 200
    assert "Tick at least one cycle of value the story reaches." in response.text
    assert 'value="New"' in response.text
    story.refresh_from_db()
    assert story.title == "The kata cut flaky tests" and world() == (1, 0, 1)


def test_only_the_author_edits_and_the_author_or_a_lead_deletes(client_for, owner, member, outsider, testing):
    from practica.core.models import AuditLog

    other = tell(owner, testing, title="The lead's story")
    story = tell(member, testing)
    member_client, lead_client = client_for(member), client_for(owner)
    # The lead may not rewrite a member's words, but may remove the story.
    assert lead_client.get(url("edit", testing, story.pk)).status_code == 403
    assert (
        lead_client.post(url("edit", testing, story.pk), form_data(title="Lead's words")).status_code == 403
    )
    assert "Edit the story" not in lead_client.get(url("detail", testing, story.pk)).text
    # A member may not touch someone else's story; an outsider neither.
    for client in (member_client, client_for(outsider)):
        assert client.get(url("edit", testing, other.pk)).status_code == 403
        assert client.post(url("delete", testing, other.pk)).status_code == 403
    assert "Delete the story" not in member_client.get(url("detail", testing, other.pk)).text
    assert lead_client.get(url("delete", testing, story.pk)).status_code == 405
    response = lead_client.post(url("delete", testing, story.pk))
    assert response.status_code == 302 and response.url == url("list", testing)
    assert list(ValueStory.objects.values_list("title", flat=True)) == ["The lead's story"]
    entry = AuditLog.objects.get(action="content.deleted")
    assert entry.actor_id == owner.pk and entry.target_repr == "The kata cut flaky tests"
    assert member_client.get(url("detail", testing, story.pk)).status_code == 404


def test_private_story_edit_and_delete_are_404_for_outsiders(client_for, owner, outsider, security):
    story = tell(owner, security)
    client = client_for(outsider)
    assert client.get(url("edit", security, story.pk)).status_code == 404
    assert client.post(url("delete", security, story.pk)).status_code == 404
    api = f"/api/v1/communities/{security.slug}/stories/{story.pk}"
    assert client.get(api).status_code == 404
    assert client.delete(api).status_code == 404
    assert world() == (1, 0, 0)


def test_api_reads_edits_and_deletes_a_story(client_for, owner, member, testing):
    event, _, _ = artefacts(testing, member)
    story = tell(member, testing)
    api = f"/api/v1/communities/{testing.slug}/stories/{story.pk}"
    client = client_for(member)
    assert client.get(api).json()["title"] == "The kata cut flaky tests"
    body = {"title": "Rewritten", "body": "Better told.", "cycles": ["potential"], "events": [event.pk]}
    response = client.put(api, body, "application/json")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Rewritten" and response.json()["cycles"] == ["potential"]
    bad = client.put(api, {**body, "events": [999999]}, "application/json")
    assert bad.status_code == 400 and "not found there: event 999999" in bad.json()["detail"]
    assert client_for(owner).put(api, body, "application/json").status_code == 403
    assert client.get(f"/api/v1/communities/{testing.slug}/stories/999999").status_code == 404
    assert Client().delete(api).status_code == 401
    assert client.delete(api).status_code == 204
    assert world() == (0, 0, 0)
