"""Full export and import (portability) and a person's own data download."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from practica.core import portability
from practica.core.errors import ApplicationError
from practica.core.models import AuditLog


def _empty_the_database() -> None:
    """Remove every exported row (the import's precondition), keeping the schema."""
    for model in reversed(portability.exported_models()):
        model._base_manager.all()._raw_delete(connection.alias)
    AuditLog.objects.all().delete()


@pytest.fixture
def organisation(db):
    from practica.demo.generator import generate_organisation

    generate_organisation(people=50, seed=3)


def test_every_model_of_every_practica_app_is_exported_or_excluded_for_a_reason():
    exported = {model._meta.label for model in portability.exported_models()}
    for config in apps.get_app_configs():
        if not config.name.startswith("practica."):
            continue
        for model in config.get_models(include_auto_created=True):
            label = model._meta.label
            assert label in exported or label in portability.EXCLUDED_MODELS, label
    assert get_user_model()._meta.label in exported


def test_models_come_after_the_models_they_point_to():
    order = portability.exported_models()
    position = {model: index for index, model in enumerate(order)}
    for model in order:
        for field in model._meta.concrete_fields:
            parent = field.related_model
            if field.is_relation and not field.null and parent in position and parent is not model:
                assert position[parent] < position[model], (model._meta.label, field.name)


def test_round_trip_into_an_empty_database_gives_the_same_export(organisation):
    first = portability.export_all()
    assert first["format"] == "practica-export" and first["version"] == 1
    assert sum(len(rows) for rows in first["models"].values()) > 1000
    assert first["models"]["people.Person"] and first["models"]["calibration.Forecast"]
    assert "people.ApiToken" not in first["models"] and "core.AuditLog" not in first["models"]
    text = json.dumps(first)  # what the file holds

    _empty_the_database()
    report = portability.import_all(portability.read_export_file(text))
    second = portability.export_all()

    assert report.rows == sum(len(rows) for rows in first["models"].values())
    assert second["models"] == first["models"]


def test_import_refuses_a_database_that_already_has_an_organisation(organisation):
    document = json.loads(json.dumps(portability.export_all()))
    with pytest.raises(ApplicationError, match="not empty"):
        portability.import_all(document)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"format": "something-else"}, "not a Practica export"),
        ({"format": "practica-export", "version": 99, "models": {}}, "version 99"),
        ({"format": "practica-export", "version": 1, "models": []}, "no 'models'"),
        ({"format": "practica-export", "version": 1, "models": {"nope.Model": []}}, "nope.Model"),
    ],
)
def test_import_rejects_files_that_are_not_exports(db, document, message):
    with pytest.raises(ApplicationError, match=message):
        portability.import_all(document)


def test_import_names_the_row_with_a_bad_value(db):
    document = {
        "format": "practica-export",
        "version": 1,
        "models": {"people.Team": [{"id": 1, "name": "A", "slug": "a", "kind": "team", "parent_id": "x"}]},
    }
    _empty_the_database()
    with pytest.raises(ApplicationError, match=r"people.Team row 1"):
        portability.import_all(document)
    assert not apps.get_model("people", "Team").objects.exists()


def test_bad_json_and_big_files_get_clear_errors(settings):
    with pytest.raises(ApplicationError, match="not valid JSON"):
        portability.read_export_file("{nope")
    settings.PRACTICA_IMPORT_MAX_BYTES = 1000
    with pytest.raises(ApplicationError, match="PRACTICA_IMPORT_MAX_BYTES"):
        portability.check_import_size(1001)
    portability.check_import_size(1000)


def test_cli_export_and_import_all(organisation, tmp_path, monkeypatch, capsys):
    import sys

    from practica.cli import main

    def run(*args: str) -> int:
        monkeypatch.setattr(sys, "argv", ["practica", *args])
        with pytest.raises(SystemExit) as exited:
            main()
        return exited.value.code or 0

    file = tmp_path / "everything.json"
    assert run("export", "--all", str(file)) == 0
    written = json.loads(file.read_text())
    assert written["format"] == "practica-export"
    assert AuditLog.objects.filter(action="data.exported").exists()
    assert run("import", "--all", str(file)) == 2  # the database is not empty
    assert "not empty" in capsys.readouterr().err
    _empty_the_database()
    assert run("import", "--all", str(file)) == 0
    assert portability.export_all()["models"] == written["models"]
    assert AuditLog.objects.filter(action="data.imported").exists()


# A person's own data ------------------------------------------------------------------------------


@pytest.fixture
def two_people_with_data(owner, member, outsider):
    from datetime import timedelta

    from django.utils import timezone

    from practica.calibration import forecasts
    from practica.communities.services import community_create, membership_join

    community = community_create(actor=owner, name="Testing", tags="qa")
    membership_join(person=member, community=community)
    membership_join(person=outsider, community=community)
    question = forecasts.forecast_question_create(
        actor=member,
        community=community,
        title="Will the release ship by Friday?",
        details="Yes if it is tagged.",
        closes_at=timezone.now() + timedelta(days=3),
    )
    mine = forecasts.forecast_make(person=member, question=question, probability=0.7)
    theirs = forecasts.forecast_make(person=outsider, question=question, probability=0.2)
    return community, question, mine, theirs


def test_personal_data_holds_my_data_and_not_other_peoples(two_people_with_data, member, outsider):
    _community, question, mine, _theirs = two_people_with_data
    document = portability.personal_data(member)
    models = document["models"]
    assert document["format"] == "practica-personal-data"
    assert [row["id"] for row in models["people.Person"]] == [member.pk]
    assert [row["id"] for row in models["calibration.Forecast"]] == [mine.pk]
    assert question.pk in [row["id"] for row in models["calibration.ForecastQuestion"]]
    assert {row["person_id"] for row in models["communities.Membership"]} == {member.pk}
    text = json.dumps(document)
    assert outsider.email not in text and "Otto Outsider" not in text
    for rows in models.values():
        for row in rows:
            assert row.get("person_id") in (None, member.pk)
            assert "password" not in row and "token_hash" not in row
    assert models["auth.User"][0]["username"] == "member"


def test_profile_download_is_the_signed_in_persons_data(two_people_with_data, member, client_for, client):
    url = reverse("core:personal-data")
    response = client_for(member).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert json.loads(response.content)["person"]["id"] == member.pk
    assert AuditLog.objects.filter(action="personal_data.downloaded", actor=member).count() == 1
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/signin/" in anonymous["Location"]
    profile = client_for(member).get(reverse("people:profile"))
    assert url in profile.content.decode()
