"""A deterministic synthetic organisation: same seed, same organisation, from 50 to 20,000 people.

Extension point: an app adds its own demo data by defining a ``demo_data`` module with functions
decorated by :func:`demo_step`. Steps run in ``order`` after the people step, each receiving the
:class:`DemoContext` (the seeded random generator, the people and teams, the four demo accounts).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import autodiscover_modules
from faker import Faker

from practica.core.errors import ApplicationError
from practica.people import services as people_services
from practica.people.models import Person, Role, Team
from practica.people.transfer import PersonRow, people_import_rows

MIN_PEOPLE = 50
MAX_PEOPLE = 20_000
DEMO_DOMAIN = "example.com"

# The four sign-ins printed by `make run`: username -> (display name, organisation role, title).
DEMO_ACCOUNTS: dict[str, tuple[str, Role, str]] = {
    "demo-member": ("Mia Member", Role.MEMBER, "Backend Engineer"),
    "demo-lead": ("Leo Lead", Role.MEMBER, "Staff Engineer"),
    "demo-steward": ("Stella Steward", Role.STEWARD, "Head of Engineering Practice"),
    "demo-admin": ("Adam Admin", Role.ADMIN, "Platform Administrator"),
}

DEPARTMENTS: dict[str, list[str]] = {
    "Engineering": [
        "Backend Engineer",
        "Frontend Engineer",
        "Site Reliability Engineer",
        "QA Engineer",
        "Mobile Engineer",
        "Data Engineer",
        "Engineering Manager",
    ],
    "Product": ["Product Manager", "Product Owner", "Business Analyst"],
    "Design": ["Product Designer", "UX Researcher", "Service Designer", "Content Designer"],
    "Data": ["Data Scientist", "Analytics Engineer", "Machine Learning Engineer"],
    "Operations": ["Operations Analyst", "Support Specialist", "Process Engineer"],
    "Sales": ["Account Executive", "Sales Engineer", "Customer Success Manager"],
    "People": ["People Partner", "Recruiter", "Learning and Development Specialist"],
    "Finance": ["Financial Analyst", "Controller", "Procurement Specialist"],
}
TEAM_WORDS = [
    "Payments",
    "Search",
    "Checkout",
    "Identity",
    "Platform",
    "Insights",
    "Onboarding",
    "Billing",
    "Catalogue",
    "Messaging",
    "Mobile",
    "Growth",
    "Reliability",
    "Compliance",
    "Partners",
    "Pricing",
    "Logistics",
    "Experience",
    "Foundations",
    "Integrations",
]
LOCATIONS = ["Berlin", "Lisbon", "London", "Amsterdam", "Warsaw", "Barcelona", "Remote"]
TEAM_SIZE = (5, 10)


@dataclass
class DemoContext:
    """What a demo step gets: the seeded generator and what earlier steps made."""

    rng: random.Random
    faker: Faker
    size: int
    teams: list[Team] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    accounts: dict[str, Person] = field(default_factory=dict)
    progress: Callable[[str, int, int], None] = lambda label, done, total: None
    seconds: dict[str, float] = field(default_factory=dict)  # label -> time each step took


DemoStep = Callable[[DemoContext], None]
_STEPS: list[tuple[int, str, DemoStep]] = []


def demo_step(*, order: int, label: str) -> Callable[[DemoStep], DemoStep]:
    """Register a function that adds an app's demo data; ``order`` decides when it runs."""

    def register(function: DemoStep) -> DemoStep:
        if not any(existing is function for _, _, existing in _STEPS):
            _STEPS.append((order, label, function))
        return function

    return register


def registered_steps() -> list[tuple[int, str, DemoStep]]:
    autodiscover_modules("demo_data")
    return sorted(_STEPS, key=lambda step: (step[0], step[1]))


def organisation_is_empty() -> bool:
    return not Person.objects.exists()


def generate_organisation(
    *, people: int = 200, seed: int = 1, progress: Callable[[str, int, int], None] | None = None
) -> DemoContext:
    """Fill an empty database with a synthetic organisation and the four demo accounts."""
    if not MIN_PEOPLE <= people <= MAX_PEOPLE:
        raise ApplicationError(f"--people must be between {MIN_PEOPLE} and {MAX_PEOPLE}, not {people}.")
    if not organisation_is_empty():
        raise ApplicationError("The database already has people; the demo only fills an empty one.")
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    context = DemoContext(rng=random.Random(seed), faker=faker, size=people)
    if progress is not None:
        context.progress = progress
    with transaction.atomic():
        started = time.perf_counter()
        _people_step(context)
        context.seconds["people and teams"] = time.perf_counter() - started
        for _, label, step in registered_steps():
            started = time.perf_counter()
            step(context)
            context.seconds[label] = time.perf_counter() - started
    return context


def _people_step(context: DemoContext) -> None:
    rows = _organisation_rows(context)
    # Saving is one bulk import, so its bar only moves at the end; a separate label keeps the first
    # bar from jumping back to zero.
    context.progress("saving people and teams", 0, len(rows))
    people_import_rows(rows)
    context.progress("saving people and teams", len(rows), len(rows))
    context.teams = list(Team.objects.order_by("name"))
    context.people = list(Person.objects.order_by("email"))
    # A quarter of the organisation agreed to be named if the network finds them bridging groups.
    Person.objects.filter(pk__in=[person.pk for person in context.people[::4]]).update(listed_as_broker=True)
    _demo_accounts(context)


def _organisation_rows(context: DemoContext) -> list[PersonRow]:
    rng, faker = context.rng, context.faker
    synthetic = context.size - len(DEMO_ACCOUNTS)
    department_count = max(3, min(len(DEPARTMENTS), synthetic // 60))
    departments = list(DEPARTMENTS)[:department_count]
    rows: list[PersonRow] = []
    emails: set[str] = set()
    team_names: set[str] = set()
    row_number = 2

    def new_person() -> tuple[str, str]:
        name = f"{faker.first_name()} {faker.last_name()}"
        local = name.lower().replace(" ", ".").replace("'", "")
        email, number = f"{local}@{DEMO_DOMAIN}", 2
        while email in emails:
            email, number = f"{local}{number}@{DEMO_DOMAIN}", number + 1
        emails.add(email)
        return name, email

    heads: dict[str, str] = {}
    for department in departments:
        name, email = new_person()
        heads[department] = email
        rows.append(
            PersonRow(
                row=row_number,
                email=email,
                name=name,
                team=department,
                title=f"Head of {department}",
                location=rng.choice(LOCATIONS),
            )
        )
        row_number += 1
    remaining = synthetic - len(rows)
    while remaining > 0:
        department = departments[len(team_names) % len(departments)]
        word = rng.choice(TEAM_WORDS)
        team, suffix = f"{department} {word}", 2
        while team in team_names:
            team, suffix = f"{department} {word} {suffix}", suffix + 1
        team_names.add(team)
        size = min(remaining, rng.randint(*TEAM_SIZE))
        manager_name, manager_email = new_person()
        rows.append(
            PersonRow(
                row=row_number,
                email=manager_email,
                name=manager_name,
                team=team,
                parent_team=department,
                manager_email=heads[department],
                title=f"{department} Team Lead",
                location=rng.choice(LOCATIONS),
            )
        )
        row_number += 1
        for _ in range(size - 1):
            name, email = new_person()
            rows.append(
                PersonRow(
                    row=row_number,
                    email=email,
                    name=name,
                    team=team,
                    parent_team=department,
                    manager_email=manager_email,
                    title=rng.choice(DEPARTMENTS[department]),
                    location=rng.choice(LOCATIONS),
                )
            )
            row_number += 1
        remaining -= size
        context.progress("inventing people and teams", len(rows), synthetic)
    return rows


def _demo_accounts(context: DemoContext) -> None:
    """The four fixed sign-ins, placed in real teams so their pages are not empty."""
    password = settings.PRACTICA_DEMO_PASSWORD
    teams = [team for team in context.teams if team.parent_id is not None] or context.teams
    for index, (username, (name, role, title)) in enumerate(DEMO_ACCOUNTS.items()):
        person = people_services.person_create(
            email=f"{username}@{DEMO_DOMAIN}",
            display_name=name,
            username=username,
            password=password,
            title=title,
            location=LOCATIONS[index % len(LOCATIONS)],
            role=role,
        )
        team = teams[index % len(teams)]
        manager = (
            team.memberships.filter(person__title__endswith="Team Lead")
            .select_related("person")
            .order_by("pk")
            .first()
        )
        people_services.team_membership_set(
            person=person, team=team, manager=manager.person if manager else None
        )
        context.accounts[username] = person
        context.people.append(person)
