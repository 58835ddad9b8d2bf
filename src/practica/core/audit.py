"""The audit log: record administrative and privacy-relevant actions, and read them back (admins).

Services call :func:`audit_record` inside their own transaction, so an action and its entry are
saved together or not at all.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet

from practica.core.models import AuditLog
from practica.people.models import Person

# Every action the code records, with the words the audit page shows for it.
ACTIONS: dict[str, str] = {
    "person.role_changed": "Changed an organisation role",
    "people.imported": "Imported people from CSV",
    "people.exported": "Exported people as CSV",
    "membership.approved": "Approved a membership request",
    "membership.declined": "Declined a membership request",
    "membership.invited": "Invited someone into a community",
    "membership.role_changed": "Changed a community role",
    "membership.removed": "Removed someone from a community",
    "community.deleted": "Deleted a community",
    "content.deleted": "Deleted content",
    "data.exported": "Exported every object (full export)",
    "data.imported": "Imported every object (full import)",
    "personal_data.downloaded": "Downloaded their own data",
    "database.backed_up": "Backed up the database",
    "database.restored": "Restored the database",
    "api_token.created": "Created an API token",
    "api_token.revoked": "Revoked an API token",
    "person.broker_listing_changed": "Changed their consent to be named as a knowledge broker",
}


def _target_fields(target: Model | str | None) -> dict[str, str]:
    if target is None:
        return {"target_type": "", "target_id": "", "target_repr": ""}
    if isinstance(target, str):
        return {"target_type": "", "target_id": "", "target_repr": target[:300]}
    return {
        "target_type": target._meta.label,
        "target_id": str(target.pk),
        "target_repr": str(target)[:300],
    }


def audit_record(
    *,
    actor: Person | None,
    action: str,
    target: Model | str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditLog:
    """Save one entry. ``actor`` None means the command line (someone with shell access)."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}; add it to practica.core.audit.ACTIONS.")
    return AuditLog.objects.create(
        actor=actor,
        actor_name=actor.display_name if actor is not None else "",
        action=action,
        details=details or {},
        **_target_fields(target),
    )


def audit_list(*, action: str = "", actor_id: int | None = None, search: str = "") -> QuerySet[AuditLog]:
    """Entries newest first, filtered by action, actor and text in the target or actor name.

    Callers must have checked :func:`practica.core.permissions.can_read_audit_log` first.
    """
    entries = AuditLog.objects.all()
    if action:
        entries = entries.filter(action=action)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if search:
        from django.db.models import Q

        entries = entries.filter(Q(target_repr__icontains=search) | Q(actor_name__icontains=search))
    return entries.order_by("-created_at", "-id")
