"""Every write to the assumption register (mental models).

An assumption is a belief someone acts on, with a confidence (a probability) and a status. Changing
the status or the confidence needs a note, "what changed my mind"; every change is kept as history.
Evidence for or against links an experiment, a review, an answer or a document. Refusals raise
ApplicationError and change nothing.

Who may do what: whoever can create in a scope (personal: anyone for themself; team: its members;
community: its active members; organisation: anyone signed in) becomes the owner. The owner changes
and edits an assumption; so do the team's members (team scope), the community's leads (community
scope) and stewards (organisation scope). Anyone who may see it adds evidence.
"""

from __future__ import annotations

import math

from django.db import transaction
from django.utils import timezone

from practica.communities.models import Community, Role
from practica.core.audit import audit_record
from practica.core.errors import ApplicationError
from practica.core.permissions import (
    community_content_q,
    is_active_member,
    is_team_member,
    membership_of,
    review_participant_q,
)
from practica.learning.mind_selectors import assumptions_visible_to, experiment_visible_q
from practica.learning.models import (
    Assumption,
    AssumptionChange,
    AssumptionEvidence,
    AssumptionScope,
    AssumptionStatus,
    EvidenceDirection,
    Experiment,
    Review,
)
from practica.people.models import Person, Team

NOTE_REQUIRED = "Say what changed your mind: a change of status or confidence needs a note."
NOTHING_CHANGED = "Nothing changed: give a new status or a new confidence."
BAD_CONFIDENCE = "Give a confidence from 0% to 100%."
BAD_STATUS = "Choose a status: untested, supported, refuted or revised."
NOT_AN_EDITOR = "Only the owner of this assumption, or the people its scope gives a say, can change it."
ONE_SOURCE = "Evidence links one thing: an experiment, a review, an answer or a document address."


def _confidence(value: float) -> float:
    try:
        confidence = float(value)
    except (TypeError, ValueError):
        raise ApplicationError(BAD_CONFIDENCE, field="confidence") from None
    if math.isnan(confidence) or not 0.0 <= confidence <= 1.0:
        raise ApplicationError(BAD_CONFIDENCE, field="confidence")
    return confidence


def _statement(statement: str) -> str:
    statement = " ".join((statement or "").split())
    if not statement:
        raise ApplicationError('State the belief, e.g. "Pairing halves onboarding time".', field="statement")
    if len(statement) > 300:
        raise ApplicationError(
            f"Keep the belief to 300 characters (it has {len(statement)}).", field="statement"
        )
    return statement


def may_change(person: Person, assumption: Assumption) -> bool:
    """The owner; team members (team scope); the community's leads (community); stewards (organisation)."""
    if assumption.owner_id == person.pk:
        return True
    if assumption.scope == AssumptionScope.TEAM:
        return is_team_member(person, assumption.team_id)
    if assumption.scope == AssumptionScope.COMMUNITY and assumption.community is not None:
        membership = membership_of(person, assumption.community)
        return is_active_member(membership) and membership is not None and membership.role == Role.LEAD
    if assumption.scope == AssumptionScope.ORGANISATION:
        return person.is_steward
    return False


@transaction.atomic
def assumption_create(
    *,
    actor: Person,
    statement: str,
    scope: AssumptionScope | str,
    confidence: float,
    details: str = "",
    team: Team | None = None,
    community: Community | None = None,
) -> Assumption:
    """Register a belief in a scope you belong to; it starts untested."""
    statement = _statement(statement)
    confidence = _confidence(confidence)
    if scope not in AssumptionScope.values:
        raise ApplicationError("Choose a scope: personal, team, community or organisation.", field="scope")
    if scope == AssumptionScope.TEAM:
        if team is None:
            raise ApplicationError("Choose the team this assumption belongs to.", field="team")
        if not is_team_member(actor, team.pk):
            raise ApplicationError("Only members of a team register its assumptions.", field="team")
    else:
        team = None
    if scope == AssumptionScope.COMMUNITY:
        if community is None:
            raise ApplicationError("Choose the community this assumption belongs to.", field="community")
        if not is_active_member(membership_of(actor, community)):
            raise ApplicationError(
                "Only active members of a community register its assumptions.", field="community"
            )
    else:
        community = None
    return Assumption.objects.create(
        statement=statement,
        details=(details or "").strip(),
        owner=actor,
        scope=scope,
        team=team,
        community=community,
        confidence=confidence,
    )


@transaction.atomic
def assumption_edit(
    *, actor: Person, assumption: Assumption, statement: str, details: str = ""
) -> Assumption:
    """Reword the belief or its details (status and confidence change only with a note)."""
    assumption = (
        Assumption.objects.select_for_update(of=("self",)).select_related("community").get(pk=assumption.pk)
    )
    if not may_change(actor, assumption):
        raise ApplicationError(NOT_AN_EDITOR)
    assumption.statement = _statement(statement)
    assumption.details = (details or "").strip()
    assumption.updated_at = timezone.now()
    assumption.save(update_fields=["statement", "details", "updated_at"])
    return assumption


@transaction.atomic
def assumption_change(
    *, actor: Person, assumption: Assumption, status: AssumptionStatus | str, confidence: float, note: str
) -> AssumptionChange:
    """Change the status and/or confidence, saying what changed your mind (required); kept as history."""
    if status not in AssumptionStatus.values:
        raise ApplicationError(BAD_STATUS, field="status")
    confidence = _confidence(confidence)
    note = (note or "").strip()
    assumption = (
        Assumption.objects.select_for_update(of=("self",)).select_related("community").get(pk=assumption.pk)
    )
    if not may_change(actor, assumption):
        raise ApplicationError(NOT_AN_EDITOR)
    if status == assumption.status and math.isclose(confidence, assumption.confidence, abs_tol=1e-9):
        raise ApplicationError(NOTHING_CHANGED)
    if not note:
        raise ApplicationError(NOTE_REQUIRED, field="note")
    change = AssumptionChange.objects.create(
        assumption=assumption,
        author=actor,
        from_status=assumption.status,
        to_status=status,
        from_confidence=assumption.confidence,
        to_confidence=confidence,
        note=note,
    )
    assumption.status = status
    assumption.confidence = confidence
    assumption.updated_at = timezone.now()
    assumption.save(update_fields=["status", "confidence", "updated_at"])
    return change


@transaction.atomic
def assumption_delete(*, actor: Person, assumption: Assumption) -> None:
    """The owner deletes an assumption no experiment cites (cited ones are history: revise them)."""
    if assumption.owner_id != actor.pk:
        raise ApplicationError("Only the owner can delete an assumption.")
    if Experiment.objects.filter(assumption=assumption).exists():
        raise ApplicationError("Experiments cite this assumption; change its status instead of deleting it.")
    if assumption.scope != AssumptionScope.PERSONAL:  # personal beliefs stay private, even from admins
        audit_record(actor=actor, action="content.deleted", target=assumption)
    assumption.delete()


def _review_readable(person: Person, review: Review) -> bool:
    """Reviews are read by their participants only (the same rule as the review pages)."""
    return Review.objects.filter(review_participant_q(person), pk=review.pk).exists()


@transaction.atomic
def assumption_evidence_add(
    *,
    actor: Person,
    assumption: Assumption,
    direction: EvidenceDirection | str,
    summary: str,
    experiment: Experiment | None = None,
    review: Review | None = None,
    answer_id: int | None = None,
    url: str = "",
) -> AssumptionEvidence:
    """Add evidence for or against: one experiment, review, answer or document address you can see."""
    from practica.knowledge.models import Answer

    if not assumptions_visible_to(actor).filter(pk=assumption.pk).exists():
        raise ApplicationError("You cannot add evidence to an assumption you cannot see.")
    if direction not in EvidenceDirection.values:
        raise ApplicationError("Say whether the evidence is for or against.", field="direction")
    summary = " ".join((summary or "").split())
    if not summary:
        raise ApplicationError("Summarise the evidence in a line.", field="summary")
    url = (url or "").strip()
    sources = [experiment is not None, review is not None, answer_id is not None, bool(url)]
    if sum(sources) != 1:
        raise ApplicationError(ONE_SOURCE)
    if url and not url.startswith(("https://", "http://")):
        raise ApplicationError("Give the document's full address, starting with https://.", field="url")
    if (
        experiment is not None
        and not Experiment.objects.filter(experiment_visible_q(actor), pk=experiment.pk).exists()
    ):
        raise ApplicationError("No such experiment.", field="experiment")
    if review is not None and not _review_readable(actor, review):
        raise ApplicationError("No such review.", field="review")
    answer = None
    if answer_id is not None:
        answer = Answer.objects.filter(
            pk=answer_id,
            question__community__in=Community.objects.filter(community_content_q(actor)).values("pk"),
        ).first()
        if answer is None:
            raise ApplicationError("No such answer.", field="answer")
    evidence = AssumptionEvidence.objects.create(
        assumption=assumption,
        direction=direction,
        summary=summary[:300],
        experiment=experiment,
        review=review,
        answer=answer,
        url=url[:200],
        added_by=actor,
    )
    Assumption.objects.filter(pk=assumption.pk).update(updated_at=timezone.now())
    return evidence
