"""``practica simulate``: run March's (1991) model and its extensions from the command line.

The main ``practica`` CLI mounts this sub-app with ``app.add_typer(simulate_app, name="simulate")``.
Results go to stdout (one JSON object, or a JSON list for sweeps, with ``--json``); progress and errors
go to stderr. Bad input exits with status 2 and a one-line message naming the parameter, before anything
is simulated or written.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperCommand

from practica.simulation import sweeps
from practica.simulation.march import MarchParams

simulate_app = typer.Typer(
    help="Simulate organisational learning (March 1991 and Practica's extensions).",
    no_args_is_help=True,
)

EXIT_BAD_INPUT = 2
CSV_MEASURES = (
    "runs",
    "seed",
    "mean_code_score",
    "sd_code_score",
    "mean_code_knowledge",
    "sd_code_knowledge",
    "mean_individual_knowledge",
    "mean_individual_score",
    "mean_periods",
    "capped_runs",
)


MAX_POINTS = 10_000


def _rate_or_sweep(name: str, text: str | None) -> tuple[float | None, tuple[str, list[float]] | None]:
    """``--p2 0.5`` is a value; ``--p2 0.1,0.5,0.9`` or ``--p2 0.1:0.9:0.1`` sweeps it."""
    if text is None:
        return None, None
    if "," in text or ":" in text:
        return None, sweeps.parse_sweep(f"{name}={text}")
    try:
        return float(text), None
    except ValueError:
        raise BadInputError(f"{name}: {text!r} is not a number or a list of numbers") from None


class BadInputError(Exception):
    """Input the CLI refuses; the message names the parameter."""


def _fail(message: str) -> typer.Exit:
    sys.stderr.write(f"Error: {' '.join(message.split())}\n")
    return typer.Exit(EXIT_BAD_INPUT)


class _OneLineErrorsCommand(TyperCommand):
    """Reports unknown options and unreadable values as one line on stderr instead of a usage panel."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except Exception as error:
            # click's UsageError (exit code 2); newer typer releases vendor click under a private
            # module name, so recognise it by its interface instead of importing it.
            if getattr(error, "exit_code", None) != EXIT_BAD_INPUT or not hasattr(error, "format_message"):
                raise
            raise _fail(error.format_message()) from None


def _parse_groups(text: str | None) -> tuple[int, tuple[tuple[int, float], ...] | None]:
    """``--groups 5`` means 5 communities (extension A); ``--groups 25:0.9,25:0.1`` mixed learners."""
    if text is None or not text.strip():
        return 0, None
    text = text.strip()
    if ":" not in text:
        try:
            return int(text), None
        except ValueError:
            raise BadInputError(
                f"groups: expected a number of groups or COUNT:P1,..., got {text!r}"
            ) from None
    mixed: list[tuple[int, float]] = []
    for part in text.split(","):
        count, _, p1 = part.partition(":")
        try:
            mixed.append((int(count), float(p1)))
        except ValueError:
            raise BadInputError(f"groups: cannot read {part!r} as COUNT:P1") from None
    return 0, tuple(mixed)


def _check_output(path: Path | None, option: str, suffixes: Sequence[str]) -> None:
    if path is None:
        return
    if path.suffix.lower() not in suffixes:
        raise BadInputError(f"{option}: file must end in {' or '.join(suffixes)}, got {path.name!r}")
    if not path.parent.exists():
        raise BadInputError(f"{option}: folder {str(path.parent)!r} does not exist")


def _write_csv(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    scalar_params = [name for name, value in rows[0]["params"].items() if not isinstance(value, list)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*scalar_params, *CSV_MEASURES])
        for row in rows:
            writer.writerow(
                [*(row["params"][name] for name in scalar_params), *(row[key] for key in CSV_MEASURES)]
            )


def _print_table(rows: Sequence[dict[str, Any]], swept: Sequence[str]) -> None:
    table = Table(title="March (1991) mutual learning: means over runs")
    columns = [*(swept or ["p1", "p2"])]
    for name in columns:
        table.add_column(name, justify="right")
    for label in ("code score", "sd", "code knowledge", "individual knowledge", "periods", "capped"):
        table.add_column(label, justify="right")
    for row in rows:
        table.add_row(
            *(f"{row['params'][name]:g}" for name in columns),
            f"{row['mean_code_score']:.3f}",
            f"{row['sd_code_score']:.3f}",
            f"{row['mean_code_knowledge']:.3f}",
            f"{row['mean_individual_knowledge']:.3f}",
            f"{row['mean_periods']:.1f}",
            str(row["capped_runs"]),
        )
    Console().print(table)


@simulate_app.command("march", cls=_OneLineErrorsCommand)
def march(
    p1: Annotated[
        str | None,
        typer.Option(help="Socialisation rate: beliefs learn from the code (a list 0.1,0.9 sweeps it)."),
    ] = None,
    p2: Annotated[
        str | None,
        typer.Option(
            help="Code learning rate: the code learns from the best (a list 0.1,0.5,0.9 sweeps it)."
        ),
    ] = None,
    p3: Annotated[float, typer.Option(help="Turnover per period.")] = 0.0,
    p4: Annotated[float, typer.Option(help="Turbulence: chance each dimension of reality flips.")] = 0.0,
    m: Annotated[int, typer.Option(help="Dimensions of reality.")] = 30,
    n: Annotated[int, typer.Option(help="Individuals.")] = 50,
    periods: Annotated[int, typer.Option(help="Periods to run when p3 or p4 > 0.")] = 100,
    max_periods: Annotated[int, typer.Option(help="Safety cap when running to equilibrium.")] = 10_000,
    runs: Annotated[int, typer.Option(help="Runs per point (March used 80).")] = 80,
    seed: Annotated[int, typer.Option(help="Seed; the same seed gives the same numbers.")] = 1,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
    sweep: Annotated[
        list[str] | None,
        typer.Option(help="Sweep a parameter: p1=0.1:0.9:0.1 or p2=0.1,0.5,0.9 (repeatable)."),
    ] = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Write a CSV table.")] = None,
    plot_path: Annotated[Path | None, typer.Option("--plot", help="Write a figure (.png or .svg).")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    dask: Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786.")] = None,
    groups: Annotated[
        str | None,
        typer.Option(help="Communities of practice (e.g. 5, extension A) or mixed learners (25:0.9,25:0.1)."),
    ] = None,
    beta: Annotated[float, typer.Option(help="Extension A: rewiring probability between groups.")] = 0.0,
    p_peer: Annotated[float, typer.Option(help="Extension A: interpersonal learning rate.")] = 0.5,
    code: Annotated[bool, typer.Option(help="Extension A: keep the organisational code.")] = True,
    bundle_size: Annotated[int, typer.Option(help="Extension A: complexity, dimensions per bundle.")] = 1,
    kappa: Annotated[float, typer.Option(help="Extension B: overconfidence per wrong dimension.")] = 0.0,
    select_on: Annotated[
        str | None, typer.Option(help="Extension B: pick the best on 'confidence' or 'evidence'.")
    ] = None,
    rho: Annotated[float, typer.Option(help="Extension B: resistance of the overconfident.")] = 0.0,
    threshold: Annotated[float, typer.Option(help="Extension B: overconfidence that triggers rho.")] = 0.0,
    yes: Annotated[
        bool, typer.Option("--yes", help=f"Allow sweeps of more than {MAX_POINTS:,} points.")
    ] = False,
) -> None:
    """March's (1991) mutual-learning model: mean equilibrium knowledge over runs (Figure 1)."""
    try:
        sweep_specs = [sweeps.parse_sweep(spec) for spec in sweep or []]
        rates: dict[str, float | None] = {}
        for name, given in (("p1", p1), ("p2", p2)):
            rates[name], spec = _rate_or_sweep(name, given)
            if spec is not None:
                sweep_specs.append(spec)
        swept = [name for name, _ in sweep_specs]
        for name in ("p1", "p2"):
            if rates[name] is None and name not in swept:
                raise BadInputError(f"{name}: required (give --{name} or --sweep {name}=...)")
        if runs < 1:
            raise BadInputError(f"runs must be >= 1, got {runs}")
        if workers < 1:
            raise BadInputError(f"workers must be >= 1, got {workers}")
        if seed < 0:
            raise BadInputError(f"seed must be >= 0, got {seed}")
        communities, mixed = _parse_groups(groups)
        base = MarchParams(
            m=m,
            n=n,
            p1=0.1 if rates["p1"] is None else rates["p1"],
            p2=0.5 if rates["p2"] is None else rates["p2"],
            p3=p3,
            p4=p4,
            periods=periods,
            max_periods=max_periods,
            groups=mixed,
            communities=communities,
            beta=beta,
            p_peer=p_peer,
            code=code,
            bundle_size=bundle_size,
            kappa=kappa,
            select_on=select_on,
            rho=rho,
            threshold=threshold,
        )
        points = sweeps.sweep_points(base, sweep_specs)
        if len(points) > MAX_POINTS and not yes:
            raise BadInputError(
                f"sweep: {len(points):,} points is more than {MAX_POINTS:,}; add --yes if you mean it"
            )
        _check_output(csv_path, "csv", (".csv",))
        _check_output(plot_path, "plot", (".png", ".svg"))
        if dask is not None:
            _require_dask()
    except (BadInputError, ValueError) as error:
        raise _fail(str(error)) from None

    total = runs * len(points)
    progress = Progress(
        TextColumn("Simulating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with progress:
        bar = progress.add_task("runs", total=total)
        try:
            outcomes = sweeps.run_points(
                [params for _, params in points],
                runs,
                seed,
                workers=workers,
                dask_address=dask,
                on_runs_done=lambda done: progress.advance(bar, done),
            )
        except sweeps.DaskUnavailableError as error:
            raise _fail(str(error)) from None

    rows = [
        sweeps.summarise(params, results, seed) for (_, params), results in zip(points, outcomes, strict=True)
    ]
    for row, (assignment, _) in zip(rows, points, strict=True):
        row["sweep"] = assignment
    if csv_path is not None:
        _write_csv(csv_path, rows)
    if plot_path is not None:
        from practica.simulation import plots

        x_name = swept[0] if swept else "p1"
        plots.sweep_figure(rows, x_name, [name for name in swept if name != x_name], plot_path)
    if json_output:
        payload: Any = rows if sweep_specs else rows[0]
        sys.stdout.write(json.dumps(payload, allow_nan=False) + "\n")
    else:
        _print_table(rows, swept)
    capped = sum(row["capped_runs"] for row in rows)
    if capped:
        sys.stderr.write(f"Warning: {capped} run(s) hit the safety cap of {max_periods} periods\n")


def _require_dask() -> None:
    try:
        import dask.distributed  # noqa: F401  (only checking that it is importable)
    except ImportError:
        raise BadInputError(
            "dask: dask is not installed; --dask needs dask.distributed (pip install 'dask[distributed]')"
        ) from None
