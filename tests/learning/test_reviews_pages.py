"""Review pages: the board and its htmx fragments, home, history, insights, the community tab and feed.

Allowed users succeed, outsiders get a 404 (signed out: the sign-in page), bad input shows a clear
message and changes nothing; fragments keep a constant query count at 500 items and 50 people.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from practica.communities.services import community_create, membership_join
from practica.learning import reviews
from practica.learning.models import (
    DotVote,
    Insight,
    InsightAdoption,
    InsightShare,
    Review,
    ReviewItem,
    ReviewPhase,
)
from practica.people.models import Person, TeamMembership
from practica.people.services import team_membership_set
from tests.learning.helpers import set_phase

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_learning_home_lists_my_reviews_and_actions(client_for, retro, member, owner):
    set_phase(retro, ReviewPhase.ACT)
    reviews.action_create(actor=owner, review=retro, title="Cache the builds", owner=member)
    page = client_for(member).get("/learning/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sprint 12 retro" in html and "Cache the builds" in html
    assert "{# learning-home: mind panels #}" not in html  # a template comment, not output


def test_signed_out_people_are_sent_to_sign_in(retro):
    for url in ["/learning/", f"/learning/reviews/{retro.pk}/", "/learning/insights/", "/learning/methods/"]:
        response = Client().get(url)
        assert response.status_code == 302 and "/signin/" in response["Location"]


def test_the_board_is_a_404_for_outsiders_also_on_every_post(client_for, retro, outsider, member):
    item = reviews.review_item_add(actor=member, review=retro, section="stop", text="Late")
    client = client_for(outsider)
    assert client.get(f"/learning/reviews/{retro.pk}/").status_code == 404
    assert (
        client.post(f"/learning/reviews/{retro.pk}/items/", {"section": "stop", "text": "x"}).status_code
        == 404
    )
    assert client.post(f"/learning/reviews/{retro.pk}/items/{item.pk}/vote/").status_code == 404
    assert client.post(f"/learning/reviews/{retro.pk}/phase/", {"phase": "closed"}).status_code == 404
    assert ReviewItem.objects.count() == 1 and Review.objects.get().phase == ReviewPhase.COLLECT


def test_a_private_communitys_review_is_hidden_from_non_members(
    client_for, make_review, owner, outsider, private_community
):
    review = make_review(owner, community=private_community)
    assert client_for(outsider).get(f"/learning/reviews/{review.pk}/").status_code == 404
    assert client_for(outsider).get(f"/communities/{private_community.slug}/reviews/").status_code == 404
    assert client_for(outsider).get(f"/communities/{private_community.slug}/insights/").status_code == 404


def test_adding_an_item_with_htmx_returns_the_item(client_for, retro, member):
    response = client_for(member).post(
        f"/learning/reviews/{retro.pk}/items/",
        {"section": "stop", "text": "Late deploys", "anonymous": "on"},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="item-' in html and "Late deploys" in html and "you wrote this" in html
    assert ReviewItem.objects.get().anonymous


def test_the_facilitator_never_sees_an_anonymous_author(client_for, retro, owner, member):
    reviews.review_item_add(actor=member, review=retro, section="stop", text="Blame culture", anonymous=True)
    html = client_for(owner).get(f"/learning/reviews/{retro.pk}/").content.decode()
    assert "Blame culture" in html
    assert member.display_name not in html.split("Blame culture", 1)[1].split("</li>", 1)[0]
    assert "Anonymous" in html


def test_a_refused_htmx_request_shows_the_message_and_changes_nothing(client_for, retro, member):
    set_phase(retro, ReviewPhase.CLOSED)
    response = client_for(member).post(
        f"/learning/reviews/{retro.pk}/items/", {"section": "stop", "text": "x"}, **HTMX
    )
    assert response.status_code == 200 and response["HX-Retarget"] == "#review-message"
    assert "closed" in response.content.decode()
    plain = client_for(member).post(f"/learning/reviews/{retro.pk}/items/", {"section": "stop", "text": "x"})
    assert plain.status_code == 400 and "closed" in plain.content.decode()
    assert not ReviewItem.objects.exists()


def test_voting_beyond_the_budget_is_refused_with_a_message(client_for, make_review, owner, member, team):
    review = make_review(owner, team=team, dots_per_person=1)
    item = reviews.review_item_add(actor=member, review=review, section="stop", text="Late")
    set_phase(review, ReviewPhase.VOTE)
    client = client_for(member)
    first = client.post(f"/learning/reviews/{review.pk}/items/{item.pk}/vote/", **HTMX)
    html = first.content.decode()
    assert 'id="dots-left"' in html and "hx-swap-oob" in html and "<strong>0</strong>" in html
    second = client.post(f"/learning/reviews/{review.pk}/items/{item.pk}/vote/", **HTMX)
    assert "used all 1 of your dots" in second.content.decode()
    assert DotVote.objects.count() == 1


def test_grouping_and_phases_through_the_pages(client_for, retro, owner, member):
    one = reviews.review_item_add(actor=member, review=retro, section="stop", text="Slow CI")
    two = reviews.review_item_add(actor=owner, review=retro, section="start", text="Cache builds")
    client = client_for(owner)
    assert (
        client_for(member).post(f"/learning/reviews/{retro.pk}/phase/", {"phase": "group"}, **HTMX)[
            "HX-Retarget"
        ]
        == "#review-message"
    )
    response = client.post(f"/learning/reviews/{retro.pk}/phase/", {"phase": "group"}, **HTMX)
    assert 'id="group-form"' in response.content.decode()
    empty = client.post(f"/learning/reviews/{retro.pk}/groups/", {"title": "CI"}, **HTMX)
    assert "Tick the items" in empty.content.decode()
    grouped = client.post(
        f"/learning/reviews/{retro.pk}/groups/", {"title": "CI", "items": [one.pk, two.pk]}, **HTMX
    )
    assert "Grouped." in grouped.content.decode()
    assert ReviewItem.objects.filter(group__title="CI").count() == 2


def test_act_phase_creates_insights_and_actions_and_refuses_outside_owners(
    client_for, retro, owner, member, outsider
):
    set_phase(retro, ReviewPhase.ACT)
    client = client_for(member)
    refused = client.post(
        f"/learning/reviews/{retro.pk}/actions/", {"title": "Fix", "owner": outsider.pk}, **HTMX
    )
    assert "owner must be one of the review" in refused.content.decode()
    client.post(f"/learning/reviews/{retro.pk}/actions/", {"title": "Fix CI", "owner": member.pk}, **HTMX)
    client.post(f"/learning/reviews/{retro.pk}/insights/", {"title": "Small PRs merge faster"}, **HTMX)
    assert Insight.objects.get().title == "Small PRs merge faster"
    assert retro.actions.get().owner == member


def test_follow_up_page_flow_and_history_rate(client_for, retro, make_review, owner, member, team):
    set_phase(retro, ReviewPhase.ACT)
    done = reviews.action_create(actor=owner, review=retro, title="Cache builds", owner=member)
    carried = reviews.action_create(actor=owner, review=retro, title="Runbook", owner=member)
    set_phase(retro, ReviewPhase.CLOSED)
    second = make_review(owner, team=team)
    client = client_for(member)
    html = client.get(f"/learning/reviews/{second.pk}/").content.decode()
    assert "Actions from the previous review" in html and "Cache builds" in html
    client.post(f"/learning/reviews/{second.pk}/follow-up/{done.pk}/", {"outcome": "done"}, **HTMX)
    response = client.post(
        f"/learning/reviews/{second.pk}/follow-up/{carried.pk}/", {"outcome": "carry"}, **HTMX
    )
    assert "1 of 2</strong>" in response.content.decode()
    history = client.get(f"/learning/teams/{team.slug}/reviews/").content.decode()
    assert "50%" in history and "How follow-through is counted" in history
    assert client_for(owner).get("/learning/teams/search/reviews/").status_code == 404


def test_team_history_is_for_team_members(client_for, retro, outsider, team):
    assert client_for(outsider).get(f"/learning/teams/{team.slug}/reviews/").status_code == 404


def test_share_and_adopt_pages_and_the_spread(
    client_for, retro, owner, member, outsider, other_team, community, private_community
):
    set_phase(retro, ReviewPhase.ACT)
    insight = reviews.insight_create(actor=member, review=retro, title="Small PRs merge faster")
    client = client_for(member)
    hidden = client.post(f"/learning/insights/{insight.pk}/share/", {"communities": [private_community.pk]})
    assert hidden.status_code == 400 and "cannot see them" in hidden.content.decode()
    assert "Secret guild" not in hidden.content.decode()  # a private community's name never leaks
    elsewhere = community_create(actor=owner, name="Elsewhere")
    refused = client.post(
        f"/learning/insights/{insight.pk}/share/", {"communities": [elsewhere.pk, community.pk]}
    )
    assert refused.status_code == 400 and "you are not in Elsewhere" in refused.content.decode()
    assert not InsightShare.objects.exists()
    client.post(f"/learning/insights/{insight.pk}/share/", {"communities": [community.pk]})
    assert InsightShare.objects.get().community == community
    membership_join(person=outsider, community=community)
    team_membership_set(person=outsider, team=other_team, manager=None)
    adopter = client_for(outsider)
    wrong = adopter.post(f"/learning/insights/{insight.pk}/adopt/", {"team": retro.team_id, "note": "x"})
    assert wrong.status_code == 400 and not InsightAdoption.objects.exists()
    adopter.post(f"/learning/insights/{insight.pk}/adopt/", {"team": other_team.pk, "note": "400-line cap"})
    page = adopter.get(f"/learning/insights/{insight.pk}/").content.decode()
    assert "adopted by <strong>1</strong> team" in page and "Search" in page and "400-line cap" in page
    feed = adopter.get(f"/communities/{community.slug}/activity/").content.decode()
    assert "Insights shared here" in feed and "Small PRs merge faster" in feed
    tab = adopter.get(f"/communities/{community.slug}/insights/").content.decode()
    assert "Small PRs merge faster" in tab and "adopted by 1 team" in tab


def test_an_outsider_cannot_open_an_insight_they_cannot_see(client_for, retro, member, outsider):
    set_phase(retro, ReviewPhase.ACT)
    insight = reviews.insight_create(actor=member, review=retro, title="Internal")
    assert client_for(outsider).get(f"/learning/insights/{insight.pk}/").status_code == 404
    assert "Internal" not in client_for(outsider).get("/learning/insights/").content.decode()


def test_method_library_pages(client_for, member, steward):
    assert "After-action review" in client_for(member).get("/learning/methods/").content.decode()
    detail = client_for(member).get("/learning/methods/after-action-review/").content.decode()
    assert "US Army" in detail and "Why was there a difference?" in detail
    assert client_for(member).get("/learning/methods/new/").status_code == 403
    bad = client_for(steward).post(
        "/learning/methods/new/", {"name": "Mine", "method": "agile", "sections": "  \n"}
    )
    assert bad.status_code == 400
    done = client_for(steward).post(
        "/learning/methods/new/",
        {"name": "Sailboat", "method": "agile", "sections": "Wind | What pushes us?\nAnchors"},
    )
    assert done.status_code == 302 and done["Location"] == "/learning/methods/sailboat/"


def test_starting_a_review_from_the_page(client_for, member, team, template, outsider):
    client = client_for(member)
    form = client.get("/learning/reviews/new/").content.decode()
    assert f"team:{team.pk}" in form
    response = client.post(
        "/learning/reviews/new/", {"holder": f"team:{team.pk}", "template": template.pk, "dots_per_person": 3}
    )
    review = Review.objects.get()
    assert response["Location"] == f"/learning/reviews/{review.pk}/" and review.facilitator == member
    refused = client_for(outsider).post(
        "/learning/reviews/new/", {"holder": f"team:{team.pk}", "template": template.pk, "dots_per_person": 3}
    )
    assert refused.status_code == 400 and Review.objects.count() == 1


# Size: 500 items, 50 participants ------------------------------------------------------------------------


def _big_review(review: Review, make_person: Callable[..., Person], items: int) -> list[Person]:
    people = [make_person(f"p{number}") for number in range(48)]
    TeamMembership.objects.bulk_create(
        [TeamMembership(person=person, team_id=review.team_id) for person in people]
    )
    sections = [section["key"] for section in review.template.sections]
    ReviewItem.objects.bulk_create(
        [
            ReviewItem(
                review=review,
                section=sections[n % 3],
                text=f"Item number {n} about the build",
                author=people[n % 48],
                anonymous=n % 5 == 0,
            )
            for n in range(items)
        ]
    )
    return people


def _queries(client: Client, url: str, **extra: str) -> tuple[int, float]:
    with CaptureQueriesContext(connection) as context:
        start = time.perf_counter()
        response = client.get(url, **extra)
        elapsed = time.perf_counter() - start
    assert response.status_code == 200
    return len(context.captured_queries), elapsed


@pytest.mark.parametrize("phase", [ReviewPhase.COLLECT, ReviewPhase.GROUP, ReviewPhase.VOTE, ReviewPhase.ACT])
def test_board_query_count_is_constant_in_items_and_people(
    client_for, make_review, owner, member, team, make_person, phase
):
    make_review(owner, team=team)  # so that both measured reviews have a previous one
    small = make_review(owner, team=team)
    ReviewItem.objects.create(review=small, section="stop", text="one", author=member)
    big = make_review(owner, team=team)
    people = _big_review(big, make_person, 500)
    for review in (small, big):
        set_phase(review, phase)
    if phase == ReviewPhase.VOTE:
        items = list(ReviewItem.objects.filter(review=big)[:100])
        DotVote.objects.bulk_create(
            [DotVote(item=item, voter=people[n % 48], review=big) for n, item in enumerate(items)]
        )
    client = client_for(member)
    small_count, _ = _queries(client, f"/learning/reviews/{small.pk}/", **HTMX)
    big_count, _ = _queries(client, f"/learning/reviews/{big.pk}/", **HTMX)
    assert big_count == small_count <= 14
    page_count, _ = _queries(client, f"/learning/reviews/{big.pk}/")
    assert page_count <= small_count + 6


def test_vote_fragment_query_count_and_render_time_at_500_items(
    client_for, make_review, owner, member, team, make_person, capsys
):
    review = make_review(owner, team=team, dots_per_person=20)
    _big_review(review, make_person, 500)
    set_phase(review, ReviewPhase.VOTE)
    item = ReviewItem.objects.filter(review=review).last()
    client = client_for(member)
    with CaptureQueriesContext(connection) as context:
        start = time.perf_counter()
        response = client.post(f"/learning/reviews/{review.pk}/items/{item.pk}/vote/", **HTMX)
        vote_seconds = time.perf_counter() - start
    assert response.status_code == 200 and DotVote.objects.count() == 1
    assert len(context.captured_queries) <= 14
    _, board_seconds = _queries(client, f"/learning/reviews/{review.pk}/", **HTMX)
    with capsys.disabled():
        print(
            f"\n500 items, 50 people: vote fragment {vote_seconds * 1000:.0f} ms, "
            f"board fragment {board_seconds * 1000:.0f} ms"
        )
    # Generous bounds for a shared CI machine; the printed figures are the measurement.
    assert vote_seconds < 1.0 and board_seconds < 3.0


def _many_insights(retro: Review, member: Person, community, count: int) -> None:
    set_phase(retro, ReviewPhase.ACT)
    for number in range(count):
        insight = reviews.insight_create(actor=member, review=retro, title=f"Insight {number}")
        reviews.insight_share(actor=member, insight=insight, communities=[community])
        reviews.action_create(actor=member, review=retro, title=f"Action {number}", owner=member)


@pytest.mark.parametrize("count", [1, 12])
def test_list_pages_keep_their_query_count(
    client_for, retro, make_review, owner, member, team, community, count, django_assert_max_num_queries
):
    _many_insights(retro, member, community, count)
    for _ in range(count):
        make_review(owner, team=team)
    client = client_for(member)
    for url, limit in [
        ("/learning/", 12),
        ("/learning/insights/", 5),
        (f"/communities/{community.slug}/insights/", 8),
        (f"/communities/{community.slug}/activity/", 9),
        (f"/learning/teams/{team.slug}/reviews/", 5),
        (f"/communities/{community.slug}/reviews/", 7),
    ]:
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200, url


def test_marking_an_action_done_from_the_home_page(client_for, retro, owner, member, outsider):
    set_phase(retro, ReviewPhase.ACT)
    action = reviews.action_create(actor=owner, review=retro, title="Cache the builds", owner=member)
    url = f"/learning/actions/{action.pk}/status/"
    assert client_for(outsider).post(url, {"status": "done"}).status_code == 404
    bad = client_for(member).post(url, {"status": "finished", "next": "//evil.example/"}, follow=True)
    assert "Choose open, done or dropped." in bad.content.decode()
    assert bad.redirect_chain[-1][0] == "/learning/"  # never off-site
    action.refresh_from_db()
    assert action.status == "open"
    client_for(member).post(url, {"status": "done", "next": "/learning/"})
    action.refresh_from_db()
    assert action.status == "done" and action.done_at is not None
    assert "Cache the builds" not in client_for(member).get("/learning/").content.decode()


def test_after_action_review_links_a_forecast_from_the_page(
    client_for, make_review, owner, member, community
):
    from datetime import timedelta

    from django.utils import timezone

    from practica.calibration.forecasts import forecast_question_create
    from practica.learning.models import MethodTemplate

    question = forecast_question_create(
        actor=owner,
        community=community,
        title="Will we ship by Friday?",
        closes_at=timezone.now() + timedelta(days=3),
    )
    review = make_review(
        owner, community=community, template=MethodTemplate.objects.get(slug="after-action-review")
    )
    page = client_for(owner).get(f"/learning/reviews/{review.pk}/").content.decode()
    assert "Link the forecasts and experiments" in page and "Will we ship by Friday?" in page
    refused = client_for(member).post(f"/learning/reviews/{review.pk}/links/", {"forecast": question.pk})
    assert refused.status_code == 400 and not review.forecasts.exists()
    client_for(owner).post(f"/learning/reviews/{review.pk}/links/", {"forecast": question.pk})
    board = client_for(member).get(f"/learning/reviews/{review.pk}/").content.decode()
    assert "What was supposed to happen, and what did" in board and "Not resolved yet" in board
    assert "Shown once the question closes." in board  # readers of the review are not anchored


def test_a_shared_insight_names_its_review_only_to_the_reviews_participants(
    client_for, retro, owner, member, outsider, community
):
    """The insight travels to an open community; readers there see the insight, not the team's
    candid review it came from (its title and link are for the review's participants)."""
    set_phase(retro, ReviewPhase.ACT)
    insight = reviews.insight_create(actor=member, review=retro, title="Pairing helps")
    reviews.insight_share(actor=member, insight=insight, communities=[community])
    reader = client_for(outsider).get(f"/learning/insights/{insight.pk}/").content.decode()
    assert "Pairing helps" in reader and "Sprint 12 retro" not in reader
    assert "Sprint 12 retro" in client_for(member).get(f"/learning/insights/{insight.pk}/").content.decode()


def test_the_main_nav_marks_one_place(client_for, member, community):
    """On /learning/ only Learning is current; on a community's learning tab only Communities."""
    home = client_for(member).get("/learning/").content.decode()
    assert home.count('aria-current="page"') == 1 and 'aria-current="page">Learning' in home
    for tab in ("experiments", "vision", "insights", "reviews"):
        page = client_for(member).get(f"/communities/{community.slug}/{tab}/").content.decode()
        nav = page.split('<nav class="site-nav"')[1].split("</nav>")[0]
        assert 'aria-current="page">Communities' in nav and nav.count("aria-current") == 1, tab
    root = client_for(member).get("/").content.decode()
    nav = root.split('<nav class="site-nav"')[1].split("</nav>")[0]
    assert 'aria-current="page">Home' in nav and nav.count("aria-current") == 1


def test_the_team_page_links_its_experiment_board_and_for_members_its_reviews(
    client_for, retro, member, outsider, team
):
    mine = client_for(member).get(f"/teams/{team.slug}/").content.decode()
    assert (
        f"/learning/teams/{team.slug}/experiments/" in mine
        and f"/learning/teams/{team.slug}/reviews/" in mine
    )
    theirs = client_for(outsider).get(f"/teams/{team.slug}/").content.decode()
    assert f"/learning/teams/{team.slug}/experiments/" in theirs
    assert f"/learning/teams/{team.slug}/reviews/" not in theirs  # the history is for the team's members


def test_shares_to_a_private_community_are_neither_named_nor_counted_for_outsiders(
    client_for, retro, owner, member, outsider, community, private_community
):
    from practica.communities.services import membership_invite

    membership_invite(actor=owner, community=private_community, person=member)
    membership_join(person=member, community=private_community)
    set_phase(retro, ReviewPhase.ACT)
    insight = reviews.insight_create(actor=member, review=retro, title="Pairing helps")
    reviews.insight_share(actor=member, insight=insight, communities=[community, private_community])
    client = client_for(outsider)
    page = client.get(f"/learning/insights/{insight.pk}/").content.decode()
    assert "Secret guild" not in page and "Shared to <strong>1</strong> community" in page
    assert "1 community" in client.get("/learning/insights/").content.decode()
    spread = client.get(f"/api/v1/learning/insights/{insight.pk}").json()["spread"]
    assert [share["community"] for share in spread["shares"]] == [community.slug]
    assert client.get("/api/v1/learning/insights").json()["items"][0]["share_count"] == 1
    mine = client_for(member).get(f"/learning/insights/{insight.pk}/").content.decode()
    assert "Shared to <strong>2</strong> communities" in mine


def test_an_admin_in_the_team_never_learns_an_anonymous_author(client_for, retro, owner, member, admin, team):
    """Admins are participants like anyone else: the page, the item fragment after a vote and the API
    withhold an anonymous item's author from them."""
    team_membership_set(person=admin, team=team, manager=owner)
    item = reviews.review_item_add(
        actor=member, review=retro, section="stop", text="Blame culture", anonymous=True
    )
    client = client_for(admin)
    html = client.get(f"/learning/reviews/{retro.pk}/").content.decode()
    assert member.display_name not in html.split("Blame culture", 1)[1].split("</li>", 1)[0]
    set_phase(retro, ReviewPhase.VOTE)
    fragment = client.post(f"/learning/reviews/{retro.pk}/items/{item.pk}/vote/", **HTMX).content.decode()
    assert "Blame culture" in fragment and member.display_name not in fragment and "Anonymous" in fragment
    (row,) = [
        i for i in client.get(f"/api/v1/learning/reviews/{retro.pk}").json()["items"] if i["id"] == item.pk
    ]
    assert row["author"] is None and row["anonymous"] and not row["mine"]
