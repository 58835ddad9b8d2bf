"""Review services: phases, anonymous items, dots, insights and actions, follow-through, sharing and
adoption. Every refusal changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from practica.calibration.forecasts import forecast_make, forecast_question_create, forecast_question_resolve
from practica.calibration.models import Forecast, ForecastQuestion
from practica.communities.services import membership_join
from practica.core.errors import ApplicationError
from practica.learning import review_selectors as selectors
from practica.learning import reviews
from practica.learning.models import (
    Action,
    ActionStatus,
    DotVote,
    InsightAdoption,
    InsightShare,
    MethodTemplate,
    Review,
    ReviewGroup,
    ReviewItem,
    ReviewPhase,
)
from practica.people.models import Person, Team
from practica.people.services import team_membership_set
from tests.learning.helpers import set_phase

pytestmark = pytest.mark.django_db


def test_creating_a_review_links_the_previous_one_of_the_same_team(make_review, owner, team, retro):
    set_phase(retro, ReviewPhase.CLOSED)
    second = make_review(owner, team=team)
    assert second.previous == retro
    assert second.facilitator == owner
    assert second.phase == ReviewPhase.COLLECT


def test_only_team_members_start_a_team_review(make_review, outsider, team):
    with pytest.raises(ApplicationError, match="Only members of the team"):
        make_review(outsider, team=team)
    assert not Review.objects.exists()


def test_experiment_cards_are_not_review_templates(owner, team):
    card = MethodTemplate.objects.get(slug="lean-test-card")
    with pytest.raises(ApplicationError, match="review template"):
        reviews.review_create(actor=owner, template=card, team=team)


def test_anonymous_item_hides_its_author_from_the_facilitator_but_not_from_its_author(retro, owner, member):
    item = reviews.review_item_add(
        actor=member, review=retro, section="stop", text="Late deploys", anonymous=True
    )
    assert item.author == member  # stored: the data model never forgets
    facilitator_view = selectors.item_view(retro, owner, item.pk)
    assert facilitator_view.author is None and not facilitator_view.mine
    author_view = selectors.item_view(retro, member, item.pk)
    assert author_view.author == member.display_name and author_view.mine


def test_non_participant_cannot_add_items(retro, outsider):
    with pytest.raises(ApplicationError, match=reviews.NOT_A_PARTICIPANT[:30]):
        reviews.review_item_add(actor=outsider, review=retro, section="stop", text="Hi")
    assert not ReviewItem.objects.exists()


def test_items_need_a_known_section_and_text(retro, member):
    with pytest.raises(ApplicationError, match="sections"):
        reviews.review_item_add(actor=member, review=retro, section="nope", text="x")
    with pytest.raises(ApplicationError, match="Write the item"):
        reviews.review_item_add(actor=member, review=retro, section="stop", text="   ")
    assert not ReviewItem.objects.exists()


def test_adding_items_in_the_wrong_phase_is_refused(retro, member):
    set_phase(retro, ReviewPhase.VOTE)
    with pytest.raises(ApplicationError, match="Adding items happens in the “Collecting items” phase"):
        reviews.review_item_add(actor=member, review=retro, section="stop", text="Late")
    assert not ReviewItem.objects.exists()


def test_editing_is_for_the_author_in_the_collect_phase_only(retro, owner, member):
    item = reviews.review_item_add(actor=member, review=retro, section="stop", text="Late")
    with pytest.raises(ApplicationError, match="Only its author"):
        reviews.review_item_edit(actor=owner, item=item, text="Changed")
    reviews.review_item_edit(actor=member, item=item, text="Late deploys")
    set_phase(retro, ReviewPhase.CLOSED)
    with pytest.raises(ApplicationError, match="closed"):
        reviews.review_item_edit(actor=member, item=item, text="After")
    item.refresh_from_db()
    assert item.text == "Late deploys"


def test_only_the_facilitator_moves_phases_and_closing_is_final(retro, member):
    with pytest.raises(ApplicationError, match="facilitator"):
        reviews.review_set_phase(actor=member, review=retro, phase=ReviewPhase.GROUP)
    closed = set_phase(retro, ReviewPhase.CLOSED)
    assert closed.closed_at is not None
    with pytest.raises(ApplicationError, match="closed"):
        set_phase(retro, ReviewPhase.COLLECT)
    retro.refresh_from_db()
    assert retro.phase == ReviewPhase.CLOSED


def test_a_community_lead_may_facilitate_a_members_review(make_review, owner, member, community):
    review = make_review(member, community=community)
    reviews.review_set_phase(actor=owner, review=review, phase=ReviewPhase.GROUP)
    review.refresh_from_db()
    assert review.phase == ReviewPhase.GROUP


def test_grouping_select_and_group_and_move(retro, member, owner):
    one = reviews.review_item_add(actor=member, review=retro, section="stop", text="Slow CI")
    two = reviews.review_item_add(actor=owner, review=retro, section="start", text="Cache builds")
    three = reviews.review_item_add(actor=owner, review=retro, section="continue", text="Pairing")
    with pytest.raises(ApplicationError, match="Grouping happens"):
        reviews.review_group_create(actor=member, review=retro, title="CI", item_ids=[one.pk])
    set_phase(retro, ReviewPhase.GROUP)
    group = reviews.review_group_create(actor=member, review=retro, title="CI", item_ids=[one.pk, two.pk])
    assert set(group.items.values_list("pk", flat=True)) == {one.pk, two.pk}
    reviews.review_item_move(actor=owner, item=three, group=group)
    reviews.review_group_create(actor=owner, review=retro, title="", item_ids=[three.pk], into=group)
    assert group.items.count() == 3
    for item in (one, two, three):
        reviews.review_item_move(actor=owner, item=ReviewItem.objects.get(pk=item.pk), group=None)
    assert not ReviewGroup.objects.exists()  # an empty group is removed


def test_grouping_refuses_items_of_another_review(retro, make_review, owner, team, member):
    other = make_review(owner, team=team)
    foreign = reviews.review_item_add(actor=owner, review=other, section="stop", text="x")
    set_phase(retro, ReviewPhase.GROUP)
    with pytest.raises(ApplicationError, match="not in this review"):
        reviews.review_group_create(actor=member, review=retro, title="x", item_ids=[foreign.pk])
    assert not ReviewGroup.objects.filter(review=retro).exists()


def test_dots_allow_several_on_one_item_but_not_beyond_the_budget(make_review, owner, member, team):
    review = make_review(owner, team=team, dots_per_person=2)
    item = reviews.review_item_add(actor=member, review=review, section="stop", text="Late")
    with pytest.raises(ApplicationError, match="Dot-voting happens"):
        reviews.review_vote_add(actor=member, item=item)
    set_phase(review, ReviewPhase.VOTE)
    reviews.review_vote_add(actor=member, item=item)
    reviews.review_vote_add(actor=member, item=item)
    with pytest.raises(ApplicationError, match="used all 2 of your dots"):
        reviews.review_vote_add(actor=member, item=item)
    assert DotVote.objects.filter(voter=member).count() == 2
    reviews.review_vote_remove(actor=member, item=item)
    assert selectors.dots_left(review, member) == 1
    assert selectors.item_view(review, owner, item.pk).votes == 1


def test_voting_in_a_closed_review_is_refused(retro, member):
    item = reviews.review_item_add(actor=member, review=retro, section="stop", text="Late")
    set_phase(retro, ReviewPhase.CLOSED)
    with pytest.raises(ApplicationError, match="closed"):
        reviews.review_vote_add(actor=member, item=item)
    assert not DotVote.objects.exists()


def test_outsiders_cannot_vote(retro, member, outsider):
    item = reviews.review_item_add(actor=member, review=retro, section="stop", text="Late")
    set_phase(retro, ReviewPhase.VOTE)
    with pytest.raises(ApplicationError, match="take part"):
        reviews.review_vote_add(actor=outsider, item=item)


def test_action_owner_must_be_a_participant(retro, member, outsider):
    set_phase(retro, ReviewPhase.ACT)
    with pytest.raises(ApplicationError, match=reviews.NOT_AN_OWNER):
        reviews.action_create(actor=member, review=retro, title="Fix CI", owner=outsider)
    assert not Action.objects.exists()
    action = reviews.action_create(actor=member, review=retro, title="Fix CI", owner=member)
    assert action.status == ActionStatus.OPEN


def _act(review: Review, actor: Person, *titles: str, owner: Person | None = None) -> list[Action]:
    set_phase(review, ReviewPhase.ACT)
    actions = [
        reviews.action_create(actor=actor, review=review, title=title, owner=owner) for title in titles
    ]
    set_phase(review, ReviewPhase.CLOSED)
    return actions


def test_next_review_follows_up_previous_actions_and_measures_follow_through(
    retro, make_review, owner, member, team
):
    done, dropped, carried = _act(retro, owner, "Cache builds", "Weekly demo", "Write runbook", owner=member)
    second = make_review(owner, team=team)
    board = selectors.board(selectors.review_for(member, second.pk))
    assert [action.title for action in board.to_follow_up] == ["Cache builds", "Weekly demo", "Write runbook"]
    reviews.action_follow_up(actor=member, review=second, action=done, outcome="done")
    reviews.action_follow_up(actor=member, review=second, action=dropped, outcome="dropped")
    reviews.action_follow_up(actor=member, review=second, action=carried, outcome="carry")
    with pytest.raises(ApplicationError, match="already been followed up"):
        reviews.action_follow_up(actor=member, review=second, action=done, outcome="dropped")
    board = selectors.board(selectors.review_for(member, second.pk))
    assert board.to_follow_up == []
    assert board.follow_through.done == 1 and board.follow_through.followed_up == 3
    assert [action.title for action in board.actions] == ["Write runbook"]  # carried over
    rows, total = selectors.review_history(team=team)
    assert total.rate == pytest.approx(1 / 3)
    assert rows[0].review == second and rows[0].followed_up == 3


def test_follow_up_only_takes_actions_of_the_previous_review(retro, make_review, owner, member, team):
    (action,) = _act(retro, owner, "Cache builds")
    second = make_review(owner, team=team)
    _act(second, owner, "Weekly demo")
    third = make_review(owner, team=team)
    assert (second.previous, third.previous) == (retro, second)
    with pytest.raises(ApplicationError, match="not from the previous review"):
        reviews.action_follow_up(actor=member, review=third, action=action, outcome="done")
    action.refresh_from_db()
    assert action.followed_up_in is None


def test_the_previous_review_skips_empty_open_ones_and_is_found_for_reviews_made_without_it(
    retro, make_review, owner, member, team
):
    """The previous review is the latest earlier one of the team that agreed actions or is closed: a
    review started and left empty does not hide the open actions, and a review created without
    ``previous`` (imported, bulk-created demo data) finds it on the board and records it on follow-up."""
    (action,) = _act(retro, owner, "Cache builds")
    abandoned = make_review(owner, team=team, title="Started by mistake")
    assert abandoned.previous == retro
    second = make_review(owner, team=team)
    assert second.previous == retro  # not the empty, still open one
    Review.objects.filter(pk=second.pk).update(previous=None)  # as bulk_create leaves it
    second.refresh_from_db()
    board = selectors.board(selectors.review_for(member, second.pk))
    assert board.previous == retro and [a.title for a in board.to_follow_up] == ["Cache builds"]
    reviews.action_follow_up(actor=member, review=second, action=action, outcome="done")
    second.refresh_from_db()
    assert second.previous == retro
    # An earlier review never follows up a later one.
    assert reviews.previous_of(retro) is None


def test_insights_are_shared_only_to_the_sharers_communities(
    retro, member, owner, community, private_community
):
    set_phase(retro, ReviewPhase.ACT)
    insight = reviews.insight_create(actor=member, review=retro, title="Small PRs get reviewed faster")
    with pytest.raises(ApplicationError, match="not in Secret guild"):
        reviews.insight_share(actor=member, insight=insight, communities=[community, private_community])
    assert not InsightShare.objects.exists()
    (share,) = reviews.insight_share(actor=member, insight=insight, communities=[community])
    assert share.community == community
    with pytest.raises(ApplicationError, match="already shared"):
        reviews.insight_share(actor=member, insight=insight, communities=[community])


def test_adoption_is_for_the_adopters_own_teams(retro, member, outsider, other_team, team, community):
    set_phase(retro, ReviewPhase.ACT)
    insight = reviews.insight_create(actor=member, review=retro, title="Small PRs get reviewed faster")
    reviews.insight_share(actor=member, insight=insight, communities=[community])
    membership_join(person=outsider, community=community)
    with pytest.raises(ApplicationError, match="not in Search"):
        reviews.insight_adopt(actor=outsider, insight=insight, team=other_team)
    with pytest.raises(ApplicationError, match="came from this team"):
        reviews.insight_adopt(actor=member, insight=insight, team=team)
    assert not InsightAdoption.objects.exists()
    team_membership_set(person=outsider, team=other_team, manager=None)
    adoption = reviews.insight_adopt(
        actor=outsider, insight=insight, team=other_team, note="We cap PRs at 400 lines"
    )
    assert adoption.via is not None and adoption.via.community == community
    with pytest.raises(ApplicationError, match="already adopted"):
        reviews.insight_adopt(actor=outsider, insight=insight, team=other_team)
    spread = selectors.insight_spread(insight, outsider)
    assert [a.team for a in spread.adoptions] == ["Search"] and spread.adoptions[0].via == "Testing"


def test_an_insight_shared_to_a_private_community_stays_hidden_from_others(
    retro, member, owner, outsider, private_community
):
    from practica.communities.services import membership_invite

    membership_invite(actor=owner, community=private_community, person=member)
    membership_join(person=member, community=private_community)
    set_phase(retro, ReviewPhase.ACT)
    insight = reviews.insight_create(actor=member, review=retro, title="Secret")
    reviews.insight_share(actor=member, insight=insight, communities=[private_community])
    assert not selectors.insight_list_for(outsider).exists()
    with pytest.raises(ApplicationError, match="cannot see"):
        reviews.insight_adopt(actor=outsider, insight=insight, team=Team.objects.create(name="X", slug="x"))


def test_after_action_review_links_forecasts_and_shows_them_against_the_outcome(
    make_review, owner, member, community, make_person: Callable[..., Person], settings
):
    from datetime import timedelta

    from django.utils import timezone

    aar = MethodTemplate.objects.get(slug="after-action-review")
    question = forecast_question_create(
        actor=owner,
        community=community,
        title="Will we ship by Friday?",
        closes_at=timezone.now() + timedelta(days=3),
    )
    forecasters = [owner, member]
    for number in range(3):
        person = make_person(f"forecaster{number}")
        membership_join(person=person, community=community)
        forecasters.append(person)
    for person in forecasters:
        forecast_make(person=person, question=question, probability=0.8)
    Forecast.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    forecast_question_resolve(actor=owner, question=question, resolution="no")
    review = make_review(owner, community=community, template=aar)
    reviews.review_link_forecast(actor=owner, review=review, question=question)
    with pytest.raises(ApplicationError, match="already linked"):
        reviews.review_link_forecast(actor=owner, review=review, question=question)
    with pytest.raises(ApplicationError, match="facilitator"):
        reviews.review_link_forecast(actor=member, review=review, question=question)
    (expectation,) = selectors.expectations(review)
    assert expectation.prediction.shown and expectation.prediction.value == pytest.approx(0.8)
    assert expectation.outcome == "Resolved: No"
    prefilled = ReviewItem.objects.get(review=review, section="supposed")
    assert "Will we ship by Friday?" in prefilled.text
    settings.PRACTICA_MIN_GROUP_SIZE = 6
    (withheld,) = selectors.expectations(review)
    assert not withheld.prediction.shown and withheld.prediction.value is None


def test_a_team_review_cannot_link_a_private_communitys_forecast(retro, owner, private_community):
    from datetime import timedelta

    from django.utils import timezone

    question = forecast_question_create(
        actor=owner,
        community=private_community,
        title="Secret?",
        closes_at=timezone.now() + timedelta(days=3),
    )
    with pytest.raises(ApplicationError, match="not private"):
        reviews.review_link_forecast(actor=owner, review=retro, question=question)
    assert not retro.forecasts.exists()


def test_reviews_are_read_by_participants_only(retro, member, outsider, community, make_review):
    from django.http import Http404

    assert selectors.review_for(member, retro.pk).review == retro
    with pytest.raises(Http404):
        selectors.review_for(outsider, retro.pk)
    assert not selectors.review_list_for(outsider).exists()
    community_review = make_review(member, community=community)
    with pytest.raises(Http404):
        selectors.review_for(outsider, community_review.pk)


def test_after_action_review_shows_no_group_figure_while_people_may_still_predict(
    make_review, owner, member, team, crowd, testing, settings
):
    from datetime import timedelta

    from django.utils import timezone

    from practica.learning import experiments
    from practica.learning.review_selectors import UNTIL_CLOSED, UNTIL_STARTED
    from tests.learning.helpers import make_experiment

    settings.PRACTICA_MIN_GROUP_SIZE = 3
    experiment = make_experiment(owner, team=team)
    for person in crowd[:3]:
        experiments.experiment_predict(person=person, experiment=experiment, probability=0.7)
    question = forecast_question_create(
        actor=owner, community=testing, title="Open question?", closes_at=timezone.now() + timedelta(days=3)
    )
    for person in [owner, member, crowd[0]]:
        forecast_make(person=person, question=question, probability=0.4)
    Forecast.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    aar = make_review(owner, team=team, template=MethodTemplate.objects.get(slug="after-action-review"))
    reviews.review_link_experiment(actor=owner, review=aar, experiment=experiment)
    reviews.review_link_forecast(actor=owner, review=aar, question=question)
    forecast, planned = selectors.expectations(aar)
    # Same rules as their own pages: a reader of the review who has not predicted is not anchored.
    assert (forecast.hidden_until, planned.hidden_until) == (UNTIL_CLOSED, UNTIL_STARTED)
    experiments.experiment_start(actor=owner, experiment=experiment)
    ForecastQuestion.objects.filter(pk=question.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    forecast, started = selectors.expectations(aar)
    assert (forecast.hidden_until, started.hidden_until) == ("", "")
    assert forecast.prediction.value == pytest.approx(0.4) and started.prediction.value == pytest.approx(0.7)
