"""Practice pages: list, page, write, edit, history with diff, restore, status, mark reviewed.

Thin: parse, authorise, call a service or selector, render. A private community's practices are a 404
for non-members (``community_for``), a draft is a 404 for whoever may not see it, and changing a
practice someone else owns is a 403 for members who are not leads.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from practica.communities.access import page_access as _access
from practica.communities.selectors import CommunityAccess
from practica.core.errors import ApplicationError
from practica.core.http import HtmxHttpRequest
from practica.core.pagination import paginate
from practica.core.permissions import can_contribute, can_edit_practice
from practica.knowledge import practice_selectors as selectors
from practica.knowledge import practices as services
from practica.knowledge.models import Practice, PracticeKind, PracticeStatus
from practica.knowledge.practice_forms import (
    PracticeCreateForm,
    PracticeEditForm,
    PracticeFilterForm,
    RestoreForm,
    StatusForm,
)
from practica.people.models import Person


def _practice(
    request: HttpRequest, slug: str, practice_slug: str, *, edit: bool = False
) -> tuple[Person, CommunityAccess, Practice]:
    person, access = _access(request, slug)
    practice = selectors.practice_for(person, access, practice_slug)
    if edit and not can_edit_practice(person, practice, access.membership):
        raise PermissionDenied(services.NOT_AN_EDITOR)
    return person, access, practice


def _page(request: HttpRequest, template: str, access: CommunityAccess, **context: Any) -> HttpResponse:
    return render(
        request, template, {"community": access.community, "access": access, "tab": "practices", **context}
    )


def _form_error(form: Form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@login_required
def practice_list(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    person, access = _access(request, slug)
    form = PracticeFilterForm(request.GET or None)
    filters = {key: value for key, value in form.cleaned_data.items() if value} if form.is_valid() else {}
    practices = selectors.practices_for(person, access, now=timezone.now(), **filters)
    context = {
        "form": form,
        "filters": filters,
        "page": paginate(request, practices),
        "query": request.GET.urlencode(),
        "can_write": can_contribute(access.membership),
        "stale_after_days": services.STALE_AFTER_DAYS,
    }
    if request.htmx:
        return render(
            request, "knowledge/practices/partials/results.html", {**context, "community": access.community}
        )
    return _page(request, "knowledge/practices/list.html", access, **context)


@login_required
def practice_create(request: HttpRequest, slug: str) -> HttpResponse:
    person, access = _access(request, slug)
    if not can_contribute(access.membership):
        raise PermissionDenied(services.NOT_A_MEMBER)
    form = PracticeCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            practice = services.practice_create(
                actor=person,
                community=access.community,
                title=data["title"],
                body=data["body"],
                kind=PracticeKind(data["kind"]),
                status=PracticeStatus(data["status"]),
                tags=data["tags"],
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, f"“{practice.title}” is saved as revision 1.")
            return redirect("practices:detail", slug=slug, practice=practice.slug)
    return _page(request, "knowledge/practices/form.html", access, form=form, practice=None)


@login_required
def practice_detail(request: HttpRequest, slug: str, practice: str) -> HttpResponse:
    person, access, found = _practice(request, slug, practice)
    can_edit = can_edit_practice(person, found, access.membership)
    return _page(
        request,
        "knowledge/practices/detail.html",
        access,
        practice=found,
        stale=services.is_stale(found, timezone.now()),
        stale_after_days=services.STALE_AFTER_DAYS,
        latest=selectors.latest_revision(found),
        can_edit=can_edit,
        status_form=StatusForm(initial={"status": found.status}) if can_edit else None,
        status_choices=[choice for choice in PracticeStatus.choices if choice[0] != PracticeStatus.DRAFT],
    )


@login_required
def practice_edit(request: HttpRequest, slug: str, practice: str) -> HttpResponse:
    person, access, found = _practice(request, slug, practice, edit=True)
    initial = {
        "title": found.title,
        "kind": found.kind,
        "body": found.body,
        "tags": ", ".join(tag.name for tag in found.tags.all()),
        "base_revision": found.revision,
    }
    form = PracticeEditForm(request.POST or None, initial=initial)
    stale = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.practice_edit(
                actor=person,
                practice=found,
                base_revision=data["base_revision"],
                title=data["title"],
                body=data["body"],
                kind=PracticeKind(data["kind"]),
                tags=data["tags"],
                note=data["note"],
            )
        except ApplicationError as error:
            _form_error(form, error)
            found.refresh_from_db()
            if data["base_revision"] != found.revision:
                # Stale: the typed text stays, and saving again after comparing must not be refused again.
                stale = True
                typed = request.POST.copy()
                typed["base_revision"] = str(found.revision)
                form.data = typed
        else:
            messages.success(request, f"Saved. “{found.title}” is now at revision {found.revision}.")
            return redirect("practices:detail", slug=slug, practice=found.slug)
    return _page(request, "knowledge/practices/form.html", access, form=form, practice=found, stale=stale)


@login_required
def practice_history(request: HttpRequest, slug: str, practice: str) -> HttpResponse:
    person, access, found = _practice(request, slug, practice)
    revisions = list(selectors.practice_revisions(found))
    try:
        newer = int(request.GET.get("b", found.revision))
        older = int(request.GET.get("a", newer - 1))
    except ValueError:
        raise Http404("No such revision.") from None
    return _page(
        request,
        "knowledge/practices/history.html",
        access,
        practice=found,
        revisions=revisions,
        older=older,
        newer=newer,
        diff=selectors.revision_diff(found, older, newer),
        can_edit=can_edit_practice(person, found, access.membership),
    )


@login_required
@require_POST
def practice_restore(request: HttpRequest, slug: str, practice: str) -> HttpResponse:
    person, _, found = _practice(request, slug, practice, edit=True)
    form = RestoreForm(request.POST)
    if not form.is_valid():
        raise ApplicationError("Choose the revision to restore.")
    number = form.cleaned_data["number"]
    services.practice_restore(
        actor=person, practice=found, number=number, base_revision=form.cleaned_data["base_revision"]
    )
    messages.success(request, f"Revision {number} is restored as revision {found.revision}.")
    return redirect("practices:detail", slug=slug, practice=found.slug)


@login_required
@require_POST
def practice_status(request: HttpRequest, slug: str, practice: str) -> HttpResponse:
    person, _, found = _practice(request, slug, practice, edit=True)
    form = StatusForm(request.POST)
    if not form.is_valid():
        raise ApplicationError("Choose published, outdated or archived.")
    services.practice_set_status(
        actor=person, practice=found, status=PracticeStatus(form.cleaned_data["status"])
    )
    messages.success(request, f"“{found.title}” is now {found.get_status_display().lower()}.")
    return redirect("practices:detail", slug=slug, practice=found.slug)


@login_required
@require_POST
def practice_review(request: HttpRequest, slug: str, practice: str) -> HttpResponse:
    person, _, found = _practice(request, slug, practice, edit=True)
    services.practice_mark_reviewed(actor=person, practice=found)
    messages.success(request, f"Marked as reviewed: “{found.title}” is confirmed as still right today.")
    return redirect("practices:detail", slug=slug, practice=found.slug)
