"""The background task that runs a what-if experiment, point by point, with progress and a verdict.

It runs in a worker (``practica manage db_worker``; ``practica serve`` starts one beside the web server),
never inside a request. Each point is one call of the simulator's public ``run_points`` with the run's
seed, so a point gives exactly what a single-point run with that seed gives, and the same run always
gives the same results.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

import numpy as np
from django.utils import timezone
from django_tasks import task

from practica.simulation.march import MarchParams, MarchResult
from practica.simulation.sweeps import run_points, summarise
from practica.systems.models import RunStatus, SimulationRun
from practica.systems.presets import preset_for

# Knowledge-over-time lines are thinned to at most this many periods, so a long run stays a small page.
MAX_SERIES_POINTS = 200


def params_from_dict(values: dict[str, Any]) -> MarchParams:
    """The model parameters stored with a point (``MarchParams.to_dict``), ready to run again."""
    cleaned = dict(values)
    if cleaned.get("groups") is not None:
        cleaned["groups"] = tuple(tuple(group) for group in cleaned["groups"])
    return MarchParams(**cleaned)


def _mean_series(results: Sequence[MarchResult], length: int) -> dict[str, list[float]]:
    """Mean code and individual knowledge after each period; a run that has stopped keeps its last state."""
    code = np.empty((len(results), length))
    people = np.empty((len(results), length))
    for row, result in enumerate(results):
        assert result.series is not None
        periods = len(result.series.code_knowledge)
        code[row, :periods] = result.series.code_knowledge
        code[row, periods:] = result.series.code_knowledge[-1]
        people[row, :periods] = result.series.individual_knowledge
        people[row, periods:] = result.series.individual_knowledge[-1]
    return {"code_knowledge": code.mean(0).tolist(), "individual_knowledge": people.mean(0).tolist()}


def _thinned(series: dict[str, list[float]], length: int) -> dict[str, list[float]]:
    indices = np.arange(length)
    if length > MAX_SERIES_POINTS:
        indices = np.unique(np.linspace(0, length - 1, MAX_SERIES_POINTS).round().astype(int))
    return {
        "period": [int(index) + 1 for index in indices],
        **{name: [round(values[index], 4) for index in indices] for name, values in series.items()},
    }


def point_summary(
    point: dict[str, Any], params: MarchParams, outcomes: Sequence[MarchResult], seed: int
) -> dict[str, Any]:
    """Means and standard deviations of one point's measures, as the charts and the verdicts read them."""
    summary = summarise(params, outcomes, seed)

    def sd(values: list[float]) -> float:
        return float(statistics.stdev(values)) if len(values) > 1 else 0.0

    result: dict[str, Any] = {
        "label": point["label"],
        "x": point["x"],
        "line": point["line"],
        "runs": summary["runs"],
        "mean_code_knowledge": summary["mean_code_knowledge"],
        "sd_code_knowledge": summary["sd_code_knowledge"],
        "mean_code_score": summary["mean_code_score"],
        "sd_code_score": summary["sd_code_score"],
        "mean_individual_knowledge": summary["mean_individual_knowledge"],
        "sd_individual_knowledge": sd([outcome.individual_knowledge for outcome in outcomes]),
        "mean_periods": summary["mean_periods"],
        "sd_periods": sd([float(outcome.periods) for outcome in outcomes]),
        "capped_runs": summary["capped_runs"],
    }
    if "groups" in summary:
        result["groups"] = summary["groups"]
    return result


def _update(run_id: int, **fields: Any) -> None:
    # A single UPDATE commits at once in the worker, so the polling page sees progress as it happens.
    SimulationRun.objects.filter(pk=run_id).update(**fields)


def execute_run(run_id: int) -> str:
    """Run every point of a queued run, storing progress after each point, then results and verdict.

    A run that is already done or failed is left alone (a task delivered twice must not run twice).
    On any error the run is marked failed with the error's text, and the error is raised again so the
    worker records the task as failed too.
    """
    run = SimulationRun.objects.filter(pk=run_id).first()
    if run is None or run.status in {RunStatus.DONE, RunStatus.FAILED}:
        return "skipped"
    points = run.parameters["points"]
    runs = int(run.parameters["runs"])
    _update(
        run_id, status=RunStatus.RUNNING, started_at=timezone.now(), progress=0.0,
        progress_text=f"Starting {len(points)} points of {runs} runs each…",
    )  # fmt: skip
    try:
        preset = preset_for(run.preset)
        if preset is None:
            raise ValueError(f"preset: {run.preset!r} is not a preset of this version of Practica")
        results: list[dict[str, Any]] = []
        series: list[dict[str, list[float]]] = []
        for index, point in enumerate(points):
            _update(
                run_id,
                progress=index / len(points),
                progress_text=f"Point {index + 1} of {len(points)}: {point['label']} ({runs} runs)",
            )
            params = params_from_dict(point["params"])
            outcomes = run_points([params], runs, run.seed)[0]
            results.append(point_summary(point, params, outcomes, run.seed))
            length = max(len(outcome.series.code_knowledge) for outcome in outcomes if outcome.series)
            series.append(_mean_series(outcomes, length))
        horizon = max(len(line["code_knowledge"]) for line in series)
        for result, line in zip(results, series, strict=True):
            padded = {name: values + [values[-1]] * (horizon - len(values)) for name, values in line.items()}
            result["series"] = _thinned(padded, horizon)
        verdict = preset.verdict(results).as_dict()
    except Exception as error:
        _update(
            run_id, status=RunStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(), progress_text="Failed.",
        )  # fmt: skip
        raise
    _update(
        run_id, status=RunStatus.DONE, progress=1.0, progress_text="Done.", results=results,
        verdict=verdict, finished_at=timezone.now(),
    )  # fmt: skip
    return RunStatus.DONE.value


@task()
def simulation_run_task(run_id: int) -> str:
    """The django-tasks entry point: enqueued by ``services.simulation_run_create``."""
    return execute_run(run_id)
