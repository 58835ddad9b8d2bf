"""Every write to practices (articles, playbooks, how-tos) and their revisions.

Each change of title or text is a new numbered revision; an edit names the revision it started from, so
an edit made on a revision someone else has since replaced is refused instead of silently overwriting it.
A practice nobody has confirmed for :data:`STALE_AFTER_DAYS` is shown as outdated (:func:`is_stale`).

Drafts leave no trace in the community's activity feed (everyone who sees the community reads it): a
practice is announced there when it is published, and its edits while it is not a draft.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from practica.communities.models import ActivityKind, Community
from practica.communities.services import activity_record, tags_from_text
from practica.core.errors import ApplicationError
from practica.core.permissions import can_contribute, can_edit_practice, membership_of
from practica.knowledge.models import (
    MAX_BODY,
    MAX_TITLE,
    Practice,
    PracticeKind,
    PracticeRevision,
    PracticeStatus,
)
from practica.people.models import Person

STALE_AFTER_DAYS = 180
STALE_PRACTICE = (
    "Someone saved this practice after you started editing (you edited revision {base}, the current one "
    "is {current}). Your text is below; compare it with the current version and save again."
)
NOT_A_MEMBER = "Only active members of this community can write practices."
NOT_AN_EDITOR = "Only the practice's owner or a lead of the community can change it."
NO_RETURN_TO_DRAFT = "A published practice cannot go back to draft; mark it outdated or archive it instead."
# Path segments under practices/ that pages use, so no practice may take them as its slug.
RESERVED_SLUGS = frozenset({"new"})


def is_stale(practice: Practice, now: datetime) -> bool:
    """A published practice nobody has confirmed for more than STALE_AFTER_DAYS days.

    Drafts are not read yet, and outdated or archived practices already say so, so only published
    practices go stale. Exactly 180 days after a review a practice is still fresh; a moment later it is
    stale (specs/communities.md: "not reviewed for > 180 days").
    """
    return practice.status == PracticeStatus.PUBLISHED and practice.reviewed_at < stale_before(now)


def stale_before(now: datetime) -> datetime:
    """Published practices last reviewed before this moment are stale."""
    return now - timedelta(days=STALE_AFTER_DAYS)


def practice_path(practice: Practice) -> str:
    return reverse("practices:detail", kwargs={"slug": practice.community.slug, "practice": practice.slug})


def _clean_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise ApplicationError("A practice needs a title.", field="title")
    if len(title) > MAX_TITLE:
        raise ApplicationError(
            f"The title has {len(title)} characters; the limit is {MAX_TITLE}.", field="title"
        )
    return title


def _check_body(body: str) -> str:
    if len(body) > MAX_BODY:
        raise ApplicationError(
            f"The text has {len(body):,} characters; the limit is {MAX_BODY:,}. Split it into several "
            "practices or link to longer material.",
            field="body",
        )
    return body


def _unique_slug(community: Community, title: str) -> str:
    base = slugify(title)[:110] or "practice"
    taken = set(
        Practice.objects.filter(community=community, slug__startswith=base).values_list("slug", flat=True)
    )
    slug, number = base, 2
    while slug in taken or slug in RESERVED_SLUGS:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _require_editor(actor: Person, practice: Practice) -> None:
    if not can_edit_practice(actor, practice, membership_of(actor, practice.community)):
        raise ApplicationError(NOT_AN_EDITOR)


def _announce(actor: Person, practice: Practice, summary: str) -> None:
    if practice.status != PracticeStatus.DRAFT:
        activity_record(
            community=practice.community,
            person=actor,
            kind=ActivityKind.ARTICLE,
            summary=summary,
            url=practice_path(practice),
        )


@transaction.atomic
def practice_create(
    *,
    actor: Person,
    community: Community,
    title: str,
    body: str = "",
    kind: PracticeKind = PracticeKind.ARTICLE,
    status: PracticeStatus = PracticeStatus.DRAFT,
    tags: str = "",
    note: str = "",
) -> Practice:
    """Write a new practice (active members); its text becomes revision 1 and counts as reviewed now."""
    if not can_contribute(membership_of(actor, community)):
        raise ApplicationError(NOT_A_MEMBER)
    title = _clean_title(title)
    _check_body(body)
    if kind not in PracticeKind.values:
        raise ApplicationError(f"{kind!r} is not a kind of practice.", field="kind")
    if status not in {PracticeStatus.DRAFT, PracticeStatus.PUBLISHED}:
        raise ApplicationError("A new practice is a draft or published.", field="status")
    tag_list = tags_from_text(tags)
    practice = Practice.objects.create(
        community=community,
        owner=actor,
        kind=kind,
        title=title,
        slug=_unique_slug(community, title),
        body=body,
        status=status,
        revision=1,
        reviewed_at=timezone.now(),
    )
    practice.tags.set(tag_list)
    PracticeRevision.objects.create(
        practice=practice, number=1, title=title, body=body, author=actor, note=note.strip()[:200] or "First"
    )
    _announce(actor, practice, title)
    return practice


def _locked(practice: Practice, base_revision: int | None) -> Practice:
    """The practice's current row, locked; refused when the caller worked on an older revision."""
    current = Practice.objects.select_for_update().select_related("community").get(pk=practice.pk)
    if base_revision is not None and base_revision != current.revision:
        raise ApplicationError(STALE_PRACTICE.format(base=base_revision, current=current.revision))
    return current


def _new_revision(*, actor: Person, practice: Practice, title: str, body: str, note: str) -> PracticeRevision:
    practice.revision += 1
    practice.title, practice.body = title, body
    # Rewriting the text is confirming it: an edited practice counts as reviewed.
    practice.reviewed_at = timezone.now()
    practice.save(update_fields=["title", "body", "revision", "reviewed_at", "updated_at"])
    return PracticeRevision.objects.create(
        practice=practice, number=practice.revision, title=title, body=body, author=actor, note=note[:200]
    )


@transaction.atomic
def practice_edit(
    *,
    actor: Person,
    practice: Practice,
    base_revision: int,
    title: str,
    body: str,
    kind: PracticeKind | None = None,
    tags: str | None = None,
    note: str = "",
) -> Practice:
    """Save an edit made on revision ``base_revision`` (owner or lead); refused if that is not current.

    A new title or text makes a new revision; a new kind or new tags alone change the practice in place.
    """
    _require_editor(actor, practice)
    current = _locked(practice, base_revision)
    title = _clean_title(title)
    _check_body(body)
    if kind is not None and kind not in PracticeKind.values:
        raise ApplicationError(f"{kind!r} is not a kind of practice.", field="kind")
    tag_list = tags_from_text(tags) if tags is not None else None
    text_changed = (title, body) != (current.title, current.body)
    kind_changed = kind is not None and kind != current.kind
    tags_changed = tag_list is not None and {tag.pk for tag in tag_list} != set(
        current.tags.values_list("pk", flat=True)
    )
    if not (text_changed or kind_changed or tags_changed):
        raise ApplicationError("Nothing changed in the practice.")
    if kind_changed and kind is not None:
        current.kind = kind
        current.save(update_fields=["kind", "updated_at"])
    if tags_changed and tag_list is not None:
        current.tags.set(tag_list)
    if text_changed:
        _new_revision(actor=actor, practice=current, title=title, body=body, note=note.strip())
        _announce(actor, current, f"{current.title} (revision {current.revision})")
    practice.refresh_from_db()
    return current


@transaction.atomic
def practice_restore(
    *, actor: Person, practice: Practice, number: int, base_revision: int | None = None
) -> Practice:
    """Bring back the title and text of revision ``number`` as a new revision (history is never lost)."""
    _require_editor(actor, practice)
    current = _locked(practice, base_revision)
    old = PracticeRevision.objects.filter(practice=current, number=number).first()
    if old is None:
        raise ApplicationError(f"There is no revision {number} of this practice.")
    if (old.title, old.body) == (current.title, current.body):
        raise ApplicationError(f"Revision {number} is the same as the current text; nothing to restore.")
    _new_revision(
        actor=actor, practice=current, title=old.title, body=old.body, note=f"Restored revision {number}"
    )
    _announce(actor, current, f"{current.title} (restored revision {number})")
    practice.refresh_from_db()
    return current


@transaction.atomic
def practice_set_status(*, actor: Person, practice: Practice, status: PracticeStatus) -> Practice:
    """Publish, mark outdated, archive or bring back a practice (owner or lead)."""
    _require_editor(actor, practice)
    current = _locked(practice, None)
    if status not in PracticeStatus.values:
        raise ApplicationError(f"{status!r} is not a status of a practice.", field="status")
    if status == current.status:
        raise ApplicationError(f"The practice is already {current.get_status_display().lower()}.")
    if status == PracticeStatus.DRAFT:
        raise ApplicationError(NO_RETURN_TO_DRAFT)
    was_draft = current.status == PracticeStatus.DRAFT
    current.status = status
    current.save(update_fields=["status", "updated_at"])
    if was_draft:
        _announce(actor, current, current.title)
    practice.refresh_from_db()
    return current


def practice_mark_reviewed(*, actor: Person, practice: Practice, now: datetime | None = None) -> Practice:
    """Confirm the practice is still right (whoever may edit it); no new revision is made."""
    _require_editor(actor, practice)
    practice.reviewed_at = now or timezone.now()
    practice.save(update_fields=["reviewed_at", "updated_at"])
    return practice
