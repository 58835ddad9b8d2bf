"""Community pages: directory, overview, charter, stage, members, activity.

Thin: parse, authorise, call a service or selector, render.
"""

from __future__ import annotations

import difflib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from practica.communities import selectors, services
from practica.communities.access import lead_access as _lead_access
from practica.communities.access import page_access as _access
from practica.communities.forms import (
    LEVEL_CHOICES,
    CharterForm,
    CommunityCreateForm,
    CommunitySettingsForm,
    DirectoryForm,
    InviteForm,
    LevelForm,
    RoleForm,
    StageForm,
)
from practica.communities.guidance import STAGE_GUIDANCE
from practica.communities.models import (
    CHARTER_FIELDS,
    CharterVersion,
    Level,
    Membership,
    Role,
    Stage,
    Visibility,
)
from practica.communities.participation import RULE, participation_recompute
from practica.communities.selectors import CommunityAccess
from practica.core.errors import ApplicationError
from practica.core.http import HtmxHttpRequest
from practica.core.pagination import paginate
from practica.core.permissions import can_see_member_count, person_for_user
from practica.people.models import Person


def _page(
    request: HttpRequest, template: str, access: CommunityAccess, tab: str, **context: Any
) -> HttpResponse:
    return render(request, template, {"community": access.community, "access": access, "tab": tab, **context})


def _form_error(form: Form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@login_required
def directory(request: HtmxHttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    form = DirectoryForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value}
        if "q" in filters:
            filters["search"] = filters.pop("q")
    page = paginate(request, selectors.community_list_for(person, **filters), per_page=24)
    context = {"form": form, "page": page, "filters": filters, "query": request.GET.urlencode()}
    template = "communities/partials/directory_results.html" if request.htmx else "communities/directory.html"
    return render(request, template, context)


@login_required
def community_new(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    form = CommunityCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            community = services.community_create(
                actor=person,
                name=data["name"],
                summary=data["summary"],
                visibility=Visibility(data["visibility"]),
                tags=data["tags"],
                charter={field: data[field] for field in ("domain", "community_text", "practice")},
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, f"{community.name} is started, and you are its lead.")
            return redirect("communities:detail", slug=community.slug)
    return render(request, "communities/community_form.html", {"form": form})


@login_required
def community_detail(request: HttpRequest, slug: str) -> HttpResponse:
    person, access = _access(request, slug, door=True)
    community = access.community
    summary, advice = STAGE_GUIDANCE[community.stage]
    return _page(
        request,
        "communities/community_detail.html",
        access,
        "overview",
        charter=[(field, getattr(community, field)) for field in CHARTER_FIELDS],
        member_count=(
            selectors.member_count(community)
            if can_see_member_count(person, community, access.membership)
            else None
        ),
        leads=selectors.leads_of(community),
        stage_summary=summary,
        stage_advice=advice,
        stage_form=StageForm(initial={"stage": community.stage}) if access.is_lead else None,
        stage_changes=community.stage_changes.select_related("actor")[:10],
        recent_activity=selectors.activity_feed(community)[:8],
    )


@login_required
def community_settings(request: HttpRequest, slug: str) -> HttpResponse:
    person, access = _lead_access(request, slug)
    community = access.community
    initial = {
        "name": community.name,
        "summary": community.summary,
        "visibility": community.visibility,
        "tags": ", ".join(tag.name for tag in community.tags.all()),
    }
    form = CommunitySettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.community_update(
                actor=person,
                community=community,
                name=data["name"],
                summary=data["summary"],
                visibility=Visibility(data["visibility"]),
                tags=data["tags"],
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "Settings saved.")
            return redirect("communities:detail", slug=community.slug)
    return _page(request, "communities/settings.html", access, "overview", form=form)


@login_required
def charter_edit(request: HttpRequest, slug: str) -> HttpResponse:
    person, access = _lead_access(request, slug)
    community = access.community
    initial = {field: getattr(community, field) for field in CHARTER_FIELDS}
    form = CharterForm(request.POST or None, initial={**initial, "base_version": community.charter_version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.charter_update(
                actor=person,
                community=community,
                base_version=data["base_version"],
                note=data["note"],
                **{field: data[field] for field in CHARTER_FIELDS},
            )
        except ApplicationError as error:
            _form_error(form, error)
            if data["base_version"] != community.charter_version:
                # Stale: the typed text stays, and saving again after comparing must not be refused again.
                typed = request.POST.copy()
                typed["base_version"] = str(community.charter_version)
                form.data = typed
        else:
            messages.success(request, f"Charter saved as version {community.charter_version}.")
            return redirect("communities:detail", slug=community.slug)
    return _page(request, "communities/charter_form.html", access, "charter", form=form)


@login_required
def charter_history(request: HttpRequest, slug: str) -> HttpResponse:
    _, access = _access(request, slug)
    versions = list(access.community.charter_versions.select_related("author"))
    numbers = [version.number for version in versions]
    try:
        newer = int(request.GET.get("b", numbers[0] if numbers else 0))
        older = int(request.GET.get("a", newer - 1))
    except ValueError:
        raise Http404("No such charter version.") from None
    diff = _charter_diff(versions, older, newer) if older in numbers and newer in numbers else []
    return _page(
        request,
        "communities/charter_history.html",
        access,
        "charter",
        versions=versions,
        older=older,
        newer=newer,
        diff=diff,
    )


def _charter_diff(versions: list[CharterVersion], older: int, newer: int) -> list[tuple[str, list[str]]]:
    """Per charter field, the lines of a unified diff between two versions (only changed fields)."""
    by_number = {version.number: version for version in versions}
    changes = []
    from practica.communities.forms import CHARTER_LABELS

    for field in CHARTER_FIELDS:
        before = getattr(by_number[older], field).splitlines()
        after = getattr(by_number[newer], field).splitlines()
        if before != after:
            lines = list(
                difflib.unified_diff(before, after, f"version {older}", f"version {newer}", lineterm="")
            )
            changes.append((CHARTER_LABELS[field], lines[2:]))
    return changes


@login_required
@require_POST
def stage_change(request: HttpRequest, slug: str) -> HttpResponse:
    person, access = _lead_access(request, slug)
    form = StageForm(request.POST)
    if form.is_valid():
        stage = Stage(form.cleaned_data["stage"])
        services.community_set_stage(
            actor=person, community=access.community, stage=stage, reason=form.cleaned_data["reason"]
        )
        messages.success(request, f"The community is now {stage.label.lower()}.")
    else:
        messages.error(request, "Choose a stage and say why the community moves there.")
    return redirect("communities:detail", slug=slug)


@login_required
def activity(request: HttpRequest, slug: str) -> HttpResponse:
    _, access = _access(request, slug)
    page = paginate(request, selectors.activity_feed(access.community))
    return _page(request, "communities/activity.html", access, "activity", page=page)


@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    _, access = _access(request, slug)
    community = access.community
    context: dict[str, Any] = {"rule": RULE.describe()}
    level = request.GET.get("level", "")
    if level in selectors.MEMBER_LEVELS:
        context["level"] = Level(level)
        context["page"] = paginate(request, selectors.members_at_level(community, Level(level)))
    else:
        context["groups"] = selectors.members_by_level(community)
    if access.is_lead:
        context |= {
            "requests": selectors.pending_requests(community),
            "invitations": selectors.pending_invitations(community),
            "invite_form": InviteForm(),
            "role_choices": Role.choices,
            "level_choices": LEVEL_CHOICES,
        }
    return _page(request, "communities/members.html", access, "members", **context)


@login_required
@require_POST
def join(request: HttpRequest, slug: str) -> HttpResponse:
    person, access = _access(request, slug, door=True)
    membership = services.membership_join(
        person=person, community=access.community, message=request.POST.get("message", "")
    )
    if membership.is_active:
        messages.success(request, f"Welcome to {access.community.name}.")
    else:
        messages.success(request, "Your request is sent; a lead will answer.")
    return redirect("communities:detail", slug=slug)


@login_required
@require_POST
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    person, access = _access(request, slug, door=True)
    services.membership_leave(person=person, community=access.community)
    messages.success(request, f"You are no longer in {access.community.name}.")
    if access.community.visibility == Visibility.PRIVATE:
        return redirect("communities:directory")
    return redirect("communities:detail", slug=slug)


@login_required
@require_POST
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    person, access = _lead_access(request, slug)
    form = InviteForm(request.POST)
    if not form.is_valid():
        raise ApplicationError("Enter the email address of the person to invite.")
    invitee = Person.objects.filter(email=form.cleaned_data["email"].lower(), user__is_active=True).first()
    if invitee is None:
        raise ApplicationError(f"Nobody in the organisation has the email {form.cleaned_data['email']}.")
    services.membership_invite(actor=person, community=access.community, person=invitee)
    messages.success(request, f"{invitee.display_name} is invited.")
    return redirect("communities:members", slug=slug)


def _membership_in(access: CommunityAccess, pk: int) -> Membership:
    membership = access.community.memberships.select_related("person", "community").filter(pk=pk).first()
    if membership is None:
        raise Http404("No such member.")
    return membership


@login_required
@require_POST
def membership_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = _lead_access(request, slug)
    membership = _membership_in(access, pk)
    approve = request.POST.get("decision") == "approve"
    services.membership_decide(actor=person, membership=membership, approve=approve)
    verb = "is now a member" if approve else "was declined"
    messages.success(request, f"{membership.person.display_name} {verb}.")
    return redirect("communities:members", slug=slug)


@login_required
@require_POST
def membership_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = _lead_access(request, slug)
    membership = _membership_in(access, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        raise ApplicationError("Choose lead, sponsor or member.")
    services.membership_set_role(actor=person, membership=membership, role=Role(form.cleaned_data["role"]))
    messages.success(
        request, f"{membership.person.display_name} is now {membership.get_role_display().lower()}."
    )
    return redirect("communities:members", slug=slug)


@login_required
@require_POST
def membership_level(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = _lead_access(request, slug)
    membership = _membership_in(access, pk)
    form = LevelForm(request.POST)
    if not form.is_valid():
        raise ApplicationError("Choose a participation level, or derive it from activity.")
    level = Level(form.cleaned_data["level"]) if form.cleaned_data["level"] else None
    services.membership_pin_level(actor=person, membership=membership, level=level)
    messages.success(request, "Participation level saved.")
    return redirect("communities:members", slug=slug)


@login_required
@require_POST
def participation_refresh(request: HttpRequest, slug: str) -> HttpResponse:
    _, access = _lead_access(request, slug)
    counts = participation_recompute(community=access.community)
    summary = ", ".join(f"{count} {Level(level).label.lower()}" for level, count in sorted(counts.items()))
    messages.success(request, f"Participation levels recomputed: {summary or 'no members'}.")
    return redirect("communities:members", slug=slug)
