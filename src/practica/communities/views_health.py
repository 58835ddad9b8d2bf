"""The health tab: indicators with trends and rules, status with reasons, charts, the self-check.

Thin: parse, authorise, call the services in ``communities/health.py``, render.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from practica.analysis.health import DOWN, FLAT, UP, Indicator
from practica.communities import health
from practica.communities.access import lead_access as _lead_access
from practica.communities.access import page_access as _access
from practica.communities.models import HealthStatus, Level, Principle
from practica.communities.participation import participation_recompute
from practica.communities.selectors import CommunityAccess
from practica.core.errors import ApplicationError

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
# Darker means more involved, so the stack still reads in greyscale; the data table is the alternative.
LEVEL_COLOURS = {
    Level.CORE: "#174a94",
    Level.ACTIVE: "#3f7fd6",
    Level.OCCASIONAL: "#93b6e8",
    Level.PERIPHERAL: "#a9b4c2",
}
TREND_WORDS = {UP: "↑ up", DOWN: "↓ down", FLAT: "→ about the same"}
PERCENT_UNITS = {"% of members", "% of questions", "% of newcomers"}


class HealthReviewForm(forms.Form):
    """A rating from 1 to 5 and a note for each of the seven principles."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for principle in Principle:
            self.fields[f"rating_{principle.value}"] = forms.TypedChoiceField(
                label=principle.label,
                choices=[(number, str(number)) for number in range(1, 6)],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose a rating from 1 (weak) to 5 (strong)."},
            )
            self.fields[f"note_{principle.value}"] = forms.CharField(
                label=f"Note on “{principle.label}”",
                required=False,
                max_length=health.NOTE_MAX_LENGTH,
            )

    def rows(self) -> list[tuple[Principle, forms.BoundField, forms.BoundField]]:
        return [(p, self[f"rating_{p.value}"], self[f"note_{p.value}"]) for p in Principle]

    def ratings(self) -> dict[str, tuple[int, str]]:
        data = self.cleaned_data
        return {p.value: (data[f"rating_{p.value}"], data[f"note_{p.value}"]) for p in Principle}


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit in PERCENT_UNITS:
        return f"{round(value * 100)}%"
    return f"{value:g}" if value != int(value) else str(int(value))


SINGULAR_UNITS = {"people": "person", "events": "event", "teams": "team", "days": "day"}


def _unit(unit: str, value: float | None = None) -> str:
    if unit in PERCENT_UNITS:
        return ""
    return SINGULAR_UNITS.get(unit, unit) if value == 1 else unit


def _indicator_row(indicator: Indicator) -> dict[str, Any]:
    trend = TREND_WORDS.get(indicator.trend, "no comparison")
    if indicator.assessment:
        trend = f"{trend} ({indicator.assessment})"
    return {
        "indicator": indicator,
        "value": _number(indicator.value, indicator.unit),
        "previous": _number(indicator.previous, indicator.unit),
        "unit": _unit(indicator.unit, indicator.value),
        "previous_unit": _unit(indicator.unit, indicator.previous),
        "trend": trend,
    }


GROUP_TITLES = {
    "participation": "Participation",
    "rhythm": "Rhythm",
    "knowledge": "Knowledge flow",
    "reach": "Reach",
    "newcomers": "Newcomers",
    "calibration": "Calibration",
}


def participation_chart(history: list[health.MonthLevels]) -> dict[str, Any]:
    """Vega-Lite spec: stacked bars of members by level at each month end."""
    values = [
        {"month": f"{point.month:%b %Y}", "level": Level(level).label, "members": count, "order": index}
        for point in history
        for index, (level, count) in enumerate(point.counts.items())
    ]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": "Stacked bars: members at each participation level at the end of each month.",
        "width": "container",
        "height": 240,
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {
                "field": "month", "type": "ordinal", "sort": None, "title": "Month (levels at its end)",
                "axis": {"labelAngle": 0},
            },
            "y": {
                "field": "members", "type": "quantitative", "stack": "zero", "title": "Members",
                "axis": {"tickMinStep": 1, "format": "d"},
            },
            "color": {
                "field": "level", "type": "nominal", "title": "Participation level",
                "sort": [level.label for level in LEVEL_COLOURS],
                "scale": {
                    "domain": [level.label for level in LEVEL_COLOURS], "range": list(LEVEL_COLOURS.values()),
                },
            },
            "order": {"field": "order", "type": "quantitative"},
        },
    }  # fmt: skip


def _event_label(event: health.EventAttendance, seen: dict[str, int]) -> str:
    label = f"{event.starts_at:%d %b} · {event.title[:28]}"
    seen[label] = seen.get(label, 0) + 1
    return label if seen[label] == 1 else f"{label} ({seen[label]})"


def attendance_chart(events: list[health.EventAttendance]) -> dict[str, Any]:
    """Vega-Lite spec: one bar per held event with recorded attendance, oldest first."""
    seen: dict[str, int] = {}
    values = [
        {"event": _event_label(event, seen), "present": event.present} for event in events if event.recorded
    ]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": "Bars: people recorded as present at each recent event, oldest first.",
        "width": {"step": 56},  # a bar per event; one event must not fill the whole width
        "height": 240,
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True, "color": LEVEL_COLOURS[Level.CORE]},
        "encoding": {
            "x": {
                "field": "event", "type": "ordinal", "sort": None, "title": "Event (date · title)",
                "axis": {"labelAngle": -35, "labelLimit": 160},
            },
            "y": {
                "field": "present", "type": "quantitative", "title": "People present",
                "axis": {"tickMinStep": 1, "format": "d"},
            },
        },
    }  # fmt: skip


def _health_page(
    request: HttpRequest,
    access: CommunityAccess,
    *,
    form: HealthReviewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    community = access.community
    snapshot = health.health_snapshot(community)
    report, history, events = snapshot.report, snapshot.history, snapshot.events
    context: dict[str, Any] = {
        "computed_at": snapshot.computed_at,
        "community": community,
        "access": access,
        "tab": "health",
        "report": report,
        "status_label": _status_label(report.status),
        "groups": [
            (GROUP_TITLES.get(group, group), [_indicator_row(indicator) for indicator in indicators])
            for group, indicators in report.groups()
        ],
        "rule": report.thresholds.describe(),
        "history": history,
        "levels": list(LEVEL_COLOURS),
        "events": events,
        "recorded_events": [event for event in events if event.recorded],
        "participation_spec": participation_chart(history),
        "attendance_spec": attendance_chart(events),
        "reviews": health.health_reviews(community),
        "principles": list(Principle),
        "stored_differs": community.health_status != report.status,
    }
    if access.is_lead:
        context["form"] = form or HealthReviewForm()
    return render(request, "communities/health/health.html", context, status=status)


def _status_label(status: str) -> str:
    return HealthStatus(status).label


@login_required
def health_page(request: HttpRequest, slug: str) -> HttpResponse:
    _, access = _access(request, slug)
    return _health_page(request, access)


@login_required
@require_POST
def health_recompute(request: HttpRequest, slug: str) -> HttpResponse:
    _, access = _lead_access(request, slug)
    participation_recompute(community=access.community)
    report = health.community_health_compute(community=access.community)
    health.health_snapshot(access.community, refresh=True)
    messages.success(
        request, f"Participation levels and health recomputed: {_status_label(report.status).lower()}."
    )
    return redirect("communities:health", slug=slug)


@login_required
@require_POST
def health_review(request: HttpRequest, slug: str) -> HttpResponse:
    person, access = _lead_access(request, slug)
    form = HealthReviewForm(request.POST)
    if form.is_valid():
        try:
            health.health_review_create(actor=person, community=access.community, ratings=form.ratings())
        except ApplicationError as error:
            field = f"rating_{error.field}" if error.field else None
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, "Your health review is saved.")
            return redirect("communities:health", slug=slug)
    return _health_page(request, access, form=form, status=400)
