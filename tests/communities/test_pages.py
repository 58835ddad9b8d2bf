"""Community pages: who may see and do what, the directory, charter, stage, members, and query counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from practica.communities import services
from practica.communities.models import (
    Activity,
    CharterVersion,
    Community,
    Event,
    Level,
    Membership,
    MembershipStatus,
    Role,
    Stage,
    StageChange,
    Tag,
    Visibility,
)
from practica.communities.selectors import community_suggestions
from practica.communities.services import (
    charter_update,
    community_create,
    community_set_stage,
    membership_invite,
    membership_join,
    membership_set_role,
)
from practica.people.services import team_create, team_membership_set

pytestmark = pytest.mark.django_db

PAGES = ["detail", "members", "charter-history", "activity"]
LEAD_PAGES = ["settings", "charter-edit"]


@pytest.fixture
def testing(owner, member):
    community = community_create(
        actor=owner,
        name="Testing",
        summary="Getting better at tests",
        tags="qa, testing",
        charter={"domain": "Tests **matter**"},
    )
    membership_join(person=member, community=community)
    return community


@pytest.fixture
def private(owner, member):
    community = community_create(
        actor=owner,
        name="Secret Guild",
        summary="Covert things",
        visibility=Visibility.PRIVATE,
        tags="qa, hidden-tag",
        charter={"domain": "Hidden domain"},
    )
    membership_invite(actor=owner, community=community, person=member)
    membership_join(person=member, community=community)
    return community


def url(name: str, community: Community, *args: int) -> str:
    return reverse(f"communities:{name}", args=[community.slug, *args])


def world() -> tuple:
    """Every row the community pages can write, to show that a refused request changed nothing."""
    return (
        list(Community.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values()),
        CharterVersion.objects.count(),
        StageChange.objects.count(),
        Activity.objects.count(),
        Tag.objects.count(),
    )


def posts(community: Community, membership: Membership) -> list[tuple[str, dict[str, str]]]:
    """Every POST endpoint of a community, each with input that would succeed for a lead."""
    return [
        (url("join", community), {}),
        (url("leave", community), {}),
        (url("invite", community), {"email": "outsider@example.org"}),
        (url("stage", community), {"stage": Stage.MATURING, "reason": "Because"}),
        (url("decide", community, membership.pk), {"decision": "approve"}),
        (url("role", community, membership.pk), {"role": Role.LEAD}),
        (url("level", community, membership.pk), {"level": Level.CORE}),
        (url("recompute", community), {}),
        (url("settings", community), {"name": "Taken over", "visibility": "open"}),
        (url("charter-edit", community), {"base_version": "1", "domain": "Taken over"}),
    ]


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def card(html: str, name: str) -> str:
    """The directory card of the community called ``name``."""
    cards = [part for part in html.split('<li class="card">')[1:] if f">{name}</a>" in part]
    assert len(cards) == 1, name
    return cards[0]


def level_section(html: str, level: str) -> str:
    return html.split(f'<section aria-labelledby="level-{level}">')[1].split("</section>")[0]


# Who may see and do what ---------------------------------------------------------------------------


def test_a_member_sees_every_community_page(client_for, member, testing):
    client = client_for(member)
    for name in PAGES:
        response = client.get(url(name, testing))
        assert response.status_code == 200, name
        assert "Testing" in response.text


def test_a_lead_sees_every_page_including_settings_and_the_charter_editor(client_for, owner, testing):
    client = client_for(owner)
    for name in PAGES + LEAD_PAGES:
        assert client.get(url(name, testing)).status_code == 200, name
    detail = client.get(url("detail", testing)).text
    assert "Guidance for the potential stage" in detail
    assert "Name the domain" in detail


def test_a_member_sees_no_stage_guidance_or_lead_controls(client_for, member, testing):
    detail = client_for(member).get(url("detail", testing)).text
    assert "Guidance for the" not in detail
    assert "Edit the charter" not in detail
    assert "Set role" not in client_for(member).get(url("members", testing)).text


def test_an_outsider_sees_an_open_community_and_can_join_it(client_for, outsider, testing):
    client = client_for(outsider)
    for name in PAGES:
        assert client.get(url(name, testing)).status_code == 200, name
    response = client.post(url("join", testing))
    assert response.status_code == 302
    assert messages_of(response) == ["Welcome to Testing."]
    assert Membership.objects.get(person=outsider, community=testing).is_active


def test_anonymous_visitors_are_sent_to_sign_in_from_every_page_and_action(owner, member, testing):
    client = Client()
    for name in PAGES + LEAD_PAGES:
        response = client.get(url(name, testing))
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("login")), name
    assert client.get(reverse("communities:directory")).url.startswith(reverse("login"))
    before = world()
    for action, data in posts(testing, Membership.objects.get(person=member)):
        response = client.post(action, data)
        assert response.status_code == 302, action
        assert response.url.startswith(reverse("login")), action
    assert world() == before


@pytest.mark.parametrize("who", ["outsider", "steward", "admin"])
def test_non_members_get_404_on_every_page_and_action_of_a_private_community(
    request, client_for, member, private, who
):
    client = client_for(request.getfixturevalue(who))
    for name in PAGES + LEAD_PAGES:
        assert client.get(url(name, private)).status_code == 404, name
    before = world()
    for action, data in posts(private, Membership.objects.get(person=member, community=private)):
        assert client.post(action, data).status_code == 404, action
    assert world() == before


def test_a_former_member_of_a_private_community_gets_404(client_for, member, private):
    services.membership_leave(person=member, community=private)
    assert client_for(member).get(url("detail", private)).status_code == 404


def test_a_member_who_is_not_a_lead_gets_403_on_lead_pages_and_actions(client_for, owner, member, testing):
    client = client_for(member)
    for name in LEAD_PAGES:
        assert client.get(url(name, testing)).status_code == 403, name
    lead_membership = Membership.objects.get(person=owner, community=testing)
    before = world()
    for action, data in posts(testing, lead_membership)[2:]:
        assert client.post(action, data).status_code == 403, action
    assert world() == before


# Joining and leaving ------------------------------------------------------------------------------


def test_asking_to_join_a_request_community_and_a_lead_approving(client_for, owner, outsider, testing):
    testing.visibility = Visibility.REQUEST
    testing.save()
    response = client_for(outsider).post(url("join", testing), {"message": "I love tests"})
    assert messages_of(response) == ["Your request is sent; a lead will answer."]
    asked = Membership.objects.get(person=outsider, community=testing)
    assert asked.status == MembershipStatus.REQUESTED
    lead = client_for(owner)
    assert "I love tests" in lead.get(url("members", testing)).text
    response = lead.post(url("decide", testing, asked.pk), {"decision": "approve"})
    assert messages_of(response) == ["Otto Outsider is now a member."]
    asked.refresh_from_db()
    assert asked.is_active


def test_joining_a_private_community_by_its_address_without_an_invitation_changes_nothing(
    client_for, outsider, private
):
    before = world()
    assert client_for(outsider).post(url("join", private)).status_code == 404
    assert world() == before


def test_an_invited_person_sees_the_private_community_and_accepts(client_for, owner, outsider, private):
    membership_invite(actor=owner, community=private, person=outsider)
    client = client_for(outsider)
    directory = client.get(reverse("communities:directory")).text
    assert "you are invited" in card(directory, "Secret Guild")
    detail = client.get(url("detail", private))
    assert detail.status_code == 200
    assert "Accept invitation" in detail.text
    client.post(url("join", private))
    assert Membership.objects.get(person=outsider, community=private).is_active


def test_an_invited_person_does_not_see_the_member_count_before_accepting(
    client_for, owner, outsider, private
):
    membership_invite(actor=owner, community=private, person=outsider)
    client = client_for(outsider)
    assert "Members hidden" in card(client.get(reverse("communities:directory")).text, "Secret Guild")
    detail = client.get(url("detail", private)).text
    members = re.search(r"<dt>Members</dt><dd>(.*?)</dd>", detail)
    assert members is not None
    assert "shown once you join" in members.group(1)
    assert not re.search(r"\d", members.group(1))
    assert client.get(url("members", private)).status_code == 404


def test_declining_an_invitation_to_a_private_community_leads_back_to_the_directory(
    client_for, owner, outsider, private
):
    membership_invite(actor=owner, community=private, person=outsider)
    client = client_for(outsider)
    response = client.post(url("leave", private))
    assert response.url == reverse("communities:directory")
    assert not Membership.objects.filter(person=outsider, community=private).exists()
    assert client.get(url("detail", private)).status_code == 404


def test_the_last_lead_trying_to_leave_is_told_why_and_stays(client_for, owner, testing):
    detail = url("detail", testing)
    response = client_for(owner).post(url("leave", testing), HTTP_REFERER=f"http://testserver{detail}")
    assert response.status_code == 302
    assert messages_of(response) == ["You are the only lead: make someone else a lead before you leave."]
    assert Membership.objects.get(person=owner, community=testing).role == Role.LEAD


def test_a_lead_invites_by_email(client_for, owner, outsider, testing):
    client = client_for(owner)
    response = client.post(url("invite", testing), {"email": "OUTSIDER@example.org"})
    assert messages_of(response) == ["Otto Outsider is invited."]
    assert Membership.objects.get(person=outsider, community=testing).status == MembershipStatus.INVITED
    assert "Otto Outsider" in client.get(url("members", testing)).text


def test_inviting_an_unknown_email_is_answered_clearly_and_changes_nothing(client_for, owner, testing):
    members = url("members", testing)
    before = world()
    response = client_for(owner).post(
        url("invite", testing), {"email": "nobody@example.org"}, HTTP_REFERER=f"http://testserver{members}"
    )
    assert response.url == f"http://testserver{members}"
    assert messages_of(response) == ["Nobody in the organisation has the email nobody@example.org."]
    assert world() == before


def test_a_lead_sets_roles_and_pins_and_unpins_levels(client_for, owner, member, testing):
    client = client_for(owner)
    membership = Membership.objects.get(person=member, community=testing)
    response = client.post(url("role", testing, membership.pk), {"role": Role.SPONSOR})
    assert messages_of(response) == ["Max Member is now sponsor."]
    client.post(url("level", testing, membership.pk), {"level": Level.ACTIVE})
    membership.refresh_from_db()
    assert (membership.role, membership.level, membership.level_pinned) == (Role.SPONSOR, Level.ACTIVE, True)
    assert "pinned" in level_section(client.get(url("members", testing)).text, "active")
    client.post(url("level", testing, membership.pk), {"level": ""})
    membership.refresh_from_db()
    assert (membership.level, membership.level_pinned) == (Level.PERIPHERAL, False)


def test_pinning_a_transactional_level_by_hand_is_refused(client_for, owner, member, testing):
    membership = Membership.objects.get(person=member, community=testing)
    before = world()
    response = client_for(owner).post(url("level", testing, membership.pk), {"level": Level.TRANSACTIONAL})
    assert response.status_code == 400
    assert "Choose a participation level" in response.text
    assert world() == before


def test_recomputing_levels_on_demand_reports_the_counts(client_for, owner, member, testing):
    response = client_for(owner).post(url("recompute", testing))
    assert messages_of(response) == ["Participation levels recomputed: 1 core, 1 peripheral."]
    assert Membership.objects.get(person=member).level_computed_at is not None


# Charter ------------------------------------------------------------------------------------------


def test_a_lead_edits_the_charter(client_for, owner, testing):
    client = client_for(owner)
    form = client.get(url("charter-edit", testing)).text
    assert 'name="base_version" value="1"' in form
    assert "Tests **matter**" in form
    response = client.post(
        url("charter-edit", testing), {"base_version": "1", "domain": "Tests matter", "rhythm": "Weekly"}
    )
    assert response.url == url("detail", testing)
    assert messages_of(response) == ["Charter saved as version 2."]
    testing.refresh_from_db()
    assert (testing.charter_version, testing.rhythm) == (2, "Weekly")


def test_a_stale_charter_edit_keeps_the_typed_text_shows_why_and_changes_nothing(
    client_for, owner, member, testing
):
    membership_set_role(actor=owner, membership=Membership.objects.get(person=member), role=Role.LEAD)
    owner_client = client_for(owner)
    assert 'value="1"' in owner_client.get(url("charter-edit", testing)).text
    charter_update(actor=member, community=testing, base_version=1, domain="Their careful domain")
    before = world()

    typed = {"base_version": "1", "domain": "My own domain text", "note": "mine"}
    response = owner_client.post(url("charter-edit", testing), typed)

    assert response.status_code == 200
    assert services.STALE_CHARTER.format(base=1, current=2) in response.text
    assert "My own domain text" in response.text
    assert world() == before
    testing.refresh_from_db()
    assert testing.domain == "Their careful domain"
    # Having compared, the lead saves again from the same form: it now names the current version.
    assert 'name="base_version" value="2"' in response.text
    again = owner_client.post(url("charter-edit", testing), {**typed, "base_version": "2"})
    assert again.status_code == 302
    testing.refresh_from_db()
    assert (testing.charter_version, testing.domain) == (3, "My own domain text")


def test_an_unchanged_charter_is_answered_next_to_the_form(client_for, owner, testing):
    before = world()
    response = client_for(owner).post(
        url("charter-edit", testing), {"base_version": "1", "domain": "Tests **matter**"}
    )
    assert response.status_code == 200
    assert "Nothing changed in the charter." in response.text
    assert world() == before


def test_the_charter_history_shows_versions_and_the_differences(client_for, owner, member, testing):
    charter_update(
        actor=owner, community=testing, base_version=1, note="Sharper", domain="Tests matter\nEvery day"
    )
    client = client_for(member)
    page = client.get(url("charter-history", testing)).text
    assert "Changes from version 1 to 2" in page
    assert "<del>-Tests **matter**</del>" in page
    assert "<ins>+Tests matter</ins>" in page
    assert "<ins>+Every day</ins>" in page
    assert "Sharper" in page
    same = client.get(url("charter-history", testing) + "?a=2&b=2").text
    assert "No differences between these versions." in same
    assert client.get(url("charter-history", testing) + "?a=x").status_code == 404


# Stage --------------------------------------------------------------------------------------------


def test_a_stage_change_shows_in_the_history(client_for, owner, member, testing):
    response = client_for(owner).post(
        url("stage", testing), {"stage": Stage.COALESCING, "reason": "First kata held"}
    )
    assert messages_of(response) == ["The community is now coalescing."]
    detail = client_for(member).get(url("detail", testing)).text
    history = detail.split("<h3>Stage history</h3>")[1].split("</ol>")[0]
    assert "<strong>Coalescing</strong>" in history
    assert "by Olivia Owner" in history
    assert "First kata held" in history
    assert history.index("Coalescing") < history.index("Potential")


def test_a_stage_change_without_a_reason_is_refused_and_changes_nothing(client_for, owner, testing):
    before = world()
    response = client_for(owner).post(url("stage", testing), {"stage": Stage.MATURING, "reason": ""})
    assert messages_of(response) == ["Choose a stage and say why the community moves there."]
    assert world() == before


def test_moving_to_the_current_stage_is_answered_with_a_message(client_for, owner, testing):
    detail = url("detail", testing)
    before = world()
    response = client_for(owner).post(
        url("stage", testing),
        {"stage": Stage.POTENTIAL, "reason": "Again"},
        HTTP_REFERER=f"http://testserver{detail}",
    )
    assert messages_of(response) == ["The community is already potential."]
    assert world() == before


# Settings and creation ----------------------------------------------------------------------------


def test_a_lead_changes_the_settings(client_for, owner, testing):
    response = client_for(owner).post(
        url("settings", testing),
        {"name": "Quality", "summary": "All about quality", "visibility": "request", "tags": "quality"},
    )
    assert response.url == url("detail", testing)
    testing.refresh_from_db()
    assert (testing.name, testing.visibility) == ("Quality", Visibility.REQUEST)


def test_starting_a_community_makes_you_its_lead(client_for, member):
    response = client_for(member).post(
        reverse("communities:create"),
        {"name": "Frontend", "summary": "Pixels", "visibility": "open", "tags": "css", "domain": "UI"},
    )
    community = Community.objects.get(name="Frontend")
    assert response.url == url("detail", community)
    assert Membership.objects.get(community=community, person=member).role == Role.LEAD


def test_a_duplicate_name_is_shown_next_to_the_field_with_the_typed_text_kept(client_for, member, testing):
    before = world()
    response = client_for(member).post(
        reverse("communities:create"),
        {"name": "testing", "summary": "My summary", "visibility": "open", "tags": ""},
    )
    assert response.status_code == 200
    assert "A community named testing already exists." in response.text
    assert 'value="My summary"' in response.text
    assert world() == before


# Directory ----------------------------------------------------------------------------------------


@pytest.fixture
def directory_world(owner, member, testing, private):
    frontend = community_create(
        actor=owner,
        name="Frontend",
        summary="Pixels and accessibility",
        visibility=Visibility.REQUEST,
        tags="css",
    )
    community_set_stage(actor=owner, community=frontend, stage=Stage.COALESCING, reason="Started")
    return frontend


def names(response) -> list[str]:
    return re.findall(r'<h2 class="card-title"><a href="[^"]+">([^<]+)</a>', response.text)


def test_the_directory_searches_names_summaries_and_tags(client_for, outsider, directory_world):
    client = client_for(outsider)
    directory = reverse("communities:directory")
    assert names(client.get(directory)) == ["Frontend", "Testing"]
    assert names(client.get(directory, {"q": "front"})) == ["Frontend"]
    assert names(client.get(directory, {"q": "ACCESSIBILITY"})) == ["Frontend"]
    assert names(client.get(directory, {"q": "qa"})) == ["Testing"]
    assert names(client.get(directory, {"q": "nothing like it"})) == []
    assert "No community matches" in client.get(directory, {"q": "nothing like it"}).text


def test_the_directory_filters_by_stage_visibility_tag_and_mine(client_for, member, directory_world):
    client = client_for(member)
    directory = reverse("communities:directory")
    assert names(client.get(directory)) == ["Frontend", "Secret Guild", "Testing"]
    assert names(client.get(directory, {"stage": "coalescing"})) == ["Frontend"]
    assert names(client.get(directory, {"stage": "potential"})) == ["Secret Guild", "Testing"]
    assert names(client.get(directory, {"visibility": "request"})) == ["Frontend"]
    assert names(client.get(directory, {"visibility": "private"})) == ["Secret Guild"]
    assert names(client.get(directory, {"tag": "qa"})) == ["Secret Guild", "Testing"]
    assert names(client.get(directory, {"tag": "css"})) == ["Frontend"]
    assert names(client.get(directory, {"mine": "on"})) == ["Secret Guild", "Testing"]
    assert names(client.get(directory, {"mine": "on", "tag": "qa", "q": "test"})) == ["Testing"]


def test_directory_cards_show_stage_health_member_count_and_my_role(
    client_for, owner, member, directory_world
):
    Community.objects.filter(name="Testing").update(health_status="thriving")
    page = client_for(member).get(reverse("communities:directory")).text
    testing_card = card(page, "Testing")
    assert "Potential" in testing_card
    assert "Thriving" in testing_card
    assert "2 members · you are a member" in testing_card
    frontend_card = card(page, "Frontend")
    assert "Coalescing" in frontend_card
    assert "Health not computed yet" in frontend_card
    assert "1 member" in frontend_card
    assert "2 members" in card(page, "Secret Guild")  # a member sees the count of their private community
    assert "you are a lead" in card(client_for(owner).get(reverse("communities:directory")).text, "Testing")


def test_searching_by_name_does_not_inflate_member_counts(client_for, make_person, owner, testing):
    # Testing has two tags: a search joining the tags must still count each member once.
    for name in ("one", "two"):
        membership_join(person=make_person(name), community=testing)
    client = client_for(owner)
    for query in ({"q": "Testing"}, {"q": "qa"}, {"tag": "qa"}, {"q": "t", "tag": "testing"}):
        assert "4 members" in card(client.get(reverse("communities:directory"), query).text, "Testing"), query


def test_the_directory_answers_htmx_with_the_results_only(client_for, member, directory_world):
    response = client_for(member).get(
        reverse("communities:directory"), {"q": "front"}, HTTP_HX_REQUEST="true"
    )
    assert "<html" not in response.text
    assert "<form" not in response.text
    assert names(response) == ["Frontend"]
    assert "1 community." in response.text


def test_the_next_page_of_a_filtered_directory_keeps_the_filters(client_for, owner, testing):
    for number in range(26):
        community_create(actor=owner, name=f"Kata club {number:02}", tags="kata")
    client = client_for(owner)
    first = client.get(reverse("communities:directory"), {"q": "kata", "mine": "on"})
    assert "Page 1 of 2" in first.text
    next_link = re.search(r'<a href="([^"]+)">Next', first.text)
    assert next_link is not None
    second = client.get(reverse("communities:directory") + next_link.group(1).replace("&amp;", "&"))
    assert names(second) == ["Kata club 24", "Kata club 25"]


# Private communities on every surface -------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "steward", "admin"])
def test_private_communities_are_absent_from_a_non_members_directory(
    request, client_for, directory_world, who
):
    response = client_for(request.getfixturevalue(who)).get(reverse("communities:directory"))
    assert names(response) == ["Frontend", "Testing"]
    assert "Secret Guild" not in response.text
    assert "2 communities." in response.text


def test_private_communities_are_absent_from_a_non_members_search(client_for, outsider, directory_world):
    client = client_for(outsider)
    directory = reverse("communities:directory")
    for query in ({"q": "Secret"}, {"q": "covert"}, {"q": "hidden"}, {"q": "Hidden domain"}):
        response = client.get(directory, query)
        assert "Secret Guild" not in response.text, query
        assert "0 communities." in response.text, query
    for query in ({"tag": "hidden-tag"}, {"visibility": "private"}):
        response = client.get(directory, query)
        assert names(response) == [], query
        assert "0 communities." in response.text, query


def test_private_communities_are_left_out_of_the_counts_a_non_member_sees(
    client_for, outsider, testing, private
):
    # The only numbers an outsider sees are the open community's and the number of communities.
    page = client_for(outsider).get(reverse("communities:directory")).text
    assert "1 community." in page
    assert "2 members" in card(page, "Testing")
    assert "Secret Guild" not in page


def test_suggestions_never_include_a_private_community(owner, member, make_person, team, testing, private):
    newcomer = make_person("newcomer")
    team_membership_set(person=newcomer, team=team, manager=owner)
    assert list(community_suggestions(newcomer)) == [testing]
    # Even an invitation does not make the private community a suggestion.
    membership_invite(actor=owner, community=private, person=newcomer)
    assert list(community_suggestions(newcomer)) == [testing]


def test_suggestions_leave_out_communities_the_person_belongs_to(owner, member, testing):
    assert list(community_suggestions(member)) == []


# Members page -------------------------------------------------------------------------------------


def test_the_members_page_groups_by_level_and_shows_formal_teams(
    client_for, owner, member, make_person, testing
):
    search = team_create(name="Search")
    searcher = make_person("searcher", display_name="Sam Searcher")
    team_membership_set(person=searcher, team=search, manager=None)
    loner = make_person("loner", display_name="Lou Loner")
    for person in (searcher, loner):
        membership_join(person=person, community=testing)
    services.membership_pin_level(
        actor=owner, membership=Membership.objects.get(person=searcher), level=Level.ACTIVE
    )
    page = client_for(member).get(url("members", testing)).text
    core = level_section(page, "core")
    assert "Olivia Owner" in core and "Payments" in core
    active = level_section(page, "active")
    assert "Sam Searcher" in active and "Search" in active and "pinned" in active
    peripheral = level_section(page, "peripheral")
    assert "Max Member" in peripheral and "Payments" in peripheral
    assert "Lou Loner" in peripheral and "no team" in peripheral
    assert "Nobody at this level." in level_section(page, "occasional")
    assert "level-transactional" not in page
    assert "How levels are derived" in page
    assert "3 different weeks of the last 90 days" in page


# Query counts -------------------------------------------------------------------------------------


def grow(owner, make_person, count: int) -> None:
    """Communities with members from several teams, tags, stage changes and events."""
    start = timezone.now() + timedelta(days=1)
    teams = [team_create(name=f"Team {number}") for number in range(3)]
    for number in range(count):
        visibility = [Visibility.OPEN, Visibility.REQUEST, Visibility.PRIVATE][number % 3]
        community = community_create(
            actor=owner, name=f"Community {number}", visibility=visibility, tags=f"tag{number}, shared"
        )
        for index in range(4):
            person = make_person(f"c{number}p{index}")
            team_membership_set(person=person, team=teams[index % 3], manager=None)
            if visibility == Visibility.PRIVATE:
                membership_invite(actor=owner, community=community, person=person)
            membership_join(person=person, community=community)
            services.activity_record(community=community, person=person, kind="answered", summary="x")
        community_set_stage(actor=owner, community=community, stage=Stage.MATURING, reason="Growing")
        for day in range(3):
            Event.objects.create(
                community=community,
                title=f"Meetup {day}",
                starts_at=start + timedelta(days=day),
                ends_at=start + timedelta(days=day, hours=1),
            )


def queries(client: Client, address: str) -> int:
    client.get(address)  # warm caches (content types, sessions) so both counts compare like with like
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


DIRECTORY_QUERIES = 6  # session, user, person, count, page, tags
DETAIL_QUERIES = 11  # ... including the compact value matrix's counts per cycle (knowledge_tags)
MEMBERS_QUERIES = 11  # ... plus level counts, first members per level (window), their teams


def test_the_directory_uses_a_constant_number_of_queries(
    client_for, owner, member, make_person, testing, django_assert_max_num_queries
):
    client = client_for(owner)
    directory = reverse("communities:directory")
    small = queries(client, directory)
    grow(owner, make_person, 20)
    with django_assert_max_num_queries(DIRECTORY_QUERIES):
        assert len(names(client.get(directory))) == 21
    assert queries(client, directory) == small
    assert queries(client, directory + "?q=community&mine=on") == queries(
        client, directory + "?q=test&mine=on"
    )


def test_the_community_page_uses_a_constant_number_of_queries(
    client_for, owner, member, make_person, testing, django_assert_max_num_queries
):
    client = client_for(owner)
    detail = url("detail", testing)
    small = queries(client, detail)
    grow(owner, make_person, 3)
    for number in range(10):
        person = make_person(f"extra{number}")
        membership_join(person=person, community=testing)
        community_set_stage(
            actor=owner,
            community=testing,
            stage=[Stage.COALESCING, Stage.MATURING][number % 2],
            reason=f"Move {number}",
        )
    with django_assert_max_num_queries(DETAIL_QUERIES):
        client.get(detail)
    assert queries(client, detail) == small


def test_the_members_page_uses_a_constant_number_of_queries(
    client_for, owner, member, make_person, testing, django_assert_max_num_queries
):
    client = client_for(owner)
    members = url("members", testing)
    small = queries(client, members)
    teams = [team_create(name=f"Team {number}") for number in range(3)]
    for number in range(15):
        person = make_person(f"extra{number}")
        team_membership_set(person=person, team=teams[number % 3], manager=None)
        membership_join(person=person, community=testing)
    testing.visibility = Visibility.REQUEST
    testing.save()
    for number in range(3):
        membership_join(person=make_person(f"asker{number}"), community=testing)
    with django_assert_max_num_queries(MEMBERS_QUERIES):
        client.get(members)
    assert queries(client, members) == small


def test_a_large_level_shows_the_first_members_and_pages_through_the_rest(
    client_for, owner, make_person, testing, settings
):
    from practica.communities import selectors

    for number in range(selectors.MEMBERS_SHOWN_PER_LEVEL + 5):
        membership_join(person=make_person(f"quiet{number:02d}"), community=testing)
    client = client_for(owner)
    url = reverse("communities:members", args=[testing.slug])
    page = client.get(url).text
    total = testing.memberships.filter(level="peripheral", status="active").count()
    assert total > selectors.MEMBERS_SHOWN_PER_LEVEL
    assert f"Show all {total} peripheral members" in page
    assert "Quiet29" not in page  # beyond the first members shown
    level_page = client.get(url, {"level": "peripheral"}).text
    assert "Quiet00" in level_page
    assert "All levels" in level_page
    assert "Quiet29" in client.get(url, {"level": "peripheral", "page": 2}).text
