"""The what-if lab's pages: presets, the run form, and a run's progress, charts and verdict.

Thin: parse, authorise, call a service or selector, render. One view serves the run page and the
fragment htmx polls while the run is queued or running.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from practica.core.errors import ApplicationError
from practica.core.http import HtmxHttpRequest
from practica.core.pagination import paginate
from practica.core.permissions import can_run_simulations, person_for_user
from practica.systems import charts, selectors, services
from practica.systems.forms import RunForm
from practica.systems.models import SimulationRun
from practica.systems.presets import PRESETS, RUNS_DEFAULT, SETTINGS, SLOW_TOTAL_RUNS, Preset, preset_for


def _preset(slug: str) -> Preset:
    preset = preset_for(slug)
    if preset is None:
        raise Http404("No such scenario.")
    return preset


@login_required
def lab_index(request: HttpRequest) -> HttpResponse:
    """Preset cards, the viewer's recent runs and every run, newest first."""
    person = person_for_user(request.user)
    context = {
        "presets": list(PRESETS.values()),
        "can_run": can_run_simulations(person),
        "my_runs": list(selectors.run_list(owner=person)[:5]),
        "page": paginate(request, selectors.run_list(), per_page=20),
    }
    return render(request, "systems/lab.html", context)


@login_required
def preset_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A scenario: its question, the literature, the settings form (stewards) and its past runs."""
    person = person_for_user(request.user)
    preset = _preset(slug)
    can_run = can_run_simulations(person)
    if request.method == "POST" and not can_run:
        raise PermissionDenied(services.NOT_A_STEWARD)
    form = RunForm(preset, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                run = services.simulation_run_create(
                    actor=person, preset=preset.slug, parameters=form.parameters(),
                    seed=form.cleaned_data["seed"],
                )  # fmt: skip
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(
                    request,
                    "The run is queued; this page shows its progress."
                    if run.is_active
                    else "The run has already finished; its results are below.",
                )
                return redirect("systems:run", pk=run.pk)
        status = 400
    context = {
        "preset": preset,
        "form": form if can_run else None,
        "can_run": can_run,
        "slow_total_runs": SLOW_TOTAL_RUNS,
        "runs_default": RUNS_DEFAULT,
        "runs": list(selectors.run_list(preset=preset.slug)[:10]),
    }
    return render(request, "systems/preset.html", context, status=status)


def _settings_rows(run: SimulationRun) -> list[tuple[str, str]]:
    stored = run.parameters
    rows = []
    if stored.get("sweep"):
        sweep = stored["sweep"]
        values = ", ".join(f"{value:g}" for value in sweep["values"])
        rows.append((f"Values of {sweep['parameter']} compared", values))
    for name, value in stored.get("settings", {}).items():
        setting = SETTINGS.get(name)
        rows.append((setting.label if setting else name, f"{value:g}"))
    rows.append(("Runs per point", str(run.runs)))
    rows.append(("Seed", str(run.seed)))
    return rows


def _by_label(run: SimulationRun | None) -> dict[str, dict[str, Any]]:
    return {result["label"]: result for result in run.results} if run is not None else {}


def _difference(mine: dict[str, Any] | None, theirs: dict[str, Any] | None) -> float | None:
    if mine is None or theirs is None:
        return None
    return float(mine["mean_code_knowledge"]) - float(theirs["mean_code_knowledge"])


def _compare(run: SimulationRun, other: SimulationRun) -> dict[str, Any]:
    """Both runs' results point by point (points missing from one run show as empty)."""
    mine, theirs = _by_label(run), _by_label(other)
    labels = list(mine) + [label for label in theirs if label not in mine]
    return {
        "run": other,
        "rows": [
            (label, mine.get(label), theirs.get(label), _difference(mine.get(label), theirs.get(label)))
            for label in labels
        ],
        "settings": list(zip(_settings_rows(run), _settings_rows(other), strict=False)),
    }


def _run_context(run: SimulationRun, person: Any) -> dict[str, Any]:
    preset = preset_for(run.preset)
    parameter = (run.parameters.get("sweep") or {}).get("parameter")
    context: dict[str, Any] = {
        "run": run,
        "preset": preset,
        "parameter": parameter,
        "can_run": can_run_simulations(person),
        "settings_rows": _settings_rows(run),
    }
    if run.results:
        context["over_time_spec"] = charts.knowledge_over_time(run.results, parameter)
        context["final_spec"] = charts.final_knowledge(run.results, parameter)
        context["x_title"] = parameter or "Organisation"
        context["rows"] = [(charts.x_label(result, parameter), result) for result in run.results]
        context["over_time_rows"] = _over_time_rows(run.results)
    return context


def _over_time_rows(results: list[dict[str, Any]]) -> list[tuple[str, list[float]]]:
    """For the table alternative: code knowledge at about ten periods spread over the run, per point."""
    periods = results[0].get("series", {}).get("period", []) if results else []
    step = max(1, len(periods) // 10)
    picks = list(range(0, len(periods), step))
    if periods and picks[-1] != len(periods) - 1:
        picks.append(len(periods) - 1)
    header = [periods[index] for index in picks]
    rows: list[tuple[str, list[float]]] = [("Period", header)]
    for result in results:
        series = result.get("series", {}).get("code_knowledge", [])
        rows.append((result["label"], [series[index] for index in picks if index < len(series)]))
    return rows


@login_required
def run_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A run: progress while it runs (htmx polls this view), then charts, table, verdict and comparison."""
    person = person_for_user(request.user)
    run = selectors.run_get(pk)
    context = _run_context(run, person)
    if request.htmx:
        return render(request, "systems/partials/run_body.html", context)
    context["candidates"] = list(selectors.comparable_runs(run))
    compare_id = request.GET.get("compare", "")
    if compare_id.isdigit() and run.results:
        other = selectors.run_get(int(compare_id))
        if other.preset != run.preset:
            raise ApplicationError("Compare runs of the same scenario: pick one from the list.")
        context["comparison"] = _compare(run, other)
    return render(request, "systems/run_detail.html", context)


@login_required
@require_POST
def run_rerun(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user)
    run = selectors.run_get(pk)
    if not can_run_simulations(person):
        raise PermissionDenied(services.NOT_A_STEWARD)
    again = services.simulation_run_rerun(actor=person, run=run)
    messages.success(request, f"Run #{run.pk} is queued again with the same settings and seed.")
    return redirect("systems:run", pk=again.pk)
