from __future__ import annotations

from collections import defaultdict

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models.query import QuerySet

from practica.core.errors import ApplicationError
from practica.demo import generator
from practica.demo.generator import DEMO_ACCOUNTS, DemoContext, demo_step, generate_organisation
from practica.insights import demo_activity
from practica.people.models import Person, Role, Team, TeamKind, TeamMembership
from practica.people.selectors import team_tree
from practica.people.transfer import people_export_csv

pytestmark = pytest.mark.django_db


def empty_the_organisation() -> None:
    from practica.communities.models import Community

    Community.objects.all().delete()
    get_user_model().objects.all().delete()
    # Teams protect their children from deletion; detach them first.
    Team.objects.update(parent=None)
    Team.objects.all().delete()


@pytest.fixture
def steps():
    """Register demo steps for one test only; the registry is module-global."""
    saved = list(generator._STEPS)
    generator._STEPS.clear()
    yield generator._STEPS
    generator._STEPS[:] = saved


def test_same_seed_gives_the_same_organisation():
    generate_organisation(people=80, seed=7)
    first = people_export_csv()
    empty_the_organisation()
    generate_organisation(people=80, seed=7)
    assert people_export_csv() == first


def _everything_generated() -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows in id order, leaving out what depends on the clock rather than the seed:
    dates and times (relative to "now"), the dashboard snapshots, and the salted passwords."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label == "insights" and model._meta.model_name.startswith("insight"):
            continue
        names = [
            field.attname
            for field in model._meta.concrete_fields
            if not isinstance(field, models.DateField) and field.name != "password"
        ]
        rows[model._meta.label] = list(model.objects.order_by("pk").values_list(*names))
    return rows


def _generate_and_undo(people: int) -> dict[str, list[tuple[object, ...]]]:
    """Generate, read everything, roll back: both runs start from the same database and the same ids
    (PostgreSQL's sequences do not roll back, so they are set back to the largest id first)."""
    tables = apps.get_models(include_auto_created=True)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), tables):
            cursor.execute(statement)
    with transaction.atomic():
        generate_organisation(people=people, seed=1)
        rows = _everything_generated()
        transaction.set_rollback(True)
    return rows


def _return_rows_in_another_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, rows without a total order come back in another order than the database gave, as
    PostgreSQL may return them (its order changes with updates, deletions, vacuum and query plans)."""
    fetch_all, iterator = QuerySet._fetch_all, QuerySet.iterator

    def reversed_fetch_all(self: QuerySet) -> None:
        fresh = self._result_cache is None
        fetch_all(self)
        if fresh and not self.ordered and self._result_cache is not None:
            self._result_cache.reverse()

    def reversed_iterator(self: QuerySet, chunk_size: int | None = None) -> object:
        rows = iterator(self, chunk_size)
        return rows if self.ordered else iter(list(rows)[::-1])

    monkeypatch.setattr(QuerySet, "_fetch_all", reversed_fetch_all)
    monkeypatch.setattr(QuerySet, "iterator", reversed_iterator)
    # A default ordering on fields that are not unique (a team membership's team name) leaves ties.
    for model in apps.get_models(include_auto_created=True):
        ordering = [name for name in model._meta.ordering if isinstance(name, str)]
        unique = {"pk", "id"} | {field.name for field in model._meta.concrete_fields if field.unique}
        if ordering and not {name.lstrip("-") for name in ordering} & unique:
            monkeypatch.setattr(model._meta, "ordering", [*ordering, "-pk"])


def test_generation_does_not_depend_on_the_order_the_database_returns_rows(monkeypatch):
    # The organisation-wide activity step runs from 2,000 people; a lower bar keeps this test quick.
    monkeypatch.setattr(demo_activity, "MIN_PEOPLE", 200)
    first = _generate_and_undo(200)
    _return_rows_in_another_order(monkeypatch)
    second = _generate_and_undo(200)
    assert len(first["communities.Community"]) > 10, "the organisation-wide activity step ran"
    assert first.keys() == second.keys()
    assert [label for label in first if first[label] != second[label]] == []


def test_different_seed_gives_a_different_organisation():
    generate_organisation(people=80, seed=7)
    first = people_export_csv()
    empty_the_organisation()
    generate_organisation(people=80, seed=8)
    assert people_export_csv() != first


@pytest.mark.parametrize("size", [50, 51, 500])
def test_organisation_has_exactly_the_people_asked_for_including_the_demo_accounts(size):
    context = generate_organisation(people=size, seed=1)
    assert Person.objects.count() == size
    assert len(context.people) == size
    assert Person.objects.filter(user__username__in=DEMO_ACCOUNTS).count() == 4


def test_a_quarter_of_the_synthetic_people_agreed_to_be_named_as_brokers(steps):
    generate_organisation(people=80, seed=1)
    synthetic = Person.objects.exclude(user__username__in=DEMO_ACCOUNTS)
    assert synthetic.filter(listed_as_broker=True).count() == len(synthetic) // 4 + (len(synthetic) % 4 > 0)


def test_demo_accounts_have_their_roles_and_sign_in_with_the_configured_password(settings):
    settings.PRACTICA_DEMO_PASSWORD = "a-password-from-the-environment"
    context = generate_organisation(people=50, seed=1)
    for username, (name, role, title) in DEMO_ACCOUNTS.items():
        user = authenticate(username=username, password="a-password-from-the-environment")
        assert user is not None, username
        assert (user.person.display_name, user.person.role, user.person.title) == (name, role, title)
        assert user.is_staff == user.is_superuser == (role == Role.ADMIN)
        assert context.accounts[username] == user.person
        assert user.person.team_memberships.exists(), f"{username} belongs to a team"
    assert authenticate(username="demo-admin", password="practica-demo") is None
    roles = {username: role for username, (_, role, _) in DEMO_ACCOUNTS.items()}
    assert roles == {
        "demo-member": Role.MEMBER,
        "demo-lead": Role.MEMBER,
        "demo-steward": Role.STEWARD,
        "demo-admin": Role.ADMIN,
    }


def test_everyone_but_the_department_heads_has_a_manager():
    generate_organisation(people=120, seed=2)
    managed = set(TeamMembership.objects.filter(manager__isnull=False).values_list("person_id", flat=True))
    unmanaged = Person.objects.exclude(pk__in=managed)
    assert unmanaged.exists()
    for person in unmanaged:
        assert person.title.startswith("Head of "), person.title
        (membership,) = person.team_memberships.select_related("team")
        assert membership.team.kind == TeamKind.DEPARTMENT
        assert person.title == f"Head of {membership.team.name}"


def test_managers_are_people_in_the_organisation_and_never_themselves():
    generate_organisation(people=120, seed=2)
    for membership in TeamMembership.objects.filter(manager__isnull=False):
        assert membership.manager_id != membership.person_id
        assert membership.manager.team_memberships.exists()


def test_teams_hang_under_departments():
    generate_organisation(people=200, seed=3)
    departments = team_tree()
    assert len(departments) >= 3
    for department in departments:
        assert department.team.kind == TeamKind.DEPARTMENT
        assert department.member_count == 1, "the head"
        assert department.children, f"{department.team} has teams"
        for child in department.children:
            assert child.team.kind == TeamKind.TEAM
            assert child.team.name.startswith(department.team.name + " ")
            assert child.children == []
            assert child.member_count >= 1
    assert sum(department.total_members for department in departments) == 200


def test_names_and_titles_look_like_a_real_organisation():
    generate_organisation(people=60, seed=4)
    synthetic = Person.objects.exclude(user__username__in=DEMO_ACCOUNTS)
    for person in synthetic:
        first, last = person.display_name.split(" ", 1)
        assert first and last
        assert person.title
        assert person.location in generator.LOCATIONS
        assert person.email.endswith("@example.com")
    assert len({person.display_name for person in synthetic}) > 0.9 * synthetic.count()


def test_database_with_people_is_refused(make_person):
    make_person("someone")
    with pytest.raises(ApplicationError, match="already has people"):
        generate_organisation(people=50, seed=1)
    assert Person.objects.count() == 1


@pytest.mark.parametrize("size", [0, 49, 20_001])
def test_size_outside_50_to_20000_is_refused(size):
    with pytest.raises(ApplicationError, match=f"between 50 and 20000, not {size}"):
        generate_organisation(people=size, seed=1)
    assert not Person.objects.exists()


def test_registered_step_runs_after_the_people_with_the_context(steps):
    seen: list[tuple[str, int, int, set[str]]] = []

    @demo_step(order=20, label="second")
    def second(context: DemoContext) -> None:
        seen.append(("second", context.size, len(context.people), set(context.accounts)))

    @demo_step(order=10, label="first")
    def first(context: DemoContext) -> None:
        assert Person.objects.count() == context.size
        seen.append(("first", context.size, len(context.people), set(context.accounts)))

    generate_organisation(people=50, seed=1)

    assert seen == [
        ("first", 50, 50, set(DEMO_ACCOUNTS)),
        ("second", 50, 50, set(DEMO_ACCOUNTS)),
    ]


def test_registering_the_same_step_twice_runs_it_once(steps):
    calls = []

    def step(context: DemoContext) -> None:
        calls.append(context.size)

    demo_step(order=1, label="once")(step)
    demo_step(order=1, label="once")(step)
    generate_organisation(people=50, seed=1)
    assert calls == [50]


def test_failing_step_leaves_the_database_empty(steps):
    @demo_step(order=1, label="broken")
    def broken(context: DemoContext) -> None:
        raise ApplicationError("the step broke")

    with pytest.raises(ApplicationError, match="the step broke"):
        generate_organisation(people=50, seed=1)
    assert not Person.objects.exists()
    assert not Team.objects.exists()


def test_steps_registered_by_other_tests_do_not_leak_into_this_one():
    assert all(function.__module__ != __name__ for _, _, function in generator.registered_steps())


def test_progress_is_reported_with_counts_that_only_grow_to_the_total():
    reports: dict[str, list[tuple[int, int]]] = defaultdict(list)
    generate_organisation(
        people=100, seed=1, progress=lambda label, done, total: reports[label].append((done, total))
    )
    assert reports
    for label, counts in reports.items():
        done = [d for d, _ in counts]
        assert done == sorted(done), f"{label} went backwards: {done}"
        assert len({total for _, total in counts}) == 1, f"{label} changed its total"
        assert counts[-1][0] == counts[-1][1], f"{label} did not finish"


def test_two_thousand_people_are_generated():
    # How long it takes is measured by benchmarks/demo_benchmark.py, not asserted here.
    generate_organisation(people=2_000, seed=5)
    assert Person.objects.count() == 2_000
