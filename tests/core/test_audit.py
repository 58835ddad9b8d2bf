"""The audit log: services record administrative and privacy-relevant actions; admins read them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from practica.communities.models import Membership, Visibility
from practica.communities.models import Role as CommunityRole
from practica.communities.services import (
    community_create,
    membership_decide,
    membership_join,
    membership_set_role,
)
from practica.core.audit import ACTIONS, audit_record
from practica.core.models import AuditLog
from practica.people.models import Role
from practica.people.services import api_token_create, api_token_revoke, person_set_role


def test_role_change_is_recorded_with_before_and_after(admin, member):
    person_set_role(actor=admin, person=member, role=Role.STEWARD)
    entry = AuditLog.objects.get(action="person.role_changed")
    assert entry.actor == admin and entry.actor_name == "Ada Admin"
    assert entry.target_type == "people.Person" and entry.target_id == str(member.pk)
    assert entry.details == {"from": "member", "to": "steward"}


def test_a_refused_action_records_nothing(member, outsider):
    from practica.core.errors import ApplicationError

    with pytest.raises(ApplicationError):
        person_set_role(actor=outsider, person=member, role=Role.ADMIN)
    assert not AuditLog.objects.exists()


def test_membership_decisions_and_community_roles_are_recorded(owner, member, outsider):
    community = community_create(actor=owner, name="Guild", visibility=Visibility.REQUEST)
    membership_join(person=member, community=community, message="please")
    membership_join(person=outsider, community=community)
    approved = membership_decide(actor=owner, membership=Membership.objects.get(person=member), approve=True)
    membership_decide(actor=owner, membership=Membership.objects.get(person=outsider), approve=False)
    membership_set_role(actor=owner, membership=approved, role=CommunityRole.LEAD)
    actions = list(AuditLog.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["membership.approved", "membership.declined", "membership.role_changed"]
    assert AuditLog.objects.filter(details__community="guild").count() == 3


def test_api_tokens_are_recorded_without_the_secret(member):
    record, token = api_token_create(person=member, name="script")
    api_token_revoke(person=member, token_id=record.pk)
    entries = AuditLog.objects.filter(actor=member).order_by("id")
    assert [entry.action for entry in entries] == ["api_token.created", "api_token.revoked"]
    assert all(token not in str(entry.details) + entry.target_repr for entry in entries)


def test_unknown_actions_are_a_programming_error(db):
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit_record(actor=None, action="something.new")


@pytest.fixture
def entries(admin, member):
    for number in range(60):
        audit_record(actor=admin, action="people.exported", target=f"export-{number}.csv")
    audit_record(actor=None, action="database.backed_up", target="/backups/nightly.sqlite3")
    person_set_role(actor=admin, person=member, role=Role.STEWARD)


def test_admins_read_the_audit_page_paginated_and_filtered(
    entries, admin, client_for, django_assert_max_num_queries
):
    client = client_for(admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("core:audit-log"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Max Member" in text and "command line" in text
    assert "Page 1 of 2" in text
    filtered = client.get(reverse("core:audit-log"), {"action": "database.backed_up"}).content.decode()
    assert "nightly.sqlite3" in filtered and "export-1.csv" not in filtered
    searched = client.get(reverse("core:audit-log"), {"q": "export-59"}).content.decode()
    assert "export-59.csv" in searched and "nightly" not in searched
    bad = client.get(reverse("core:audit-log"), {"action": "<script>", "page": "x"})
    assert bad.status_code == 200


def test_only_admins_read_the_audit_log(entries, steward, member, client_for):
    for person in (steward, member):
        assert client_for(person).get(reverse("core:audit-log")).status_code == 403
        assert client_for(person).get("/api/v1/audit").status_code == 403
    anonymous = Client()
    assert anonymous.get(reverse("core:audit-log")).status_code == 302
    assert anonymous.get("/api/v1/audit").status_code == 401


def test_audit_api_for_admins(entries, admin, client_for):
    client = client_for(admin)
    response = client.get("/api/v1/audit", {"action": "person.role_changed"})
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["action"] for item in items] == ["person.role_changed"]
    assert items[0]["details"] == {"from": "member", "to": "steward"}
    assert response.json()["count"] == 1
    wrong = client.get("/api/v1/audit", {"action": "nope"})
    assert wrong.status_code == 400 and "Unknown action" in wrong.json()["detail"]
    assert len(ACTIONS) >= 10


def test_deleting_shared_content_is_recorded_but_personal_beliefs_are_not(steward, member):
    from practica.calibration.skills import skill_create, skill_delete
    from practica.learning.assumptions import assumption_create, assumption_delete

    skill = skill_create(actor=steward, name="Incident review")
    skill_delete(actor=steward, skill=skill)
    entry = AuditLog.objects.get(action="content.deleted")
    assert (entry.actor, entry.target_type, entry.target_repr) == (
        steward,
        "calibration.Skill",
        "Incident review",
    )

    belief = assumption_create(actor=member, statement="I learn best alone", scope="personal", confidence=0.6)
    assumption_delete(actor=member, assumption=belief)
    assert AuditLog.objects.filter(action="content.deleted").count() == 1
