"""Import and export people and teams as CSV: all-or-nothing, idempotent, with row-and-column errors.

The format (one row per person and team; a person in two teams has two rows):

    email,name,team,parent_team,manager_email,title,location

``email`` and ``name`` are required. Rows are numbered as a spreadsheet shows them (the header is
row 1). Importing creates missing teams and people and updates changed ones; a person's teams become
exactly the teams listed for them; people not in the file are left alone. An empty ``parent_team``
leaves a team's place in the org chart as it is. The demo generator feeds its synthetic organisation
through the same code (:func:`people_import_rows`), so the rules live in one place.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from practica.core.errors import ApplicationError
from practica.people.models import Person, Team, TeamKind, TeamMembership
from practica.people.services import normalise_email, unique_team_slug

COLUMNS = ("email", "name", "team", "parent_team", "manager_email", "title", "location")
REQUIRED_COLUMNS = ("email", "name")
MAX_ERRORS_SHOWN = 50
MAX_FIELD_LENGTH = 150


@dataclass(frozen=True)
class PersonRow:
    """One line of a people CSV, already trimmed."""

    row: int
    email: str
    name: str
    team: str = ""
    parent_team: str = ""
    manager_email: str = ""
    title: str = ""
    location: str = ""


class PeopleImportError(ApplicationError):
    """The file has problems; nothing was changed. ``errors`` lists each as "row N, column: why"."""

    def __init__(self, errors: list[str]) -> None:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{errors[0]}{more}. Nothing was imported.")
        self.errors = errors


@dataclass
class ImportReport:
    """What an import changed, or with ``dry_run`` would change."""

    dry_run: bool
    rows: int = 0
    teams_created: int = 0
    teams_moved: int = 0
    people_created: int = 0
    people_updated: int = 0
    memberships_added: int = 0
    memberships_removed: int = 0
    managers_changed: int = 0
    changes: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.changes)


def parse_people_csv(text: str) -> list[PersonRow]:
    """Read CSV text into rows, refusing unknown or missing columns."""
    # csv.reader rather than DictReader: DictReader skips blank lines without counting them, which
    # would make every later error name the wrong row.
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in next(reader, [])]
    if not any(header):
        raise PeopleImportError(["row 1: the file is empty; the first row must name the columns"])
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    problems = [f"row 1, {name}: unknown column (allowed: {', '.join(COLUMNS)})" for name in unknown]
    problems += [f"row 1, {name}: required column is missing" for name in missing]
    repeated = sorted({name for name in header if header.count(name) > 1})
    problems += [f"row 1, {name}: column appears more than once" for name in repeated]
    if problems:
        raise PeopleImportError(problems)
    rows = []
    for number, record in enumerate(reader, start=2):
        if len(record) > len(header):
            raise PeopleImportError([f"row {number}: more values than columns"])
        record += [""] * (len(header) - len(record))
        values = {key: value.strip() for key, value in zip(header, record, strict=True)}
        if not any(values.values()):
            continue
        rows.append(PersonRow(row=number, **values))
    return rows


def people_import_csv(*, text: str, dry_run: bool = False) -> ImportReport:
    """Import a people CSV (see the module docstring); all-or-nothing."""
    return people_import_rows(parse_people_csv(text), dry_run=dry_run)


def people_export_csv() -> str:
    """Every active person and their teams, in the import format (a round trip changes nothing)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    memberships: dict[int, list[TeamMembership]] = defaultdict(list)
    for membership in TeamMembership.objects.select_related("team__parent", "manager__user"):
        memberships[membership.person_id].append(membership)
    for person in Person.objects.filter(user__is_active=True).order_by("email"):
        placed = sorted(memberships.get(person.pk, []), key=lambda m: m.team.name)
        if not placed:
            writer.writerow([person.email, person.display_name, "", "", "", person.title, person.location])
        for membership in placed:
            team = membership.team
            writer.writerow(
                [
                    person.email,
                    person.display_name,
                    team.name,
                    team.parent.name if team.parent else "",
                    # A deactivated manager is not exported, so the file re-imports into an empty database.
                    membership.manager.email
                    if membership.manager and membership.manager.user.is_active
                    else "",
                    person.title,
                    person.location,
                ]
            )
    return buffer.getvalue()


def _check_rows(rows: list[PersonRow], known_emails: set[str]) -> list[str]:
    errors: list[str] = []
    first_row_of: dict[str, PersonRow] = {}
    seen_pairs: dict[tuple[str, str], int] = {}
    for row in rows:
        email = normalise_email(row.email)
        for column in ("name", "team", "parent_team", "title", "location"):
            if len(getattr(row, column)) > MAX_FIELD_LENGTH:
                errors.append(f"row {row.row}, {column}: longer than {MAX_FIELD_LENGTH} characters")
        try:
            validate_email(email)
        except ValidationError:
            errors.append(f"row {row.row}, email: {row.email!r} is not an email address")
            continue
        if not row.name:
            errors.append(f"row {row.row}, name: is empty")
        if row.parent_team and not row.team:
            errors.append(f"row {row.row}, parent_team: given without a team")
        if row.team and row.team.lower() == row.parent_team.lower():
            errors.append(f"row {row.row}, parent_team: a team cannot be its own parent")
        manager = normalise_email(row.manager_email)
        if manager:
            if manager == email:
                errors.append(f"row {row.row}, manager_email: a person cannot be their own manager")
            elif manager not in known_emails:
                errors.append(f"row {row.row}, manager_email: no person with {row.manager_email}")
            if not row.team:
                errors.append(f"row {row.row}, manager_email: a manager needs a team")
        pair = (email, row.team.lower())
        if pair in seen_pairs:
            errors.append(f"row {row.row}, team: repeats row {seen_pairs[pair]} for the same person")
        seen_pairs[pair] = row.row
        earlier = first_row_of.setdefault(email, row)
        for column in ("name", "title", "location"):
            if getattr(earlier, column) != getattr(row, column):
                errors.append(f"row {row.row}, {column}: differs from row {earlier.row} for the same person")
    return errors


def _team_parents(rows: list[PersonRow], teams: dict[str, Team], errors: list[str]) -> dict[str, str]:
    """The parent each team named in the file should have (lower-cased names), checking conflicts."""
    wanted: dict[str, tuple[str, int]] = {}
    for row in rows:
        if not (row.team and row.parent_team):
            continue
        key, parent = row.team.lower(), row.parent_team
        if key in wanted and wanted[key][0].lower() != parent.lower():
            errors.append(
                f"row {row.row}, parent_team: {row.team} is under {wanted[key][0]} in row {wanted[key][1]}"
            )
        wanted.setdefault(key, (parent, row.row))
    final = {name: (team.parent.name.lower() if team.parent else "") for name, team in teams.items()}
    final.update({name: parent.lower() for name, (parent, _) in wanted.items()})
    for name, (_, row_number) in wanted.items():
        seen, current = {name}, final.get(name, "")
        while current:
            if current in seen:
                errors.append(f"row {row_number}, parent_team: makes the org chart go round in a circle")
                break
            seen.add(current)
            current = final.get(current, "")
    return {name: parent.lower() for name, (parent, _) in wanted.items()}


def people_import_rows(rows: list[PersonRow], *, dry_run: bool = False) -> ImportReport:
    """Bring people, teams and memberships in line with ``rows``; all-or-nothing."""
    with transaction.atomic():
        report = _plan_and_apply(rows, dry_run=dry_run)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _plan_and_apply(rows: list[PersonRow], *, dry_run: bool) -> ImportReport:
    report = ImportReport(dry_run=dry_run, rows=len(rows))
    people = {person.email: person for person in Person.objects.all()}
    file_emails = {normalise_email(row.email) for row in rows}
    errors = _check_rows(rows, set(people) | file_emails)
    teams = {team.name.lower(): team for team in Team.objects.select_related("parent")}
    parents = _team_parents(rows, teams, errors)
    if errors:
        raise PeopleImportError(errors[:MAX_ERRORS_SHOWN])

    _apply_teams(rows, teams, parents, report)
    _apply_people(rows, people, report)
    _apply_memberships(rows, people, teams, report)
    return report


def _apply_teams(
    rows: list[PersonRow], teams: dict[str, Team], parents: dict[str, str], report: ImportReport
) -> None:
    display: dict[str, str] = {}
    for row in rows:
        for name in (row.parent_team, row.team):
            if name:
                display.setdefault(name.lower(), name)

    def ensure(key: str) -> Team:
        if key in teams:
            return teams[key]
        parent_key = parents.get(key, "")
        parent = ensure(parent_key) if parent_key else None
        team = Team.objects.create(
            name=display[key],
            slug=unique_team_slug(display[key]),
            parent=parent,
            kind=TeamKind.TEAM if parent else TeamKind.DEPARTMENT,
        )
        teams[key] = team
        report.teams_created += 1
        report.changes.append(f"create team {team.name}" + (f" under {parent.name}" if parent else ""))
        return team

    for key in display:
        ensure(key)
    for key, parent_key in parents.items():
        team, parent = teams[key], ensure(parent_key)
        if team.parent_id != parent.pk:
            team.parent = parent
            team.kind = TeamKind.TEAM
            team.save(update_fields=["parent", "kind"])
            report.teams_moved += 1
            report.changes.append(f"move team {team.name} under {parent.name}")


def _apply_people(rows: list[PersonRow], people: dict[str, Person], report: ImportReport) -> None:
    first_rows: dict[str, PersonRow] = {}
    for row in rows:
        first_rows.setdefault(normalise_email(row.email), row)
    new_rows = [(email, row) for email, row in first_rows.items() if email not in people]
    if new_rows:
        user_model = get_user_model()
        taken = set(
            user_model.objects.filter(username__in=[email for email, _ in new_rows]).values_list(
                "username", flat=True
            )
        )
        users = []
        for email, _ in new_rows:
            if email in taken:
                raise PeopleImportError(
                    [f"row {first_rows[email].row}, email: the username {email} is taken"]
                )
            # Imported people sign in after setting a password through "forgot password".
            users.append(user_model(username=email, email=email, password=make_password(None)))
        user_model.objects.bulk_create(users, batch_size=500)
        user_ids = dict(
            user_model.objects.filter(username__in=[email for email, _ in new_rows]).values_list(
                "username", "pk"
            )
        )
        created = Person.objects.bulk_create(
            [
                Person(
                    user_id=user_ids[email],
                    email=email,
                    display_name=row.name,
                    title=row.title,
                    location=row.location,
                )
                for email, row in new_rows
            ],
            batch_size=500,
        )
        for person in Person.objects.filter(email__in=[p.email for p in created]):
            people[person.email] = person
        report.people_created += len(new_rows)
        report.changes.extend(f"create person {email}" for email, _ in new_rows)

    created_emails = {email for email, _ in new_rows}
    updated = []
    for email, row in first_rows.items():
        if email in created_emails:
            continue
        person = people[email]
        values = {"display_name": row.name, "title": row.title, "location": row.location}
        if any(getattr(person, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(person, name, value)
            updated.append(person)
            report.changes.append(f"update person {email}")
    Person.objects.bulk_update(updated, ["display_name", "title", "location"], batch_size=500)
    report.people_updated += len(updated)


def _apply_memberships(
    rows: list[PersonRow], people: dict[str, Person], teams: dict[str, Team], report: ImportReport
) -> None:
    wanted: dict[tuple[int, int], int | None] = {}
    for row in rows:
        if row.team:
            manager_email = normalise_email(row.manager_email)
            manager = people[manager_email].pk if manager_email else None
            wanted[(people[normalise_email(row.email)].pk, teams[row.team.lower()].pk)] = manager
    person_ids = {people[normalise_email(row.email)].pk for row in rows}
    existing = {(m.person_id, m.team_id): m for m in TeamMembership.objects.filter(person_id__in=person_ids)}
    names = {person.pk: email for email, person in people.items()}
    team_names = {team.pk: team.name for team in teams.values()}
    to_add, to_update, to_remove = [], [], []
    for key, manager_id in wanted.items():
        membership = existing.get(key)
        if membership is None:
            to_add.append(TeamMembership(person_id=key[0], team_id=key[1], manager_id=manager_id))
            report.changes.append(f"add {names[key[0]]} to {team_names[key[1]]}")
        elif membership.manager_id != manager_id:
            membership.manager_id = manager_id
            to_update.append(membership)
            report.changes.append(f"change {names[key[0]]}'s manager in {team_names[key[1]]}")
    for key, membership in existing.items():
        if key not in wanted:
            to_remove.append(membership.pk)
            report.changes.append(f"remove {names.get(key[0], key[0])} from {team_names.get(key[1], key[1])}")
    TeamMembership.objects.bulk_create(to_add, batch_size=500)
    TeamMembership.objects.bulk_update(to_update, ["manager"], batch_size=500)
    TeamMembership.objects.filter(pk__in=to_remove).delete()
    report.memberships_added += len(to_add)
    report.managers_changed += len(to_update)
    report.memberships_removed += len(to_remove)
