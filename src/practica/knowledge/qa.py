"""Every write to a community's questions and answers.

Who may do what is decided in ``practica.core.permissions`` (``can_take_part``,
``can_judge_answers``); these services apply it, so the pages, the API and the CLI cannot drift.
Refusals raise :class:`ApplicationError` and change nothing.

An answer carries its author's stated certainty (CBM: low, mid, high). When the asker or a lead marks
it worked or did not work, the judgement is scored with the CBM table into the answerer's private
calibration record (``calibration_record_set``); clearing the outcome removes that record.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from practica.calibration.models import Certainty, RecordSource
from practica.calibration.services import calibration_record_remove, calibration_record_set
from practica.communities.models import ActivityKind, Community, Membership, Tag
from practica.communities.services import activity_record, tags_from_text
from practica.core.errors import ApplicationError
from practica.core.permissions import can_judge_answers, can_take_part, membership_of
from practica.knowledge.models import (
    MAX_BODY,
    MAX_TITLE,
    Answer,
    Comment,
    ExpertOptIn,
    Outcome,
    Question,
    Relevance,
    Vote,
)
from practica.people.models import Person

MAX_COMMENT = 2000
NOT_TAKING_PART = "Only members of this community can take part in its questions and answers; join it first."
NOT_A_JUDGE = "Only the person who asked or a lead of this community can do that."
NOT_YOUR_QUESTION = "Only the person who asked or a lead of this community can change this question."
OWN_ANSWER_OUTCOME = (
    "Someone else must say whether your own answer worked: the outcome is scored into your calibration."
)


def question_path(question: Question) -> str:
    return reverse("qa:detail", args=[question.community.slug, question.pk])


def _require_take_part(actor: Person, community: Community) -> Membership | None:
    membership = membership_of(actor, community)
    if not can_take_part(actor, community, membership):
        raise ApplicationError(NOT_TAKING_PART)
    return membership


def _require_judge(actor: Person, question: Question, message: str = NOT_A_JUDGE) -> None:
    membership = membership_of(actor, question.community)
    if not can_judge_answers(actor, question.author_id, membership):
        raise ApplicationError(message)


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise ApplicationError(
            "A question needs a title: say in one line what you want to know.", field="title"
        )
    if len(title) > MAX_TITLE:
        raise ApplicationError(
            f"The title has {len(title)} characters; keep it to {MAX_TITLE} and put details in the body.",
            field="title",
        )
    return title


def _clean_body(body: str, *, required: bool, what: str, limit: int = MAX_BODY) -> str:
    body = body.strip()
    if required and not body:
        raise ApplicationError(f"The {what} is empty; write something first.", field="body")
    if len(body) > limit:
        raise ApplicationError(
            f"The {what} has {len(body):,} characters; the limit is {limit:,}.", field="body"
        )
    return body


def _set_tags(question: Question, tags: str) -> None:
    chosen: list[Tag] = tags_from_text(tags)
    if len(chosen) > 10:
        raise ApplicationError("Give at most 10 tags.", field="tags")
    question.tags.set(chosen)


@transaction.atomic
def question_ask(
    *,
    actor: Person,
    community: Community,
    title: str,
    body: str = "",
    tags: str = "",
    allow_several_accepted: bool = False,
) -> Question:
    """Ask a question in a community (Markdown body; tags as a comma-separated list)."""
    _require_take_part(actor, community)
    question = Question.objects.create(
        community=community,
        author=actor,
        title=_clean_title(title),
        body=_clean_body(body, required=False, what="question"),
        allow_several_accepted=allow_several_accepted,
    )
    _set_tags(question, tags)
    activity_record(
        community=community,
        person=actor,
        kind=ActivityKind.ASKED,
        summary=question.title,
        url=question_path(question),
    )
    return question


@transaction.atomic
def question_edit(
    *,
    actor: Person,
    question: Question,
    title: str,
    body: str,
    tags: str,
    allow_several_accepted: bool,
) -> Question:
    """Change a question's title, body, tags and whether several answers may be accepted (asker or lead)."""
    _require_judge(actor, question, NOT_YOUR_QUESTION)
    if not allow_several_accepted and question.answers.filter(accepted=True).count() > 1:
        raise ApplicationError(
            "Several answers are accepted: un-accept all but one before allowing only one.",
            field="allow_several_accepted",
        )
    question.title = _clean_title(title)
    question.body = _clean_body(body, required=False, what="question")
    question.allow_several_accepted = allow_several_accepted
    question.save(update_fields=["title", "body", "allow_several_accepted", "updated_at"])
    _set_tags(question, tags)
    return question


@transaction.atomic
def answer_post(*, actor: Person, question: Question, body: str, certainty: int | None) -> Answer:
    """Answer a question, saying how sure you are (low, mid or high: the CBM certainty levels)."""
    _require_take_part(actor, question.community)
    if certainty not in Certainty.values:
        raise ApplicationError(
            "Say how sure you are: low, mid or high. It is scored when the asker says whether it worked.",
            field="certainty",
        )
    answer = Answer.objects.create(
        question=question,
        author=actor,
        body=_clean_body(body, required=True, what="answer"),
        certainty=certainty,
    )
    now = timezone.now()
    Question.objects.filter(pk=question.pk).update(answer_count=F("answer_count") + 1, updated_at=now)
    Question.objects.filter(pk=question.pk, first_answer_at__isnull=True).update(first_answer_at=now)
    question.refresh_from_db(fields=["answer_count", "first_answer_at", "updated_at"])
    activity_record(
        community=question.community,
        person=actor,
        kind=ActivityKind.ANSWERED,
        summary=question.title,
        url=f"{question_path(question)}#answer-{answer.pk}",
    )
    return answer


@transaction.atomic
def vote_cast(
    *, actor: Person, value: int, question: Question | None = None, answer: Answer | None = None
) -> int:
    """Vote a question or an answer up (+1) or down (-1), or withdraw your vote (0); returns its score.

    Voting the same way twice is refused (withdraw first); voting the other way changes the vote.
    Nobody votes on their own post.
    """
    post: Question | Answer
    target: dict[str, Question | Answer]
    if question is not None and answer is None:
        post, community, target = question, question.community, {"question": question}
    elif answer is not None and question is None:
        post, community, target = answer, answer.question.community, {"answer": answer}
    else:
        raise ApplicationError("Vote on one question or one answer.")
    if value not in (-1, 0, 1):
        raise ApplicationError("A vote is up (+1), down (-1), or 0 to withdraw it.", field="value")
    _require_take_part(actor, community)
    if post.author_id == actor.pk:
        raise ApplicationError("You cannot vote on your own post.")
    current = Vote.objects.select_for_update().filter(person=actor, **target).first()
    if value == 0:
        if current is None:
            raise ApplicationError("You have not voted on this.")
        delta = -current.value
        current.delete()
    elif current is None:
        try:
            with transaction.atomic():
                Vote.objects.create(person=actor, value=value, **target)
        except IntegrityError:
            raise ApplicationError("You already voted on this.") from None
        delta = value
    elif current.value == value:
        raise ApplicationError(
            f"You already voted this {'up' if value > 0 else 'down'}; withdraw your vote to change it."
        )
    else:
        current.value = value
        current.save(update_fields=["value"])
        delta = 2 * value
    type(post).objects.filter(pk=post.pk).update(score=F("score") + delta)
    post.refresh_from_db(fields=["score"])
    return post.score


def _recount_accepted(question: Question) -> None:
    question.accepted_count = question.answers.filter(accepted=True).count()
    question.save(update_fields=["accepted_count", "updated_at"])


@transaction.atomic
def answer_accept(*, actor: Person, answer: Answer, accepted: bool = True) -> Answer:
    """Accept an answer (or take the acceptance back); asker or lead only.

    Unless the asker allowed several accepted answers, accepting one moves the mark from the
    previously accepted answer to this one.
    """
    question = Question.objects.select_for_update().get(pk=answer.question_id)
    _require_judge(actor, question)
    if accepted == answer.accepted:
        raise ApplicationError(
            "This answer is already accepted." if accepted else "This answer is not accepted."
        )
    if accepted and not question.allow_several_accepted:
        question.answers.filter(accepted=True).exclude(pk=answer.pk).update(accepted=False, accepted_at=None)
    answer.accepted = accepted
    answer.accepted_at = timezone.now() if accepted else None
    answer.save(update_fields=["accepted", "accepted_at", "updated_at"])
    _recount_accepted(question)
    answer.question = question
    return answer


@transaction.atomic
def answer_set_outcome(*, actor: Person, answer: Answer, outcome: str) -> Answer:
    """Say whether an answer worked ("worked", "did_not_work") or clear it (""); asker or lead only.

    Any answer of the question may be marked, accepted or not (an answer that did not work is
    rarely accepted). The answerer may not mark their own answer. Marking writes a CBM-scored record
    to the answerer's private calibration (fraction 1 for worked, 0 for did not work, at the answer's
    certainty); re-marking replaces it, clearing removes it.
    """
    question = answer.question
    _require_judge(actor, question)
    if outcome and outcome not in Outcome.values:
        raise ApplicationError(
            "The outcome is “worked”, “did not work”, or empty to clear it.", field="outcome"
        )
    if answer.author_id is not None and answer.author_id == actor.pk:
        raise ApplicationError(OWN_ANSWER_OUTCOME)
    now = timezone.now()
    answer.outcome = outcome
    answer.outcome_by = actor if outcome else None
    answer.outcome_at = now if outcome else None
    answer.save(update_fields=["outcome", "outcome_by", "outcome_at", "updated_at"])
    if not outcome:
        calibration_record_remove(source=RecordSource.ANSWER, source_id=answer.pk)
    elif answer.author is not None:
        calibration_record_set(
            person=answer.author,
            source=RecordSource.ANSWER,
            source_id=answer.pk,
            certainty=answer.certainty,
            fraction=1.0 if outcome == Outcome.WORKED else 0.0,
            summary=f"Your answer to “{question.title}”",
            resolved_at=now,
            topic=", ".join(tag.name for tag in question.tags.all()),
            community=question.community,
            url=f"{question_path(question)}#answer-{answer.pk}",
        )
    return answer


@transaction.atomic
def comment_add(
    *, actor: Person, body: str, question: Question | None = None, answer: Answer | None = None
) -> Comment:
    """Comment on a question or an answer (plain text, up to 2,000 characters)."""
    if question is not None and answer is None:
        community = question.community
    elif answer is not None and question is None:
        community = answer.question.community
    else:
        raise ApplicationError("Comment on one question or one answer.")
    _require_take_part(actor, community)
    text = _clean_body(body, required=True, what="comment", limit=MAX_COMMENT)
    return Comment.objects.create(author=actor, body=text, question=question, answer=answer)


@transaction.atomic
def question_mark_relevance(*, actor: Person, question: Question, relevance: str) -> Question:
    """Mark whether a question (and its answers) is still relevant; anyone who may take part can."""
    _require_take_part(actor, question.community)
    if relevance not in Relevance.values:
        raise ApplicationError("Say “still relevant” or “no longer relevant”.", field="relevance")
    question.relevance = relevance
    question.relevance_marked_by = actor
    question.relevance_marked_at = timezone.now()
    question.save(update_fields=["relevance", "relevance_marked_by", "relevance_marked_at", "updated_at"])
    return question


def expert_opt_in(*, person: Person, tag: Tag) -> ExpertOptIn:
    """List yourself as an expert for a tag: your rank there becomes visible (see ``experts_for_tag``)."""
    opt_in, created = ExpertOptIn.objects.get_or_create(person=person, tag=tag)
    if not created:
        raise ApplicationError(f"You are already listed as an expert for {tag.name}.")
    return opt_in


def expert_opt_out(*, person: Person, tag: Tag) -> None:
    """Stop being listed for a tag; nothing about you shows on its expert list any more."""
    deleted, _ = ExpertOptIn.objects.filter(person=person, tag=tag).delete()
    if not deleted:
        raise ApplicationError(f"You are not listed as an expert for {tag.name}.")
