"""The audit log in the JSON API (admins only); the same selector as the page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from practica.core.audit import ACTIONS, audit_list
from practica.core.errors import ApplicationError
from practica.core.models import AuditLog
from practica.core.permissions import can_read_audit_log, person_for_user, require

router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    id: int
    created_at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    target_type: str
    target_id: str
    target_repr: str
    details: dict[str, Any]


@router.get("/audit", response=list[AuditEntryOut])
@paginate(PageNumberPagination, page_size=50)
def audit_entries(request: HttpRequest, action: str = "", q: str = "") -> QuerySet[AuditLog]:
    """Administrative and privacy-relevant actions, newest first (admins only)."""
    viewer = person_for_user(request.user)
    require(can_read_audit_log(viewer), "Only admins can read the audit log.")
    if action and action not in ACTIONS:
        raise ApplicationError(f"Unknown action {action!r}; use one of: {', '.join(ACTIONS)}.")
    return audit_list(action=action, search=q[:200])
