"""The authorisation table: every page and API operation has a rule, and docs/security.md is current."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command

from practica.core import access_table
from practica.core.access_rules import API_RULES, PAGE_RULES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def test_every_page_route_has_a_rule():
    missing = access_table.missing_page_rules()
    drafts = "\n".join(access_table.rules_file_lines(pages=missing, operations=[]))
    assert not missing, f"Add these to PAGE_RULES in core/access_rules.py:\n{drafts}"


def test_every_api_operation_has_a_rule():
    missing = access_table.missing_api_rules()
    drafts = "\n".join(access_table.rules_file_lines(pages=[], operations=missing))
    assert not missing, f"Add these to API_RULES in core/access_rules.py:\n{drafts}"


def test_no_rule_names_a_route_that_is_gone():
    assert access_table.stale_rules() == []


def test_rules_say_something_for_reading_and_writing():
    for key, (read, write) in {**PAGE_RULES, **API_RULES}.items():
        assert read.strip() and write.strip(), key
        assert read != "—" or write != "—", f"{key}: neither reads nor writes"


def test_the_table_lists_every_route_and_operation():
    table = access_table.markdown_table()
    assert "**missing rule**" not in table
    for route in access_table.page_routes():
        assert f"`{route.name}`" in table
    for operation in access_table.api_operations():
        assert f"`{operation.key}`" in table


def test_docs_security_md_holds_the_current_table():
    from practica.core.management.commands.security_table import BEGIN, END

    text = DOCS.read_text(encoding="utf-8")
    generated = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert generated == access_table.markdown_table().strip(), (
        "docs/security.md is out of date: run `practica manage security_table --write docs/security.md`"
    )


def test_missing_prints_drafts_in_the_rules_file_format(monkeypatch, capsys):
    import pytest
    from django.core.management.base import CommandError

    from practica.core import access_rules

    monkeypatch.delitem(access_rules.PAGE_RULES, "people:directory")
    monkeypatch.delitem(access_rules.API_RULES, "GET /api/v1/people")
    with pytest.raises(CommandError, match="1 page"):
        call_command("security_table", "--missing")
    out = capsys.readouterr().out
    assert "    'people:directory': ('signed-in people', '—'),  # /people/" in out
    assert "    'GET /api/v1/people': (" in out
