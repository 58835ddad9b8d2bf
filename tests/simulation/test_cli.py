"""`practica simulate march`, mounted the way the main CLI mounts it."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from practica.simulation.cli import simulate_app

app = typer.Typer()
app.add_typer(simulate_app, name="simulate")


@app.callback()
def main() -> None:
    """Stand-in for the main practica CLI."""


runner = CliRunner()
SMALL = ["--m", "10", "--n", "10", "--runs", "5", "--seed", "1"]


def simulate(*args: str) -> Result:
    return runner.invoke(app, ["simulate", "march", *args])


def test_json_prints_one_object_with_the_contracted_keys() -> None:
    result = simulate("--p1", "0.1", "--p2", "0.5", *SMALL, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    for key in (
        "params",
        "runs",
        "mean_code_score",
        "mean_code_knowledge",
        "mean_individual_knowledge",
        "mean_periods",
        "sd_code_score",
    ):
        assert key in summary
    assert summary["runs"] == 5
    assert summary["params"]["p1"] == 0.1
    assert summary["params"]["m"] == 10


def test_the_same_seed_prints_the_same_numbers_with_any_worker_count() -> None:
    one = simulate("--p1", "0.3", "--p2", "0.5", *SMALL, "--json")
    two = simulate("--p1", "0.3", "--p2", "0.5", *SMALL, "--json", "--workers", "2")
    assert json.loads(one.stdout) == json.loads(two.stdout)


def test_sweep_prints_a_list_with_one_object_per_point(tmp_path: Path) -> None:
    table, figure = tmp_path / "fig1.csv", tmp_path / "fig1.svg"
    result = simulate(
        "--sweep", "p1=0.1:0.9:0.4", "--sweep", "p2=0.1,0.9", *SMALL, "--json",
        "--csv", str(table), "--plot", str(figure),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    points = json.loads(result.stdout)
    assert [(p["params"]["p1"], p["params"]["p2"]) for p in points] == [
        (0.1, 0.1), (0.1, 0.9), (0.5, 0.1), (0.5, 0.9), (0.9, 0.1), (0.9, 0.9),
    ]  # fmt: skip
    with table.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 6
    assert float(rows[0]["mean_code_score"]) == pytest.approx(points[0]["mean_code_score"])
    assert figure.read_text().lstrip().startswith("<?xml")


def test_a_sweep_point_equals_the_single_point_run() -> None:
    single = json.loads(simulate("--p1", "0.5", "--p2", "0.5", *SMALL, "--json").stdout)
    swept = json.loads(simulate("--p2", "0.5", "--sweep", "p1=0.1,0.5", *SMALL, "--json").stdout)
    assert swept[1]["mean_code_score"] == single["mean_code_score"]


def test_without_json_a_table_goes_to_stdout() -> None:
    result = simulate("--p1", "0.5", "--p2", "0.5", *SMALL)
    assert result.exit_code == 0
    assert "code score" in result.stdout


def test_groups_option_runs_communities_and_mixed_learners() -> None:
    communities = simulate("--p1", "0.5", "--p2", "0.5", *SMALL, "--groups", "2", "--beta", "0.2", "--json")
    assert json.loads(communities.stdout)["params"]["communities"] == 2
    mixed = simulate("--p2", "0.5", *SMALL, "--p1", "0.5", "--groups", "5:0.9,5:0.1", "--json")
    groups = json.loads(mixed.stdout)["groups"]
    assert [(group["count"], group["p1"]) for group in groups] == [(5, 0.9), (5, 0.1)]


@pytest.mark.parametrize(
    ("args", "parameter"),
    [
        (["--p1", "1.5", "--p2", "0.5"], "p1"),
        (["--p1", "0.5", "--p2", "-0.2"], "p2"),
        (["--p1", "0.5", "--p2", "0.5", "--p3", "7"], "p3"),
        (["--p1", "0.5", "--p2", "0.5", "--m", "0"], "m"),
        (["--p1", "0.5", "--p2", "0.5", "--n", "0"], "n"),
        (["--p1", "0.5", "--p2", "0.5", "--groups", "3"], "groups"),
        (["--p1", "0.5", "--p2", "0.5", "--frobnicate", "1"], "--frobnicate"),
        (["--p1", "0.5", "--p2", "0.5", "--m", "many"], "--m"),
        (["--p2", "0.5", "--sweep", "p1=0.1:1.5:0.5"], "p1"),
        (["--p2", "0.5", "--sweep", "zeta=1,2"], "zeta"),
        (["--p2", "0.5"], "p1"),
    ],
)
def test_bad_input_exits_with_one_line_naming_the_parameter_and_writes_nothing(
    tmp_path: Path, args: list[str], parameter: str
) -> None:
    table, figure = tmp_path / "out.csv", tmp_path / "out.png"
    # The case's own options come last, so they override the small defaults.
    result = simulate("--m", "10", "--n", "10", "--runs", "2", "--json",
                      "--csv", str(table), "--plot", str(figure), *args)  # fmt: skip
    assert result.exit_code != 0
    assert result.stdout == ""
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert parameter in message
    assert not table.exists()
    assert not figure.exists()


def test_a_plot_must_be_png_or_svg(tmp_path: Path) -> None:
    result = simulate("--p1", "0.5", "--p2", "0.5", *SMALL, "--plot", str(tmp_path / "figure.gif"))
    assert result.exit_code != 0
    assert "plot" in result.stderr


def test_dask_address_without_dask_installed_fails_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    # Make the import fail whether or not dask happens to be installed here.
    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    result = simulate("--p1", "0.5", "--p2", "0.5", *SMALL, "--json", "--dask", "tcp://127.0.0.1:8786")
    assert result.exit_code != 0
    assert result.stdout == ""
    assert "dask is not installed" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_list_of_rates_sweeps_them_like_the_figure_1_command(tmp_path: Path) -> None:
    listed = simulate(
        "--sweep", "p1=0.1,0.9", "--p2", "0.1,0.5", "--m", "10", "--n", "10", "--runs", "3", "--json"
    )
    swept = simulate(
        "--sweep", "p1=0.1,0.9", "--sweep", "p2=0.1,0.5", "--m", "10", "--n", "10", "--runs", "3", "--json"
    )
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout) == json.loads(swept.stdout)
    assert len(json.loads(listed.stdout)) == 4


def test_a_sweep_of_more_than_ten_thousand_points_needs_yes(tmp_path: Path) -> None:
    result = simulate("--sweep", "p1=0.0001:0.9999:0.00001", "--p2", "0.5", "--runs", "1", "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "more than 10,000; add --yes" in result.stderr
