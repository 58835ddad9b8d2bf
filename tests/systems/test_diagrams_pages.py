"""Diagram pages: lists, new (blank and from an archetype), import, editor and read-only view, settings,
history, exports, forecast-an-assumption; outsiders refused; query counts pinned; the demo diagrams."""

from __future__ import annotations

import json
import random

import pytest
from django.urls import reverse

from practica.communities.models import Membership, MembershipStatus, Role, Visibility
from practica.communities.services import community_create, membership_join
from practica.learning.models import Assumption
from practica.systems import demo_data
from practica.systems import diagrams as services
from practica.systems.models import Diagram, DiagramVersion, Link, OwnerKind, Variable

pytestmark = pytest.mark.django_db


@pytest.fixture
def hotfixes(owner, team) -> Diagram:
    return demo_data.draw(demo_data.HOTFIXES, actor=owner, owner_kind=OwnerKind.TEAM, team=team)


@pytest.fixture
def private_community(owner):
    return community_create(actor=owner, name="Secret guild", visibility=Visibility.PRIVATE)


@pytest.fixture
def secret(owner, private_community) -> Diagram:
    return demo_data.draw(
        demo_data.COMMUNITY_GROWTH, actor=owner, owner_kind=OwnerKind.COMMUNITY, community=private_community
    )


@pytest.fixture
def personal(owner) -> Diagram:
    return demo_data.draw(demo_data.HERO_CULTURE, actor=owner, owner_kind=OwnerKind.PERSON)


def test_the_demo_diagrams_are_detected_as_their_archetypes(owner):
    from practica.systems.diagram_selectors import diagram_state

    for demo in demo_data.DEMO_DIAGRAMS:
        diagram = demo_data.draw(demo, actor=owner, owner_kind=OwnerKind.PERSON)
        state = diagram_state(diagram, owner)
        assert state["archetypes"], demo.title
        assert state["archetypes"][0]["archetype"] == demo.archetype, demo.title


def test_the_demo_step_draws_three_diagrams_for_demo_lead(owner, team, make_person):
    from practica.demo.generator import DemoContext

    open_one = community_create(actor=owner, name="Testing")
    community_create(actor=owner, name="Zeta")
    context = DemoContext(rng=random.Random(1), faker=None, size=1, accounts={"demo-lead": owner})  # type: ignore[arg-type]
    demo_data.diagrams_step(context)
    kept = {diagram.title: diagram for diagram in Diagram.objects.all()}
    assert set(kept) == {"Hero culture", "Hotfixes", "Community growth"}
    assert kept["Hero culture"].team == team
    assert kept["Hotfixes"].community == open_one
    assert Variable.objects.filter(diagram=kept["Hotfixes"]).exclude(x=0, y=0).exists()


def test_systems_index_lists_my_diagrams_the_archetypes_and_the_lab(
    client_for, owner, hotfixes, personal, secret
):
    html = client_for(owner).get(reverse("systems:index")).content.decode()
    assert 'aria-current="page">Systems' in html
    for title in (
        "Hotfixes",
        "Hero culture",
        "Community growth",
        "Shifting the burden",
        "Open the what-if lab",
    ):
        assert title in html


def test_the_empty_systems_index_says_what_diagrams_are_for(client_for, outsider):
    html = client_for(outsider).get(reverse("systems:index")).content.decode()
    assert "No diagrams yet. A causal loop diagram shows how things push on each other" in html
    assert "Draw the first diagram" in html


def test_lists_hide_private_diagrams_from_outsiders(client_for, outsider, member, hotfixes, personal, secret):
    for person in (outsider, member):
        html = client_for(person).get(reverse("systems:index")).content.decode()
        assert "Hero culture" not in html and "Community growth" not in html
    assert "Hotfixes" in client_for(member).get(reverse("systems:index")).content.decode()
    assert "Hotfixes" not in client_for(outsider).get(reverse("systems:index")).content.decode()
    assert (
        client_for(outsider).get(reverse("systems:community-diagrams", args=["secret-guild"])).status_code
        == 404
    )
    assert (
        client_for(outsider).get(reverse("systems:team-diagrams", args=[hotfixes.team.slug])).status_code
        == 404
    )
    assert "Hero culture" not in client_for(member).get(reverse("systems:mine")).content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client, hotfixes):
    for url in (
        reverse("systems:index"),
        reverse("systems:mine"),
        reverse("systems:diagram", args=[hotfixes.pk]),
        reverse("systems:diagram-export", args=[hotfixes.pk, "json"]),
        reverse("systems:diagram-new"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/signin/" in response["Location"]


def test_community_tab_lists_its_diagrams_and_offers_members_a_new_one(client_for, owner, outsider):
    community = community_create(actor=owner, name="Testing")
    services.diagram_create(
        actor=owner, title="Flaky tests", owner_kind=OwnerKind.COMMUNITY, community=community
    )
    url = reverse("systems:community-diagrams", args=[community.slug])
    html = client_for(owner).get(url).content.decode()
    assert "Flaky tests" in html and 'aria-current="page">Diagrams' in html
    assert "?owner=community%3Atesting" in html
    outsider_html = client_for(outsider).get(url).content.decode()
    assert "Flaky tests" in outsider_html and "New diagram" not in outsider_html


def test_team_page_links_to_team_diagrams_for_members_only(client_for, owner, outsider, team, hotfixes):
    url = reverse("people:team", args=[team.slug])
    assert reverse("systems:team-diagrams", args=[team.slug]) in client_for(owner).get(url).content.decode()
    assert (
        reverse("systems:team-diagrams", args=[team.slug])
        not in client_for(outsider).get(url).content.decode()
    )
    html = client_for(owner).get(reverse("systems:team-diagrams", args=[team.slug])).content.decode()
    assert "Hotfixes" in html


@pytest.mark.parametrize("name", ["index", "mine", "team", "community"])
def test_list_pages_make_a_constant_number_of_queries(
    client_for, owner, team, django_assert_max_num_queries, name
):
    community = community_create(actor=owner, name="Testing")
    for number in range(12):
        services.diagram_create(actor=owner, title=f"P{number}")
        services.diagram_create(actor=owner, title=f"T{number}", owner_kind=OwnerKind.TEAM, team=team)
        services.diagram_create(
            actor=owner, title=f"C{number}", owner_kind=OwnerKind.COMMUNITY, community=community
        )
    url = {
        "index": reverse("systems:index"),
        "mine": reverse("systems:mine"),
        "team": reverse("systems:team-diagrams", args=[team.slug]),
        "community": reverse("systems:community-diagrams", args=[community.slug]),
    }[name]
    client = client_for(owner)
    client.get(url)
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200


def test_editor_page_makes_a_constant_number_of_queries(
    client_for, owner, hotfixes, django_assert_max_num_queries
):
    client = client_for(owner)
    url = reverse("systems:diagram", args=[hotfixes.pk])
    client.get(url)
    with django_assert_max_num_queries(9):
        response = client.get(url)
    assert response.status_code == 200


def test_new_diagram_from_an_archetype(client_for, owner):
    client = client_for(owner)
    form = client.get(reverse("systems:diagram-new") + "?archetype=fixes-that-fail").content.decode()
    assert '<option value="fixes-that-fail" selected>' in form
    response = client.post(
        reverse("systems:diagram-new"),
        {"title": "Flaky builds", "owner": "person", "archetype": "fixes-that-fail"},
    )
    diagram = Diagram.objects.get(title="Flaky builds")
    assert response.status_code == 302 and response["Location"] == reverse(
        "systems:diagram", args=[diagram.pk]
    )
    assert set(Variable.objects.filter(diagram=diagram).values_list("name", flat=True)) == {
        "Problem", "Fix", "Unintended consequence"
    }  # fmt: skip


def test_new_diagram_refuses_a_team_the_person_is_not_in(client_for, outsider, team):
    response = client_for(outsider).post(
        reverse("systems:diagram-new"), {"title": "X", "owner": f"team:{team.slug}", "archetype": ""}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Diagram.objects.exists()


def test_new_diagram_needs_a_title(client_for, owner):
    response = client_for(owner).post(reverse("systems:diagram-new"), {"title": "", "owner": "person"})
    assert response.status_code == 400 and "This field is required" in response.content.decode()


def test_editor_shows_the_drawing_loops_and_archetype_for_editors(client_for, owner, hotfixes):
    html = client_for(owner).get(reverse("systems:diagram", args=[hotfixes.pk])).content.decode()
    assert 'id="cld-canvas"' in html and "cytoscape.min.js" in html and "diagram-editor.js" in html
    assert 'id="cld-add-variable"' in html
    assert "<script>" not in html.replace('<script id="cld-state" type="application/json">', "").replace(
        '<script id="cld-config" type="application/json">', ""
    )
    assert "B1</strong> More Hotfixes leads to less Production bugs" in html
    assert "This looks like Fixes that fail" in html
    assert "problem = Production bugs, fix = Hotfixes" in html
    state_start = html.index('<script id="cld-state" type="application/json">') + len(
        '<script id="cld-state" type="application/json">'
    )
    state = json.loads(html[state_start : html.index("</script>", state_start)])
    assert state["version"] == hotfixes.version and state["can_edit"] is True


def test_viewers_who_may_not_edit_get_the_read_only_drawing(client_for, owner, outsider):
    community = community_create(actor=owner, name="Testing")
    diagram = demo_data.draw(
        demo_data.HOTFIXES, actor=owner, owner_kind=OwnerKind.COMMUNITY, community=community
    )
    html = client_for(outsider).get(reverse("systems:diagram", args=[diagram.pk])).content.decode()
    assert "read only" in html and 'id="cld-add-variable"' not in html
    assert "This looks like Fixes that fail" in html
    assert client_for(outsider).get(reverse("systems:diagram-settings", args=[diagram.pk])).status_code == 403


def test_outsiders_get_404_for_private_diagrams_everywhere(
    client_for, outsider, member, secret, personal, hotfixes
):
    for person, diagram in ((outsider, secret), (member, personal), (outsider, hotfixes), (member, secret)):
        client = client_for(person)
        for url in (
            reverse("systems:diagram", args=[diagram.pk]),
            reverse("systems:diagram-history", args=[diagram.pk]),
            reverse("systems:diagram-settings", args=[diagram.pk]),
            reverse("systems:diagram-export", args=[diagram.pk, "svg"]),
            reverse("systems:link-forecast", args=[diagram.pk, 1]),
        ):
            assert client.get(url).status_code == 404, url
        assert client.post(reverse("systems:diagram-delete", args=[diagram.pk])).status_code == 404
    assert Diagram.objects.count() == 3


def test_a_team_member_may_change_the_team_diagram(client_for, member, hotfixes):
    client = client_for(member)
    response = client.post(
        reverse("systems:diagram-settings", args=[hotfixes.pk]),
        {"title": "Hotfixes and bugs", "description": "", "version": hotfixes.version},
    )
    assert response.status_code == 302
    hotfixes.refresh_from_db()
    assert hotfixes.title == "Hotfixes and bugs"


def test_settings_on_a_stale_version_are_refused(client_for, owner, hotfixes):
    response = client_for(owner).post(
        reverse("systems:diagram-settings", args=[hotfixes.pk]),
        {"title": "Renamed", "description": "", "version": hotfixes.version - 1},
    )
    assert response.status_code == 400
    assert "Someone changed this diagram since you loaded it" in response.content.decode()
    hotfixes.refresh_from_db()
    assert hotfixes.title == "Hotfixes"


def test_history_lists_who_changed_what(client_for, owner, hotfixes):
    html = client_for(owner).get(reverse("systems:diagram-history", args=[hotfixes.pk])).content.decode()
    assert "Added variable &#x27;Production bugs&#x27;" in html
    assert "Added link Untested changes in production -&gt;+ Production bugs (delay)" in html
    assert "Olivia Owner" in html


@pytest.mark.parametrize(
    ("export_format", "content_type", "start"),
    [
        ("json", "application/json", b"{"),
        ("mermaid", "text/plain; charset=utf-8", b"%% Hotfixes\nflowchart LR"),
        ("dot", "text/vnd.graphviz; charset=utf-8", b'digraph "Hotfixes"'),
        ("svg", "image/svg+xml", b"<?xml"),
        ("png", "image/png", b"\x89PNG"),
    ],
)
def test_exports_download_as_files(client_for, member, hotfixes, export_format, content_type, start):
    response = client_for(member).get(reverse("systems:diagram-export", args=[hotfixes.pk, export_format]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith('attachment; filename="hotfixes.')
    assert response.content.startswith(start)


def test_unknown_export_format_is_404(client_for, owner, hotfixes):
    assert (
        client_for(owner).get(reverse("systems:diagram-export", args=[hotfixes.pk, "pdf"])).status_code == 404
    )


def test_import_page_round_trips_an_export(client_for, owner, hotfixes):
    client = client_for(owner)
    exported = client.get(reverse("systems:diagram-export", args=[hotfixes.pk, "json"])).content
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("hotfixes.json", exported, content_type="application/json")
    response = client.post(
        reverse("systems:diagram-import"), {"file": upload, "owner": "person", "title": ""}
    )
    copy = Diagram.objects.exclude(pk=hotfixes.pk).get()
    assert response.status_code == 302 and copy.person == owner
    again = client.get(reverse("systems:diagram-export", args=[copy.pk, "json"])).content
    assert again == exported


def test_a_bad_import_names_the_item_next_to_the_file_and_creates_nothing(client_for, owner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = json.dumps(
        {"variables": [{"name": "A"}], "links": [{"source": "A", "target": "B", "sign": "+"}]}
    )
    upload = SimpleUploadedFile("bad.json", content.encode(), content_type="application/json")
    response = client_for(owner).post(reverse("systems:diagram-import"), {"file": upload, "owner": "person"})
    assert response.status_code == 400
    assert "Link A -&gt; B: unknown variable &#x27;B&#x27;." in response.content.decode()
    assert not Diagram.objects.exists()


def test_forecast_an_assumption_from_a_community_diagram(client_for, owner, member):
    community = community_create(actor=owner, name="Testing")
    membership_join(person=member, community=community)
    diagram = demo_data.draw(
        demo_data.HOTFIXES, actor=owner, owner_kind=OwnerKind.COMMUNITY, community=community
    )
    assumption = Assumption.objects.create(statement="Hotfixes skip review", owner=owner, confidence=0.7)
    link = Link.objects.get(
        diagram=diagram, source__name="Hotfixes", target__name="Untested changes in production"
    )
    diagram.refresh_from_db()
    services.link_update(
        actor=owner, diagram=diagram, version=diagram.version, link_id=link.pk, assumption_id=assumption.pk
    )
    url = reverse("systems:link-forecast", args=[diagram.pk, link.pk])
    client = client_for(member)
    form = client.get(url).content.decode()
    assert "Will it hold that Hotfixes skip review?" in form and "Testing" in form
    response = client.post(
        url,
        {
            "community": community.pk,
            "title": "Will hotfixes skip review this quarter?",
            "closes_at": "2099-01-01T12:00",
        },
    )
    question = community.forecast_questions.get()
    assert response.status_code == 302
    assert question.author == member and "Hotfixes -> Untested changes in production" in question.details


def test_forecast_page_refuses_a_community_the_person_is_not_in(client_for, owner, outsider):
    community = community_create(actor=owner, name="Testing")
    other = community_create(actor=outsider, name="Elsewhere")
    diagram = demo_data.draw(
        demo_data.HOTFIXES, actor=owner, owner_kind=OwnerKind.COMMUNITY, community=community
    )
    assumption = Assumption.objects.create(statement="Hotfixes skip review", owner=owner, confidence=0.7)
    link = Link.objects.filter(diagram=diagram).first()
    diagram.refresh_from_db()
    services.link_update(
        actor=owner, diagram=diagram, version=diagram.version, link_id=link.pk, assumption_id=assumption.pk
    )
    url = reverse("systems:link-forecast", args=[diagram.pk, link.pk])
    html = client_for(outsider).get(url).content.decode()
    assert "you are not an active member of Testing" in html
    response = client_for(outsider).post(
        url, {"community": other.pk, "title": "X?", "closes_at": "2099-01-01T12:00"}
    )
    assert response.status_code == 400
    assert not other.forecast_questions.exists()


def test_delete_removes_the_diagram_and_its_history(client_for, owner, hotfixes, member):
    assert client_for(member).post(reverse("systems:diagram-delete", args=[hotfixes.pk])).status_code == 302
    assert not Diagram.objects.exists() and not DiagramVersion.objects.exists()


def test_community_members_who_left_may_no_longer_edit(client_for, owner, member):
    community = community_create(actor=owner, name="Testing")
    membership_join(person=member, community=community)
    diagram = services.diagram_create(
        actor=owner, title="D", owner_kind=OwnerKind.COMMUNITY, community=community
    )
    Membership.objects.filter(person=member, community=community).update(status=MembershipStatus.LEFT)
    assert client_for(member).get(reverse("systems:diagram-settings", args=[diagram.pk])).status_code == 403
    assert Role.LEAD  # the owner still leads and may edit
    assert client_for(owner).get(reverse("systems:diagram-settings", args=[diagram.pk])).status_code == 200
