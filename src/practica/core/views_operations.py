"""Pages for operations and privacy: the audit log (admins) and a person's own data download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from practica.core.audit import ACTIONS, audit_list
from practica.core.pagination import paginate
from practica.core.permissions import can_read_audit_log, person_for_user, require
from practica.core.portability import personal_data_json


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Administrative and privacy-relevant actions, newest first, filterable by action and text."""
    viewer = person_for_user(request.user)
    require(can_read_audit_log(viewer), "Only admins can read the audit log.")
    action = request.GET.get("action", "")
    if action not in ACTIONS:
        action = ""
    search = request.GET.get("q", "").strip()[:200]
    page = paginate(request, audit_list(action=action, search=search), per_page=50)
    context = {"page": page, "actions": ACTIONS, "action": action, "search": search}
    return render(request, "core/audit_log.html", context)


@login_required
def personal_data_download(request: HttpRequest) -> HttpResponse:
    """Everything the signed-in person made or that is about them, as a JSON file."""
    person = person_for_user(request.user)
    response = HttpResponse(personal_data_json(person=person), content_type="application/json")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="practica-my-data-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response
