"""The steward's dashboard pages, the time log and budgets. Thin: parse, authorise, call, render.

Dashboard pages read stored snapshots only (``selectors``), so each answers with a constant number of
queries however large the organisation; "Recompute now" queues the refresh task for the worker.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from practica.analysis.portfolio import AttentionRules, last_quarters
from practica.communities.models import Community
from practica.core.errors import ApplicationError
from practica.core.http import HtmxHttpRequest
from practica.core.permissions import person_for_user
from practica.core.privacy import NOT_ENOUGH_PEOPLE, min_group_size
from practica.insights import selectors, time_invested
from practica.insights.forms import BudgetForm, EventTimeForm, PortfolioFilterForm, TimeLogForm
from practica.insights.indicators import indicator_spec
from practica.insights.models import InsightRefresh
from practica.insights.portfolio import (
    PortfolioFilters,
    csv_rows,
    levels_spec,
    portfolio_view,
    stage_health_spec,
)
from practica.insights.refresh import insight_refresh_request, latest_refresh
from practica.insights.svg import bar_chart
from practica.people.models import Person

# Panels computed by other modules (insights/network.py, insights/skills_coverage.py).
EXTERNAL_PANELS = frozenset({"network", "skills"})


def _steward(request: HttpRequest) -> Person:
    person = person_for_user(request.user)
    selectors.require_steward(person)
    return person


def _extra_panel_links() -> dict[str, str]:
    """Links to the network and skills pages when their modules provide them."""
    links = {}
    for kind, name in (("network", "insights:network"), ("skills", "insights:skills")):
        try:
            links[kind] = reverse(name)
        except NoReverseMatch:
            continue
    return links


def _page(
    request: HttpRequest, template: str, *, tab: str, status: int = 200, **context: Any
) -> HttpResponse:
    context = {
        "tab": tab,
        "refresh": latest_refresh(),
        "not_enough": NOT_ENOUGH_PEOPLE,
        "min_group": min_group_size(),
        "extra_links": _extra_panel_links(),
        **context,
    }
    return render(request, template, context, status=status)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    person = _steward(request)
    quarter = selectors.current_quarter()
    # The home page says only when the network and skills panels were computed: their numbers stay unread.
    found = selectors.home_snapshots(person, quarter, without_data=EXTERNAL_PANELS)
    portfolio = found.get("portfolio")
    view = portfolio_view(portfolio.data, PortfolioFilters()) if portfolio else None
    return _page(
        request,
        "insights/home.html",
        tab="home",
        found=found,
        quarter=quarter,
        portfolio=portfolio,
        view=view,
        indicators=found.get("indicators"),
        time=found.get("time", quarter),
        network=found.get("network"),
        skills=found.get("skills"),
        oldest=found.oldest(),
    )


@login_required
def portfolio(request: HttpRequest) -> HttpResponse:
    person = _steward(request)
    error = None
    try:
        result = selectors.portfolio_for(person, request.GET)
    except ApplicationError as refused:
        error = refused
        result = selectors.portfolio_for(person, {})
    departments = result.snapshot.data["departments"] if result.snapshot else []
    form = PortfolioFilterForm(request.GET or None, departments=departments)
    if error is not None:
        form.is_valid()
        form.add_error(error.field if error.field in form.fields else None, error.message)
    view = result.view
    return _page(
        request,
        "insights/portfolio.html",
        tab="portfolio",
        status=400 if error else 200,
        form=form,
        snapshot=result.snapshot,
        oldest=result.snapshot,
        view=view,
        rules=AttentionRules().describe(),
        stage_spec=stage_health_spec(view) if view else None,
        levels_spec=levels_spec(view) if view else None,
        query=request.GET.urlencode() if not error else "",
    )


@login_required
def portfolio_csv(request: HttpRequest) -> HttpResponse:
    person = _steward(request)
    try:
        result = selectors.portfolio_for(person, request.GET)
    except ApplicationError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    if result.view is None:
        return HttpResponse(
            "The portfolio has not been computed yet.", status=404, content_type="text/plain; charset=utf-8"
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="portfolio.csv"'
    csv.writer(response).writerows(csv_rows(result.view))
    return response


@login_required
def indicators(request: HttpRequest) -> HttpResponse:
    person = _steward(request)
    snapshot = selectors.panel_for(person, "indicators")
    rows = []
    if snapshot is not None:
        rows = [
            {"indicator": item, "spec": indicator_spec(item), "spec_id": f"indicator-{item['key']}-spec"}
            for item in snapshot.data["indicators"]
        ]
    return _page(
        request, "insights/indicators.html", tab="indicators", snapshot=snapshot, oldest=snapshot, rows=rows
    )


@login_required
def time_dashboard(request: HttpRequest) -> HttpResponse:
    person = _steward(request)
    try:
        quarter = selectors.valid_quarter(request.GET.get("quarter"))
    except ApplicationError as error:
        messages.error(request, error.message)
        quarter = selectors.current_quarter()
    snapshot = selectors.panel_for(person, "time", quarter)
    chart = None
    if snapshot is not None:
        chart = bar_chart(
            [(row["name"], row["hours"], row["budget"]) for row in snapshot.data["communities"]],
            title=f"Hours logged per community, {quarter}",
            unit="h",
        )
    return _page(
        request,
        "insights/time.html",
        tab="time",
        snapshot=snapshot,
        oldest=snapshot,
        quarter=quarter,
        quarters=last_quarters(selectors.today(), time_invested.QUARTERS_SHOWN)[::-1],
        chart=chart,
        hours_spec=time_invested.hours_spec(snapshot.data) if snapshot else None,
    )


@login_required
def report(request: HttpRequest) -> HttpResponse:
    person = _steward(request)
    try:
        quarter = selectors.valid_quarter(request.GET.get("quarter"))
    except ApplicationError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    templates = {
        kind: _optional_template(f"insights/partials/report_{kind}.html") for kind in EXTERNAL_PANELS
    }
    unused = frozenset(kind for kind, template in templates.items() if not template)
    found = selectors.home_snapshots(person, quarter, without_data=unused)
    portfolio_snapshot = found.get("portfolio")
    view = portfolio_view(portfolio_snapshot.data, PortfolioFilters()) if portfolio_snapshot else None
    time_snapshot = found.get("time", quarter)
    indicator_snapshot = found.get("indicators")
    charts = {}
    if view is not None:
        charts["stages"] = bar_chart(
            [
                (f"{item['stage']}: {item['health']}", item["communities"], None)
                for item in view.by_stage_and_health
            ],
            title="Communities by stage and health",
            unit="",
        )
    if time_snapshot is not None:
        charts["hours"] = bar_chart(
            [(row["name"], row["hours"], row["budget"]) for row in time_snapshot.data["communities"]],
            title=f"Hours logged per community, {quarter}",
            unit="h",
        )
    return render(
        request,
        "insights/report.html",
        {
            "quarter": quarter,
            "quarters": last_quarters(selectors.today(), time_invested.QUARTERS_SHOWN)[::-1],
            "found": found,
            "portfolio": portfolio_snapshot,
            "view": view,
            "rules": AttentionRules().describe(),
            "time": time_snapshot,
            "indicators": indicator_snapshot,
            "network": found.get("network"),
            "skills": found.get("skills"),
            "charts": charts,
            "network_template": templates["network"],
            "skills_template": templates["skills"],
            "not_enough": NOT_ENOUGH_PEOPLE,
            "min_group": min_group_size(),
            "oldest": found.oldest(),
        },
    )


def _optional_template(name: str) -> str:
    """``name`` when that template exists (another module's report section), else ""."""
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return ""
    return name


# Recompute -------------------------------------------------------------------------------------


def _refresh_fragment(request: HttpRequest, refresh: InsightRefresh | None) -> HttpResponse:
    # As a fragment (after Recompute now, or while polling) a finished refresh offers to reload.
    return render(request, "insights/partials/refresh.html", {"refresh": refresh, "fragment": True})


@require_POST
@login_required
def refresh(request: HtmxHttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    queued = insight_refresh_request(actor=person)
    if request.htmx:
        return _refresh_fragment(request, queued)
    if queued.finished:
        messages.success(request, "The dashboard was recomputed.")
    else:
        messages.success(request, "Recomputing the dashboard: reload in a minute to see the new numbers.")
    return redirect("insights:dashboard")


@login_required
def refresh_status(request: HttpRequest, pk: int) -> HttpResponse:
    _steward(request)
    return _refresh_fragment(request, get_object_or_404(InsightRefresh, pk=pk))


# Time log and budgets (every member) ----------------------------------------------------------------


def _form_error(form: Form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@login_required
def time_log(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    communities = time_invested.loggable_communities(person)
    form = TimeLogForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        try:
            time_invested.time_log_create(
                actor=person,
                community=form.cleaned_data["community"],
                hours=form.cleaned_data["hours"],
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "Time logged. Thank you: it shows what communities cost and give.")
            return redirect("insights:time-log")
    logs = list(time_invested.time_logs_of(person)[:50])
    events = time_invested.led_events(person)
    return render(
        request,
        "insights/time_log.html",
        {
            "form": form,
            "event_form": EventTimeForm(events=events) if events.exists() else None,
            "logs": logs,
            "totals": time_invested.own_totals(person),
            "has_communities": communities.exists(),
            "sponsors_any": time_invested.sponsored_communities(person).exists(),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def time_log_event(request: HttpRequest) -> HttpResponse:
    """A lead logs an event's time for everyone recorded as present."""
    person = person_for_user(request.user)
    form = EventTimeForm(request.POST, events=time_invested.led_events(person))
    if form.is_valid():
        try:
            count = time_invested.time_log_event_attendees(
                actor=person,
                event=form.cleaned_data["event"],
                hours=form.cleaned_data["hours"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Logged {form.cleaned_data['hours']:g} h for {count} attendee(s).")
    else:
        messages.error(request, "Choose one of your recent events and the hours each attendee spent.")
    return redirect("insights:time-log")


@require_POST
@login_required
def time_log_delete(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    try:
        time_invested.time_log_delete(actor=person, log_id=pk)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("insights:time-log")
    messages.success(request, "Time log deleted.")
    return redirect("insights:time-log")


@login_required
def budgets(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    sponsored = list(time_invested.sponsored_communities(person))
    try:
        quarter = selectors.valid_quarter(request.GET.get("quarter") or request.POST.get("quarter"))
    except ApplicationError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    status = 200
    forms_by_community: dict[int, BudgetForm] = {}
    if request.method == "POST":
        community = get_object_or_404(Community, pk=request.POST.get("community") or 0)
        if community not in sponsored:
            raise PermissionDenied(time_invested.NOT_A_SPONSOR)
        form = BudgetForm(request.POST, prefix=f"c{community.pk}")
        if form.is_valid():
            try:
                time_invested.time_budget_set(
                    actor=person, community=community, quarter=quarter, hours=form.cleaned_data["hours"]
                )
            except ApplicationError as error:
                _form_error(form, error)
            else:
                messages.success(request, f"Budget for {community.name} in {quarter} saved.")
                return redirect(f"{reverse('insights:budgets')}?quarter={quarter}")
        forms_by_community[community.pk] = form
        status = 400
    current = time_invested.budgets_for(sponsored, quarter)
    rows = [
        {
            "community": community,
            "form": forms_by_community.get(community.pk)
            or BudgetForm(prefix=f"c{community.pk}", initial={"hours": current.get(community.pk, 0)}),
            "budget": current.get(community.pk),
        }
        for community in sponsored
    ]
    return render(
        request,
        "insights/budgets.html",
        {
            "rows": rows,
            "quarter": quarter,
            "quarters": _next(selectors.current_quarter()) + last_quarters(selectors.today(), 4)[::-1],
        },
        status=status,
    )


def _next(quarter: str) -> list[str]:
    """The quarter after the current one, so sponsors can budget ahead."""
    year, number = int(quarter[:4]), int(quarter[-1])
    return [f"{year + 1}-Q1" if number == 4 else f"{year}-Q{number + 1}"]
