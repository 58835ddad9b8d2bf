"""Questions and answers in the JSON API: the same selectors and services as the pages.

A private community's questions and answers are a 404 for everyone who is not a member, exactly as on
the pages; refusals from the services are a 400 with the same text the page shows.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from practica.communities.selectors import community_for
from practica.core.permissions import person_for_user
from practica.knowledge import qa, qa_selectors
from practica.knowledge.models import Answer, Comment, Outcome, Question, Relevance

router = Router(tags=["questions"])


class ErrorOut(Schema):
    detail: str


class TagOut(Schema):
    name: str
    slug: str


class QuestionSummaryOut(Schema):
    id: int
    community: str = Field(..., alias="community.slug")
    title: str
    author: str | None = Field(None, alias="author.display_name")
    tags: list[TagOut]
    score: int
    answer_count: int
    accepted_count: int
    relevance: str
    created_at: datetime


class CommentOut(Schema):
    id: int
    author: str | None = Field(None, alias="author.display_name")
    body: str
    created_at: datetime


class AnswerOut(Schema):
    id: int
    question_id: int
    author: str | None = Field(None, alias="author.display_name")
    body: str
    certainty: int = Field(..., description="1 low (< 2 in 3 sure), 2 mid, 3 high (> 4 in 5 sure).")
    accepted: bool
    outcome: str = Field(..., description='"worked", "did_not_work" or "" (not marked).')
    score: int
    created_at: datetime
    comments: list[CommentOut] = Field(default_factory=list)


class QuestionOut(QuestionSummaryOut):
    tags: list[TagOut] = Field(..., alias="page_tags")
    body: str
    allow_several_accepted: bool
    comments: list[CommentOut] = Field(..., alias="page_comments")
    answers: list[AnswerOut] = Field(..., alias="page_answers")


class QuestionIn(Schema):
    title: str
    body: str = ""
    tags: list[str] = []
    allow_several_accepted: bool = False


class AnswerIn(Schema):
    body: str
    # Optional in the schema so that a missing certainty gets the service's plain 400 message.
    certainty: int | None = Field(None, description="Required: 1 low, 2 mid, 3 high.")


class VoteIn(Schema):
    value: int = Field(..., description="1 up, -1 down, 0 withdraws your vote.")


class VoteOut(Schema):
    score: int


class AcceptIn(Schema):
    accepted: bool = True


class OutcomeIn(Schema):
    outcome: Outcome | None = Field(None, description="null clears the outcome and its calibration record.")


class CommentIn(Schema):
    body: str


class RelevanceIn(Schema):
    relevance: Relevance


class ExpertOut(Schema):
    person_id: int = Field(..., alias="person.pk")
    display_name: str = Field(..., alias="person.display_name")
    resolved: int
    worked: int
    average_mark: float
    score: float


def _question_out(question: Question, request: HttpRequest) -> Question:
    """The question with its page's answers and comments attached (a constant number of queries)."""
    page = qa_selectors.question_page(question, person_for_user(request.user))
    question.page_tags = page.tags  # type: ignore[attr-defined]
    question.page_comments = page.comments  # type: ignore[attr-defined]
    question.page_answers = page.answers  # type: ignore[attr-defined]
    return question


@router.get("/communities/{slug}/questions", response=list[QuestionSummaryOut])
@paginate(PageNumberPagination, page_size=50)
def question_list(
    request: HttpRequest, slug: str, unanswered: bool = False, tag: str = ""
) -> QuerySet[Question]:
    """A community's questions, newest first; ``unanswered=true`` gives the queue, oldest first."""
    access = community_for(person_for_user(request.user), slug)
    return qa_selectors.question_list(access.community, unanswered=unanswered, tag=tag)


@router.post("/communities/{slug}/questions", response={201: QuestionOut, 400: ErrorOut})
def question_ask(request: HttpRequest, slug: str, payload: QuestionIn) -> Status[Question]:
    """Ask a question (title required, up to 200 characters; Markdown body up to 50,000)."""
    person = person_for_user(request.user)
    access = community_for(person, slug)
    question = qa.question_ask(
        actor=person,
        community=access.community,
        title=payload.title,
        body=payload.body,
        tags=", ".join(payload.tags),
        allow_several_accepted=payload.allow_several_accepted,
    )
    return Status(201, _question_out(qa_selectors.question_for(person, question.pk).question, request))


@router.get("/questions/unanswered", response=list[QuestionSummaryOut])
@paginate(PageNumberPagination, page_size=50)
def unanswered_queue(request: HttpRequest, mine: bool = False) -> QuerySet[Question]:
    """Unanswered questions of every community you may see, oldest first (the steward's queue)."""
    return qa_selectors.unanswered_for(person_for_user(request.user), mine=mine)


@router.get("/questions/{question_id}", response=QuestionOut)
def question_detail(request: HttpRequest, question_id: int) -> Question:
    """A question with its answers (accepted first, then by score) and comments."""
    found = qa_selectors.question_for(person_for_user(request.user), question_id)
    return _question_out(found.question, request)


@router.post("/questions/{question_id}/answers", response={201: AnswerOut, 400: ErrorOut})
def answer_post(request: HttpRequest, question_id: int, payload: AnswerIn) -> Status[Answer]:
    """Answer, saying how sure you are; it is scored when the asker says whether it worked."""
    person = person_for_user(request.user)
    question = qa_selectors.question_for(person, question_id).question
    answer = qa.answer_post(actor=person, question=question, body=payload.body, certainty=payload.certainty)
    return Status(201, answer)


@router.post("/questions/{question_id}/vote", response={200: VoteOut, 400: ErrorOut})
def question_vote(request: HttpRequest, question_id: int, payload: VoteIn) -> dict[str, int]:
    person = person_for_user(request.user)
    question = qa_selectors.question_for(person, question_id).question
    return {"score": qa.vote_cast(actor=person, question=question, value=payload.value)}


@router.post("/questions/{question_id}/comments", response={201: CommentOut, 400: ErrorOut})
def question_comment(request: HttpRequest, question_id: int, payload: CommentIn) -> Status[Comment]:
    person = person_for_user(request.user)
    question = qa_selectors.question_for(person, question_id).question
    return Status(201, qa.comment_add(actor=person, question=question, body=payload.body))


@router.post("/questions/{question_id}/relevance", response={200: QuestionSummaryOut, 400: ErrorOut})
def question_relevance(request: HttpRequest, question_id: int, payload: RelevanceIn) -> Question:
    """Mark whether the question is still relevant."""
    person = person_for_user(request.user)
    question = qa_selectors.question_for(person, question_id).question
    return qa.question_mark_relevance(actor=person, question=question, relevance=payload.relevance)


@router.post("/answers/{answer_id}/accept", response={200: AnswerOut, 400: ErrorOut})
def answer_accept(request: HttpRequest, answer_id: int, payload: AcceptIn) -> Answer:
    """Accept an answer, or take the acceptance back (``accepted: false``); asker or lead only."""
    person = person_for_user(request.user)
    answer, _ = qa_selectors.answer_for(person, answer_id)
    return qa.answer_accept(actor=person, answer=answer, accepted=payload.accepted)


@router.post("/answers/{answer_id}/outcome", response={200: AnswerOut, 400: ErrorOut})
def answer_outcome(request: HttpRequest, answer_id: int, payload: OutcomeIn) -> Answer:
    """Say whether the answer worked; scored with CBM into the answerer's private calibration record."""
    person = person_for_user(request.user)
    answer, _ = qa_selectors.answer_for(person, answer_id)
    outcome = payload.outcome.value if payload.outcome else ""
    return qa.answer_set_outcome(actor=person, answer=answer, outcome=outcome)


@router.post("/answers/{answer_id}/vote", response={200: VoteOut, 400: ErrorOut})
def answer_vote(request: HttpRequest, answer_id: int, payload: VoteIn) -> dict[str, int]:
    person = person_for_user(request.user)
    answer, _ = qa_selectors.answer_for(person, answer_id)
    return {"score": qa.vote_cast(actor=person, answer=answer, value=payload.value)}


@router.post("/answers/{answer_id}/comments", response={201: CommentOut, 400: ErrorOut})
def answer_comment(request: HttpRequest, answer_id: int, payload: CommentIn) -> Status[Comment]:
    person = person_for_user(request.user)
    answer, _ = qa_selectors.answer_for(person, answer_id)
    return Status(201, qa.comment_add(actor=person, answer=answer, body=payload.body))


@router.get("/experts/{tag}", response=list[ExpertOut])
def experts(request: HttpRequest, tag: str) -> list[qa_selectors.ExpertRank]:
    """Opted-in experts for a tag, ranked by calibrated accuracy (the rule is on the expert page)."""
    return qa_selectors.experts_for_tag(person_for_user(request.user), qa_selectors.tag_by_slug(tag))
