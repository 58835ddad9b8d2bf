"""Full export and import of the organisation, and a person's download of their own data.

The full export (``practica export --all FILE.json``) is one JSON document::

    {"format": "practica-export", "version": 1, "exported_at": "2026-11-25T17:00:00+00:00",
     "models": {"people.Team": [{"id": 1, "name": "…", "parent_id": null, …}, …], …}}

``models`` holds every model of every Practica app (found through Django's app registry, so models
added later are included without a change here), their many-to-many tables (``app.Model_field``)
and Django's user accounts, in dependency order (a model comes after the models it points to). A row
is the model's database columns by attribute name (``team_id``, not ``team``); dates are ISO 8601.
Rows are ordered by primary key, so exporting the same data twice gives the same ``models``.

Left out on purpose (see docs/operations.md): secrets that can be made again (API token hashes,
calendar feed tokens), sessions and background task results, and the audit log, which belongs to
the installation, not to the organisation's content (backups keep it). Password hashes ARE included:
people can still sign in after a move, so treat the file like a backup.

``practica import --all FILE.json`` loads such a file into an empty database in one transaction.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.duration import duration_iso_string

from practica.core.errors import ApplicationError
from practica.people.models import Person

FORMAT = "practica-export"
PERSONAL_FORMAT = "practica-personal-data"
VERSION = 1
# Models whose rows are not part of the organisation's portable content, and why.
EXCLUDED_MODELS: dict[str, str] = {
    "core.AuditLog": "the installation's own record of who did what; kept by backups",
    "people.ApiToken": "secret; people create new tokens after a move",
    "communities.CalendarToken": "secret; feed addresses are made again on first use",
}
# Django's auth fields Practica does not use (it has its own roles).
EXCLUDED_FIELDS: dict[str, set[str]] = {"auth.User": {"groups", "user_permissions"}}
# Field names that hold secrets: never part of a person's own download.
SECRET_FIELD_NAMES = {"password", "token", "token_hash", "secret", "key"}
# A person's data: rows whose foreign key to Person has one of these names.
OWNER_FIELD_NAMES = {"person", "author", "owner", "voter", "created_by", "user"}
BATCH = 500


def _label(model: type[models.Model]) -> str:
    return model._meta.label


def _is_practica(model: type[models.Model]) -> bool:
    return model._meta.app_config is not None and model._meta.app_config.name.startswith("practica.")


def exported_models() -> list[type[models.Model]]:
    """Every model of the full export, parents before children."""
    user_model = get_user_model()
    chosen: list[type[models.Model]] = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or _label(model) in EXCLUDED_MODELS:
            continue
        through = bool(meta.auto_created) and _is_practica_through(model)
        if model is user_model or _is_practica(model) or through:
            chosen.append(model)
    return _dependency_order(chosen)


def _is_practica_through(model: type[models.Model]) -> bool:
    """An automatic many-to-many table whose owner is included (auth's groups are not)."""
    owner = model._meta.auto_created
    if not isinstance(owner, type) or not issubclass(owner, models.Model):
        return False
    if _label(owner) in EXCLUDED_MODELS:
        return False
    if owner is get_user_model():
        return False
    return _is_practica(owner)


def _dependency_order(chosen: list[type[models.Model]]) -> list[type[models.Model]]:
    """Topological order over foreign keys (self references and cycles do not block: foreign keys
    are checked at the end of the import transaction)."""
    ordered: list[type[models.Model]] = []
    placed: set[type[models.Model]] = set()
    pending = sorted(chosen, key=_label)
    included = set(chosen)
    while pending:
        progress = False
        for model in list(pending):
            parents = {
                field.related_model
                for field in model._meta.concrete_fields
                if field.is_relation and field.related_model is not model and field.related_model in included
            }
            if parents <= placed:
                ordered.append(model)
                placed.add(model)
                pending.remove(model)
                progress = True
        if not progress:  # a cycle: place the alphabetically first and carry on
            model = pending.pop(0)
            ordered.append(model)
            placed.add(model)
    return ordered


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    skip = EXCLUDED_FIELDS.get(_label(model), set())
    return [
        field
        for field in model._meta.concrete_fields
        if field.name not in skip and not getattr(field, "generated", False)
    ]


def _encode(field: models.Field[Any, Any], value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(field, models.JSONField):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()  # full precision (DjangoJSONEncoder keeps only milliseconds)
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if value is not None and not isinstance(value, str | int | float | bool):
        return str(value)  # Decimal, UUID
    return value


def _rows(
    model: type[models.Model], queryset: models.QuerySet[Any] | None = None
) -> Iterator[dict[str, Any]]:
    fields = _fields(model)
    names = [field.attname for field in fields]
    source = model._base_manager.all() if queryset is None else queryset
    for values in source.order_by("pk").values_list(*names).iterator(chunk_size=2000):
        yield {name: _encode(field, value) for name, field, value in zip(names, fields, values, strict=True)}


def export_all() -> dict[str, Any]:
    """Every object of the organisation as a ``practica-export`` document (a consistent snapshot)."""
    with transaction.atomic():  # one read snapshot on PostgreSQL; SQLite reads one WAL snapshot
        data = {_label(model): list(_rows(model)) for model in exported_models()}
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "models": data,
    }


def export_all_json() -> str:
    return json.dumps(export_all(), cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)


@dataclass(frozen=True)
class ImportReport:
    models: int
    rows: int


def _decode(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None or isinstance(field, models.JSONField):
        return value
    if isinstance(field, models.BinaryField):
        return base64.b64decode(value)
    if field.is_relation:
        target = field.target_field  # type: ignore[attr-defined]
        return target.to_python(value)
    return field.to_python(value)


def _check_document(document: Any) -> dict[str, list[dict[str, Any]]]:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ApplicationError(f"This is not a Practica export: the 'format' is not {FORMAT!r}.")
    if document.get("version") != VERSION:
        raise ApplicationError(
            f"This export has version {document.get('version')!r}; this Practica reads version {VERSION}."
        )
    data = document.get("models")
    if not isinstance(data, dict) or not all(isinstance(rows, list) for rows in data.values()):
        raise ApplicationError("The export has no 'models' object mapping model names to lists of rows.")
    known = {_label(model) for model in exported_models()}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ApplicationError(
            f"The export names models this Practica does not have: {', '.join(unknown[:5])}. "
            "Upgrade Practica (and run its migrations) to the version that wrote the file."
        )
    return data


def import_all(document: Any) -> ImportReport:
    """Load a ``practica-export`` document into an empty database: all or nothing.

    A database with accounts or people is refused. Rows the migrations seed (such as the built-in
    method templates) are replaced by the file's rows.
    """
    data = _check_document(document)
    order = [model for model in exported_models() if _label(model) in data]
    total = 0
    with transaction.atomic():
        _clear_seeded(order, data)
        for model in order:
            fields = _fields(model)
            rows = data[_label(model)]
            objects = []
            for number, row in enumerate(rows, start=1):
                try:
                    values = {
                        field.attname: _decode(field, row[field.attname])
                        for field in fields
                        if field.attname in row
                    }
                except Exception as error:  # a value of the wrong type: name the place
                    raise ApplicationError(f"{_label(model)} row {number}: {error}") from None
                objects.append(model(**values))
            for start in range(0, len(objects), BATCH):
                batch = objects[start : start + BATCH]
                model._base_manager._insert(  # type: ignore[attr-defined]
                    batch, fields=fields, using=connection.alias, raw=True
                )
            total += len(objects)
        _reset_sequences(order)
        _check_foreign_keys(order)
    return ImportReport(models=len(order), rows=total)


def _clear_seeded(order: list[type[models.Model]], data: dict[str, list[dict[str, Any]]]) -> None:
    from practica.core.backup import database_has_data

    if database_has_data():
        raise ApplicationError(
            "The database is not empty (it has accounts or people); import --all only loads into a "
            "new database. Point DATABASE_URL at an empty database, or restore a backup instead."
        )
    # No accounts and no people: what is left are rows the migrations seed (the built-in method
    # templates); the file has its own copy of them, so they make way.
    for model in reversed(exported_models()):
        model._base_manager.all()._raw_delete(connection.alias)


def _reset_sequences(order: list[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), order)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _check_foreign_keys(order: list[type[models.Model]]) -> None:
    from django.db import IntegrityError

    try:
        connection.check_constraints(table_names=[model._meta.db_table for model in order])
    except IntegrityError as error:
        raise ApplicationError(f"The export refers to rows it does not contain: {error}") from None


def read_export_file(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ApplicationError(f"The file is not valid JSON (line {error.lineno}: {error.msg}).") from None


def check_import_size(size: int) -> None:
    limit = settings.PRACTICA_IMPORT_MAX_BYTES
    if size > limit:
        raise ApplicationError(
            f"The file is {size:,} bytes; the limit is {limit:,} "
            "(set PRACTICA_IMPORT_MAX_BYTES to allow more)."
        )


# A person's own data ------------------------------------------------------------------------------


def _owner_fields(model: type[models.Model]) -> list[str]:
    user_model = get_user_model()
    return [
        field.attname
        for field in model._meta.concrete_fields
        if field.is_relation
        and field.name in OWNER_FIELD_NAMES
        and (field.related_model is Person or field.related_model is user_model)
    ]


def _points_at_person(model: type[models.Model]) -> bool:
    user_model = get_user_model()
    return any(
        field.is_relation and field.related_model in (Person, user_model)
        for field in model._meta.concrete_fields
    )


def _personal_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [field for field in _fields(model) if field.name not in SECRET_FIELD_NAMES]


def _personal_rows(model: type[models.Model], queryset: models.QuerySet[Any]) -> list[dict[str, Any]]:
    fields = _personal_fields(model)
    names = [field.attname for field in fields]
    return [
        {name: _encode(field, value) for name, field, value in zip(names, fields, values, strict=True)}
        for values in queryset.order_by("pk").values_list(*names)
    ]


def personal_data(person: Person) -> dict[str, Any]:
    """Everything ``person`` made or that is about them, as a ``practica-personal-data`` document.

    Found generically: every Practica model row whose foreign key to the person is called person,
    author, owner, voter, created_by or user, plus the rows that belong to those rows and to nobody
    else (a check attempt's answers, a goal's milestones). Secrets (password hash, token hashes) are
    left out, and so are rows of other people, even when they point at this person (as a manager).
    """
    user_model = get_user_model()
    result: dict[str, list[dict[str, Any]]] = {}
    owned: dict[type[models.Model], models.QuerySet[Any]] = {}
    candidates = [
        model
        for model in apps.get_models(include_auto_created=True)
        if (_is_practica(model) or (model._meta.auto_created and _is_practica_through(model)))
        and not model._meta.proxy
    ]
    for model in candidates:
        if model is Person:
            owned[model] = Person.objects.filter(pk=person.pk)
            continue
        names = _owner_fields(model)
        if names:
            condition = models.Q()
            for name in names:
                field = model._meta.get_field(name.removesuffix("_id"))
                value = person.user_id if field.related_model is user_model else person.pk
                condition |= models.Q(**{name: value})
            owned[model] = model._base_manager.filter(condition)
    # One level down: rows of models with no person of their own that belong to an owned row.
    for model in candidates:
        if model in owned or _points_at_person(model):
            continue
        for field in model._meta.concrete_fields:
            parent = field.related_model
            if field.is_relation and not field.null and isinstance(parent, type) and parent in owned:
                parent_ids = owned[parent].values("pk")
                condition = models.Q(**{f"{field.attname}__in": parent_ids})
                owned[model] = (
                    owned[model] | model._base_manager.filter(condition)
                    if model in owned
                    else model._base_manager.filter(condition)
                )
    for model, queryset in sorted(owned.items(), key=lambda item: _label(item[0])):
        rows = _personal_rows(model, queryset.distinct())
        if rows:
            result[_label(model)] = rows
    account = user_model._base_manager.filter(pk=person.user_id)
    result[_label(user_model)] = _personal_rows(user_model, account)
    return {
        "format": PERSONAL_FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "person": {"id": person.pk, "display_name": person.display_name, "email": person.email},
        "models": result,
    }


def personal_data_json(*, person: Person) -> str:
    """The download of the profile page; records that it happened in the audit log."""
    from practica.core.audit import audit_record

    document = personal_data(person)
    audit_record(actor=person, action="personal_data.downloaded", target=person)
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)


def model_counts(labels: Iterable[str] | None = None) -> dict[str, int]:
    """Rows per exported model (for reports and tests)."""
    wanted = set(labels) if labels is not None else None
    return {
        _label(model): model._base_manager.count()
        for model in exported_models()
        if wanted is None or _label(model) in wanted
    }
