"""Every write to shared visions: drafts, comments, adoption (versions), and the alignment pulse.

One vision for the organisation (stewards and admins adopt) and one per community (its leads adopt).
Whoever may see a vision proposes drafts and comments on them. A draft records the version it was
based on; adopting a draft based on an older version is refused until it is re-based on the current
text (so nobody overwrites a version they never read). Adopted drafts are the version history.
Members give an alignment pulse, 1 to 5 "I see my work in this", as often as they like; the results
use each person's latest answer. Refusals raise ApplicationError and change nothing.
"""

from __future__ import annotations

import difflib

from django.db import transaction
from django.utils import timezone

from practica.communities.models import Community
from practica.core.errors import ApplicationError
from practica.learning.mind_selectors import VisionScope
from practica.learning.models import AlignmentPulse, Vision, VisionComment, VisionDraft, VisionDraftStatus
from practica.people.models import Person

MAX_VISION = 10_000
STALE_DRAFT = (
    "This draft is based on version {base}, but the vision is now at version {current}: someone adopted "
    "a newer text since. Re-base the draft on version {current} (read the current text, merge your "
    "changes in) before adopting it."
)
NOT_AN_ADOPTER = "Only a lead of this community adopts its vision."
NOT_AN_ORG_ADOPTER = "Only stewards and admins adopt the organisation's vision."
NOT_A_PULSER = "Only active members of this community give its alignment pulse; join it first."
BAD_SCORE = "Give a score from 1 (I do not see my work in this) to 5 (I clearly see my work in this)."
NOT_A_DRAFT = "This draft was already adopted or withdrawn."
NOT_THE_AUTHOR = "Only the draft's author (or someone who adopts) can change it."


def vision_row(scope: VisionScope) -> Vision:
    """The scope's vision, made on first write."""
    if scope.vision is not None:
        return scope.vision
    if scope.community is None:
        vision, _ = Vision.objects.get_or_create(organisation=True)
    else:
        vision, _ = Vision.objects.get_or_create(community=scope.community, defaults={"organisation": False})
    return vision


def _vision_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ApplicationError("Write the vision statement.", field="text")
    if len(text) > MAX_VISION:
        raise ApplicationError(f"Keep the vision to {MAX_VISION:,} characters.", field="text")
    return text


@transaction.atomic
def vision_draft_propose(*, actor: Person, scope: VisionScope, text: str, note: str = "") -> VisionDraft:
    """Propose a new text, based on the version the proposer read (the current one)."""
    text = _vision_text(text)
    vision = Vision.objects.select_for_update().get(pk=vision_row(scope).pk)
    if text == vision.text:
        raise ApplicationError(
            "This is the current text; change something before proposing it.", field="text"
        )
    return VisionDraft.objects.create(
        vision=vision,
        text=text,
        note=(note or "").strip()[:200],
        author=actor,
        based_on_version=vision.version,
    )


def _open_draft(draft: VisionDraft) -> VisionDraft:
    draft = VisionDraft.objects.select_for_update().select_related("vision").get(pk=draft.pk)
    if draft.status != VisionDraftStatus.DRAFT:
        raise ApplicationError(NOT_A_DRAFT)
    return draft


@transaction.atomic
def vision_draft_rebase(*, actor: Person, scope: VisionScope, draft: VisionDraft, text: str) -> VisionDraft:
    """Bring a draft onto the current version with a merged text (its author or an adopter)."""
    draft = _open_draft(draft)
    if draft.author_id != actor.pk and not scope.may_adopt:
        raise ApplicationError(NOT_THE_AUTHOR)
    draft.text = _vision_text(text)
    draft.based_on_version = Vision.objects.get(pk=draft.vision_id).version
    draft.save(update_fields=["text", "based_on_version"])
    return draft


@transaction.atomic
def vision_draft_withdraw(*, actor: Person, scope: VisionScope, draft: VisionDraft) -> VisionDraft:
    draft = _open_draft(draft)
    if draft.author_id != actor.pk and not scope.may_adopt:
        raise ApplicationError(NOT_THE_AUTHOR)
    draft.status = VisionDraftStatus.WITHDRAWN
    draft.save(update_fields=["status"])
    return draft


@transaction.atomic
def vision_comment_add(*, actor: Person, scope: VisionScope, draft: VisionDraft, text: str) -> VisionComment:
    """Comment on a draft under discussion."""
    text = (text or "").strip()
    if not text:
        raise ApplicationError("Write a comment.", field="text")
    if len(text) > 5000:
        raise ApplicationError("Keep the comment to 5,000 characters.", field="text")
    draft = _open_draft(draft)
    return VisionComment.objects.create(vision_id=draft.vision_id, draft=draft, author=actor, text=text)


@transaction.atomic
def vision_draft_adopt(*, actor: Person, scope: VisionScope, draft: VisionDraft) -> Vision:
    """Adopt a draft as the next version; refused when it is based on an older version than the current."""
    if not scope.may_adopt:
        raise ApplicationError(NOT_AN_ORG_ADOPTER if scope.community is None else NOT_AN_ADOPTER)
    draft = _open_draft(draft)
    vision = Vision.objects.select_for_update().get(pk=draft.vision_id)
    if draft.based_on_version != vision.version:
        raise ApplicationError(STALE_DRAFT.format(base=draft.based_on_version, current=vision.version))
    now = timezone.now()
    vision.version += 1
    vision.text = draft.text
    vision.updated_at = now
    vision.save(update_fields=["version", "text", "updated_at"])
    draft.status = VisionDraftStatus.ADOPTED
    draft.version = vision.version
    draft.adopted_at = now
    draft.save(update_fields=["status", "version", "adopted_at"])
    return vision


@transaction.atomic
def vision_pulse_give(*, person: Person, scope: VisionScope, score: int, comment: str = "") -> AlignmentPulse:
    """Say how much you see your work in the current vision (1..5), with an optional comment."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ApplicationError(BAD_SCORE, field="score")
    if not scope.may_pulse:
        raise ApplicationError(NOT_A_PULSER)
    vision = vision_row(scope)
    if vision.version == 0:
        raise ApplicationError("There is no adopted vision yet to give a pulse on.")
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ApplicationError("Keep the comment to 2,000 characters.", field="comment")
    return AlignmentPulse.objects.create(
        vision=vision, person=person, score=score, comment=comment, vision_version=vision.version
    )


def version_diff(older: str, newer: str, older_label: str, newer_label: str) -> list[str]:
    """The lines of a unified diff between two texts (the charter history shows diffs the same way)."""
    return list(
        difflib.unified_diff(older.splitlines(), newer.splitlines(), older_label, newer_label, lineterm="")
    )


def community_of(scope: VisionScope) -> Community | None:
    return scope.community
