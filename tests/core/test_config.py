from __future__ import annotations

import stat
import subprocess
import sys

import pytest

from practica import config
from practica.config import ConfigError, Environment


def test_flags_accept_the_usual_words():
    env = Environment({"A": "yes", "B": "0", "C": " TRUE "})
    assert env.flag("A") is True
    assert env.flag("B") is False
    assert env.flag("C") is True
    assert env.flag("MISSING", default=True) is True


def test_a_flag_that_is_not_yes_or_no_names_the_variable():
    with pytest.raises(ConfigError, match=r"^DEBUG='maybe' is not a yes/no value"):
        Environment({"DEBUG": "maybe"}).flag("DEBUG")


def test_whole_numbers_are_checked_against_their_minimum():
    env = Environment({"PRACTICA_MIN_GROUP_SIZE": "2", "EMAIL_PORT": "x"})
    with pytest.raises(
        ConfigError, match=r"PRACTICA_MIN_GROUP_SIZE=2 is too small; the smallest allowed value is 3\."
    ):
        env.integer("PRACTICA_MIN_GROUP_SIZE", 5, minimum=3)
    with pytest.raises(ConfigError, match="EMAIL_PORT='x' is not a whole number"):
        env.integer("EMAIL_PORT", 587)


def test_allowed_hosts_are_split_on_commas():
    assert Environment({"ALLOWED_HOSTS": "a.example, b.example,,"}).words("ALLOWED_HOSTS", "") == [
        "a.example",
        "b.example",
    ]


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    env = Environment({})
    first = config.secret_key(env, tmp_path)
    assert len(first) >= 50
    assert config.secret_key(env, tmp_path) == first
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_a_short_secret_key_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY is shorter than 32 characters"):
        config.secret_key(Environment({"SECRET_KEY": "short"}), tmp_path)


def test_sqlite_is_the_default_and_tuned_for_concurrent_use(tmp_path):
    database = config.database(Environment({}), tmp_path)
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(tmp_path / "practica.sqlite3")
    options = database["OPTIONS"]
    assert isinstance(options, dict)
    assert "journal_mode=WAL" in options["init_command"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5


def test_postgres_comes_from_database_url(tmp_path):
    env = Environment({"DATABASE_URL": "postgres://u:p@db.example:5433/practica"})
    database = config.database(env, tmp_path)
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.example", 5433, "practica")


def test_an_unsupported_database_url_names_the_variable(tmp_path):
    with pytest.raises(ConfigError, match=r"^DATABASE_URL='mysql://x/y' has scheme 'mysql'"):
        config.database(Environment({"DATABASE_URL": "mysql://x/y"}), tmp_path)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("PRACTICA_MIN_GROUP_SIZE", "2"),
        ("DATABASE_URL", "mysql://x/y"),
        ("PRACTICA_BASE_URL", "practica.example.org"),
    ],
)
def test_a_bad_value_stops_the_command_line_with_one_line(tmp_path, variable, value):
    environment = {
        "PATH": "/usr/bin:/bin",
        "PRACTICA_DATA_DIR": str(tmp_path),
        variable: value,
    }
    result = subprocess.run(
        [sys.executable, "-m", "practica.cli", "manage", "check"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
