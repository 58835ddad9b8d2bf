"""Knowledge-check services: authoring rules, taking, scoring by hand, and every refusal changing nothing."""

from __future__ import annotations

import pytest

from practica.calibration import checks
from practica.calibration.check_selectors import check_history
from practica.calibration.models import (
    AssessmentSource,
    CalibrationRecord,
    CheckAttempt,
    CheckItem,
    CheckStatus,
    ItemResponse,
    KnowledgeCheck,
    RecordSource,
    Skill,
    SkillAssessment,
)
from practica.communities.services import community_create
from practica.core.errors import ApplicationError

from . import check_fixtures
from .check_fixtures import ITEMS, RIGHT, WRONG, take

# pytest finds fixtures by name in the module: bind the shared ones here.
draft_check = check_fixtures.draft_check
published_check = check_fixtures.published_check
design_skill = check_fixtures.design_skill

pytestmark = pytest.mark.django_db


def test_a_lead_writes_a_draft_check_with_items_in_order(draft_check, design_skill):
    assert draft_check.status == CheckStatus.DRAFT
    assert list(draft_check.skills.all()) == [design_skill]
    items = list(draft_check.items.all())
    assert [item.kind for item in items] == ["single", "multiple", "true_false", "numeric"]
    assert [item.position for item in items] == [1, 2, 3, 4]
    assert items[1].answer == [0, 2]
    assert items[3].tolerance == 0.0


def test_only_leads_write_checks(member, outsider, testing):
    for person in (member, outsider):
        with pytest.raises(ApplicationError, match="Only a lead"):
            checks.check_create(actor=person, community=testing, title="Mine")
    assert not KnowledgeCheck.objects.exists()


def test_a_member_cannot_add_items_to_a_leads_check(member, draft_check):
    with pytest.raises(ApplicationError, match="Only a lead"):
        checks.item_create(actor=member, check=draft_check, **ITEMS[0])
    assert draft_check.items.count() == 4


def test_skills_of_another_community_are_refused(owner, testing):
    other = community_create(actor=owner, name="Elsewhere")
    foreign = Skill.objects.create(name="Kotlin", slug="kotlin", community=other)
    with pytest.raises(ApplicationError) as refusal:
        checks.check_create(actor=owner, community=testing, title="Checks", skill_ids=[foreign.pk])
    assert refusal.value.field == "skills"
    assert not KnowledgeCheck.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "single", "prompt": "Q?", "options": ["a", "b"], "answer": 2}, "answer"),
        ({"kind": "single", "prompt": "Q?", "options": ["a"], "answer": 0}, "options"),
        ({"kind": "multiple", "prompt": "Q?", "options": ["a", "b"], "answer": []}, "answer"),
        ({"kind": "numeric", "prompt": "Q?", "answer": 4, "tolerance": -1}, "tolerance"),
        ({"kind": "true_false", "prompt": "Q?", "answer": None}, "answer"),
        ({"kind": "true_false", "prompt": "  ", "answer": True}, "prompt"),
        ({"kind": "true_false", "prompt": "Q?", "answer": True, "weight": 0}, "weight"),
    ],
)
def test_malformed_items_are_refused_naming_the_field(owner, draft_check, fields, field):
    with pytest.raises(ApplicationError) as refusal:
        checks.item_create(actor=owner, check=draft_check, **fields)
    assert refusal.value.field == field
    assert draft_check.items.count() == 4


def test_items_move_up_and_down_and_stay_at_the_ends(owner, draft_check):
    first, second, third, fourth = draft_check.items.all()
    checks.item_move(actor=owner, item=third, offset=-1)
    assert list(draft_check.items.values_list("pk", flat=True)) == [first.pk, third.pk, second.pk, fourth.pk]
    checks.item_move(actor=owner, item=first, offset=-1)
    assert draft_check.items.values_list("pk", flat=True).first() == first.pk
    checks.item_move(actor=owner, item=first, offset=1)
    assert list(draft_check.items.values_list("pk", flat=True)) == [third.pk, first.pk, second.pk, fourth.pk]


def test_an_item_is_edited_and_deleted_while_the_check_is_a_draft(owner, draft_check):
    item = draft_check.items.first()
    checks.item_update(actor=owner, item=item, kind="true_false", prompt="Spies record calls.", answer=True)
    item.refresh_from_db()
    assert (item.kind, item.options, item.answer) == ("true_false", [], True)
    checks.item_delete(actor=owner, item=item)
    assert draft_check.items.count() == 3


def test_a_published_checks_items_are_fixed(owner, published_check):
    item = published_check.items.first()
    with pytest.raises(ApplicationError, match="no longer a draft"):
        checks.item_update(actor=owner, item=item, kind="true_false", prompt="Changed", answer=True)
    with pytest.raises(ApplicationError, match="no longer a draft"):
        checks.item_delete(actor=owner, item=item)
    with pytest.raises(ApplicationError, match="no longer a draft"):
        checks.item_create(actor=owner, check=published_check, **ITEMS[2])
    item.refresh_from_db()
    assert item.prompt == ITEMS[0]["prompt"]
    assert published_check.items.count() == 4


def test_status_goes_draft_published_archived_and_back(owner, testing, draft_check):
    empty = checks.check_create(actor=owner, community=testing, title="Empty")
    with pytest.raises(ApplicationError, match="at least one item"):
        checks.check_set_status(actor=owner, check=empty, status="published")
    with pytest.raises(ApplicationError, match="draft to published"):
        checks.check_set_status(actor=owner, check=draft_check, status="archived")
    check = checks.check_set_status(actor=owner, check=draft_check, status="published")
    check = checks.check_set_status(actor=owner, check=check, status="archived")
    assert checks.check_set_status(actor=owner, check=check, status="published").status == "published"
    with pytest.raises(ApplicationError):
        checks.check_set_status(actor=owner, check=check, status="draft")


def test_submitting_scores_by_hand_and_writes_records_and_evidence(member, published_check, design_skill):
    published_check.items.first().skills.add(design_skill)
    attempt = take(
        member,
        published_check,
        [RIGHT[0], [0], WRONG[2], None],  # right, half right, wrong, not answered
        [3, 2, 3, None],
        estimate=0.8,
    )
    # marks: +3, 2 * 0.5 = +1, -6, 0; credit 1, 0.5, 0, 0
    assert attempt.submitted_at is not None
    assert attempt.accuracy == pytest.approx(0.375)
    assert attempt.average_mark == pytest.approx(-0.5)
    # bonus = 0.1 * (average mark - max(acc, 4 acc - 2, 9 acc - 6)) = 0.1 * (-0.5 - 0.375)
    assert attempt.bonus == pytest.approx(-0.0875)
    responses = list(ItemResponse.objects.filter(attempt=attempt).order_by("item__position"))
    assert [row.fraction for row in responses] == [1.0, 0.5, 0.0, 0.0]
    assert [row.mark for row in responses] == [3.0, 1.0, -6.0, 0.0]
    assert responses[3].response is None
    records = CalibrationRecord.objects.filter(person=member, source=RecordSource.CHECK_ITEM).order_by(
        "source_id"
    )
    assert [record.source_id for record in records] == [row.pk for row in responses[:3]]
    assert [record.certainty for record in records] == [3, 2, 3]
    assert records[0].topic == "Test design"
    assert records[0].summary.startswith("Testing fundamentals: Which test double")
    assert records[0].url.endswith(f"/attempts/{attempt.pk}/#item-{responses[0].item_id}")
    evidence = SkillAssessment.objects.get(person=member)
    assert (evidence.skill, evidence.source, evidence.attempt) == (
        design_skill,
        AssessmentSource.CHECK,
        attempt,
    )
    # the skill is tagged on item 1 (right): the evidence is that item's accuracy, 100% -> level 5
    assert evidence.level == 5


def test_check_level_skills_use_every_item(member, published_check, design_skill):
    take(member, published_check, [RIGHT[0], RIGHT[1], WRONG[2], WRONG[3]], [1, 1, 1, 1])
    assert SkillAssessment.objects.get(person=member).level == 2  # 50% -> 35..55 -> level 2


def test_an_answer_without_certainty_counts_as_low(member, published_check):
    attempt = take(
        member, published_check, [WRONG[0], RIGHT[1], RIGHT[2], RIGHT[3]], [None, None, None, None]
    )
    assert attempt.average_mark == pytest.approx(0.75)  # 0 + 1 + 1 + 1 over 4
    assert set(CalibrationRecord.objects.values_list("certainty", flat=True)) == {1}


def test_answers_change_until_submitting(member, published_check):
    attempt = checks.attempt_start(person=member, check=published_check, estimated_score=0.5)
    item = published_check.items.first()
    checks.attempt_answer(person=member, attempt=attempt, item=item, response=0, certainty=3)
    checks.attempt_answer(person=member, attempt=attempt, item=item, response=1, certainty="2")
    row = ItemResponse.objects.get(attempt=attempt)
    assert (row.response, row.certainty) == (1, 2)


def test_retakes_are_numbered_and_history_is_kept(member, published_check):
    first = take(member, published_check, WRONG, [3, 3, 3, 3])
    second = take(member, published_check, RIGHT, [3, 3, 3, 3])
    assert (first.number, second.number) == (1, 2)
    assert (first.accuracy, second.accuracy) == (0.0, 1.0)
    assert CheckAttempt.objects.filter(person=member).count() == 2
    assert CalibrationRecord.objects.filter(person=member).count() == 8
    history = check_history(member.pk)
    assert [(entry.number, entry.accuracy) for entry in history] == [(2, 1.0), (1, 0.0)]
    assert history[0].url == f"/communities/testing/checks/{published_check.pk}/attempts/{second.pk}/"


def test_one_attempt_is_open_at_a_time(member, published_check):
    checks.attempt_start(person=member, check=published_check, estimated_score=0.5)
    with pytest.raises(ApplicationError, match="in progress"):
        checks.attempt_start(person=member, check=published_check, estimated_score=0.5)
    assert CheckAttempt.objects.count() == 1


@pytest.mark.parametrize("certainty", [0, 4, -1, "high", 2.5, True])
def test_a_certainty_outside_one_to_three_is_refused(member, published_check, certainty):
    attempt = checks.attempt_start(person=member, check=published_check, estimated_score=0.5)
    with pytest.raises(ApplicationError, match="certainty of 1"):
        checks.attempt_answer(
            person=member,
            attempt=attempt,
            item=published_check.items.first(),
            response=1,
            certainty=certainty,
        )
    assert not ItemResponse.objects.exists()


def test_answering_an_item_of_another_check_is_refused(owner, member, testing, published_check):
    other = checks.check_create(actor=owner, community=testing, title="Other")
    foreign = checks.item_create(actor=owner, check=other, **ITEMS[2])
    attempt = checks.attempt_start(person=member, check=published_check, estimated_score=0.5)
    with pytest.raises(ApplicationError, match="another check"):
        checks.attempt_answer(person=member, attempt=attempt, item=foreign, response=True, certainty=1)
    assert not ItemResponse.objects.exists()


def test_a_malformed_response_is_refused(member, published_check):
    attempt = checks.attempt_start(person=member, check=published_check, estimated_score=0.5)
    with pytest.raises(ApplicationError, match="Choose one of the options"):
        checks.attempt_answer(person=member, attempt=attempt, item=published_check.items.first(), response=7)
    assert not ItemResponse.objects.exists()


def test_a_submitted_attempt_is_closed(member, published_check):
    attempt = take(member, published_check, RIGHT, [1, 1, 1, 1])
    item = published_check.items.first()
    with pytest.raises(ApplicationError, match="submitted and closed"):
        checks.attempt_answer(person=member, attempt=attempt, item=item, response=0, certainty=3)
    with pytest.raises(ApplicationError, match="submitted and closed"):
        checks.attempt_submit(person=member, attempt=attempt)
    assert ItemResponse.objects.get(attempt=attempt, item=item).response == 1
    assert CalibrationRecord.objects.count() == 4


def test_nobody_answers_or_submits_someone_elses_attempt(member, outsider, published_check):
    attempt = checks.attempt_start(person=member, check=published_check, estimated_score=0.5)
    with pytest.raises(ApplicationError, match="not your attempt"):
        checks.attempt_answer(
            person=outsider, attempt=attempt, item=published_check.items.first(), response=1
        )
    with pytest.raises(ApplicationError, match="not your attempt"):
        checks.attempt_submit(person=outsider, attempt=attempt)
    attempt.refresh_from_db()
    assert attempt.submitted_at is None
    assert not ItemResponse.objects.exists()


@pytest.mark.parametrize("estimate", [-0.01, 1.01, 50, float("nan"), "lots"])
def test_an_estimate_outside_zero_to_a_hundred_percent_is_refused(member, published_check, estimate):
    with pytest.raises(ApplicationError, match="from 0% to 100%"):
        checks.attempt_start(person=member, check=published_check, estimated_score=estimate)
    assert not CheckAttempt.objects.exists()


def test_draft_and_archived_checks_cannot_be_taken(owner, member, draft_check):
    with pytest.raises(ApplicationError, match="not open"):
        checks.attempt_start(person=member, check=draft_check, estimated_score=0.5)
    checks.check_set_status(actor=owner, check=draft_check, status="published")
    checks.check_set_status(actor=owner, check=draft_check, status="archived")
    with pytest.raises(ApplicationError, match="not open"):
        checks.attempt_start(person=member, check=draft_check, estimated_score=0.5)
    assert not CheckAttempt.objects.exists()


def test_an_outsider_cannot_take_a_private_communitys_check(owner, outsider, member, private):
    check = checks.check_create(actor=owner, community=private, title="Guild secrets")
    checks.item_create(actor=owner, check=check, **ITEMS[2])
    checks.check_set_status(actor=owner, check=check, status="published")
    with pytest.raises(ApplicationError, match="Only members"):
        checks.attempt_start(person=outsider, check=check, estimated_score=0.5)
    assert not CheckAttempt.objects.exists()
    assert checks.attempt_start(person=member, check=check, estimated_score=0.5).number == 1


def test_in_an_open_community_anyone_signed_in_takes_part(outsider, published_check):
    attempt = take(outsider, published_check, RIGHT, [3, 3, 3, 3])
    assert attempt.accuracy == 1.0


def test_an_attempt_open_when_the_check_is_archived_can_still_be_submitted(owner, member, published_check):
    attempt = checks.attempt_start(person=member, check=published_check, estimated_score=0.5)
    checks.check_set_status(actor=owner, check=published_check, status="archived")
    checks.attempt_submit(person=member, attempt=attempt)
    attempt.refresh_from_db()
    assert attempt.accuracy == 0.0
    assert CheckItem.objects.count() == 4


def test_the_demo_step_makes_checks_with_a_range_of_calibration(make_person, owner):
    import random

    from faker import Faker

    from practica.calibration.check_selectors import group_view
    from practica.calibration.demo_checks import checks_step
    from practica.communities.services import membership_join
    from practica.demo.generator import DemoContext

    demo_member = make_person("demo-member")
    people = [make_person(f"demo{i}") for i in range(70)]
    for name in ("Testing", "Data ML"):
        community = community_create(actor=owner, name=name)
        membership_join(person=demo_member, community=community)
    context = DemoContext(
        rng=random.Random(1),
        faker=Faker(),
        size=72,
        people=[demo_member, *people],
        accounts={"demo-member": demo_member},
    )
    checks_step(context)
    made = {check.title: check for check in KnowledgeCheck.objects.all()}
    assert set(made) == {"Testing fundamentals", "SQL and indexing"}  # no Security Champions here
    for check in made.values():
        assert check.status == CheckStatus.PUBLISHED
        assert check.items.count() >= 10
        assert {item.kind for item in check.items.all()} == {"single", "multiple", "true_false", "numeric"}
        assert (
            CheckAttempt.objects.filter(check_ref=check, number=1, submitted_at__isnull=False).count() == 60
        )
        view = group_view(check).value
        assert view is not None and view.people == 60
    assert list(
        CheckAttempt.objects.filter(person=demo_member, check_ref=made["Testing fundamentals"]).values_list(
            "number", flat=True
        )
    ) == [2, 1]
    accuracies = list(CheckAttempt.objects.values_list("accuracy", flat=True))
    assert min(accuracies) < 0.4 and max(accuracies) > 0.85
    assert CalibrationRecord.objects.filter(source=RecordSource.CHECK_ITEM).count() > 1000
    assert SkillAssessment.objects.filter(source=AssessmentSource.CHECK).exists()
    assert Skill.objects.filter(slug="test-design", community__isnull=True).exists()
