"""Reading the dashboard: the stored snapshots, checked for the viewer, shaped for pages and the API.

Every function here is what both a page and its API endpoint call, so they show the same numbers.
Each reads a fixed number of rows whatever the size of the organisation: the snapshots were computed
by ``practica refresh-insights``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from practica.analysis.portfolio import parse_quarter, quarter_key
from practica.core.errors import ApplicationError
from practica.core.permissions import can_view_insights, require
from practica.insights.models import InsightSnapshot
from practica.insights.portfolio import DEPARTMENTS_KEY, PortfolioView, parse_filters, portfolio_view
from practica.people.models import Person

NOT_A_STEWARD = "The dashboard is for stewards and admins."
# The panels the home page and the report read, in the order they show them. ``network`` and
# ``skills`` are computed by their own modules when those are installed.
HOME_PANELS = ("portfolio", "indicators", "time", "network", "skills")


def require_steward(person: Person) -> None:
    require(can_view_insights(person), NOT_A_STEWARD)


def today() -> date:
    return timezone.localdate()


def current_quarter() -> str:
    return quarter_key(today())


def valid_quarter(value: str | None) -> str:
    """The quarter named by ``value`` (default: the current one); ApplicationError on a bad key."""
    if not value:
        return current_quarter()
    try:
        parse_quarter(value)
    except ValueError:
        raise ApplicationError("Quarter must look like 2026-Q4.", field="quarter") from None
    return value


@dataclass(frozen=True)
class Snapshots:
    """Snapshots fetched together, by (kind, key)."""

    found: Mapping[tuple[str, str], InsightSnapshot]

    def get(self, kind: str, key: str = "") -> InsightSnapshot | None:
        return self.found.get((kind, key))

    def oldest(self) -> InsightSnapshot | None:
        return min(self.found.values(), key=lambda item: item.computed_at, default=None)


def snapshots(
    viewer: Person, wanted: list[tuple[str, str]], *, without_data: frozenset[str] = frozenset()
) -> Snapshots:
    """The stored snapshots among ``wanted`` (kind, key) pairs, for a steward: one query, or two when
    some kinds are wanted ``without_data`` (only when and how long: a large panel's numbers stay unread)."""
    require_steward(viewer)
    found: dict[tuple[str, str], InsightSnapshot] = {}
    for kinds, lean in (
        ({kind for kind, _ in wanted if kind not in without_data}, False),
        ({kind for kind, _ in wanted if kind in without_data}, True),
    ):
        if not kinds:
            continue
        rows = InsightSnapshot.objects.filter(kind__in=kinds, key__in={key for _, key in wanted})
        if lean:
            rows = rows.defer("data")
        found.update({(row.kind, row.key): row for row in rows if (row.kind, row.key) in set(wanted)})
    return Snapshots(found=found)


def home_snapshots(viewer: Person, quarter: str, *, without_data: frozenset[str] = frozenset()) -> Snapshots:
    """Everything the home page and the report read: one or two queries."""
    wanted = [(kind, quarter if kind == "time" else "") for kind in HOME_PANELS]
    return snapshots(viewer, wanted, without_data=without_data)


@dataclass(frozen=True)
class Portfolio:
    snapshot: InsightSnapshot | None
    view: PortfolioView | None


def portfolio_for(viewer: Person, params: Mapping[str, Any]) -> Portfolio:
    """The portfolio snapshot with the query-string filters applied (ApplicationError on bad ones)."""
    wanted = [("portfolio", "")]
    if params.get("department"):
        wanted.append(("portfolio", DEPARTMENTS_KEY))
    found = snapshots(viewer, wanted)
    stored = found.get("portfolio")
    if stored is None:
        return Portfolio(snapshot=None, view=None)
    filters = parse_filters(params, stored.data)
    by_department = found.get("portfolio", DEPARTMENTS_KEY)
    view = portfolio_view(stored.data, filters, by_department.data if by_department else {})
    return Portfolio(snapshot=stored, view=view)


def panel_for(viewer: Person, kind: str, key: str = "") -> InsightSnapshot | None:
    """One panel's snapshot for a steward, or None when it has not been computed yet."""
    return snapshots(viewer, [(kind, key)]).get(kind, key)


def snapshot_meta(snapshot: InsightSnapshot | None) -> dict[str, Any]:
    """When a snapshot was computed and how long it took, as the API reports it."""
    if snapshot is None:
        return {"computed": False, "computed_at": None, "duration_ms": None}
    return {"computed": True, "computed_at": snapshot.computed_at, "duration_ms": snapshot.duration_ms}
