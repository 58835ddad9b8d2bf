"""The ``practica`` command line.

Most tests run ``main()`` in this process against the test database (fast, and they see the real exit
code and output); a few run the installed ``practica`` script end to end, because a bad environment
variable can only be seen by a fresh process that loads the settings.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from practica.cli import app, main

PRACTICA = Path(sys.executable).parent / "practica"
HEADER = "email,name,team,parent_team,manager_email,title,location\n"


@dataclass
class Outcome:
    code: int
    out: str
    err: str


@pytest.fixture
def practica(monkeypatch, capsys):
    """Run the command line in this process, as the console script would."""

    def run(*args: str) -> Outcome:
        monkeypatch.setattr(sys, "argv", ["practica", *args])
        with pytest.raises(SystemExit) as exited:
            main()
        captured = capsys.readouterr()
        return Outcome(code=exited.value.code or 0, out=captured.out, err=captured.err)

    return run


def database_counts() -> tuple[int, int, int]:
    from practica.people.models import Person, Team, TeamMembership

    return Person.objects.count(), Team.objects.count(), TeamMembership.objects.count()


# Help


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ([], "Practica: run a learning organisation"),
        (["demo"], "Create a synthetic demo organisation"),
        (["serve"], "Migrate, create the demo organisation if the database is empty"),
        (["manage"], "Run one of Django's own management commands"),
        (["import"], "Import data from files."),
        (["import", "people"], "Import people and teams from CSV"),
        (["export"], "Export data to files."),
        (["export", "people"], "Export people and teams as CSV"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_every_command_explains_itself_with_help(command, expected):
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert expected in result.output


def test_help_lists_every_command():
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    for command in ["demo", "serve", "manage", "import", "export"]:
        assert command in result.output


def test_option_with_a_bad_value_is_refused_with_a_usage_error():
    result = CliRunner().invoke(app, ["demo", "--people", "many"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "Invalid value for '--people'" in result.output


# demo


@pytest.mark.django_db
def test_demo_creates_the_organisation_and_prints_the_sign_ins(practica, settings):
    settings.PRACTICA_DEMO_PASSWORD = "shown-to-the-user"
    outcome = practica("demo", "--people", "50", "--seed", "3")
    assert outcome.code == 0, outcome.err
    assert database_counts()[0] == 50
    for username in ["demo-member", "demo-lead", "demo-steward", "demo-admin"]:
        assert username in outcome.out
    assert "shown-to-the-user" in outcome.out


@pytest.mark.django_db
def test_demo_with_a_size_out_of_range_stops_with_one_line(practica):
    outcome = practica("demo", "--people", "10")
    assert outcome.code == 2
    assert outcome.err.strip() == "--people must be between 50 and 20000, not 10."
    assert database_counts() == (0, 0, 0)


@pytest.mark.django_db
def test_demo_refuses_a_database_that_already_has_people(practica, member):
    before = database_counts()
    outcome = practica("demo", "--people", "50")
    assert outcome.code == 2
    assert outcome.err.strip().endswith("the demo only fills an empty one.")
    assert database_counts() == before


# import and export


@pytest.mark.django_db
def test_import_creates_people_and_reports_what_changed(practica, tmp_path):
    file = tmp_path / "people.csv"
    file.write_text(HEADER + "ann@example.org,Ann Archer,Payments,Engineering,,,\n", encoding="utf-8")
    outcome = practica("import", "people", str(file))
    assert outcome.code == 0, outcome.err
    assert "create person ann@example.org" in outcome.out
    assert "Changed: 1 people created" in outcome.out
    assert database_counts() == (1, 2, 1)


@pytest.mark.django_db
def test_import_dry_run_says_what_would_change_and_changes_nothing(practica, tmp_path, member):
    before = database_counts()
    file = tmp_path / "people.csv"
    file.write_text(HEADER + "ann@example.org,Ann Archer,Payments,,,,\n", encoding="utf-8")
    outcome = practica("import", "people", str(file), "--dry-run")
    assert outcome.code == 0, outcome.err
    assert "Would change: 1 people created" in outcome.out
    assert "add ann@example.org to Payments" in outcome.out
    assert database_counts() == before


@pytest.mark.django_db
def test_import_of_a_file_with_errors_names_row_and_column_and_changes_nothing(practica, tmp_path, member):
    before = database_counts()
    file = tmp_path / "people.csv"
    file.write_text(
        HEADER + "ann@example.org,Ann Archer,Payments,,,,\nbea@example.org,Bea,Payments,,x@y.org,,\n",
        encoding="utf-8",
    )
    outcome = practica("import", "people", str(file))
    assert outcome.code == 2
    assert "error row 3, manager_email: no person with x@y.org" in outcome.err.splitlines()
    assert outcome.err.splitlines()[-1] == f"{file}: 1 problem(s); nothing was imported."
    assert database_counts() == before


@pytest.mark.django_db
def test_import_errors_quoting_brackets_from_the_file_are_printed_as_text(practica, tmp_path):
    file = tmp_path / "people.csv"
    file.write_text(HEADER + "ann@example.org,Ann,Payments,,[/b][bold],,\n", encoding="utf-8")
    outcome = practica("import", "people", str(file))
    assert outcome.code == 2
    assert "error row 2, manager_email: no person with [/b][bold]" in outcome.err.splitlines()


@pytest.mark.django_db
def test_long_import_errors_stay_on_one_line_each(practica, tmp_path):
    team = "A team with a very long name " * 4
    file = tmp_path / "people.csv"
    file.write_text(HEADER + f"ann@example.org,Ann,{team},{team},,,\n", encoding="utf-8")
    outcome = practica("import", "people", str(file))
    assert outcome.code == 2
    assert outcome.err.splitlines() == [
        "error row 2, parent_team: a team cannot be its own parent",
        "error row 2, parent_team: makes the org chart go round in a circle",
        f"{file}: 2 problem(s); nothing was imported.",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.csv", None, "missing.csv: no such file."),
        (
            "latin1.csv",
            (HEADER + "zoe@example.org,Zoë,,,,,\n").encode("latin-1"),
            "latin1.csv: not UTF-8 text",
        ),
        ("draft [v2].csv", None, "draft [v2].csv: no such file."),
    ],
    ids=["missing file", "not UTF-8", "brackets in the name"],
)
def test_unreadable_file_stops_with_one_line(practica, tmp_path, name, content, expected):
    file = tmp_path / name
    if content is not None:
        file.write_bytes(content)
    outcome = practica("import", "people", str(file))
    assert outcome.code == 2
    (line,) = outcome.err.splitlines()
    assert expected in line
    assert database_counts() == (0, 0, 0)


@pytest.mark.django_db
def test_export_writes_the_csv_to_standard_output(practica, member):
    outcome = practica("export", "people", "-")
    assert outcome.code == 0, outcome.err
    assert outcome.out.splitlines()[0] == HEADER.strip()
    assert "member@example.org,Max Member,Payments,Engineering,owner@example.org,QA Engineer," in outcome.out


@pytest.mark.django_db
def test_export_into_a_missing_folder_stops_with_one_line(practica, tmp_path, member):
    outcome = practica("export", "people", str(tmp_path / "no-such-folder" / "people.csv"))
    assert outcome.code == 2
    (line,) = outcome.err.splitlines()
    assert "people.csv: cannot write there" in line


@pytest.mark.django_db
def test_export_then_import_of_the_same_file_changes_nothing(practica, tmp_path, member, outsider):
    file = tmp_path / "people.csv"
    assert practica("export", "people", str(file)).code == 0
    assert file.read_text(encoding="utf-8").startswith(HEADER)
    before = database_counts()
    outcome = practica("import", "people", str(file))
    assert outcome.code == 0, outcome.err
    assert "Nothing to change" in outcome.out
    assert database_counts() == before


# manage


@pytest.mark.django_db
def test_manage_runs_djangos_own_commands(practica):
    outcome = practica("manage", "check")
    assert outcome.code == 0, outcome.err
    assert "no issues" in outcome.out


# End to end, in a fresh process with its own database


@pytest.fixture
def fresh_environment(tmp_path):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DEBUG", "SECRET_KEY", "PRACTICA_MIN_GROUP_SIZE"}
    }
    environment.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PRACTICA_DATA_DIR=str(tmp_path / "data"),
        COLUMNS="200",
    )
    return environment


def run_script(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PRACTICA), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_demo_then_export_then_import_of_the_export_changes_nothing(fresh_environment, tmp_path):
    demo = run_script("demo", "--people", "60", "--seed", "3", env=fresh_environment, cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert "demo-admin" in demo.stdout

    exported = run_script("export", "people", "out.csv", env=fresh_environment, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    text = (tmp_path / "out.csv").read_text(encoding="utf-8")
    assert text.startswith(HEADER)
    assert len({line.split(",")[0] for line in text.splitlines()[1:]}) == 60

    imported = run_script("import", "people", "out.csv", env=fresh_environment, cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "Nothing to change: the database already matches the file." in imported.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DEBUG", "maybe"), ("PRACTICA_MIN_GROUP_SIZE", "2"), ("DATABASE_URL", "mysql://x")],
)
def test_bad_environment_value_stops_with_one_line_naming_the_variable(
    fresh_environment, tmp_path, variable, value
):
    fresh_environment[variable] = value
    result = run_script("manage", "check", env=fresh_environment, cwd=tmp_path)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Configuration error: {variable}=")
    assert "Traceback" not in result.stdout


def test_serve_runs_the_worker_beside_the_server_and_stops_it_with_the_server():
    import subprocess
    import sys

    from practica.cli import _run_together

    code = _run_together(
        [sys.executable, "-c", "raise SystemExit(3)"], [sys.executable, "-c", "import time; time.sleep(60)"]
    )
    assert code == 3
    # The companion was terminated: no stray sleeping child is left behind.
    children = subprocess.run(["pgrep", "-f", "time.sleep(60)"], capture_output=True, text=True).stdout
    assert children.strip() == ""


def test_serve_collects_static_files_only_when_they_changed(settings, tmp_path, monkeypatch):
    import django.core.management

    from practica import cli

    settings.STATIC_ROOT = tmp_path
    runs: list[str] = []
    monkeypatch.setattr(django.core.management, "call_command", lambda name, **options: runs.append(name))
    assert cli.collect_static_when_changed() is True
    assert cli.collect_static_when_changed() is False
    (tmp_path / cli.STATIC_FINGERPRINT).write_text("an older set of files")
    assert cli.collect_static_when_changed() is True
    assert runs == ["collectstatic", "collectstatic"]
