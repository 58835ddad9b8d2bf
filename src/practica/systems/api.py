"""The what-if lab in the JSON API: the same presets, services and selectors as the pages.

Every signed-in caller may read presets and runs; stewards and admins may start runs (403 otherwise).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from practica.core.permissions import person_for_user
from practica.systems import selectors, services
from practica.systems.models import SimulationRun
from practica.systems.presets import PRESETS, Preset

router = Router(tags=["what-if lab"])


class SettingOut(Schema):
    name: str
    label: str
    help: str
    kind: str
    minimum: float
    maximum: float
    default: float


class SweepOut(Schema):
    parameter: str
    default_values: list[float]
    minimum: float
    maximum: float


class PresetOut(Schema):
    slug: str
    title: str
    question: str
    literature: str
    note: str
    own_model: bool = Field(..., description="True for Practica's own model (not from the literature).")
    references: list[str]
    sweep: SweepOut | None
    lines: list[str] = Field(..., description="Variants run side by side at every swept value.")
    settings: list[SettingOut]


class RunSummaryOut(Schema):
    id: int
    preset: str
    title: str
    owner: str | None = Field(None, alias="owner.display_name")
    seed: int
    status: str
    progress: float
    progress_text: str
    verdict: dict[str, str]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class RunOut(RunSummaryOut):
    parameters: dict[str, Any]
    results: list[dict[str, Any]]
    error: str
    task_id: str
    rerun_of: int | None = Field(None, alias="rerun_of_id")


class RunIn(Schema):
    preset: str = Field(..., description="A preset slug from GET /lab/presets.")
    parameters: dict[str, Any] = Field(
        default_factory=dict,
        description="The preset's settings (missing ones take its defaults), `runs`, and `values`: the "
        "values of the swept parameter.",
    )
    seed: int | None = Field(None, description="Fixes the luck; a random one is stored when omitted.")


class ErrorOut(Schema):
    detail: str


def _preset_out(preset: Preset) -> dict[str, Any]:
    sweep = None
    if preset.sweep is not None:
        setting = preset.sweep.setting
        sweep = {
            "parameter": preset.sweep.parameter,
            "default_values": list(preset.sweep.defaults),
            "minimum": setting.minimum,
            "maximum": setting.maximum,
        }
    return {
        "slug": preset.slug,
        "title": preset.title,
        "question": preset.question,
        "literature": preset.literature,
        "note": preset.note,
        "own_model": preset.own_model,
        "references": list(preset.references),
        "sweep": sweep,
        "lines": [label for label, _ in preset.lines],
        "settings": [
            {**vars(setting), "default": preset.defaults[setting.name]} for setting in preset.setting_list()
        ],
    }


@router.get("/lab/presets", response=list[PresetOut])
def preset_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The lab's scenarios with their settings, allowed ranges, defaults and the literature."""
    person_for_user(request.user)
    return [_preset_out(preset) for preset in PRESETS.values()]


@router.get("/lab/runs", response=list[RunSummaryOut])
@paginate(PageNumberPagination, page_size=50)
def run_list(request: HttpRequest, preset: str = "", mine: bool = False) -> QuerySet[SimulationRun]:
    """Runs newest first (without their results), optionally of one preset or only yours."""
    person = person_for_user(request.user)
    return selectors.run_list(preset=preset, owner=person if mine else None)


@router.post("/lab/runs", response={201: RunOut, 400: ErrorOut, 403: ErrorOut})
def run_create(request: HttpRequest, payload: RunIn) -> Status[SimulationRun]:
    """Queue a run (stewards and admins); poll GET /lab/runs/{id} until its status is done or failed."""
    person = person_for_user(request.user)
    run = services.simulation_run_create(
        actor=person, preset=payload.preset, parameters=payload.parameters, seed=payload.seed
    )
    return Status(201, selectors.run_get(run.pk))


@router.get("/lab/runs/{run_id}", response=RunOut)
def run_detail(request: HttpRequest, run_id: int) -> SimulationRun:
    """A run with its parameters, progress, results per point (with knowledge over time) and verdict."""
    person_for_user(request.user)
    return selectors.run_get(run_id)


@router.post("/lab/runs/{run_id}/rerun", response={201: RunOut, 403: ErrorOut})
def run_rerun(request: HttpRequest, run_id: int) -> Status[SimulationRun]:
    """Queue the same run again: same parameters and seed, so the same results."""
    person = person_for_user(request.user)
    again = services.simulation_run_rerun(actor=person, run=selectors.run_get(run_id))
    return Status(201, selectors.run_get(again.pk))
