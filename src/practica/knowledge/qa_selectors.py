"""Every read of questions, answers and expert lists, already limited to what the viewer may see.

A private community's questions and answers are invisible to non-members everywhere: lists, pages,
the API, the unanswered queues and the expert lists (whose scores only count answers the viewer
could read).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from practica.analysis.calibration import cbm_mark
from practica.communities.models import Community, MembershipStatus, Tag
from practica.communities.selectors import CommunityAccess, community_for
from practica.core.permissions import can_view_community, community_content_q, membership_of
from practica.knowledge.models import Answer, Comment, ExpertOptIn, Outcome, Question, Relevance, Vote
from practica.people.models import Person

EXPERT_MIN_RESOLVED = 3
"""An opted-in person is listed for a tag once this many of their answers on it have an outcome."""

EXPERT_PRIOR_ANSWERS = 3
"""Pseudo-answers at mark 0 added to everyone's record before averaging (shrinkage toward 0)."""


def visible_communities(person: Person) -> QuerySet[Community]:
    return Community.objects.filter(community_content_q(person))


def question_list(community: Community, *, unanswered: bool = False, tag: str = "") -> QuerySet[Question]:
    """A community's questions, newest first; ``unanswered`` gives the still-relevant ones with no
    answer, oldest first (a queue). The list page and the API share this filter."""
    questions = (
        Question.objects.filter(community=community)
        .select_related("author", "community")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
    )
    if tag:
        questions = questions.filter(tags__slug=tag)
    if unanswered:
        questions = questions.filter(answer_count=0, relevance=Relevance.RELEVANT).order_by(
            "created_at", "id"
        )
    return questions


def unanswered_for(person: Person, *, mine: bool = False) -> QuerySet[Question]:
    """Unanswered, still-relevant questions of every community ``person`` may see, oldest first.

    This is the steward's queue; ``mine`` keeps the communities the person is an active member of.
    """
    communities = visible_communities(person)
    if mine:
        communities = communities.filter(
            memberships__person=person, memberships__status=MembershipStatus.ACTIVE
        )
    return (
        Question.objects.filter(community__in=communities, answer_count=0, relevance=Relevance.RELEVANT)
        .select_related("author", "community")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .order_by("created_at", "id")
    )


@dataclass
class QuestionAccess:
    question: Question
    access: CommunityAccess


def question_in(access: CommunityAccess, pk: int) -> Question:
    """Question ``pk`` of a community the viewer may already see (404 when it is another's)."""
    question = (
        Question.objects.filter(community=access.community, pk=pk)
        .select_related("author", "relevance_marked_by")
        .first()
    )
    if question is None:
        raise Http404("No such question.")
    question.community = access.community
    return question


def question_for_slug(person: Person, slug: str, pk: int) -> QuestionAccess:
    access = community_for(person, slug)
    return QuestionAccess(question=question_in(access, pk), access=access)


def question_for(person: Person, pk: int) -> QuestionAccess:
    """Question ``pk`` by id alone (the API); a private community's question is a 404 for outsiders."""
    question = (
        Question.objects.filter(pk=pk).select_related("community", "author", "relevance_marked_by").first()
    )
    if question is None:
        raise Http404("No such question.")
    membership = membership_of(person, question.community)
    if not can_view_community(person, question.community, membership):
        raise Http404("No such question.")
    return QuestionAccess(question=question, access=CommunityAccess(question.community, membership))


def answer_for(person: Person, pk: int) -> tuple[Answer, CommunityAccess]:
    """Answer ``pk`` with its question and community; 404 when the viewer may not see it."""
    answer = Answer.objects.filter(pk=pk).select_related("question__community", "author").first()
    if answer is None:
        raise Http404("No such answer.")
    community = answer.question.community
    membership = membership_of(person, community)
    if not can_view_community(person, community, membership):
        raise Http404("No such answer.")
    return answer, CommunityAccess(community, membership)


def answer_in(question: Question, pk: int) -> Answer:
    answer = Answer.objects.filter(question=question, pk=pk).select_related("author").first()
    if answer is None:
        raise Http404("No such answer.")
    answer.question = question
    return answer


@dataclass
class QuestionPage:
    """A question with everything its page shows, read in a constant number of queries."""

    question: Question
    tags: list[Tag]
    answers: list[Answer]
    comments: list[Comment]
    my_question_vote: int = 0
    my_answer_votes: dict[int, int] = field(default_factory=dict)


def question_page(question: Question, viewer: Person) -> QuestionPage:
    """Tags, answers (accepted first, then by score) with their comments, and the viewer's votes.

    Each answer gets ``my_vote`` (-1, 0 or 1) so templates need no lookups.
    """
    answers = list(
        question.answers.select_related("author", "outcome_by").prefetch_related(
            Prefetch("comments", queryset=Comment.objects.select_related("author"))
        )
    )
    votes = Vote.objects.filter(person=viewer).filter(Q(question=question) | Q(answer__question=question))
    my_question_vote, my_answer_votes = 0, dict[int, int]()
    for question_id, answer_id, value in votes.values_list("question_id", "answer_id", "value"):
        if question_id is not None:
            my_question_vote = value
        else:
            my_answer_votes[answer_id] = value
    for answer in answers:
        answer.question = question
        answer.my_vote = my_answer_votes.get(answer.pk, 0)  # type: ignore[attr-defined]
    return QuestionPage(
        question=question,
        tags=list(question.tags.order_by("name")),
        answers=answers,
        comments=list(question.comments.select_related("author")),
        my_question_vote=my_question_vote,
        my_answer_votes=my_answer_votes,
    )


# Expert lists -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpertRank:
    """One opted-in person's record on a tag's resolved answers."""

    person: Person
    resolved: int
    worked: int
    average_mark: float
    score: float

    @property
    def share_worked(self) -> float:
        return self.worked / self.resolved


def tag_by_slug(slug: str) -> Tag:
    tag = Tag.objects.filter(slug=slug).first()
    if tag is None:
        raise Http404("No such tag.")
    return tag


def experts_for_tag(viewer: Person, tag: Tag) -> list[ExpertRank]:
    """People who opted in as experts for ``tag``, ranked by calibrated accuracy on its resolved answers.

    The rule: every answer on a question with this tag whose outcome was marked is scored with the
    CBM table (worked = +1/+2/+3 at low/mid/high certainty, did not work = 0/-2/-6). A person's score
    is the sum of their marks divided by (their resolved answers + 3): the CBM average mark shrunk
    toward 0 as if everyone started with 3 answers scoring 0. Confident wrong answers cost more than
    confident right ones earn, so many over-confident answers rank below fewer well-calibrated ones;
    the score can never exceed the best average mark (+3), so volume alone cannot buy a rank.
    Only opted-in people with at least 3 resolved answers are listed; ties go to more resolved answers.
    Only answers in communities the viewer may see count, so a private community's answers never
    show through this list.

    References:
        A. R. Gardner-Medwin, "Confidence assessment in the teaching of basic science", ALT-J 3(1),
        1995 (the CBM table); shrinkage toward a prior mean as in a Bayesian average.
    """
    opted_in = ExpertOptIn.objects.filter(tag=tag).values("person_id")
    rows = (
        Answer.objects.filter(
            question__tags=tag,
            question__community__in=visible_communities(viewer),
            author_id__in=opted_in,
        )
        .exclude(outcome="")
        .values("author_id", "certainty", "outcome")
        .annotate(count=Count("id"))
        .order_by()
    )
    marks: dict[int, float] = defaultdict(float)
    resolved: dict[int, int] = defaultdict(int)
    worked: dict[int, int] = defaultdict(int)
    for row in rows:
        right = row["outcome"] == Outcome.WORKED
        author, count = row["author_id"], row["count"]
        marks[author] += cbm_mark(1.0 if right else 0.0, row["certainty"]) * count
        resolved[author] += count
        worked[author] += count if right else 0
    listed = [author for author, count in resolved.items() if count >= EXPERT_MIN_RESOLVED]
    people = Person.objects.in_bulk(listed)
    ranks = [
        ExpertRank(
            person=people[author],
            resolved=resolved[author],
            worked=worked[author],
            average_mark=marks[author] / resolved[author],
            score=marks[author] / (resolved[author] + EXPERT_PRIOR_ANSWERS),
        )
        for author in listed
    ]
    ranks.sort(key=lambda rank: (-rank.score, -rank.resolved, rank.person.display_name, rank.person.pk))
    return ranks


def expert_tags_of(person: Person) -> QuerySet[Tag]:
    return Tag.objects.filter(expert_opt_ins__person=person).order_by("name")
