# ruff: noqa: E501, RUF001  (item texts are prose, one item per block; the times and minus signs are intended)
"""Demo data for knowledge checks: three item banks with real questions, and attempts that show a range
of calibration (well calibrated people, over-confident low scorers, under-confident experts), so each
group view has a Dunning-Kruger picture to read and the person's report has something to say.

Checks and items are made through the real services; attempts are created in bulk and scored by
``checks.attempts_score`` (the same code ``attempt_submit`` uses), so at 20,000 people the step stays a
constant number of queries per check. demo-member takes "Testing fundamentals" twice through the
services, as a person would.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from practica.analysis.calibration import optimal_certainty
from practica.calibration import checks
from practica.calibration.models import CheckAttempt, CheckItem, ItemResponse, KnowledgeCheck, Skill
from practica.communities.models import Community, Membership, MembershipStatus, Role, Visibility
from practica.demo.generator import DemoContext, demo_step
from practica.people.models import Person

MAX_TAKERS = 400
"""Attempts per check are capped, so a 20,000-person demo stays fast."""

SKILLS: dict[str, tuple[str, str]] = {
    "software-testing": (
        "Software testing",
        "Designing, writing and running automated and exploratory tests.",
    ),
    "test-design": ("Test design", "Choosing test cases: boundaries, partitions, doubles, the test pyramid."),
    "secure-coding": (
        "Secure coding",
        "Writing code that resists injection, XSS, CSRF and credential theft.",
    ),
    "web-security": ("Web security", "HTTP security headers, TLS, cookies and browser protections."),
    "sql": ("SQL", "Querying relational databases correctly: joins, NULLs, aggregates, transactions."),
    "database-performance": ("Database performance", "Indexes, query plans and how databases find rows."),
}

Item = dict[str, Any]

CHECKS: list[dict[str, Any]] = [
    {
        "community": "testing",
        "title": "Testing fundamentals",
        "description": "Twelve questions on test doubles, test design and flaky tests. About ten minutes. "
        "Say honestly how sure you are: the score rewards knowing what you know.",
        "skills": ["software-testing"],
        "items": [
            {"kind": "single", "skills": ["test-design"],
             "prompt": "Which test double records how it was called, so the test can check the calls afterwards?",
             "options": ["Stub", "Spy", "Dummy", "Fake"], "answer": 1,
             "explanation": "A spy records its calls for later assertions. A stub returns canned answers, a dummy "
             "is passed along but never used, a fake is a working lightweight implementation (such as an "
             "in-memory repository)."},
            {"kind": "true_false", "skills": [],
             "prompt": "100% line coverage shows that the code has no bugs.", "answer": False,
             "explanation": "Coverage tells you which lines ran during the tests, not whether the assertions "
             "check the right behaviour. Mutation testing gets closer to that question."},
            {"kind": "multiple", "skills": ["test-design"],
             "prompt": "Which of these make a unit test flaky (pass or fail without a code change)?",
             "options": ["Depending on the current date and time", "Depending on the order the tests run in",
                         "Using a fixed random seed", "Calling a real network service"],
             "answer": [0, 1, 3],
             "explanation": "Time, test order and the network change between runs. A fixed seed makes random "
             "data repeatable, which is the cure, not the cause."},
            {"kind": "single", "skills": [],
             "prompt": "In the test pyramid, which kind of test should you have the most of?",
             "options": ["Unit tests", "End-to-end UI tests", "Manual exploratory tests", "Contract tests"],
             "answer": 0,
             "explanation": "Unit tests are fast, cheap and precise, so they form the wide base; slower, broader "
             "tests sit on top in smaller numbers (Mike Cohn's pyramid)."},
            {"kind": "numeric", "skills": ["test-design"],
             "prompt": "A field accepts whole numbers from 1 to 100 inclusive. With two-value boundary value "
             "analysis (each boundary and its nearest neighbour outside the range), how many values do you test?",
             "answer": 4, "tolerance": 0,
             "explanation": "0 and 1 at the lower boundary, 100 and 101 at the upper one: four values."},
            {"kind": "true_false", "skills": [],
             "prompt": "In test-driven development you write a failing test before the code that makes it pass.",
             "answer": True,
             "explanation": "Red, green, refactor: the failing test comes first and shows the test can fail."},
            {"kind": "single", "skills": ["test-design"],
             "prompt": "What does mutation testing measure?",
             "options": ["How fast the tests run", "Whether the tests fail when the code is deliberately changed",
                         "How many lines the tests execute", "How often tests fail at random"],
             "answer": 1,
             "explanation": "A mutation tool makes small changes (mutants) to the code; a good suite fails, "
             "killing the mutant. Surviving mutants show behaviour nobody checks."},
            {"kind": "multiple", "skills": [],
             "prompt": "Which steps are part of the Arrange-Act-Assert pattern?",
             "options": ["Set up the objects and data the test needs", "Call the behaviour under test",
                         "Check the outcome", "Sleep until the system settles"],
             "answer": [0, 1, 2],
             "explanation": "Arrange, act, assert. Sleeping for a fixed time is a classic source of slow, "
             "flaky tests; wait for a condition instead."},
            {"kind": "numeric", "skills": [],
             "prompt": "A suite has 3 flaky tests that each fail independently in 1% of runs. In what percentage "
             "of full-suite runs does at least one of them fail? (one decimal)",
             "answer": 3.0, "tolerance": 0.1,
             "explanation": "1 − 0.99³ = 0.0297, about 3.0%. Flakiness adds up quickly across a suite."},
            {"kind": "true_false", "skills": ["test-design"],
             "prompt": "Equivalence partitioning tests one representative value from each class of inputs the "
             "code treats the same way.", "answer": True,
             "explanation": "If the code treats all values in a class alike, one value stands for the class; "
             "boundary value analysis then adds the edges between classes."},
            {"kind": "single", "skills": [],
             "prompt": "Which HTTP status should an API test expect when a POST creates a new resource?",
             "options": ["200 OK", "201 Created", "204 No Content", "302 Found"], "answer": 1,
             "explanation": "201 Created, ideally with a Location header naming the new resource (RFC 9110)."},
            {"kind": "single", "skills": ["test-design"],
             "prompt": "A function was only tested with the input 0. Which technique is most likely to find an "
             "off-by-one error at its upper limit?",
             "options": ["Boundary value analysis", "Smoke testing", "Load testing", "Snapshot testing"],
             "answer": 0,
             "explanation": "Off-by-one errors live at the edges; boundary value analysis tests exactly there."},
        ],
    },
    {
        "community": "security-champions",
        "title": "Secure coding basics",
        "description": "Eleven questions on injection, passwords, sessions and browser protections.",
        "skills": ["secure-coding"],
        "items": [
            {"kind": "single", "skills": [],
             "prompt": "Which defence stops SQL injection most reliably?",
             "options": ["Parameterised queries (prepared statements)", "Escaping quotes by hand",
                         "Hiding database error messages", "Limiting input length"],
             "answer": 0,
             "explanation": "With bound parameters the data never becomes part of the SQL text. Escaping by hand "
             "misses cases; hiding errors and length limits only slow an attacker down."},
            {"kind": "multiple", "skills": [],
             "prompt": "Which belong in a good password storage scheme?",
             "options": ["A slow, salted hash such as Argon2id or bcrypt", "A unique random salt per password",
                         "MD5 with one salt for the whole site", "Reversible encryption so support can read passwords"],
             "answer": [0, 1],
             "explanation": "Use a slow password hash with a per-password salt (OWASP Password Storage Cheat "
             "Sheet). MD5 is far too fast, and nobody should ever be able to read a password back."},
            {"kind": "true_false", "skills": ["web-security"],
             "prompt": "With HTTPS, someone watching the network cannot see the path and query string of the URL.",
             "answer": True,
             "explanation": "The path and query travel inside TLS. The host name is still visible (DNS and the "
             "TLS SNI field), so do not rely on HTTPS to hide which site is visited."},
            {"kind": "single", "skills": ["web-security"],
             "prompt": "Cross-site request forgery (CSRF) is mainly prevented by…",
             "options": ["A per-session token checked on every state-changing request, with SameSite cookies",
                         "Encrypting the session cookie", "A Content-Security-Policy on its own", "Rate limiting"],
             "answer": 0,
             "explanation": "The forged request carries the victim's cookies but not the secret token; SameSite "
             "cookies add a second layer."},
            {"kind": "numeric", "skills": [],
             "prompt": "A password of 8 characters drawn uniformly at random from the 62 letters and digits has "
             "how many bits of entropy? (nearest whole number)",
             "answer": 48, "tolerance": 0.5,
             "explanation": "8 × log₂ 62 ≈ 8 × 5.95 = 47.6 bits, about 48: within reach of offline cracking, which "
             "is why length matters more than symbols."},
            {"kind": "true_false", "skills": ["web-security"],
             "prompt": "Keeping a session token in localStorage protects it from theft by cross-site scripting.",
             "answer": False,
             "explanation": "Any script on the page can read localStorage. An HttpOnly cookie cannot be read by "
             "scripts at all."},
            {"kind": "single", "skills": ["web-security"],
             "prompt": "Which response header tells browsers to use only HTTPS for a site on future visits?",
             "options": ["Strict-Transport-Security", "Content-Security-Policy", "X-Frame-Options",
                         "Referrer-Policy"],
             "answer": 0, "explanation": "HSTS (RFC 6797) makes the browser upgrade every request to HTTPS."},
            {"kind": "multiple", "skills": ["web-security"],
             "prompt": "Which reduce the damage cross-site scripting (XSS) can do?",
             "options": ["Escaping output for its context (HTML, attribute, JavaScript)",
                         "A Content-Security-Policy without 'unsafe-inline'", "HttpOnly session cookies",
                         "Using POST instead of GET"],
             "answer": [0, 1, 2],
             "explanation": "Escaping prevents the injection, CSP blocks inline scripts that slip through, and "
             "HttpOnly keeps the session out of the attacker's reach. The HTTP method makes no difference."},
            {"kind": "true_false", "skills": [],
             "prompt": "Least privilege means a service account gets only the permissions its job needs.",
             "answer": True,
             "explanation": "Then a stolen credential or a bug can do only limited harm."},
            {"kind": "numeric", "skills": [],
             "prompt": "With the defaults of RFC 6238, a time-based one-time password (TOTP) changes every how "
             "many seconds?", "answer": 30, "tolerance": 0,
             "explanation": "The default time step is 30 seconds; servers usually also accept the neighbouring "
             "step to allow for clock drift."},
            {"kind": "single", "skills": [],
             "prompt": "Where should an application's database password live?",
             "options": ["In a secret store, injected into the environment at deploy time",
                         "In the Git repository, base64-encoded", "Hard-coded in the source code", "In the README"],
             "answer": 0,
             "explanation": "Secrets in a repository spread to every clone and fork for ever; base64 is an "
             "encoding, not encryption."},
        ],
    },
    {
        "community": "data-ml",
        "title": "SQL and indexing",
        "description": "Eleven questions on joins, NULLs, transactions and how indexes are used.",
        "skills": ["sql"],
        "items": [
            {"kind": "single", "skills": ["database-performance"],
             "prompt": "In PostgreSQL, which index type serves a range condition such as `created_at > $1`?",
             "options": ["B-tree", "Hash", "GIN"], "answer": 0,
             "explanation": "B-trees keep keys sorted, so they serve ranges and ORDER BY. Hash indexes serve only "
             "equality; GIN is for containment (arrays, JSON, full text)."},
            {"kind": "true_false", "skills": ["database-performance"],
             "prompt": "An index on (last_name, first_name) helps a query filtering only on first_name as much as "
             "one filtering only on last_name.", "answer": False,
             "explanation": "A composite B-tree is sorted by its leftmost column first, so it serves conditions "
             "on a leftmost prefix; first_name alone is scattered across the index."},
            {"kind": "multiple", "skills": [],
             "prompt": "Which of these are aggregate functions in standard SQL?",
             "options": ["COUNT", "SUM", "COALESCE", "AVG", "UPPER"], "answer": [0, 1, 3],
             "explanation": "COUNT, SUM and AVG combine many rows into one value. COALESCE and UPPER work on "
             "single values."},
            {"kind": "numeric", "skills": ["database-performance"],
             "prompt": "A table has 1,000,000 rows and each index page holds 500 keys. How many levels does the "
             "B-tree index need?", "answer": 3, "tolerance": 0,
             "explanation": "500² = 250,000 < 1,000,000 ≤ 500³, so three levels: even huge tables are a few page "
             "reads away."},
            {"kind": "single", "skills": [],
             "prompt": "What does a LEFT JOIN return for rows of the left table with no match on the right?",
             "options": ["They are left out", "They appear once, with NULL in the right table's columns",
                         "They appear twice", "The query fails"],
             "answer": 1, "explanation": "That is the difference from an inner join, which drops them."},
            {"kind": "true_false", "skills": [],
             "prompt": "`WHERE discount = NULL` finds the rows whose discount is NULL.", "answer": False,
             "explanation": "Any comparison with NULL is unknown, never true; write `discount IS NULL`."},
            {"kind": "single", "skills": [],
             "prompt": "Which isolation level prevents non-repeatable reads but, by the SQL standard, still allows "
             "phantom reads?",
             "options": ["Read committed", "Repeatable read", "Serializable", "Read uncommitted"], "answer": 1,
             "explanation": "Repeatable read keeps rows you have read stable; new rows matching your condition "
             "(phantoms) are ruled out only by serializable. PostgreSQL's repeatable read happens to prevent "
             "phantoms too."},
            {"kind": "numeric", "skills": [],
             "prompt": "A table has 3 rows; in one of them every column is NULL. What does `SELECT COUNT(*)` return?",
             "answer": 3, "tolerance": 0,
             "explanation": "COUNT(*) counts rows, whatever they hold; COUNT(column) would skip the NULLs."},
            {"kind": "multiple", "skills": ["database-performance"],
             "prompt": "Which usually stop a plain index on `email` being used for a lookup by email?",
             "options": ["Wrapping the column in a function, as in `lower(email) = $1`, without an expression index",
                         "Comparing with a value whose type forces a cast of the column",
                         "Selecting only the indexed column", "Adding LIMIT 1"],
             "answer": [0, 1],
             "explanation": "The index holds the column's values as they are; a function or a cast applied to "
             "the column hides them. An expression index on lower(email) fixes the first case."},
            {"kind": "true_false", "skills": ["database-performance"],
             "prompt": "In PostgreSQL, EXPLAIN ANALYZE actually runs the query.", "answer": True,
             "explanation": "It executes the statement to measure real times and row counts, so wrap an "
             "UPDATE or DELETE in a transaction you roll back."},
            {"kind": "single", "skills": [],
             "prompt": "Which normal form removes transitive dependencies (non-key columns depending on other "
             "non-key columns)?", "options": ["First", "Second", "Third", "None of them"], "answer": 2,
             "explanation": "Third normal form: every non-key column depends on the key, the whole key and "
             "nothing but the key."},
        ],
    },
]  # fmt: skip


def _skill(slug: str, community: Community) -> Skill:
    """The skill with ``slug`` (organisation-wide or the community's), made organisation-wide if missing,
    so this step works whether or not the skills demo step has run."""
    skill = Skill.objects.filter(slug=slug).filter(Q(community__isnull=True) | Q(community=community)).first()
    if skill is None:
        name, description = SKILLS[slug]
        skill = Skill.objects.create(name=name, slug=slug, description=description)
    return skill


def _lead_of(community: Community) -> Person | None:
    membership = (
        Membership.objects.filter(community=community, role=Role.LEAD, status=MembershipStatus.ACTIVE)
        .select_related("person")
        .order_by("pk")
        .first()
    )
    return membership.person if membership else None


def _wrong_response(item: CheckItem, rng: random.Random) -> Any:
    if item.kind == "single":
        return rng.choice([index for index in range(len(item.options)) if index != item.answer])
    if item.kind == "true_false":
        return not item.answer
    if item.kind == "numeric":
        step = max(1.0, abs(float(item.answer)) * 0.25, float(item.tolerance or 0) * 2 + 1)
        return float(item.answer) + rng.choice([-1, 1]) * step * rng.randint(1, 3)
    correct = set(item.answer)
    wrong = [index for index in range(len(item.options)) if index not in correct]
    picked = set(rng.sample(sorted(correct), max(1, len(correct) - 1)))  # miss one correct option
    if wrong and rng.random() < 0.6:
        picked.add(rng.choice(wrong))  # and often pick a wrong one too
    if picked == correct:
        picked.discard(next(iter(correct)))
    return sorted(picked)


class _Taker:
    """A simulated person: ability, and how their confidence relates to it."""

    def __init__(self, rng: random.Random) -> None:
        self.ability = rng.gauss(0.0, 1.0)
        # Low scorers are more often over-confident, experts more often under-confident.
        roll = rng.random()
        if self.ability < -0.4:
            self.style = "over" if roll < 0.6 else "calibrated"
        elif self.ability > 0.8:
            self.style = "under" if roll < 0.5 else "calibrated"
        else:
            self.style = "over" if roll < 0.2 else ("under" if roll < 0.3 else "calibrated")

    def chance(self, difficulty: float) -> float:
        return 1.0 / (1.0 + math.exp(-1.7 * (self.ability - difficulty)))

    def certainty(self, chance: float, rng: random.Random) -> int | None:
        felt = chance + rng.gauss(0.0, 0.08) + {"over": 0.3, "under": -0.25, "calibrated": 0.0}[self.style]
        if rng.random() < 0.04:
            return None  # forgot to say
        return optimal_certainty(min(max(felt, 0.0), 1.0))

    def estimate(self, expected: float, rng: random.Random) -> float:
        bias = {"over": 0.22, "under": -0.12, "calibrated": 0.04}[self.style]
        # Estimates follow the expected score only partly (a flatter line: the classic picture).
        guess = 0.62 + 0.45 * (expected - 0.62) + bias + rng.gauss(0.0, 0.08)
        return round(min(max(guess, 0.05), 0.98), 2)


def _make_check(spec: dict[str, Any], community: Community, lead: Person) -> KnowledgeCheck:
    check = checks.check_create(
        actor=lead,
        community=community,
        title=spec["title"],
        description=spec["description"],
        skill_ids=[_skill(slug, community).pk for slug in spec["skills"]],
    )
    for item in spec["items"]:
        fields = {key: value for key, value in item.items() if key != "skills"}
        checks.item_create(
            actor=lead,
            check=check,
            skill_ids=[_skill(slug, community).pk for slug in item["skills"]],
            **fields,
        )
    return checks.check_set_status(actor=lead, check=check, status="published")


def _simulate(
    check: KnowledgeCheck, items: list[CheckItem], people: list[Person], rng: random.Random, when: Any
) -> None:
    difficulties = [rng.uniform(-1.6, 1.0) for _ in items]
    takers = [_Taker(rng) for _ in people]
    answers: list[tuple[CheckAttempt, dict[int, ItemResponse]]] = []
    for person, taker in zip(people, takers, strict=True):
        expected = sum(taker.chance(d) for d in difficulties) / len(difficulties)
        attempt = CheckAttempt(
            check_ref=check,
            person=person,
            number=1,
            estimated_score=taker.estimate(expected, rng),
            started_at=when - timedelta(minutes=rng.randint(5, 30)),
        )
        responses: dict[int, ItemResponse] = {}
        for item, difficulty in zip(items, difficulties, strict=True):
            if rng.random() < 0.03:
                continue  # left unanswered
            chance = taker.chance(difficulty)
            right = rng.random() < chance
            responses[item.pk] = ItemResponse(
                item=item,
                response=item.answer if right else _wrong_response(item, rng),
                certainty=taker.certainty(chance, rng),
                answered_at=when,
            )
        answers.append((attempt, responses))
    checks.attempts_import(check=check, answers=answers, now=when)


def _demo_member_retake(check: KnowledgeCheck, member: Person, rng: random.Random) -> None:
    """demo-member's second attempt, through the services: better, and more honest about certainty."""
    attempt = checks.attempt_start(person=member, check=check, estimated_score=0.7)
    for item in check.items.order_by("position", "id"):
        right = rng.random() < 0.9
        certainty = 3 if right and rng.random() < 0.6 else (2 if right else 1)
        checks.attempt_answer(
            person=member,
            attempt=attempt,
            item=item,
            response=item.answer if right else _wrong_response(item, rng),
            certainty=certainty,
        )
    checks.attempt_submit(person=member, attempt=attempt)


@demo_step(order=33, label="knowledge checks")
def checks_step(context: DemoContext) -> None:
    """Three published checks with real items, taken by up to MAX_TAKERS people each."""
    rng = context.rng
    now = timezone.now()
    member = context.accounts.get("demo-member")
    for index, spec in enumerate(CHECKS):
        context.progress("knowledge checks", index, len(CHECKS))
        community = Community.objects.filter(slug=spec["community"]).first()
        lead = _lead_of(community) if community else None
        if community is None or lead is None:
            continue
        check = _make_check(spec, community, lead)
        items = list(check.items.order_by("position", "id"))
        if community.visibility == Visibility.OPEN:
            pool = [person for person in context.people if person.pk != lead.pk]
        else:
            pool = list(
                Person.objects.filter(
                    community_memberships__community=community,
                    community_memberships__status=MembershipStatus.ACTIVE,
                )
                .exclude(pk=lead.pk)
                .order_by("pk")
            )
        count = min(len(pool), MAX_TAKERS, max(60, context.size // 5))
        takers = rng.sample(pool, count)
        if member is not None and community.visibility == Visibility.OPEN:
            takers = [member, *[person for person in takers if person.pk != member.pk]][:count]
        if not takers:
            continue
        when = now - timedelta(days=rng.randint(10, 60))
        _simulate(check, items, takers, rng, when)
        if member is not None and spec["community"] == "testing" and member in takers:
            _demo_member_retake(check, member, rng)
    context.progress("knowledge checks", len(CHECKS), len(CHECKS))
