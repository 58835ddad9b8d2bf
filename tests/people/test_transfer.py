from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practica.people.models import Person, Team, TeamKind, TeamMembership
from practica.people.services import team_create, team_membership_set
from practica.people.transfer import (
    PeopleImportError,
    parse_people_csv,
    people_export_csv,
    people_import_csv,
)

pytestmark = pytest.mark.django_db

HEADER = "email,name,team,parent_team,manager_email,title,location\n"


def csv_text(*lines: str) -> str:
    return HEADER + "".join(f"{line}\n" for line in lines)


def counts() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        Team.objects.count(),
        TeamMembership.objects.count(),
        get_user_model().objects.count(),
    )


def import_errors(text: str) -> list[str]:
    before = counts()
    with pytest.raises(PeopleImportError) as refused:
        people_import_csv(text=text)
    assert counts() == before
    return refused.value.errors


def empty_the_organisation() -> None:
    get_user_model().objects.all().delete()
    # Teams protect their children from deletion; detach them first.
    Team.objects.update(parent=None)
    Team.objects.all().delete()


def teams_of(email: str) -> dict[str, str | None]:
    """The person's teams, each with their manager's email there."""
    memberships = TeamMembership.objects.filter(person__email=email).select_related("team", "manager")
    return {m.team.name: (m.manager.email if m.manager else None) for m in memberships}


SMALL_ORGANISATION = csv_text(
    "hanna@example.org,Hanna Head,Engineering,,,Head of Engineering,Berlin",
    "lena@example.org,Lena Lead,Payments,Engineering,hanna@example.org,Team Lead,Lisbon",
    "paul@example.org,Paul Payer,Payments,Engineering,lena@example.org,Backend Engineer,Remote",
    'quinn@example.org,Quinn Quote,Payments,Engineering,lena@example.org,"QA, Payments",Remote',
)


# Parsing the file


@pytest.mark.parametrize("text", ["", "\n", "\ufeff"], ids=["nothing", "a blank line", "only a BOM"])
def test_empty_file_is_refused_naming_row_one(text):
    assert import_errors(text) == ["row 1: the file is empty; the first row must name the columns"]


def test_unknown_column_is_refused_naming_the_column():
    errors = import_errors("email,name,shoe_size\na@example.org,A,44\n")
    assert errors == [
        "row 1, shoe_size: unknown column "
        "(allowed: email, name, team, parent_team, manager_email, title, location)"
    ]


def test_missing_required_column_is_refused_naming_the_column():
    assert import_errors("email,team\na@example.org,Payments\n") == [
        "row 1, name: required column is missing"
    ]


def test_repeated_column_is_refused_instead_of_one_copy_silently_winning():
    errors = import_errors("email,name,name\na@example.org,Ann,Anna\n")
    assert errors == ["row 1, name: column appears more than once"]


def test_row_with_more_values_than_columns_is_refused_naming_the_row():
    errors = import_errors("email,name\na@example.org,Ann\nb@example.org,Bea,extra\n")
    assert errors == ["row 3: more values than columns"]


def test_error_message_names_the_first_problem_and_how_many_more():
    with pytest.raises(PeopleImportError) as refused:
        people_import_csv(text=csv_text("bad,One", "worse,Two", "worst,Three"))
    assert str(refused.value) == (
        "row 2, email: 'bad' is not an email address (and 2 more). Nothing was imported."
    )


def test_byte_order_mark_and_header_case_and_spaces_are_accepted():
    people_import_csv(text="\ufeffEmail , NAME,Team\n a@example.org , Ann Archer ,Payments\n")
    person = Person.objects.get()
    assert (person.email, person.display_name) == ("a@example.org", "Ann Archer")
    assert teams_of("a@example.org") == {"Payments": None}


def test_columns_may_come_in_any_order_and_optional_ones_may_be_left_out():
    people_import_csv(text="name,email\nAnn Archer,a@example.org\n")
    assert Person.objects.get().display_name == "Ann Archer"


def test_blank_lines_are_skipped_and_later_rows_keep_their_spreadsheet_numbers():
    rows = parse_people_csv("email,name\n\na@example.org,Ann\n,\n\nb@example.org,Bea\n")
    assert [(row.row, row.email) for row in rows] == [(3, "a@example.org"), (6, "b@example.org")]
    errors = import_errors("email,name\n\na@example.org,Ann\n\nb@example.org,\n")
    assert errors == ["row 5, name: is empty"]


# Row rules


def test_unknown_manager_is_refused_naming_row_and_column():
    errors = import_errors(
        csv_text("a@example.org,Ann,Payments,,,,", "b@example.org,Bea,Payments,,x@y.org,,")
    )
    assert errors == ["row 3, manager_email: no person with x@y.org"]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["not-an-email,Ann,,,,,"], "row 2, email: 'not-an-email' is not an email address"),
        ([",Ann,,,,,"], "row 2, email: '' is not an email address"),
        (["a@example.org,,,,,,"], "row 2, name: is empty"),
        (["a@example.org,Ann,,Engineering,,,"], "row 2, parent_team: given without a team"),
        (["a@example.org,Ann,Payments,payments,,,"], "row 2, parent_team: a team cannot be its own parent"),
        (
            ["a@example.org,Ann,Payments,,A@Example.org,,"],
            "row 2, manager_email: a person cannot be their own manager",
        ),
        (
            ["a@example.org,Ann,Payments,,,,", "b@example.org,Bea,,,a@example.org,,"],
            "row 3, manager_email: a manager needs a team",
        ),
        (
            ["a@example.org,Ann,Payments,,,,", "A@example.org,Ann,payments,,,,"],
            "row 3, team: repeats row 2 for the same person",
        ),
        (
            ["a@example.org,Ann,Payments,,,,", "a@example.org,Anne,Search,,,,"],
            "row 3, name: differs from row 2 for the same person",
        ),
        (
            ["a@example.org,Ann,Payments,,,Engineer,", "a@example.org,Ann,Search,,,Manager,"],
            "row 3, title: differs from row 2 for the same person",
        ),
        (
            ["a@example.org,Ann,Payments,Engineering,,,", "b@example.org,Bea,Payments,Product,,,"],
            "row 3, parent_team: Payments is under Engineering in row 2",
        ),
        ([f"a@example.org,{'A' * 151},,,,,"], "row 2, name: longer than 150 characters"),
    ],
    ids=[
        "bad email",
        "missing email",
        "empty name",
        "parent without team",
        "team its own parent",
        "manager is self",
        "manager without team",
        "same person and team twice",
        "conflicting name",
        "conflicting title",
        "conflicting parent",
        "name too long",
    ],
)
def test_row_that_breaks_a_rule_is_refused_naming_row_and_column(lines, expected):
    assert expected in import_errors(csv_text(*lines))


def test_cycle_in_the_file_is_refused():
    errors = import_errors(
        csv_text(
            "a@example.org,Ann,Payments,Checkout,,,",
            "b@example.org,Bea,Checkout,Search,,,",
            "c@example.org,Cem,Search,Payments,,,",
        )
    )
    assert "row 2, parent_team: makes the org chart go round in a circle" in errors


def test_cycle_formed_with_teams_already_in_the_database_is_refused(team):
    assert team.parent.name == "Engineering"
    errors = import_errors(csv_text("a@example.org,Ann,Engineering,Payments,,,"))
    assert errors == ["row 2, parent_team: makes the org chart go round in a circle"]
    team.refresh_from_db()
    assert team.parent.name == "Engineering"


def test_every_problem_is_listed_not_only_the_first():
    errors = import_errors(csv_text("bad,Ann,,,,,", "b@example.org,,,,,,", "c@example.org,Cem,,,x@y.org,,"))
    assert errors == [
        "row 2, email: 'bad' is not an email address",
        "row 3, name: is empty",
        "row 4, manager_email: no person with x@y.org",
        "row 4, manager_email: a manager needs a team",
    ]


def test_manager_may_be_a_person_already_in_the_database_or_later_in_the_file(owner):
    people_import_csv(
        text=csv_text(
            "a@example.org,Ann,Payments,,owner@example.org,,",
            "b@example.org,Bea,Payments,,c@example.org,,",
            "c@example.org,Cem,Payments,,,,",
        )
    )
    assert teams_of("a@example.org") == {"Payments": "owner@example.org"}
    assert teams_of("b@example.org") == {"Payments": "c@example.org"}


# All or nothing


def test_one_bad_row_among_good_ones_changes_nothing(member, owner):
    before = counts()
    text = csv_text(
        "new1@example.org,New One,Search,Engineering,,,",
        "owner@example.org,Olivia Renamed,Payments,,,,",
        "member@example.org,Max Member,Checkout,,owner@example.org,,",
        "new2@example.org,New Two,Search,,nobody@example.org,,",
        "new3@example.org,New Three,,,,,",
    )
    with pytest.raises(PeopleImportError) as refused:
        people_import_csv(text=text)
    assert refused.value.errors == ["row 5, manager_email: no person with nobody@example.org"]
    assert counts() == before
    owner.refresh_from_db()
    assert owner.display_name == "Olivia Owner"
    assert teams_of("member@example.org") == {"Payments": "owner@example.org"}


def test_problem_found_after_writing_started_still_changes_nothing():
    # The username check runs after teams were created, so only the transaction protects them.
    get_user_model().objects.create_user(username="taken@example.org", password="x")
    before = counts()
    errors = import_errors(csv_text("taken@example.org,Tia Taken,Brand New Team,,,,"))
    assert errors == ["row 2, email: the username taken@example.org is taken"]
    assert counts() == before
    assert not Team.objects.filter(name="Brand New Team").exists()


# What an import changes


def test_import_creates_teams_people_memberships_and_managers():
    report = people_import_csv(text=SMALL_ORGANISATION)
    assert (report.rows, report.people_created, report.teams_created, report.memberships_added) == (
        4,
        4,
        2,
        4,
    )
    engineering, payments = Team.objects.get(name="Engineering"), Team.objects.get(name="Payments")
    assert (engineering.parent, engineering.kind) == (None, TeamKind.DEPARTMENT)
    assert (payments.parent, payments.kind) == (engineering, TeamKind.TEAM)
    assert teams_of("paul@example.org") == {"Payments": "lena@example.org"}
    quinn = Person.objects.get(email="quinn@example.org")
    assert (quinn.display_name, quinn.title, quinn.location) == ("Quinn Quote", "QA, Payments", "Remote")
    assert quinn.user.username == "quinn@example.org"
    assert quinn.user.email == "quinn@example.org"
    # Imported people set their password through "forgot password".
    assert not quinn.user.has_usable_password()


def test_reimporting_the_same_file_reports_nothing_and_changes_nothing():
    people_import_csv(text=SMALL_ORGANISATION)
    before, exported = counts(), people_export_csv()
    report = people_import_csv(text=SMALL_ORGANISATION)
    assert report.changes == []
    assert not report.changed_anything
    assert counts() == before
    assert people_export_csv() == exported


def test_dry_run_reports_the_changes_and_writes_nothing(member):
    before = counts()
    text = csv_text(
        "new@example.org,Nina New,Search,Engineering,,,",
        "member@example.org,Max Member,Search,,new@example.org,QA Engineer,",
    )
    report = people_import_csv(text=text, dry_run=True)
    assert report.dry_run
    assert report.changes == [
        "create team Search under Engineering",
        "create person new@example.org",
        "add new@example.org to Search",
        "add member@example.org to Search",
        "remove member@example.org from Payments",
    ]
    assert counts() == before
    assert teams_of("member@example.org") == {"Payments": "owner@example.org"}
    assert people_import_csv(text=text).changes == report.changes


def test_moving_a_person_to_another_team_replaces_the_membership(member, owner):
    report = people_import_csv(text=csv_text("member@example.org,Max Member,Search,,owner@example.org,,"))
    assert teams_of("member@example.org") == {"Search": "owner@example.org"}
    assert (report.memberships_added, report.memberships_removed) == (1, 1)
    assert teams_of("owner@example.org") == {"Payments": None}


def test_changing_a_manager_updates_the_membership(member, make_person):
    make_person("boss", display_name="Bo Boss")
    report = people_import_csv(
        text=csv_text("member@example.org,Max Member,Payments,,boss@example.org,QA Engineer,")
    )
    assert report.changes == ["change member@example.org's manager in Payments"]
    assert report.managers_changed == 1
    assert teams_of("member@example.org") == {"Payments": "boss@example.org"}


def test_changed_name_title_and_location_update_the_person(member):
    report = people_import_csv(
        text=csv_text("member@example.org,Maxine Member,Payments,,owner@example.org,Lead,Oslo")
    )
    assert report.changes == ["update person member@example.org"]
    member.refresh_from_db()
    assert (member.display_name, member.title, member.location) == ("Maxine Member", "Lead", "Oslo")


def test_person_listed_without_a_team_leaves_every_team(member):
    report = people_import_csv(text=csv_text("member@example.org,Max Member,,,,QA Engineer,"))
    assert report.changes == ["remove member@example.org from Payments"]
    assert teams_of("member@example.org") == {}


def test_people_not_in_the_file_are_left_alone(member, owner, outsider):
    people_import_csv(text=csv_text("new@example.org,Nina New,Search,,,,"))
    owner.refresh_from_db()
    assert owner.display_name == "Olivia Owner"
    assert teams_of("owner@example.org") == {"Payments": None}
    assert teams_of("member@example.org") == {"Payments": "owner@example.org"}
    assert Person.objects.filter(email="outsider@example.org").exists()


def test_empty_parent_team_leaves_a_team_where_it_is(team):
    people_import_csv(text=csv_text("a@example.org,Ann,Payments,,,,"))
    team.refresh_from_db()
    assert team.parent.name == "Engineering"


def test_department_given_a_parent_moves_under_it_and_becomes_a_team(team):
    report = people_import_csv(text=csv_text("a@example.org,Ann,Engineering,Technology,,,"))
    engineering = Team.objects.get(name="Engineering")
    assert (engineering.parent.name, engineering.kind) == ("Technology", TeamKind.TEAM)
    assert report.changes[:2] == ["create team Technology", "move team Engineering under Technology"]


def test_emails_and_team_names_match_whatever_their_case(owner, team):
    report = people_import_csv(text=csv_text("OWNER@Example.ORG,Olivia Owner,payments,,,Backend Engineer,"))
    assert report.changes == []
    assert Team.objects.count() == 2
    people_import_csv(text=csv_text("New.Person@Example.org,Nina New,PAYMENTS,,Owner@example.org,,"))
    assert teams_of("new.person@example.org") == {"Payments": "owner@example.org"}


# Export and the round trip


def test_export_writes_the_import_format_sorted_by_email(member, owner):
    assert people_export_csv() == csv_text(
        "member@example.org,Max Member,Payments,Engineering,owner@example.org,QA Engineer,",
        "owner@example.org,Olivia Owner,Payments,Engineering,,Backend Engineer,",
    )


def test_export_leaves_out_people_whose_account_is_deactivated(member, owner):
    get_user_model().objects.filter(username="member").update(is_active=False)
    assert "member@example.org" not in people_export_csv()


def test_export_leaves_out_a_deactivated_manager_so_the_file_imports_again(member, owner):
    get_user_model().objects.filter(username="owner").update(is_active=False)
    exported = people_export_csv()
    assert exported == csv_text("member@example.org,Max Member,Payments,Engineering,,QA Engineer,")
    empty_the_organisation()
    people_import_csv(text=exported)
    assert people_export_csv() == exported


def test_export_then_import_into_an_empty_database_gives_the_same_export(member, owner, outsider, team):
    search = team_create(name="Search", parent=team.parent)
    team_membership_set(person=owner, team=search, manager=member)
    people_import_csv(
        text=csv_text(
            'quote@example.org,"Quinn ""Q"" Quote",Checkout,Product,owner@example.org,"QA, Payments",Remote',
            "nobody@example.org,Ned Noteam,,,,,",
        )
    )
    exported = people_export_csv()
    assert exported.count("owner@example.org,Olivia Owner,") == 2, "a person in two teams has two rows"

    empty_the_organisation()
    report = people_import_csv(text=exported)

    assert report.people_created == 5
    assert people_export_csv() == exported
    assert teams_of("owner@example.org") == {"Payments": None, "Search": "member@example.org"}
    assert people_import_csv(text=exported).changes == []


# Queries stay bulk


def organisation_csv(size: int, prefix: str) -> str:
    teams = ["Payments", "Search", "Checkout", "Identity"]
    lead = f"{prefix}0@example.org"
    lines = [f"{lead},Lead {prefix},Payments,Engineering,,Team Lead,Berlin"]
    lines += [
        f"{prefix}{n}@example.org,Person {prefix}{n},{teams[n % 4]},Engineering,{lead},Engineer,"
        for n in range(1, size)
    ]
    return csv_text(*lines)


def test_import_of_200_rows_takes_a_fixed_handful_of_queries(django_assert_max_num_queries):
    # 24 today: two per new team (five here), the rest bulk reads and writes of people and memberships.
    with django_assert_max_num_queries(25):
        report = people_import_csv(text=organisation_csv(200, "a"))
    assert report.people_created == 200


def test_import_queries_do_not_grow_with_the_number_of_rows():
    engineering = team_create(name="Engineering")
    for name in ["Payments", "Search", "Checkout", "Identity"]:
        team_create(name=name, parent=engineering)
    with CaptureQueriesContext(connection) as small:
        people_import_csv(text=organisation_csv(100, "a"))
    with CaptureQueriesContext(connection) as large:
        people_import_csv(text=organisation_csv(400, "b"))
    assert Person.objects.count() == 500
    # Only SQLite's limit on variables per statement splits the bulk writes into a few more batches.
    assert len(large) - len(small) <= 10, (len(small), len(large))
