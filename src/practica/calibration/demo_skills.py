"""Demo data for skills: taxonomy, assessments, evidence levels and gaps.

The taxonomy is made through the real service (so names, slugs and the tree follow its rules). The
assessments are many (up to ~3 per person at 20,000 people), so they are built in memory from one read
of teams and memberships and written with ``bulk_create``; every peer shares a team with the person
and every lead leads a community the person belongs to, as the service would insist. They follow the
familiar pattern: novices rate themselves well above the evidence, experts a little below. demo-member
goes through the service: a self-assessment of 4 in Test automation against a lead's and a peer's 2
(Software testing and SQL get check evidence from the knowledge-check demo).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta

from django.utils import timezone

from practica.calibration.models import AssessmentSource, Skill, SkillAssessment
from practica.calibration.skills import skill_assess, skill_create
from practica.communities.models import Community, Membership, MembershipStatus, Role
from practica.core.permissions import can_lead_assess
from practica.demo.generator import DemoContext, demo_step
from practica.people.models import Person, TeamMembership

# slug -> (name, parent slug, description). Slugs shared with the knowledge-check demo (order 33)
# come first: its checks tag software-testing, test-design, secure-coding, web-security, sql and
# database-performance.
TAXONOMY: list[tuple[str, str, str | None, str]] = [
    ("engineering", "Engineering", None, "Building and running software."),
    ("software-testing", "Software testing", "engineering", "Designing, writing and running tests."),
    ("test-design", "Test design", "software-testing", "Boundaries, partitions, doubles, the test pyramid."),
    (
        "test-automation",
        "Test automation",
        "software-testing",
        "Automated suites that stay fast and trusted.",
    ),
    ("security", "Security", "engineering", "Keeping systems and data safe."),
    (
        "secure-coding",
        "Secure coding",
        "security",
        "Code that resists injection, XSS, CSRF and credential theft.",
    ),
    ("web-security", "Web security", "security", "HTTP security headers, TLS, cookies, browser protections."),
    ("observability", "Observability", "engineering", "Logs, metrics and traces that answer new questions."),
    ("data", "Data", None, "Working with data to answer questions."),
    ("sql", "SQL", "data", "Querying relational databases correctly: joins, NULLs, aggregates."),
    (
        "database-performance",
        "Database performance",
        "data",
        "Indexes, query plans and how databases find rows.",
    ),
    ("statistics", "Statistics", "data", "Uncertainty, sampling, experiments and their pitfalls."),
    ("product", "Product", None, "Deciding what to build and learning whether it worked."),
    (
        "product-discovery",
        "Product discovery",
        "product",
        "Finding out what is worth building before building it.",
    ),
    (
        "usability-testing",
        "Usability testing",
        "product",
        "Watching people use the product and learning from it.",
    ),
    ("facilitation", "Facilitation", None, "Helping groups think, decide and learn together."),
    (
        "retrospectives",
        "Retrospectives",
        "facilitation",
        "Reviews that turn experience into changed practice.",
    ),
]

# community slug -> its own skills (name, description)
COMMUNITY_SKILLS: dict[str, list[tuple[str, str]]] = {
    "testing": [
        ("Contract testing", "Consumer-driven contracts between services."),
        ("Mutation testing", "Measuring how well tests catch injected faults."),
    ],
    "security-champions": [("Threat modelling", "Finding what can go wrong before it does (STRIDE).")],
    "data-ml": [("Experiment design", "A/B tests with power, guardrails and honest stopping rules.")],
}

DEMO_GAP_SKILL = "test-automation"
BATCH = 5_000
JUSTIFICATIONS = [
    "Paired with them on the last release; they handled the tricky parts on their own.",
    "Reviewed their recent work: solid on the basics, still asks for help with edge cases.",
    "Led a session on this in the community meetup and answered questions well.",
    "Watched them debug a production issue in this area; calm and methodical.",
    "Their pull requests in this area need few review comments.",
    "Still follows the checklist step by step; getting more confident each month.",
]


def _self_level(rng: random.Random, true_level: int) -> int:
    """Dunning-Kruger-like: novices overestimate by one or two levels, experts slightly underestimate."""
    bias = {1: 1.6, 2: 1.0, 3: 0.4, 4: 0.0, 5: -0.4}[true_level]
    return min(5, max(1, round(true_level + bias + rng.gauss(0, 0.6))))


def _observed_level(rng: random.Random, true_level: int) -> int:
    return min(5, max(1, round(true_level + rng.gauss(0, 0.5))))


def _taxonomy(steward: Person) -> dict[str, Skill]:
    made: dict[str, Skill] = {}
    for slug, name, parent, description in TAXONOMY:
        existing = Skill.objects.filter(slug=slug, community__isnull=True).first()
        made[slug] = existing or skill_create(
            actor=steward, name=name, slug=slug, description=description, parent=made.get(parent or "")
        )
    return made


def _community_skills() -> list[Skill]:
    made: list[Skill] = []
    for slug, skills in COMMUNITY_SKILLS.items():
        community = Community.objects.filter(slug=slug).first()
        if community is None:
            continue
        lead = Person.objects.filter(
            community_memberships__community=community,
            community_memberships__role=Role.LEAD,
            community_memberships__status=MembershipStatus.ACTIVE,
        ).first()
        if lead is None:
            continue
        for name, description in skills:
            made.append(skill_create(actor=lead, community=community, name=name, description=description))
    return made


@demo_step(order=25, label="skills")
def skills_step(context: DemoContext) -> None:
    """An organisation-wide taxonomy, community skills, and self, peer and lead assessments."""
    rng = context.rng
    now = timezone.now()
    steward = context.accounts["demo-steward"]
    taxonomy = _taxonomy(steward)
    community_skills = _community_skills()
    org_skills = [skill for slug, skill in taxonomy.items() if slug not in {"engineering", "data", "product"}]
    context.progress("skills", 0, 3)

    team_of: dict[int, int] = {}
    team_people: dict[int, list[int]] = defaultdict(list)
    for person_id, team_id in TeamMembership.objects.values_list("person_id", "team_id").order_by("pk"):
        team_of.setdefault(person_id, team_id)
        team_people[team_id].append(person_id)
    communities_of: dict[int, list[int]] = defaultdict(list)
    leads_of: dict[int, list[int]] = defaultdict(list)
    # In creation order: the order of these lists decides which random draws go where.
    for person_id, community_id, role in (
        Membership.objects.filter(status=MembershipStatus.ACTIVE)
        .values_list("person_id", "community_id", "role")
        .order_by("pk")
    ):
        communities_of[person_id].append(community_id)
        if role == Role.LEAD:
            leads_of[community_id].append(person_id)
    by_community: dict[int, list[Skill]] = defaultdict(list)
    for skill in community_skills:
        by_community[skill.community_id or 0].append(skill)
    context.progress("skills", 1, 3)

    demo_member = context.accounts["demo-member"]
    rows: list[SkillAssessment] = []
    for person in context.people:
        if person.pk == demo_member.pk:
            continue
        choices = rng.sample(org_skills, rng.randint(0, 3))
        for community_id in communities_of.get(person.pk, []):
            if by_community.get(community_id) and rng.random() < 0.5:
                choices.append(rng.choice(by_community[community_id]))
        for skill in choices:
            true_level = rng.choices([1, 2, 3, 4, 5], weights=[20, 30, 28, 16, 6])[0]
            when = now - timedelta(days=rng.randint(0, 700), minutes=rng.randint(0, 1440))
            rows.append(
                SkillAssessment(
                    person=person,
                    skill=skill,
                    source=AssessmentSource.SELF,
                    level=_self_level(rng, true_level),
                    assessor=person,
                    created_at=when,
                )
            )
            peers = [pid for pid in team_people.get(team_of.get(person.pk, -1), []) if pid != person.pk]
            if peers and rng.random() < 0.35:
                rows.append(
                    SkillAssessment(
                        person=person,
                        skill=skill,
                        source=AssessmentSource.PEER,
                        level=_observed_level(rng, true_level),
                        assessor_id=rng.choice(peers),
                        justification=rng.choice(JUSTIFICATIONS),
                        created_at=when + timedelta(days=rng.randint(1, 60)),
                    )
                )
            # A lead of the skill's community, or of any community the person is in (org-wide skills).
            eligible = [skill.community_id] if skill.community_id else communities_of.get(person.pk, [])
            leads = [lid for cid in eligible for lid in leads_of.get(cid, []) if lid != person.pk]
            if leads and rng.random() < 0.2:
                rows.append(
                    SkillAssessment(
                        person=person,
                        skill=skill,
                        source=AssessmentSource.LEAD,
                        level=_observed_level(rng, true_level),
                        assessor_id=rng.choice(leads),
                        justification=rng.choice(JUSTIFICATIONS),
                        created_at=when + timedelta(days=rng.randint(1, 90)),
                    )
                )
        if len(rows) >= BATCH:
            SkillAssessment.objects.bulk_create(rows)
            rows = []
    SkillAssessment.objects.bulk_create(rows)
    context.progress("skills", 2, 3)
    _demo_member_gap(context, taxonomy)
    context.progress("skills", 3, 3)


def _demo_member_gap(context: DemoContext, taxonomy: dict[str, Skill]) -> None:
    """demo-member thinks they are proficient at test automation; a lead and a peer saw an advanced
    beginner."""
    member, lead = context.accounts["demo-member"], context.accounts["demo-lead"]
    automation, sql = taxonomy[DEMO_GAP_SKILL], taxonomy["sql"]
    skill_assess(assessor=member, person=member, skill=automation, source="self", level=4)
    skill_assess(assessor=member, person=member, skill=sql, source="self", level=2)
    peer = (
        Person.objects.filter(team_memberships__team__memberships__person=member)
        .exclude(pk=member.pk)
        .order_by("pk")
        .first()
    )
    if peer is not None:
        skill_assess(
            assessor=peer,
            person=member,
            skill=automation,
            source="peer",
            level=2,
            justification="We paired on the checkout test suite: good instincts, but still unsure how to "
            "automate the edge cases without a recipe.",
        )
        skill_assess(
            assessor=peer,
            person=member,
            skill=sql,
            source="peer",
            level=3,
            justification="Wrote the reporting queries for our team, joins and NULLs handled correctly.",
        )
    if can_lead_assess(lead, member, automation):
        skill_assess(
            assessor=lead,
            person=member,
            skill=automation,
            source="lead",
            level=2,
            justification="In the Testing kata Mia followed the steps well but needed help choosing what "
            "to test first.",
        )
