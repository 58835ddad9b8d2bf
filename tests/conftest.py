"""The test cast (owner, member, outsider, steward, admin) and settings every test shares.

Django is imported lazily inside fixtures so the pure analysis and simulation tests also run with
``-p no:django``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from django.test import Client

    from practica.people.models import Person, Team

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_and_isolated(request: pytest.FixtureRequest) -> None:
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        return
    settings = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PRACTICA_MIN_GROUP_SIZE = 5
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def make_person(db: None) -> Callable[..., Person]:
    """Create a person through the real service; keyword arguments override the defaults."""
    from practica.people.models import Role
    from practica.people.services import person_create

    counter = iter(range(1, 10_000))

    def make(username: str | None = None, *, role: Role = Role.MEMBER, **fields: Any) -> Person:
        number = next(counter)
        username = username or f"person{number}"
        fields.setdefault("email", f"{username}@example.org")
        fields.setdefault("display_name", username.replace("-", " ").title())
        return person_create(username=username, password=PASSWORD, role=role, **fields)

    return make


@pytest.fixture
def team(db: None) -> Team:
    from practica.people.services import team_create

    department = team_create(name="Engineering")
    return team_create(name="Payments", parent=department)


@pytest.fixture
def owner(make_person: Callable[..., Person], team: Team) -> Person:
    from practica.people.services import team_membership_set

    person = make_person("owner", display_name="Olivia Owner", title="Backend Engineer")
    team_membership_set(person=person, team=team, manager=None)
    return person


@pytest.fixture
def member(make_person: Callable[..., Person], team: Team, owner: Person) -> Person:
    from practica.people.services import team_membership_set

    person = make_person("member", display_name="Max Member", title="QA Engineer")
    team_membership_set(person=person, team=team, manager=owner)
    return person


@pytest.fixture
def outsider(make_person: Callable[..., Person]) -> Person:
    """Signed in, but belongs to nothing the test is about."""
    return make_person("outsider", display_name="Otto Outsider")


@pytest.fixture
def steward(make_person: Callable[..., Person]) -> Person:
    from practica.people.models import Role

    return make_person("steward", role=Role.STEWARD, display_name="Stella Steward")


@pytest.fixture
def admin(make_person: Callable[..., Person]) -> Person:
    from practica.people.models import Role

    return make_person("admin", role=Role.ADMIN, display_name="Ada Admin")


@pytest.fixture
def client_for(db: None) -> Callable[[Person], Client]:
    """A test client signed in as the given person."""
    from django.test import Client

    def make(person: Person) -> Client:
        client = Client()
        client.force_login(person.user)
        return client

    return make
