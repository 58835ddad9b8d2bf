"""The JSON API of the steward's dashboard: one endpoint per panel, the same numbers as the pages.

Panels are for stewards and admins (403 for everyone else) and read the same stored snapshots through
the same selectors as the pages; a panel not computed yet answers 200 with ``computed: false`` and
no data. Time logs are each person's own; budgets are set by the community's sponsors.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.responses import Status

from practica.communities.models import Community, Event
from practica.communities.selectors import community_for
from practica.core.permissions import can_set_time_budget, person_for_user, require
from practica.insights import selectors, time_invested
from practica.insights.models import InsightRefresh
from practica.insights.portfolio import csv_rows
from practica.insights.refresh import insight_refresh_request

router = Router(tags=["insights"])


class ErrorOut(Schema):
    detail: str


class PanelOut(Schema):
    computed: bool = Field(..., description="False until the panel has been computed once.")
    computed_at: datetime | None
    duration_ms: int | None = Field(None, description="How long the computation took.")
    data: dict[str, Any] | None = Field(None, description="The panel's numbers, as the page shows them.")


class PortfolioOut(PanelOut):
    filters: dict[str, str]
    totals: dict[str, Any] | None
    communities: list[dict[str, Any]]
    needs_attention: list[dict[str, Any]]


def _panel(snapshot: Any) -> dict[str, Any]:
    return {**selectors.snapshot_meta(snapshot), "data": snapshot.data if snapshot else None}


@router.get("/insights/portfolio", response={200: PortfolioOut, 400: ErrorOut, 403: ErrorOut})
def portfolio(
    request: HttpRequest, stage: str = "", health: str = "", department: str = ""
) -> dict[str, Any]:
    """Every community (private ones excepted) by stage and health, filtered like the page."""
    person = person_for_user(request.user)
    result = selectors.portfolio_for(person, {"stage": stage, "health": health, "department": department})
    view = result.view
    return {
        **selectors.snapshot_meta(result.snapshot),
        "filters": view.filters.as_query() if view else {},
        "totals": view.totals if view else None,
        "communities": view.rows if view else [],
        "needs_attention": [
            {"name": row["name"], "slug": row["slug"], "reasons": row["attention"]} for row in view.attention
        ]
        if view
        else [],
    }


@router.get("/insights/portfolio.csv", response={400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def portfolio_csv(
    request: HttpRequest, stage: str = "", health: str = "", department: str = ""
) -> HttpResponse | Status[dict[str, str]]:
    """The portfolio table as CSV, with the same numbers and filters as the page's download."""
    person = person_for_user(request.user)
    result = selectors.portfolio_for(person, {"stage": stage, "health": health, "department": department})
    if result.view is None:
        return Status(404, {"detail": "The portfolio has not been computed yet."})
    buffer = io.StringIO()
    csv.writer(buffer).writerows(csv_rows(result.view))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="portfolio.csv"'
    return response


@router.get("/insights/indicators", response={200: PanelOut, 403: ErrorOut})
def indicators(request: HttpRequest) -> dict[str, Any]:
    """Organisational learning indicators for the last eight quarters, each with its definition."""
    person = person_for_user(request.user)
    return _panel(selectors.panel_for(person, "indicators"))


@router.get("/insights/time", response={200: PanelOut, 400: ErrorOut, 403: ErrorOut})
def time_panel(request: HttpRequest, quarter: str = "") -> dict[str, Any]:
    """Hours by community against budget in a quarter (default: the current one)."""
    person = person_for_user(request.user)
    selectors.require_steward(person)
    return _panel(selectors.panel_for(person, "time", selectors.valid_quarter(quarter)))


class RefreshOut(Schema):
    id: int
    status: str
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str


@router.post("/insights/refresh", response={202: RefreshOut, 403: ErrorOut})
def refresh(request: HttpRequest) -> Status[InsightRefresh]:
    """Queue a recomputation of every panel (stewards and admins); poll GET /insights/refresh/{id}."""
    person = person_for_user(request.user)
    return Status(202, insight_refresh_request(actor=person))


@router.get("/insights/refresh/{refresh_id}", response={200: RefreshOut, 403: ErrorOut, 404: ErrorOut})
def refresh_status(request: HttpRequest, refresh_id: int) -> InsightRefresh:
    person = person_for_user(request.user)
    selectors.require_steward(person)
    return get_object_or_404(InsightRefresh, pk=refresh_id)


# Time logs (your own) and budgets (sponsors) ---------------------------------------------------------


class TimeLogOut(Schema):
    id: int
    community: str = Field(..., alias="community.slug")
    event_id: int | None
    hours: Decimal
    on: date
    note: str
    created_at: datetime


class TimeLogIn(Schema):
    community: str = Field(..., description="The community's slug; you must be an active member.")
    hours: Decimal = Field(..., description="More than 0, at most 24, in quarters of an hour.")
    on: date = Field(..., description="The day the time was spent (not in the future).")
    note: str = ""
    event_id: int | None = Field(None, description="One of the community's events that has started.")


@router.get("/me/time-logs", response=list[TimeLogOut])
def time_log_list(request: HttpRequest) -> list[Any]:
    """Your own latest 200 time logs, newest first."""
    return list(time_invested.time_logs_of(person_for_user(request.user))[:200])


@router.post("/me/time-logs", response={201: TimeLogOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def time_log_create(request: HttpRequest, payload: TimeLogIn) -> Status[Any]:
    """Log time spent on a community's work."""
    person = person_for_user(request.user)
    access = community_for(person, payload.community)
    event = None
    if payload.event_id is not None:
        event = get_object_or_404(Event, pk=payload.event_id, community=access.community)
    log = time_invested.time_log_create(
        actor=person,
        community=access.community,
        hours=payload.hours,
        on=payload.on,
        note=payload.note,
        event=event,
    )
    return Status(201, time_invested.time_logs_of(person).get(pk=log.pk))


@router.delete("/me/time-logs/{log_id}", response={204: None, 400: ErrorOut})
def time_log_delete(request: HttpRequest, log_id: int) -> Status[None]:
    time_invested.time_log_delete(actor=person_for_user(request.user), log_id=log_id)
    return Status(204, None)


class AttendeeTimeIn(Schema):
    hours: Decimal = Field(..., description="Hours each attendee spent, in quarters of an hour.")
    note: str = ""


class AttendeeTimeOut(Schema):
    logged: int = Field(..., description="How many attendees got a log (those who had one are skipped).")


@router.post(
    "/events/{event_id}/attendee-time-logs",
    response={201: AttendeeTimeOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def attendee_time_logs(
    request: HttpRequest, event_id: int, payload: AttendeeTimeIn
) -> Status[dict[str, int]]:
    """A lead logs an event's time for every member recorded as present."""
    person = person_for_user(request.user)
    event = get_object_or_404(Event.objects.select_related("community"), pk=event_id)
    community_for(person, event.community.slug)  # a private community's event is a 404 for non-members
    logged = time_invested.time_log_event_attendees(
        actor=person, event=event, hours=payload.hours, note=payload.note
    )
    return Status(201, {"logged": logged})


class BudgetOut(Schema):
    community: str
    quarter: str
    hours: int | None


class BudgetIn(Schema):
    hours: int = Field(..., description="Whole hours; 0 removes the budget.")


def _sponsored(request: HttpRequest, slug: str) -> tuple[Any, Community]:
    person = person_for_user(request.user)
    access = community_for(person, slug)
    require(can_set_time_budget(access.membership), time_invested.NOT_A_SPONSOR)
    return person, access.community


@router.get(
    "/communities/{slug}/time-budgets/{quarter}", response={200: BudgetOut, 400: ErrorOut, 403: ErrorOut}
)
def budget_get(request: HttpRequest, slug: str, quarter: str) -> dict[str, Any]:
    """A community's budget for a quarter (its sponsors only)."""
    _, community = _sponsored(request, slug)
    quarter = selectors.valid_quarter(quarter)
    hours = time_invested.budgets_for([community], quarter).get(community.pk)
    return {"community": community.slug, "quarter": quarter, "hours": hours}


@router.put(
    "/communities/{slug}/time-budgets/{quarter}", response={200: BudgetOut, 400: ErrorOut, 403: ErrorOut}
)
def budget_set(request: HttpRequest, slug: str, quarter: str, payload: BudgetIn) -> dict[str, Any]:
    """Set a community's hours budget for a quarter like 2026-Q4 (its sponsors only; 0 removes it)."""
    person, community = _sponsored(request, slug)
    budget = time_invested.time_budget_set(
        actor=person, community=community, quarter=quarter, hours=payload.hours
    )
    return {"community": community.slug, "quarter": quarter, "hours": budget.hours if budget else None}


# --- knowledge network and strategic skills (insights/network.py, insights/skills_coverage.py) ---


@router.get("/insights/network", response={200: PanelOut, 403: ErrorOut})
def network_panel(request: HttpRequest) -> dict[str, Any]:
    """Teams, flows between them, silos, modularity of the org chart vs detected groups, broker counts
    per department, with and without community interactions. The only people named are knowledge
    brokers who agreed to be (``named_brokers``: person id, name, teams, participation coefficient,
    tie strength)."""
    from practica.insights.network import network_view

    view = network_view(person_for_user(request.user))
    return {**selectors.snapshot_meta(view.snapshot), "data": view.data}


@router.get("/insights/skills", response={200: PanelOut, 403: ErrorOut})
def skills_panel(request: HttpRequest) -> dict[str, Any]:
    """Coverage of each skill by evidence and by self-assessment, the heat map by department, the
    bus-factor flags and the trend; cells below the minimum group size have ``shown: false``."""
    from practica.insights.skills_coverage import skills_view

    return _panel(skills_view(person_for_user(request.user)).snapshot)


class StrategicIn(Schema):
    strategic: bool = True
    target_people: int | None = Field(None, description="At least this many people at the target level.")
    target_level: int = Field(4, description="1 novice .. 5 expert; 4 is proficient.")


class StrategicOut(Schema):
    id: int
    name: str
    strategic: bool
    target_people: int | None
    target_level: int


@router.put(
    "/insights/skills/{skill_id}/strategic",
    response={200: StrategicOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def skill_strategic_set(request: HttpRequest, skill_id: int, payload: StrategicIn) -> Any:
    """Mark a skill strategic with a target, or unmark it (stewards and admins)."""
    from practica.calibration.models import Skill
    from practica.insights.skills_coverage import public_skills_q, skill_set_strategic

    person = person_for_user(request.user)
    selectors.require_steward(person)
    skill = get_object_or_404(Skill.objects.filter(public_skills_q()), pk=skill_id)
    return skill_set_strategic(
        actor=person,
        skill=skill,
        strategic=payload.strategic,
        target_people=payload.target_people,
        target_level=payload.target_level,
    )
