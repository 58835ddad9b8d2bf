"""Practice pages: who may see and do what, stale edits keep the text, diff and restore, query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from practica.communities.models import Activity, Visibility
from practica.communities.services import community_create, membership_invite, membership_join
from practica.knowledge.models import MAX_BODY, Practice, PracticeRevision, PracticeStatus
from practica.knowledge.practices import practice_create, practice_edit

pytestmark = pytest.mark.django_db


@pytest.fixture
def testing(owner, member):
    community = community_create(actor=owner, name="Testing")
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def private(owner, member):
    community = community_create(actor=owner, name="Secret Guild", visibility=Visibility.PRIVATE)
    membership_invite(actor=owner, community=community, person=member)
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def kata(testing, member):
    return practice_create(
        actor=member,
        community=testing,
        title="Mutation testing kata",
        body="# Steps\n\nStep one\nStep two",
        status=PracticeStatus.PUBLISHED,
        tags="kata",
    )


def url(name: str, community, practice: Practice | None = None) -> str:
    if practice is None:
        return reverse(f"practices:{name}", args=[community.slug])
    return reverse(f"practices:{name}", args=[community.slug, practice.slug])


PRACTICE_PAGES = ["detail", "history"]


def posts(community, practice: Practice) -> list[tuple[str, dict[str, str]]]:
    """Every POST of the practice pages, each with input that would succeed for the owner."""
    return [
        (url("create", community), {"title": "Taken", "kind": "article", "status": "published"}),
        (url("edit", community, practice), {"base_revision": "1", "title": "Taken", "kind": "article"}),
        (url("restore", community, practice), {"number": "1", "base_revision": "2"}),
        (url("status", community, practice), {"status": "archived"}),
        (url("review", community, practice), {}),
    ]


def world() -> tuple:
    return (
        list(Practice.objects.order_by("pk").values()),
        list(PracticeRevision.objects.order_by("pk").values()),
        Activity.objects.count(),
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# Who may see and do what ---------------------------------------------------------------------------


def test_a_member_reads_the_list_and_the_practice_page(client_for, owner, kata, testing):
    client = client_for(owner)
    listing = client.get(url("list", testing)).text
    assert "Mutation testing kata" in listing and "Write a practice" in listing
    page = client.get(url("detail", testing, kata)).text
    assert "<h1>Steps</h1>" in page
    for words in ("Max Member", "Revision", "Last reviewed", "Mark as reviewed", "History", ">Edit<"):
        assert words in page, words
    assert client.get(url("history", testing, kata)).status_code == 200


def test_the_practices_and_stories_tabs_are_on_every_community_page(client_for, member, testing):
    page = client_for(member).get(reverse("communities:detail", args=[testing.slug])).text
    assert f'href="{url("list", testing)}"' in page
    assert f'href="{reverse("stories:list", args=[testing.slug])}"' in page
    assert 'aria-current="page">Practices<' in client_for(member).get(url("list", testing)).text


@pytest.mark.parametrize("who", ["outsider", "steward", "admin"])
def test_non_members_get_404_on_a_private_communitys_practice_pages_and_posts(
    request, client_for, member, private, who
):
    practice = practice_create(
        actor=member, community=private, title="Hidden", status=PracticeStatus.PUBLISHED
    )
    practice_edit(actor=member, practice=practice, base_revision=1, title="Hidden", body="v2")
    client = client_for(request.getfixturevalue(who))
    for address in [url("list", private), url("create", private)] + [
        url(name, private, practice) for name in [*PRACTICE_PAGES, "edit"]
    ]:
        assert client.get(address).status_code == 404, address
    before = world()
    for address, data in posts(private, practice):
        assert client.post(address, data).status_code == 404, address
    assert world() == before


def test_anonymous_visitors_are_sent_to_sign_in(kata, testing):
    client = Client()
    for address in [url("list", testing), url("create", testing), url("detail", testing, kata)]:
        assert client.get(address).url.startswith(reverse("login")), address
    before = world()
    for address, data in posts(testing, kata):
        assert client.post(address, data).url.startswith(reverse("login")), address
    assert world() == before


def test_a_member_cannot_change_someone_elses_practice(client_for, make_person, kata, testing):
    other = make_person("other")
    membership_join(person=other, community=testing)
    client = client_for(other)
    page = client.get(url("detail", testing, kata)).text
    assert "Mark as reviewed" not in page and ">Edit<" not in page
    assert client.get(url("edit", testing, kata)).status_code == 403
    before = world()
    for address, data in posts(testing, kata)[1:]:
        assert client.post(address, data).status_code == 403, address
    assert world() == before


def test_a_non_member_of_an_open_community_reads_but_cannot_write(client_for, outsider, kata, testing):
    client = client_for(outsider)
    assert client.get(url("detail", testing, kata)).status_code == 200
    assert "Write a practice" not in client.get(url("list", testing)).text
    assert client.get(url("create", testing)).status_code == 403
    before = world()
    assert client.post(*posts(testing, kata)[0]).status_code == 403
    assert world() == before


def test_drafts_are_hidden_from_members_who_are_neither_owner_nor_lead(
    client_for, make_person, owner, member, testing
):
    draft = practice_create(actor=member, community=testing, title="Half-baked idea")
    other = make_person("other")
    membership_join(person=other, community=testing)
    reader = client_for(other)
    assert "Half-baked idea" not in reader.get(url("list", testing)).text
    assert reader.get(url("detail", testing, draft)).status_code == 404
    assert reader.get(url("history", testing, draft)).status_code == 404
    for person in (member, owner):
        client = client_for(person)
        assert "Half-baked idea" in client.get(url("list", testing)).text
        assert (
            "Only its owner and the community's leads see it"
            in client.get(url("detail", testing, draft)).text
        )


def test_an_archived_practice_stays_findable_and_is_marked(client_for, member, kata, testing):
    client = client_for(member)
    client.post(url("status", testing, kata), {"status": "archived"})
    assert ">Archived</span>" in client.get(url("list", testing)).text
    assert "Kept so it stays findable" in client.get(url("detail", testing, kata)).text


# Writing and editing --------------------------------------------------------------------------------


def test_a_member_writes_a_practice_and_lands_on_its_page(client_for, member, testing):
    client = client_for(member)
    response = client.post(
        url("create", testing),
        {
            "title": "Pairing how-to",
            "kind": "how_to",
            "status": "draft",
            "body": "Swap **often**",
            "tags": "pairing",
        },
    )
    practice = Practice.objects.get()
    assert response.url == url("detail", testing, practice)
    assert messages_of(response) == ["“Pairing how-to” is saved as revision 1."]
    assert "<strong>often</strong>" in client.get(response.url).text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "A practice needs a title."),
        (
            {"title": "Long one", "body": "x" * (MAX_BODY + 1)},
            "The text has 50,001 characters; the limit is 50,000.",
        ),
    ],
)
def test_bad_input_keeps_the_values_and_says_what_is_wrong(client_for, member, testing, fields, message):
    data = {"kind": "playbook", "status": "published", "tags": "kept-tag", "body": "Kept body", **fields}
    response = client_for(member).post(url("create", testing), data)
    assert response.status_code == 200
    assert message in response.text
    assert "kept-tag" in response.text
    assert ('value="playbook" selected' in response.text) or ('value="playbook" selected>' in response.text)
    assert Practice.objects.count() == 0


def test_script_in_markdown_is_sanitised(client_for, member, testing):
    practice = practice_create(
        actor=member,
        community=testing,
        title="Tricky",
        body='<script>alert("x")</script>\n\n<img src=x onerror=alert(1)>\n\n[link](javascript:alert(2))',
        status=PracticeStatus.PUBLISHED,
    )
    page = client_for(member).get(url("detail", testing, practice)).text
    assert "<script>alert" not in page
    assert "<img src=x onerror" not in page and "onerror=" not in page.replace("onerror=alert(1)&gt;", "")
    assert 'href="javascript' not in page


def test_an_edit_saves_a_new_revision(client_for, member, kata, testing):
    client = client_for(member)
    form = client.get(url("edit", testing, kata)).text
    assert 'name="base_revision" value="1"' in form
    response = client.post(
        url("edit", testing, kata),
        {"base_revision": "1", "title": kata.title, "kind": "article", "body": "New text", "tags": "kata"},
    )
    assert response.url == url("detail", testing, kata)
    assert messages_of(response) == ["Saved. “Mutation testing kata” is now at revision 2."]
    kata.refresh_from_db()
    assert (kata.revision, kata.body) == (2, "New text")


def test_a_stale_edit_keeps_the_typed_text_and_saving_again_works(client_for, owner, member, kata, testing):
    practice_edit(actor=owner, practice=kata, base_revision=1, title=kata.title, body="The lead's version")
    client = client_for(member)
    typed = {
        "base_revision": "1",
        "title": kata.title,
        "kind": "article",
        "body": "My careful edit",
        "tags": "kata",
    }
    before = world()
    response = client.post(url("edit", testing, kata), typed)
    assert response.status_code == 200
    assert world() == before
    text = response.text
    assert "you edited revision 1, the current one is 2" in text
    assert "My careful edit" in text  # the typed text is kept
    assert "The lead&#x27;s version" in text  # and the current version is shown to compare
    assert 'name="base_revision" value="2"' in text
    response = client.post(url("edit", testing, kata), {**typed, "base_revision": "2"})
    assert response.status_code == 302
    kata.refresh_from_db()
    assert (kata.revision, kata.body) == (3, "My careful edit")


# History, diff and restore ---------------------------------------------------------------------------


def test_history_shows_the_diff_between_any_two_revisions(client_for, member, kata, testing):
    practice_edit(
        actor=member, practice=kata, base_revision=1, title=kata.title, body="# Steps\n\nStep one\nStep 2"
    )
    practice_edit(
        actor=member, practice=kata, base_revision=2, title="Kata", body="# Steps\n\nStep one\nStep 3"
    )
    client = client_for(member)
    latest = client.get(url("history", testing, kata)).text
    assert "Changes from revision 2 to 3" in latest
    assert "<del>-Step 2</del>" in latest and "<ins>+Step 3</ins>" in latest
    assert "<del>-Mutation testing kata</del>" in latest
    first_to_last = client.get(url("history", testing, kata) + "?a=1&b=3").text
    assert "<del>-Step two</del>" in first_to_last and "<ins>+Step 3</ins>" in first_to_last
    assert "Restore this revision" in first_to_last
    assert client.get(url("history", testing, kata) + "?a=x").status_code == 404


def test_restore_from_the_history_page(client_for, member, kata, testing):
    practice_edit(actor=member, practice=kata, base_revision=1, title="Renamed", body="Gone wrong")
    client = client_for(member)
    response = client.post(url("restore", testing, kata), {"number": "1", "base_revision": "2"})
    assert messages_of(response) == ["Revision 1 is restored as revision 3."]
    kata.refresh_from_db()
    assert (kata.revision, kata.title, kata.body) == (
        3,
        "Mutation testing kata",
        "# Steps\n\nStep one\nStep two",
    )


def test_a_stale_restore_is_refused_with_the_reason(client_for, member, kata, testing):
    practice_edit(actor=member, practice=kata, base_revision=1, title="Renamed", body="v2")
    practice_edit(actor=member, practice=kata, base_revision=2, title="Renamed", body="v3")
    client = client_for(member)
    before = world()
    history = url("history", testing, kata)
    response = client.post(
        url("restore", testing, kata),
        {"number": "1", "base_revision": "2"},
        HTTP_REFERER=f"http://testserver{history}",
    )
    assert response.url == f"http://testserver{history}"
    assert "you edited revision 2, the current one is 3" in messages_of(response)[0]
    assert world() == before


# Review clock ---------------------------------------------------------------------------------------------


def test_a_stale_practice_is_flagged_in_words_and_mark_reviewed_clears_it(client_for, member, kata, testing):
    Practice.objects.filter(pk=kata.pk).update(reviewed_at=timezone.now() - timedelta(days=200))
    kata.refresh_from_db()
    flag = f"Outdated — not reviewed since {kata.reviewed_at:%Y-%m-%d}"
    client = client_for(member)
    assert flag in client.get(url("list", testing)).text
    assert flag in client.get(url("detail", testing, kata)).text
    assert "Mutation testing kata" in client.get(url("list", testing) + "?status=needs_review").text
    response = client.post(url("review", testing, kata))
    assert response.status_code == 302
    kata.refresh_from_db()
    assert kata.revision == 1
    assert "Outdated — not reviewed since" not in client.get(url("detail", testing, kata)).text
    assert (
        "No practice matches these filters" in client.get(url("list", testing) + "?status=needs_review").text
    )


def test_the_list_filter_answers_htmx_with_the_results_only(client_for, member, kata, testing):
    response = client_for(member).get(url("list", testing) + "?kind=article", HTTP_HX_REQUEST="true")
    assert "Mutation testing kata" in response.text
    assert "<html" not in response.text


# Query counts -----------------------------------------------------------------------------------------------


def queries(client: Client, address: str) -> int:
    client.get(address)  # warm caches (content types, sessions) so both counts compare like with like
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


LIST_QUERIES = 9  # session, user, person, community + tags, membership, count, practices, their tags
DETAIL_QUERIES = 9  # session, user, person, community + tags, membership, practice + tags, latest revision


def test_the_practice_list_uses_a_constant_number_of_queries(client_for, owner, member, testing, kata):
    client = client_for(member)
    small = queries(client, url("list", testing))
    for number in range(12):
        practice = practice_create(
            actor=owner if number % 2 else member,
            community=testing,
            title=f"Practice {number}",
            status=PracticeStatus.PUBLISHED,
            tags=f"t{number}, shared, more{number}",
        )
        practice_edit(
            actor=practice.owner, practice=practice, base_revision=1, title=practice.title, body="v2"
        )
    assert queries(client, url("list", testing)) == small <= LIST_QUERIES
    assert queries(client, url("list", testing) + "?tag=shared&kind=article") == small


def test_the_practice_page_uses_a_constant_number_of_queries(client_for, owner, member, testing, kata):
    client = client_for(member)
    small = queries(client, url("detail", testing, kata))
    for number in range(10):
        practice_edit(
            actor=owner if number % 2 else member,
            practice=kata,
            base_revision=kata.revision,
            title=kata.title,
            body=f"v{number}",
            tags=", ".join(f"tag{tag}" for tag in range(number + 2)),
        )
        kata.refresh_from_db()
    assert queries(client, url("detail", testing, kata)) == small <= DETAIL_QUERIES
    assert queries(client, url("history", testing, kata)) == queries(
        client, url("history", testing, kata) + "?a=1&b=5"
    )
