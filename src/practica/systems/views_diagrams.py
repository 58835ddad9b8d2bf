"""Causal loop diagram pages: lists (systems index, mine, a community's, a team's), new, import, the
editor (or the read-only drawing), settings, history, exports and "forecast this assumption".

Thin: parse, authorise (the selectors fetch-and-check), call a service, render. The editor itself
talks to the JSON API (``api_diagrams``) from ``diagram-editor.js``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from practica.analysis.archetypes import ARCHETYPES
from practica.calibration.forecasts import question_path
from practica.communities.access import page_access
from practica.core.errors import ApplicationError
from practica.core.pagination import paginate
from practica.core.permissions import can_run_simulations, person_for_user
from practica.systems import diagram_selectors as selectors
from practica.systems import diagrams as services
from practica.systems.diagram_forms import DiagramForm, DiagramSettingsForm, ImportForm, LinkForecastForm
from practica.systems.exports_http import export_response
from practica.systems.models import Diagram, Link

PER_PAGE = 20


def _form_error(form: Form, error: ApplicationError) -> None:
    # A stale version is reported on the hidden version field: show it above the form instead.
    visible = error.field in form.fields and not form.fields[error.field].widget.is_hidden
    form.add_error(error.field if visible else None, error.message)


@login_required
def systems_index(request: HttpRequest) -> HttpResponse:
    """The Systems page: the diagrams the viewer works on, the archetypes, and the what-if lab."""
    person = person_for_user(request.user)
    context = {
        "page": paginate(request, selectors.diagram_list_for(person, editable=True), per_page=PER_PAGE),
        "archetypes": ARCHETYPES,
        "can_run": can_run_simulations(person),
    }
    return render(request, "systems/index.html", context)


@login_required
def my_diagrams(request: HttpRequest) -> HttpResponse:
    """Diagrams the viewer keeps privately."""
    person = person_for_user(request.user)
    page = paginate(request, selectors.diagram_list_for(person, personal=True), per_page=PER_PAGE)
    return render(request, "systems/diagrams/mine.html", {"page": page, "new_owner": "person"})


@login_required
def community_diagrams(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's diagrams (its tab); members may start one."""
    person, access = page_access(request, slug)
    page = paginate(
        request, selectors.diagram_list_for(person, community=access.community), per_page=PER_PAGE
    )
    context = {
        "community": access.community,
        "access": access,
        "tab": "diagrams",
        "page": page,
        "may_create": access.is_member,
        "new_owner": f"community:{access.community.slug}",
    }
    return render(request, "systems/diagrams/community.html", context)


@login_required
def team_diagrams(request: HttpRequest, slug: str) -> HttpResponse:
    """A team's diagrams, for its members."""
    person = person_for_user(request.user)
    team = selectors.team_for(person, slug)
    page = paginate(request, selectors.diagram_list_for(person, team=team), per_page=PER_PAGE)
    return render(
        request, "systems/diagrams/team.html", {"team": team, "page": page, "new_owner": f"team:{team.slug}"}
    )


@login_required
def diagram_new(request: HttpRequest) -> HttpResponse:
    """Start a diagram, blank or from an archetype, kept by the viewer, a team or a community."""
    person = person_for_user(request.user)
    owners = selectors.owner_choices(person)
    initial = {"owner": request.GET.get("owner", "person"), "archetype": request.GET.get("archetype", "")}
    form = DiagramForm(request.POST or None, owners=owners, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            kind, team, community = selectors.parse_owner(person, form.cleaned_data["owner"])
            diagram = services.diagram_create(
                actor=person, title=form.cleaned_data["title"], description=form.cleaned_data["description"],
                owner_kind=kind, team=team, community=community, archetype=form.cleaned_data["archetype"],
            )  # fmt: skip
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "Your diagram is ready: add variables, then link them.")
            return redirect("systems:diagram", pk=diagram.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "systems/diagrams/new.html", {"form": form}, status=status)


@login_required
def diagram_import(request: HttpRequest) -> HttpResponse:
    """Create a diagram from a JSON export."""
    person = person_for_user(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, owners=selectors.owner_choices(person))
    if request.method == "POST" and form.is_valid():
        try:
            kind, team, community = selectors.parse_owner(person, form.cleaned_data["owner"])
            diagram, notes = services.diagram_import(
                actor=person, content=form.cleaned_data["file"], owner_kind=kind, team=team,
                community=community, title=form.cleaned_data["title"],
            )  # fmt: skip
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "The diagram is imported.")
            for note in notes:
                messages.warning(request, note)
            return redirect("systems:diagram", pk=diagram.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "systems/diagrams/import.html", {"form": form}, status=status)


def _back_link(diagram: Diagram) -> tuple[str, str]:
    if diagram.community is not None:
        return reverse("systems:community-diagrams", args=[diagram.community.slug]), diagram.community.name
    if diagram.team is not None:
        return reverse("systems:team-diagrams", args=[diagram.team.slug]), diagram.team.name
    return reverse("systems:mine"), "My diagrams"


@login_required
def diagram_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor for those who may change the diagram, the drawing with its loops for other viewers."""
    person = person_for_user(request.user)
    diagram = selectors.diagram_for(person, pk)
    state = selectors.diagram_state(diagram, person)
    can_edit = state["can_edit"]
    back_url, back_name = _back_link(diagram)
    editor_config: dict[str, Any] = {
        "api": reverse("api:diagram_detail", args=[diagram.pk]),
        "forecast_url": reverse("systems:link-forecast", args=[diagram.pk, 0]),
        "can_edit": can_edit,
        "assumptions": [
            {"id": assumption.pk, "statement": assumption.statement}
            for assumption in (selectors.assumption_choices(person) if can_edit else [])
        ],
    }
    context = {
        "diagram": diagram,
        "state": state,
        "editor_config": editor_config,
        "can_edit": can_edit,
        "back_url": back_url,
        "back_name": back_name,
        "export_formats": [
            ("json", "JSON (re-importable)"),
            ("mermaid", "Mermaid"),
            ("dot", "Graphviz DOT"),
            ("svg", "SVG drawing"),
            ("png", "PNG image"),
        ],
    }
    return render(request, "systems/diagrams/editor.html", context)


@login_required
def diagram_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the title and description, or delete the diagram."""
    person = person_for_user(request.user)
    diagram = selectors.diagram_for(person, pk, write=True)
    initial = {"title": diagram.title, "description": diagram.description, "version": diagram.version}
    form = DiagramSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.diagram_update(
                actor=person, diagram=diagram, version=form.cleaned_data["version"],
                title=form.cleaned_data["title"], description=form.cleaned_data["description"],
            )  # fmt: skip
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("systems:diagram", pk=diagram.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "systems/diagrams/settings.html", {"diagram": diagram, "form": form}, status=status
    )


@login_required
@require_POST
def diagram_delete(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    diagram = selectors.diagram_for(person, pk, write=True)
    back_url, _ = _back_link(diagram)
    services.diagram_delete(actor=person, diagram=diagram)
    messages.success(request, f"The diagram \u201c{diagram.title}\u201d is deleted.")
    return redirect(back_url)


@login_required
def diagram_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Who changed what and when."""
    person = person_for_user(request.user)
    diagram = selectors.diagram_for(person, pk)
    page = paginate(request, selectors.version_list(diagram), per_page=50)
    return render(request, "systems/diagrams/history.html", {"diagram": diagram, "page": page})


@login_required
def diagram_export(request: HttpRequest, pk: int, export_format: str) -> HttpResponse:
    person = person_for_user(request.user)
    return export_response(selectors.diagram_for(person, pk), export_format)


def _default_close() -> datetime:
    return (timezone.now() + timedelta(days=90)).replace(second=0, microsecond=0)


@login_required
def link_forecast(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    """Turn the assumption a link cites into a forecast question, in one step."""
    person = person_for_user(request.user)
    diagram = selectors.diagram_for(person, pk)
    link = (
        Link.objects.filter(diagram=diagram, pk=link_pk)
        .select_related("source", "target", "assumption")
        .first()
    )
    if link is None or link.assumption is None:
        messages.error(request, "That link cites no assumption: cite one first, then forecast it.")
        return redirect("systems:diagram", pk=diagram.pk)
    communities = selectors.forecast_communities(person, diagram)
    initial = {
        "title": f"Will it hold that {link.assumption.statement[:150].rstrip('.')}?",
        "closes_at": timezone.localtime(_default_close()).strftime("%Y-%m-%dT%H:%M"),
    }
    form = LinkForecastForm(request.POST or None, communities=communities, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            question = services.link_forecast_create(
                actor=person, diagram=diagram, link_id=link.pk, community=form.cleaned_data["community"],
                title=form.cleaned_data["title"], closes_at=form.cleaned_data["closes_at"],
                details=form.cleaned_data["details"],
            )  # fmt: skip
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "The forecast question is open. Make the first forecast.")
            return redirect(question_path(question))
    status = 400 if request.method == "POST" else 200
    context = {"diagram": diagram, "link": link, "form": form, "communities": communities}
    return render(request, "systems/diagrams/forecast.html", context, status=status)
