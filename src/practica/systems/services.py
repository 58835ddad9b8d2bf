"""Every write of the what-if lab: creating a run (validated, then queued) and running one again.

Who may do what: runs are organisational what-if experiments. Every signed-in person may look at them
(``selectors``); stewards and admins may start them, because they cost worker time and speak for the
organisation's portfolio. Leads are not included: a community lead's question is answered by asking a
steward, or by reading an existing run.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from practica.core.errors import ApplicationError
from practica.core.permissions import can_run_simulations, require
from practica.people.models import Person
from practica.systems.models import SimulationRun
from practica.systems.presets import MAX_SWEEP_VALUES, PRESETS, SETTINGS, Preset, Setting, preset_for
from practica.systems.tasks import simulation_run_task

NOT_A_STEWARD = "Only stewards and admins can start what-if runs; everyone signed in can look at them."
SEED_MAX = 2**32 - 1


def _number(setting: Setting, raw: Any) -> float:
    plain = setting.label.split(" (")[0].lower()
    label = setting.name if plain == setting.name else f"{setting.name} ({plain})"
    if isinstance(raw, bool):
        raw = None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ApplicationError(
            f"{label} must be a number from {setting.describe_range()}.", field=setting.name
        ) from None
    if setting.kind == "int" and value != int(value):
        raise ApplicationError(f"{label} must be a whole number, got {raw}.", field=setting.name)
    if not setting.minimum <= value <= setting.maximum:
        raise ApplicationError(
            f"{label} must be from {setting.describe_range()}, got {value:g}.", field=setting.name
        )
    return int(value) if setting.kind == "int" else value


def _sweep_values(preset: Preset, raw: Any) -> list[float]:
    assert preset.sweep is not None
    setting = preset.sweep.setting
    if raw is None:
        return list(preset.sweep.defaults)
    if isinstance(raw, str):
        raw = [part for part in raw.replace(";", ",").split(",") if part.strip()]
    if not isinstance(raw, Sequence) or not raw:
        raise ApplicationError(
            f"values: give the values of {setting.name} to compare, separated by commas.", field="values"
        )
    try:
        values = [_number(setting, value) for value in raw]
    except ApplicationError as error:
        raise ApplicationError(f"values: {error.message}", field="values") from None
    values = sorted(set(values))
    if len(values) > MAX_SWEEP_VALUES:
        raise ApplicationError(
            f"values: compare at most {MAX_SWEEP_VALUES} values of {setting.name}, got {len(values)}.",
            field="values",
        )
    return values


def validated_parameters(preset: Preset, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The stored parameters of a run: settings, runs, the sweep and every point's model parameters.

    Raises ApplicationError naming the first bad parameter; nothing is stored or queued then.
    """
    allowed = {*preset.settings, "values"}
    unknown = sorted(set(parameters) - allowed)
    if unknown:
        raise ApplicationError(
            f"{unknown[0]}: not a setting of “{preset.title}” (its settings: {', '.join(sorted(allowed))}).",
            field=unknown[0],
        )
    settings = {
        name: _number(SETTINGS[name], parameters.get(name, preset.defaults[name])) for name in preset.settings
    }
    values = _sweep_values(preset, parameters.get("values")) if preset.sweep else []
    try:
        points = preset.build(preset, settings, values)
    except ValueError as error:
        message = str(error)
        name = message.split(" ", 1)[0].rstrip(":")
        raise ApplicationError(message, field=name if name in allowed else None) from None
    runs = int(settings.pop("runs"))
    return {
        "settings": settings,
        "runs": runs,
        "sweep": {"parameter": preset.sweep.parameter, "values": values} if preset.sweep else None,
        "lines": [label for label, _ in preset.lines],
        "points": [
            {"label": point.label, "x": point.x, "line": point.line, "params": point.params.to_dict()}
            for point in points
        ],
    }


def _seed(seed: Any) -> int:
    if seed is None or seed == "":
        return secrets.randbelow(SEED_MAX)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        raise ApplicationError(
            f"seed must be a whole number from 0 to {SEED_MAX}, got {seed!r}.", field="seed"
        )
    return seed


def _title(preset: Preset, stored: Mapping[str, Any]) -> str:
    sweep = stored["sweep"]
    if sweep is None:
        return preset.title
    values = ", ".join(f"{value:g}" for value in sweep["values"])
    return f"{preset.title} ({sweep['parameter']} = {values})"[:200]


@transaction.atomic
def _queue(
    *, actor: Person, preset: Preset, stored: dict[str, Any], seed: int, rerun_of: SimulationRun | None
) -> SimulationRun:
    run = SimulationRun.objects.create(
        owner=actor, preset=preset.slug, title=_title(preset, stored), parameters=stored, seed=seed,
        rerun_of=rerun_of, progress_text="Waiting for a worker…",
    )  # fmt: skip
    # Queued in the same transaction: with the database backend the run and its task are saved together
    # or not at all, so a worker never sees a task for a run that does not exist (or the reverse).
    result = simulation_run_task.enqueue(run.pk)
    SimulationRun.objects.filter(pk=run.pk).update(task_id=str(result.id))
    # With an immediate backend (tests, demos) the task has already finished: read what it wrote.
    run.refresh_from_db()
    return run


def simulation_run_create(
    *, actor: Person, preset: str, parameters: Mapping[str, Any], seed: int | None = None
) -> SimulationRun:
    """Validate a what-if run and queue it for a background worker (stewards and admins only).

    ``parameters`` holds the preset's settings (missing ones take the preset's defaults), ``runs``, and
    ``values``: the values of the swept parameter, as a list or a comma-separated string. Without a seed
    a random one is chosen and stored, so the run can be repeated exactly.
    """
    require(can_run_simulations(actor), NOT_A_STEWARD)
    chosen = preset_for(preset)
    if chosen is None:
        raise ApplicationError(
            f"preset: {preset!r} is not a preset (presets: {', '.join(PRESETS)}).", field="preset"
        )
    stored = validated_parameters(chosen, parameters)
    return _queue(actor=actor, preset=chosen, stored=stored, seed=_seed(seed), rerun_of=None)


def simulation_run_rerun(*, actor: Person, run: SimulationRun) -> SimulationRun:
    """Queue the same experiment again: the same points, runs and seed, so the same results."""
    require(can_run_simulations(actor), NOT_A_STEWARD)
    chosen = preset_for(run.preset)
    if chosen is None:
        raise ApplicationError(f"preset: {run.preset!r} is no longer a preset, so it cannot run again.")
    return _queue(actor=actor, preset=chosen, stored=run.parameters, seed=run.seed, rerun_of=run)
