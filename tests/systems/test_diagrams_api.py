"""Diagrams in the JSON API: every endpoint for the allowed user, signed-out (401) and outsiders (404 for
what they may not see, 403 for what they may see but not change, nothing in lists or counts), bad input
(400 with the refusal's text, nothing changed), stale versions and CSRF for the browser session."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from practica.communities.models import Visibility
from practica.communities.services import community_create
from practica.learning.models import Assumption
from practica.people.services import api_token_create
from practica.systems import demo_data
from practica.systems.models import Diagram, DiagramVersion, Link, OwnerKind, Variable

pytestmark = pytest.mark.django_db


def bearer(person) -> dict[str, str]:
    _, token = api_token_create(person=person, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def call(person, method: str, path: str, body: dict | None = None):
    client = Client()
    kwargs = bearer(person) if person is not None else {}
    handler = getattr(client, method)
    if body is None:
        return handler("/api/v1" + path, **kwargs)
    return handler("/api/v1" + path, json.dumps(body), content_type="application/json", **kwargs)


@pytest.fixture
def hotfixes(owner, team) -> Diagram:
    return demo_data.draw(demo_data.HOTFIXES, actor=owner, owner_kind=OwnerKind.TEAM, team=team)


@pytest.fixture
def secret(owner) -> Diagram:
    community = community_create(actor=owner, name="Secret guild", visibility=Visibility.PRIVATE)
    return demo_data.draw(
        demo_data.COMMUNITY_GROWTH, actor=owner, owner_kind=OwnerKind.COMMUNITY, community=community
    )


@pytest.fixture
def personal(owner) -> Diagram:
    return demo_data.draw(demo_data.HERO_CULTURE, actor=owner, owner_kind=OwnerKind.PERSON)


@pytest.fixture
def public(owner) -> Diagram:
    community = community_create(actor=owner, name="Testing")
    return demo_data.draw(
        demo_data.HOTFIXES, actor=owner, owner_kind=OwnerKind.COMMUNITY, community=community
    )


def _ids(diagram: Diagram) -> dict[str, int]:
    return dict(Variable.objects.filter(diagram=diagram).values_list("name", "pk"))


def _everything(diagram: Diagram) -> list[tuple[str, str, dict | None]]:
    """Every diagram endpoint with a valid body."""
    ids = _ids(diagram)
    link = Link.objects.filter(diagram=diagram).first()
    first = next(iter(ids.values()))
    version = diagram.version
    return [
        ("get", f"/diagrams/{diagram.pk}", None),
        ("patch", f"/diagrams/{diagram.pk}", {"version": version, "title": "X"}),
        ("post", f"/diagrams/{diagram.pk}/variables", {"version": version, "name": "New"}),
        ("patch", f"/diagrams/{diagram.pk}/variables/{first}", {"version": version, "name": "Renamed"}),
        ("delete", f"/diagrams/{diagram.pk}/variables/{first}?version={version}", None),
        ("post", f"/diagrams/{diagram.pk}/layout", {"positions": [{"id": first, "x": 1, "y": 2}]}),
        ("post", f"/diagrams/{diagram.pk}/links", {"version": version, "source": first, "target": first}),
        ("patch", f"/diagrams/{diagram.pk}/links/{link.pk}", {"version": version, "sign": "-"}),
        ("delete", f"/diagrams/{diagram.pk}/links/{link.pk}?version={version}", None),
        ("get", f"/diagrams/{diagram.pk}/loops", None),
        ("get", f"/diagrams/{diagram.pk}/archetypes", None),
        ("get", f"/diagrams/{diagram.pk}/versions", None),
        ("get", f"/diagrams/{diagram.pk}/versions/1", None),
        ("get", f"/diagrams/{diagram.pk}/export/json", None),
        ("get", f"/diagrams/{diagram.pk}/export/png", None),
        ("delete", f"/diagrams/{diagram.pk}", None),
        (
            "post",
            f"/diagrams/{diagram.pk}/links/{link.pk}/forecast",
            {"community": "testing", "title": "X?", "closes_at": "2099-01-01T00:00:00Z"},
        ),
    ]


def _frozen(diagram: Diagram) -> tuple:
    return (
        Diagram.objects.filter(pk=diagram.pk).values_list("title", "version").first(),
        list(Variable.objects.filter(diagram=diagram).values_list("name", "x", "y")),
        list(Link.objects.filter(diagram=diagram).values_list("source", "target", "sign", "delay")),
    )


def test_signed_out_calls_get_401_and_change_nothing(hotfixes):
    before = _frozen(hotfixes)
    for method, path, body in _everything(hotfixes):
        assert call(None, method, path, body).status_code == 401, path
    assert call(None, "get", "/diagrams").status_code == 401
    assert call(None, "post", "/diagrams", {"title": "X"}).status_code == 401
    assert call(None, "get", "/archetypes").status_code == 401
    assert _frozen(hotfixes) == before


@pytest.mark.parametrize("which", ["secret", "personal", "hotfixes"])
def test_outsiders_get_404_everywhere_and_change_nothing(request, outsider, which):
    diagram = request.getfixturevalue(which)
    before = _frozen(diagram)
    for method, path, body in _everything(diagram):
        assert call(outsider, method, path, body).status_code == 404, path
    assert _frozen(diagram) == before


def test_private_diagrams_leak_into_no_list_or_count(
    outsider, member, owner, secret, personal, hotfixes, public
):
    def titles_and_count(person, query: str = "") -> tuple[set[str], int]:
        body = call(person, "get", "/diagrams" + query).json()
        return {item["title"] for item in body["items"]}, body["count"]

    assert titles_and_count(outsider) == ({"Hotfixes"}, 1)
    assert titles_and_count(outsider, "?community=secret-guild") == (set(), 0)
    assert titles_and_count(outsider, f"?team={hotfixes.team.slug}") == (set(), 0)
    assert titles_and_count(member) == ({"Hotfixes"}, 2)
    assert titles_and_count(owner)[1] == 4
    assert titles_and_count(owner, "?mine=true") == ({"Hero culture"}, 1)


def test_a_viewer_who_may_not_edit_gets_403_for_changes(outsider, public):
    before = _frozen(public)
    for method, path, body in _everything(public):
        response = call(outsider, method, path, body)
        if method == "get":
            assert response.status_code == 200, path
        elif path.endswith("/forecast"):
            assert response.status_code == 400  # not a member of the community: may not ask there
        else:
            assert response.status_code == 403, path
            assert "Only the people who keep this diagram can change it" in response.json()["detail"]
    assert _frozen(public) == before


def test_create_read_update_delete(owner, team):
    response = call(owner, "post", "/diagrams", {"title": "Flaky builds", "owner": f"team:{team.slug}"})
    assert response.status_code == 201
    state = response.json()
    assert state["version"] == 1 and state["owner"] == "Payments" and state["can_edit"]
    diagram_id = state["id"]
    assert call(owner, "get", f"/diagrams/{diagram_id}").json()["title"] == "Flaky builds"
    updated = call(owner, "patch", f"/diagrams/{diagram_id}", {"version": 1, "title": "Flaky CI"}).json()
    assert updated["title"] == "Flaky CI" and updated["version"] == 2
    assert call(owner, "delete", f"/diagrams/{diagram_id}").status_code == 204
    assert not Diagram.objects.exists()


def test_create_from_an_archetype_returns_its_loops_and_match(owner):
    state = call(owner, "post", "/diagrams", {"title": "T", "archetype": "limits-to-growth"}).json()
    assert [loop["id"] for loop in state["loops"]] == ["R1", "B1"]
    assert state["archetypes"][0]["archetype"] == "limits-to-growth"
    roles = {role["role"]: role["variable"] for role in state["archetypes"][0]["roles"]}
    assert roles == {"effort": "Effort", "performance": "Performance", "limiting action": "Limiting action"}


def test_create_refuses_bad_input(owner, team, outsider):
    assert call(owner, "post", "/diagrams", {"title": " "}).json()["detail"] == "Give the diagram a title."
    assert (
        "no archetype 'x'"
        in call(owner, "post", "/diagrams", {"title": "T", "archetype": "x"}).json()["detail"]
    )
    response = call(outsider, "post", "/diagrams", {"title": "T", "owner": f"team:{team.slug}"})
    assert response.status_code == 400 and "Only members of Payments" in response.json()["detail"]
    assert (
        "must be 'person'"
        in call(owner, "post", "/diagrams", {"title": "T", "owner": "galaxy"}).json()["detail"]
    )
    assert not Diagram.objects.exists()


def test_draw_a_diagram_step_by_step(owner):
    state = call(owner, "post", "/diagrams", {"title": "Bugs"}).json()
    path = f"/diagrams/{state['id']}"
    state = call(owner, "post", path + "/variables", {"version": 1, "name": "Bugs", "x": 0, "y": 0}).json()
    state = call(owner, "post", path + "/variables", {"version": 2, "name": "Fixes"}).json()
    bugs, fixes = (variable["id"] for variable in state["variables"])
    state = call(
        owner, "post", path + "/links", {"version": 3, "source": bugs, "target": fixes, "sign": "+"}
    ).json()
    response = call(
        owner, "post", path + "/links", {"version": 4, "source": fixes, "target": bugs, "sign": "-"}
    )
    assert response.status_code == 201
    state = response.json()
    assert state["version"] == 5
    assert [(loop["id"], loop["sentence"]) for loop in state["loops"]] == [
        ("B1", "More Bugs leads to more Fixes, which leads to less Bugs: balancing")
    ]
    link_id = state["links"][1]["id"]
    state = call(
        owner, "patch", f"{path}/links/{link_id}", {"version": 5, "delay": True, "confidence": 0.8}
    ).json()
    assert state["links"][1]["delay"] is True and state["links"][1]["confidence"] == 0.8
    state = call(owner, "patch", f"{path}/links/{link_id}", {"version": 6, "clear_confidence": True}).json()
    assert state["links"][1]["confidence"] is None
    state = call(owner, "patch", f"{path}/variables/{fixes}", {"version": 7, "name": "Hotfixes"}).json()
    assert state["variables"][1]["name"] == "Hotfixes"
    moved = call(owner, "post", path + "/layout", {"positions": [{"id": fixes, "x": 300, "y": -20}]})
    assert moved.json() == {"detail": "Saved the position of 1 variable."}
    state = call(owner, "get", path).json()
    assert state["version"] == 8 and (state["variables"][1]["x"], state["variables"][1]["y"]) == (300, -20)
    state = call(owner, "delete", f"{path}/links/{link_id}?version=8").json()
    assert state["loops"] == [] and len(state["links"]) == 1
    state = call(owner, "delete", f"{path}/variables/{bugs}?version=9").json()
    assert [variable["name"] for variable in state["variables"]] == ["Hotfixes"] and state["links"] == []
    versions = call(owner, "get", path + "/versions").json()
    assert (
        versions["count"] == 10
        and versions["items"][0]["summary"] == "Deleted variable 'Bugs' and its 1 link"
    )
    first = call(owner, "get", path + "/versions/1").json()
    assert first["snapshot"]["variables"] == [] and first["author"] == "Olivia Owner"


def test_a_stale_version_is_refused_with_both_numbers(owner, hotfixes):
    before = _frozen(hotfixes)
    ids = _ids(hotfixes)
    response = call(owner, "post", f"/diagrams/{hotfixes.pk}/variables", {"version": 1, "name": "Late"})
    assert response.status_code == 400
    assert response.json()["detail"] == (
        f"Someone changed this diagram since you loaded it (version {hotfixes.version}, you had 1): "
        "reload to see their change."
    )
    response = call(
        owner, "delete", f"/diagrams/{hotfixes.pk}/variables/{ids['Hotfixes']}?version={hotfixes.version - 1}"
    )
    assert response.status_code == 400
    assert _frozen(hotfixes) == before


def test_bad_links_are_refused_naming_the_item(owner, hotfixes, personal):
    ids = _ids(hotfixes)
    elsewhere = next(iter(_ids(personal).values()))
    version = hotfixes.version
    before = _frozen(hotfixes)
    path = f"/diagrams/{hotfixes.pk}/links"
    cases = [
        (
            {"source": ids["Hotfixes"], "target": ids["Hotfixes"]},
            "Link Hotfixes -> Hotfixes: a variable cannot",
        ),
        (
            {"source": ids["Hotfixes"], "target": ids["Production bugs"]},
            "There is already a link Hotfixes ->",
        ),
        (
            {"source": ids["Production bugs"], "target": elsewhere},
            f"Variable #{elsewhere} is not in this diagram",
        ),
        (
            {"source": ids["Production bugs"], "target": ids["Pressure to ship"], "sign": "++"},
            "Sign '++' is not allowed for link Production bugs -> Pressure to ship",
        ),
    ]
    for body, message in cases:
        response = call(owner, "post", path, {"version": version, **body})
        assert response.status_code == 400 and message in response.json()["detail"], body
    response = call(
        owner, "post", f"/diagrams/{hotfixes.pk}/variables", {"version": version, "name": "hotfixes "}
    )
    assert "There is already a variable 'Hotfixes'" in response.json()["detail"]
    response = call(
        owner, "post", f"/diagrams/{hotfixes.pk}/variables", {"version": version, "name": "x" * 81}
    )
    assert "keep it to 80" in response.json()["detail"]
    response = call(
        owner, "post", f"/diagrams/{hotfixes.pk}/layout", {"positions": [{"id": elsewhere, "x": 0, "y": 0}]}
    )
    assert response.status_code == 400 and f"Variable #{elsewhere}" in response.json()["detail"]
    assert _frozen(hotfixes) == before


def test_loops_and_archetypes_endpoints(member, hotfixes):
    loops = call(member, "get", f"/diagrams/{hotfixes.pk}/loops").json()
    assert loops["truncated"] is False
    assert [loop["id"] for loop in loops["loops"]] == ["B1", "R1"]
    matches = call(member, "get", f"/diagrams/{hotfixes.pk}/archetypes").json()
    match = matches["matches"][0]
    assert match["archetype"] == "fixes-that-fail" and matches["stopped_early"] is False
    assert match["description"] == (
        "Fixes that fail: problem = Production bugs, fix = Hotfixes, unintended consequence = "
        "Untested changes in production"
    )
    assert match["loops"] == ["R1", "B1"] and match["advice"]


def test_archetype_templates_are_listed(member):
    templates = call(member, "get", "/archetypes").json()
    assert len(templates) == 8
    shifting = next(t for t in templates if t["slug"] == "shifting-the-burden")
    assert (
        "[fundamental solution] ->- [symptom] (delay)".replace("[", "").replace("]", "") in shifting["links"]
    )


def test_exports_and_import_round_trip(owner, hotfixes):
    exported = call(owner, "get", f"/diagrams/{hotfixes.pk}/export/json")
    assert exported["Content-Type"] == "application/json"
    response = call(owner, "post", "/diagrams/import", {"content": exported.content.decode()})
    assert response.status_code == 201
    copy_id = response.json()["diagram"]["id"]
    assert response.json()["notes"] == []
    again = call(owner, "get", f"/diagrams/{copy_id}/export/json")
    assert again.content == exported.content
    mermaid = call(owner, "get", f"/diagrams/{hotfixes.pk}/export/mermaid").content.decode()
    assert '-.->|"+ delay"|' in mermaid
    assert call(owner, "get", f"/diagrams/{hotfixes.pk}/export/svg")["Content-Type"] == "image/svg+xml"
    assert call(owner, "get", f"/diagrams/{hotfixes.pk}/export/pdf").status_code == 422


def test_bad_imports_are_refused_and_create_nothing(owner):
    count = Diagram.objects.count()
    response = call(owner, "post", "/diagrams/import", {"content": '{"variables": [{"name": "A"}], "links": '
                    '[{"source": "A", "target": "A", "sign": "+"}]}'})  # fmt: skip
    assert response.status_code == 400
    assert response.json()["detail"] == "Link A -> A: a variable cannot link to itself."
    assert call(owner, "post", "/diagrams/import", {"content": "{oops"}).status_code == 400
    assert Diagram.objects.count() == count


def test_assumption_citation_and_forecast_in_one_step(owner, outsider):
    community = community_create(actor=owner, name="Testing")
    diagram = demo_data.draw(
        demo_data.HOTFIXES, actor=owner, owner_kind=OwnerKind.COMMUNITY, community=community
    )
    mine = Assumption.objects.create(statement="Hotfixes skip review", owner=owner, confidence=0.7)
    theirs = Assumption.objects.create(statement="Secret", owner=outsider, confidence=0.5)
    link = Link.objects.filter(diagram=diagram).first()
    path = f"/diagrams/{diagram.pk}/links/{link.pk}"
    response = call(owner, "patch", path, {"version": diagram.version, "assumption": theirs.pk})
    assert (
        response.status_code == 400
        and f"Assumption #{theirs.pk} is not one you can cite" in response.json()["detail"]
    )
    state = call(owner, "patch", path, {"version": diagram.version, "assumption": mine.pk}).json()
    assert state["links"][0]["assumption"] == {"id": mine.pk, "statement": "Hotfixes skip review"}
    closes = (timezone.now() + timedelta(days=10)).isoformat()
    response = call(
        owner, "post", path + "/forecast", {"community": "testing", "title": "Will it?", "closes_at": closes}
    )
    assert response.status_code == 201
    assert response.json()["url"].startswith("/communities/testing/forecasts/")
    assert community.forecast_questions.count() == 1


def test_the_browser_session_needs_a_csrf_token_for_changes(client_for, owner, hotfixes):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner.user)
    body = json.dumps({"version": hotfixes.version, "name": "Without a token"})
    response = client.post(f"/api/v1/diagrams/{hotfixes.pk}/variables", body, content_type="application/json")
    assert response.status_code == 403
    assert not Variable.objects.filter(name="Without a token").exists()
    assert DiagramVersion.objects.filter(diagram=hotfixes).count() == hotfixes.version
