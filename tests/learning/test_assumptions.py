"""The assumption register: scopes decide visibility, a change of mind needs a note, evidence links."""

from __future__ import annotations

import pytest

from practica.core.errors import ApplicationError
from practica.learning import assumptions
from practica.learning.mind_selectors import assumption_register, assumptions_visible_to
from practica.learning.models import Assumption, AssumptionChange, AssumptionEvidence, AssumptionStatus
from tests.learning.helpers import make_experiment, refused

pytestmark = pytest.mark.django_db


def create(actor, scope="team", **kw) -> Assumption:
    kw.setdefault("statement", "Pairing halves onboarding time")
    kw.setdefault("confidence", 0.6)
    return assumptions.assumption_create(actor=actor, scope=scope, **kw)


def change(
    actor, assumption, status="supported", confidence=0.75, note="Two cohorts onboarded in half the time."
):
    return assumptions.assumption_change(
        actor=actor, assumption=assumption, status=status, confidence=confidence, note=note
    )


def test_a_change_needs_a_note_and_is_kept_as_history(owner, team):
    belief = create(owner, team=team)
    refused(lambda: change(owner, belief, note="  "), "what changed your mind")
    belief.refresh_from_db()
    assert (belief.status, belief.confidence) == (AssumptionStatus.UNTESTED, 0.6)
    assert not AssumptionChange.objects.exists()
    change(owner, belief)
    belief.refresh_from_db()
    assert (belief.status, belief.confidence) == (AssumptionStatus.SUPPORTED, 0.75)
    record = belief.changes.get()
    assert (record.from_status, record.to_status, record.from_confidence, record.to_confidence) == (
        "untested",
        "supported",
        0.6,
        0.75,
    )


def test_a_confidence_change_alone_also_needs_a_note(owner, team):
    belief = create(owner, team=team)
    refused(
        lambda: change(owner, belief, status="untested", confidence=0.7, note=""), "what changed your mind"
    )
    refused(lambda: change(owner, belief, status="untested", confidence=0.6), "Nothing changed")


@pytest.mark.parametrize(
    ("status", "confidence", "field"), [("sure", 0.5, "status"), ("supported", 1.5, "confidence")]
)
def test_bad_status_or_confidence_is_refused(owner, team, status, confidence, field):
    belief = create(owner, team=team)
    assert refused(lambda: change(owner, belief, status=status, confidence=confidence)).field == field
    assert not AssumptionChange.objects.exists()


def test_creating_needs_membership_of_the_scope(owner, outsider, team, testing):
    refused(lambda: create(outsider, team=team), "Only members")
    refused(lambda: create(outsider, scope="community", community=testing), "Only active members")
    refused(lambda: create(owner, scope="team"), "Choose the team")
    refused(lambda: create(owner, confidence=2, team=team), "confidence")
    assert not Assumption.objects.exists()


def test_visibility_follows_the_scope(owner, member, outsider, steward, admin, team, private, testing):
    personal = create(owner, scope="personal")
    team_one = create(owner, team=team)
    secret = create(owner, scope="community", community=private)
    open_one = create(owner, scope="community", community=testing)
    org = create(outsider, scope="organisation")
    assert set(assumptions_visible_to(owner)) == {personal, team_one, secret, open_one, org}
    assert set(assumptions_visible_to(member)) == {team_one, secret, open_one, org}
    for person in (outsider, steward, admin):
        assert set(assumptions_visible_to(person)) == {open_one, org}


def test_who_may_change(owner, member, outsider, steward, team, testing):
    team_one = create(owner, team=team)
    change(member, team_one)  # team members share the team's beliefs
    community_one = create(member, scope="community", community=testing)
    change(owner, community_one)  # owner is a lead of testing
    org = create(member, scope="organisation")
    refused(lambda: change(outsider, org), "Only the owner")
    change(steward, org)
    personal = create(owner, scope="personal")
    refused(lambda: change(member, personal), "Only the owner")


def test_evidence_links_exactly_one_thing_you_can_see(owner, member, outsider, team, private):
    belief = create(owner, team=team)
    add = assumptions.assumption_evidence_add
    refused(lambda: add(actor=owner, assumption=belief, direction="for", summary="x"), "one thing")
    refused(
        lambda: add(actor=owner, assumption=belief, direction="for", summary="x", url="ftp://x"), "https://"
    )
    refused(
        lambda: add(actor=outsider, assumption=belief, direction="for", summary="x", url="https://x.org"),
        "cannot see",
    )
    hidden = make_experiment(owner, community=private)
    refused(
        lambda: add(
            actor=outsider,
            assumption=create(outsider, scope="organisation"),
            direction="for",
            summary="x",
            experiment=hidden,
        ),
        "No such experiment",
    )
    refused(
        lambda: add(actor=owner, assumption=belief, direction="for", summary="x", answer_id=999),
        "No such answer",
    )
    assert not AssumptionEvidence.objects.exists()
    evidence = add(
        actor=member,
        assumption=belief,
        direction="against",
        summary="A cohort took longer",
        url="https://wiki.example.org/onboarding",
    )
    assert evidence.direction == "against"


def test_the_register_counts_evidence_in_constant_queries(owner, team, django_assert_num_queries):
    for number in range(6):
        belief = create(owner, team=team, statement=f"Belief {number}")
        assumptions.assumption_evidence_add(
            actor=owner, assumption=belief, direction="for", summary="y", url="https://a.org"
        )
    with django_assert_num_queries(1):
        rows = list(assumption_register(owner))
    assert len(rows) == 6 and all(row.evidence_for == 1 for row in rows)


def test_only_the_owner_deletes_and_cited_ones_stay(owner, member, team):
    belief = create(owner, team=team)
    refused(lambda: assumptions.assumption_delete(actor=member, assumption=belief), "Only the owner")
    make_experiment(owner, team=team, assumption=belief)
    with pytest.raises(ApplicationError):
        assumptions.assumption_delete(actor=owner, assumption=belief)
    assert Assumption.objects.filter(pk=belief.pk).exists()


def test_evidence_from_a_private_community_leaks_nowhere(client_for, owner, outsider, private):
    from practica.learning import experiments
    from practica.learning.mind_selectors import assumption_evidence

    belief = create(owner, scope="organisation")
    experiment = make_experiment(owner, community=private, title="Secret guild trial", assumption=belief)
    experiments.experiment_start(actor=owner, experiment=experiment)
    experiments.experiment_conclude(actor=owner, experiment=experiment, result="won", result_data="d")
    assert assumption_evidence(belief, owner).count() == 1
    assert not assumption_evidence(belief, outsider).exists()
    assert assumption_register(outsider).get().evidence_for == 0
    client = client_for(outsider)
    assert "Secret guild" not in client.get(f"/learning/assumptions/{belief.pk}/").content.decode()
    assert "Secret guild" not in client.get(f"/api/v1/assumptions/{belief.pk}").content.decode()
    assert "Secret guild" in client_for(owner).get(f"/learning/assumptions/{belief.pk}/").content.decode()


def test_evidence_citing_a_review_is_for_the_reviews_participants_only(
    client_for, owner, member, outsider, steward, testing
):
    """A review of an open community is read by its active members only, so evidence citing it is
    hidden from non-members (stewards included) and non-members cannot cite it."""
    from practica.learning.mind_selectors import assumption_evidence
    from practica.learning.models import MethodTemplate
    from practica.learning.reviews import review_create

    review = review_create(
        actor=member,
        template=MethodTemplate.objects.get(slug="start-stop-continue"),
        community=testing,
        title="Guild candid retro",
    )
    belief = create(owner, scope="organisation")
    assumptions.assumption_evidence_add(
        actor=member, assumption=belief, direction="for", summary="Guild candid retro", review=review
    )
    assert assumption_evidence(belief, owner).count() == 1
    for person in (outsider, steward):
        assert not assumption_evidence(belief, person).exists()
        assert assumption_register(person).get().evidence_for == 0
        page = client_for(person).get(f"/learning/assumptions/{belief.pk}/").content.decode()
        assert "Guild candid retro" not in page
        assert (
            "Guild candid retro"
            not in client_for(person).get(f"/api/v1/assumptions/{belief.pk}").content.decode()
        )
    refused(
        lambda: assumptions.assumption_evidence_add(
            actor=outsider, assumption=belief, direction="for", summary="x", review=review
        ),
        "No such review",
    )
    assert AssumptionEvidence.objects.count() == 1
