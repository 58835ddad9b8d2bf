"""Q&A services: every rule, every refusal changing nothing, CBM scoring and expert ranking."""

from __future__ import annotations

import pytest

from practica.calibration.models import CalibrationRecord, Certainty, RecordSource
from practica.communities.models import Activity, ActivityKind, Tag, Visibility
from practica.communities.services import community_create, membership_invite, membership_join
from practica.core.errors import ApplicationError
from practica.knowledge import qa
from practica.knowledge.models import MAX_BODY, MAX_TITLE, Answer, Comment, Outcome, Question, Vote
from practica.knowledge.qa_selectors import EXPERT_MIN_RESOLVED, experts_for_tag

pytestmark = pytest.mark.django_db

LOW, MID, HIGH = Certainty.LOW, Certainty.MID, Certainty.HIGH


@pytest.fixture
def testing(owner, member):
    community = community_create(actor=owner, name="Testing", tags="qa")
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def guarded(owner):
    return community_create(actor=owner, name="Guarded", visibility=Visibility.REQUEST)


@pytest.fixture
def private(owner, member):
    community = community_create(actor=owner, name="Secret Guild", visibility=Visibility.PRIVATE)
    membership_invite(actor=owner, community=community, person=member)
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def question(testing, member):
    return qa.question_ask(
        actor=member,
        community=testing,
        title="Why is my test flaky?",
        body="It fails *sometimes*.",
        tags="pytest",
    )


@pytest.fixture
def answerer(make_person, testing):
    person = make_person("answerer", display_name="Ann Answerer")
    membership_join(person=person, community=testing)
    return person


def refused(action, message: str = "") -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        action()
    assert message in caught.value.message
    return caught.value


# Asking -------------------------------------------------------------------------------------------


def test_asking_saves_the_question_with_tags_and_records_the_activity(testing, member):
    question = qa.question_ask(
        actor=member,
        community=testing,
        title="  How do we   mock time? ",
        body="```python\nnow()\n```",
        tags="pytest, time",
        allow_several_accepted=True,
    )
    assert question.title == "How do we mock time?"
    assert sorted(tag.slug for tag in question.tags.all()) == ["pytest", "time"]
    assert question.allow_several_accepted
    activity = Activity.objects.get(kind=ActivityKind.ASKED)
    assert (activity.person, activity.community, activity.summary) == (member, testing, question.title)
    assert activity.url == f"/communities/testing/questions/{question.pk}/"


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [
        ("   ", "", "title"),
        ("x" * (MAX_TITLE + 1), "", "title"),
        ("Fine title", "x" * (MAX_BODY + 1), "body"),
    ],
)
def test_bad_questions_are_refused_and_nothing_is_saved(testing, member, title, body, field):
    error = refused(lambda: qa.question_ask(actor=member, community=testing, title=title, body=body))
    assert error.field == field
    assert not Question.objects.exists()
    assert not Activity.objects.filter(kind=ActivityKind.ASKED).exists()


def test_anyone_signed_in_may_ask_in_an_open_community_but_not_in_a_request_only_one(
    testing, guarded, outsider
):
    qa.question_ask(actor=outsider, community=testing, title="A visitor asks")
    refused(lambda: qa.question_ask(actor=outsider, community=guarded, title="Let me in"), "join it first")
    assert Question.objects.count() == 1


def test_only_the_asker_or_a_lead_edits_a_question(question, owner, answerer):
    refused(
        lambda: qa.question_edit(
            actor=answerer,
            question=question,
            title="Hijacked",
            body="",
            tags="",
            allow_several_accepted=False,
        ),
        "Only the person who asked",
    )
    question.refresh_from_db()
    assert question.title == "Why is my test flaky?"
    qa.question_edit(
        actor=owner, question=question, title="Why is my test flaky at night?", body="b", tags="ci",
        allow_several_accepted=True,
    )  # fmt: skip
    question.refresh_from_db()
    assert (question.title, [tag.slug for tag in question.tags.all()]) == (
        "Why is my test flaky at night?",
        ["ci"],
    )


# Answering ----------------------------------------------------------------------------------------


def test_an_answer_needs_a_certainty_and_a_body(question, answerer):
    refused(lambda: qa.answer_post(actor=answerer, question=question, body="Use freezegun", certainty=None))
    refused(lambda: qa.answer_post(actor=answerer, question=question, body="Use freezegun", certainty=4))
    refused(lambda: qa.answer_post(actor=answerer, question=question, body="  ", certainty=LOW))
    refused(
        lambda: qa.answer_post(actor=answerer, question=question, body="x" * (MAX_BODY + 1), certainty=LOW)
    )
    question.refresh_from_db()
    assert (Answer.objects.count(), question.answer_count, question.first_answer_at) == (0, 0, None)


def test_answering_counts_the_answer_and_records_the_activity(question, answerer, owner):
    first = qa.answer_post(
        actor=answerer, question=question, body="Seed the random generator", certainty=HIGH
    )
    qa.answer_post(actor=owner, question=question, body="Or pin the clock", certainty=MID)
    question.refresh_from_db()
    assert question.answer_count == 2
    assert question.first_answer_at is not None
    assert first.certainty == HIGH
    assert Activity.objects.filter(kind=ActivityKind.ANSWERED, person=answerer).count() == 1


# Voting -------------------------------------------------------------------------------------------


def test_voting_twice_the_same_way_is_refused_and_changing_or_withdrawing_works(question, answerer):
    assert qa.vote_cast(actor=answerer, question=question, value=1) == 1
    refused(lambda: qa.vote_cast(actor=answerer, question=question, value=1), "already voted this up")
    question.refresh_from_db()
    assert (question.score, Vote.objects.count()) == (1, 1)
    assert qa.vote_cast(actor=answerer, question=question, value=-1) == -1
    assert qa.vote_cast(actor=answerer, question=question, value=0) == 0
    assert not Vote.objects.exists()
    refused(lambda: qa.vote_cast(actor=answerer, question=question, value=0), "not voted")
    refused(lambda: qa.vote_cast(actor=answerer, question=question, value=5))


def test_nobody_votes_on_their_own_post(question, member, answerer):
    answer = qa.answer_post(actor=answerer, question=question, body="Retry", certainty=LOW)
    refused(lambda: qa.vote_cast(actor=member, question=question, value=1), "your own post")
    refused(lambda: qa.vote_cast(actor=answerer, answer=answer, value=1), "your own post")
    assert qa.vote_cast(actor=member, answer=answer, value=-1) == -1
    assert Vote.objects.count() == 1


def test_outsiders_of_a_request_only_community_cannot_vote_or_comment(guarded, owner, outsider):
    question = qa.question_ask(actor=owner, community=guarded, title="Members only")
    refused(lambda: qa.vote_cast(actor=outsider, question=question, value=1), "join it first")
    refused(lambda: qa.comment_add(actor=outsider, question=question, body="hi"), "join it first")
    assert not Vote.objects.exists() and not Comment.objects.exists()


# Accepting ----------------------------------------------------------------------------------------


def test_the_asker_accepts_and_accepting_another_moves_the_mark(question, member, answerer, owner):
    first = qa.answer_post(actor=answerer, question=question, body="One", certainty=LOW)
    second = qa.answer_post(actor=owner, question=question, body="Two", certainty=LOW)
    qa.answer_accept(actor=member, answer=first)
    qa.answer_accept(actor=member, answer=second)
    assert list(Answer.objects.filter(accepted=True)) == [second]
    question.refresh_from_db()
    assert question.accepted_count == 1
    qa.answer_accept(actor=member, answer=second, accepted=False)
    question.refresh_from_db()
    assert question.accepted_count == 0


def test_several_answers_stay_accepted_when_the_asker_allowed_it(testing, member, answerer, owner):
    question = qa.question_ask(
        actor=member, community=testing, title="Good tools?", allow_several_accepted=True
    )
    answers = [
        qa.answer_post(actor=person, question=question, body=person.display_name, certainty=MID)
        for person in (answerer, owner)
    ]
    for answer in answers:
        qa.answer_accept(actor=member, answer=answer)
    question.refresh_from_db()
    assert question.accepted_count == 2


def test_accepting_an_answer_to_someone_elses_question_is_refused(question, answerer, make_person, testing):
    answer = qa.answer_post(actor=answerer, question=question, body="One", certainty=LOW)
    bystander = make_person("bystander")
    membership_join(person=bystander, community=testing)
    refused(lambda: qa.answer_accept(actor=bystander, answer=answer), "Only the person who asked or a lead")
    refused(lambda: qa.answer_accept(actor=answerer, answer=answer), "Only the person who asked or a lead")
    answer.refresh_from_db()
    question.refresh_from_db()
    assert (answer.accepted, question.accepted_count) == (False, 0)


def test_a_lead_may_accept_for_the_asker(question, answerer, owner):
    answer = qa.answer_post(actor=answerer, question=question, body="One", certainty=LOW)
    qa.answer_accept(actor=owner, answer=answer)
    answer.refresh_from_db()
    assert answer.accepted and answer.accepted_at is not None


# Outcomes and calibration -------------------------------------------------------------------------


def record_of(answer: Answer) -> CalibrationRecord:
    return CalibrationRecord.objects.get(source=RecordSource.ANSWER, source_id=answer.pk)


def test_a_high_certainty_answer_that_did_not_work_scores_minus_six_and_worked_scores_three(
    question, member, answerer
):
    answer = qa.answer_post(actor=answerer, question=question, body="Surely this", certainty=HIGH)
    qa.answer_set_outcome(actor=member, answer=answer, outcome=Outcome.DID_NOT_WORK)
    record = record_of(answer)
    assert (record.person, record.mark, record.fraction, record.certainty) == (answerer, -6, 0.0, HIGH)
    assert record.topic == "pytest"
    assert record.url.endswith(f"#answer-{answer.pk}")
    qa.answer_set_outcome(actor=member, answer=answer, outcome=Outcome.WORKED)
    assert CalibrationRecord.objects.count() == 1
    assert record_of(answer).mark == 3
    answer.refresh_from_db()
    assert (answer.outcome, answer.outcome_by) == (Outcome.WORKED, member)


def test_clearing_the_outcome_removes_the_record(question, member, answerer):
    answer = qa.answer_post(actor=answerer, question=question, body="Maybe this", certainty=MID)
    qa.answer_set_outcome(actor=member, answer=answer, outcome=Outcome.WORKED)
    assert record_of(answer).mark == 2
    qa.answer_set_outcome(actor=member, answer=answer, outcome="")
    answer.refresh_from_db()
    assert (answer.outcome, answer.outcome_at) == ("", None)
    assert not CalibrationRecord.objects.exists()


def test_an_unaccepted_answer_may_be_marked_by_a_lead(question, owner, answerer):
    answer = qa.answer_post(actor=answerer, question=question, body="Low guess", certainty=LOW)
    qa.answer_set_outcome(actor=owner, answer=answer, outcome=Outcome.DID_NOT_WORK)
    assert record_of(answer).mark == 0


def test_outcomes_by_someone_not_allowed_or_on_ones_own_answer_are_refused(question, member, answerer, owner):
    answer = qa.answer_post(actor=answerer, question=question, body="Trust me", certainty=HIGH)
    refused(lambda: qa.answer_set_outcome(actor=answerer, answer=answer, outcome=Outcome.WORKED))
    own = qa.answer_post(actor=member, question=question, body="My own idea", certainty=HIGH)
    refused(lambda: qa.answer_set_outcome(actor=member, answer=own, outcome=Outcome.WORKED), "Someone else")
    refused(lambda: qa.answer_set_outcome(actor=member, answer=answer, outcome="maybe"))
    assert not CalibrationRecord.objects.exists()
    assert not Answer.objects.exclude(outcome="").exists()


# Comments and relevance ---------------------------------------------------------------------------


def test_comments_need_text_within_the_limit(question, answerer):
    answer = qa.answer_post(actor=answerer, question=question, body="Retry", certainty=LOW)
    refused(lambda: qa.comment_add(actor=answerer, question=question, body="  "))
    refused(lambda: qa.comment_add(actor=answerer, question=question, body="x" * 2001))
    qa.comment_add(actor=answerer, question=question, body="Which version?")
    qa.comment_add(actor=answerer, answer=answer, body="Tried it")
    assert [(c.question_id, c.answer_id) for c in Comment.objects.all()] == [
        (question.pk, None),
        (None, answer.pk),
    ]


def test_still_relevant_marking_records_who_and_when(question, answerer):
    qa.question_mark_relevance(actor=answerer, question=question, relevance="outdated")
    question.refresh_from_db()
    assert (question.relevance, question.relevance_marked_by) == ("outdated", answerer)
    refused(lambda: qa.question_mark_relevance(actor=answerer, question=question, relevance="meh"))


# Expert lists -------------------------------------------------------------------------------------


def resolved_answers(asker, community, person, tag: str, outcomes: list[tuple[int, str]]) -> None:
    for number, (certainty, outcome) in enumerate(outcomes):
        question = qa.question_ask(actor=asker, community=community, title=f"{person} q{number}", tags=tag)
        answer = qa.answer_post(actor=person, question=question, body="Do this", certainty=certainty)
        qa.answer_set_outcome(actor=asker, answer=answer, outcome=outcome)


@pytest.fixture
def pytest_tag(question):
    return Tag.objects.get(slug="pytest")


def test_calibrated_accuracy_beats_volume(testing, member, make_person, pytest_tag, outsider):
    loud = make_person("loud", display_name="Loud Larry")
    careful = make_person("careful", display_name="Careful Carla")
    # Loud: many answers, all at high certainty, 6 of 10 right: (6*3 - 4*6) = -6.
    resolved_answers(
        member, testing, loud, "pytest", [(HIGH, Outcome.WORKED)] * 6 + [(HIGH, Outcome.DID_NOT_WORK)] * 4
    )
    # Careful: 3 answers, high when sure, low when not: 3 + 3 + 0 = 6.
    resolved_answers(
        member, testing, careful, "pytest", [(HIGH, Outcome.WORKED)] * 2 + [(LOW, Outcome.DID_NOT_WORK)]
    )
    for person in (loud, careful):
        qa.expert_opt_in(person=person, tag=pytest_tag)
    ranks = experts_for_tag(outsider, pytest_tag)
    assert [rank.person for rank in ranks] == [careful, loud]
    assert (ranks[0].resolved, ranks[0].worked, ranks[0].average_mark, ranks[0].score) == (3, 2, 2.0, 1.0)
    assert (ranks[1].resolved, ranks[1].average_mark) == (10, -0.6)
    assert ranks[1].score == pytest.approx(-6 / 13)


def test_people_who_did_not_opt_in_never_appear_and_opting_out_removes_them(
    testing, member, make_person, pytest_tag, outsider
):
    shy = make_person("shy")
    listed = make_person("listed")
    for person in (shy, listed):
        resolved_answers(member, testing, person, "pytest", [(HIGH, Outcome.WORKED)] * 4)
    qa.expert_opt_in(person=listed, tag=pytest_tag)
    refused(lambda: qa.expert_opt_in(person=listed, tag=pytest_tag), "already listed")
    assert [rank.person for rank in experts_for_tag(outsider, pytest_tag)] == [listed]
    qa.expert_opt_out(person=listed, tag=pytest_tag)
    assert experts_for_tag(outsider, pytest_tag) == []
    refused(lambda: qa.expert_opt_out(person=listed, tag=pytest_tag), "not listed")


def test_experts_need_the_minimum_of_resolved_answers(testing, member, make_person, pytest_tag, outsider):
    newcomer = make_person("newcomer")
    resolved_answers(
        member, testing, newcomer, "pytest", [(HIGH, Outcome.WORKED)] * (EXPERT_MIN_RESOLVED - 1)
    )
    qa.expert_opt_in(person=newcomer, tag=pytest_tag)
    assert experts_for_tag(outsider, pytest_tag) == []
    resolved_answers(member, testing, newcomer, "pytest", [(HIGH, Outcome.WORKED)])
    assert [rank.person for rank in experts_for_tag(outsider, pytest_tag)] == [newcomer]


def test_answers_in_a_private_community_count_only_for_its_members(
    private, owner, member, make_person, outsider, pytest_tag
):
    insider = make_person("insider")
    membership_invite(actor=owner, community=private, person=insider)
    membership_join(person=insider, community=private)
    resolved_answers(owner, private, insider, "pytest", [(HIGH, Outcome.WORKED)] * 3)
    qa.expert_opt_in(person=insider, tag=pytest_tag)
    assert experts_for_tag(outsider, pytest_tag) == []
    assert [rank.person for rank in experts_for_tag(member, pytest_tag)] == [insider]
