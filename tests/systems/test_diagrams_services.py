"""Diagram services: versioning, stale edits refused, bad input named and nothing changed, owners,
assumptions, archetype starts, imports and forecasts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from practica.communities.models import Visibility
from practica.communities.services import community_create, membership_join
from practica.core.errors import ApplicationError
from practica.learning.models import Assumption
from practica.systems import diagram_selectors as selectors
from practica.systems import diagrams as services
from practica.systems import exports
from practica.systems.models import Diagram, DiagramVersion, Link, OwnerKind, Variable

pytestmark = pytest.mark.django_db


def _diagram(actor, **kwargs) -> Diagram:
    return services.diagram_create(actor=actor, title="Bugs", **kwargs)


def _add(diagram: Diagram, actor, *names: str) -> list[Variable]:
    made = []
    for name in names:
        diagram.refresh_from_db()
        made.append(services.variable_add(actor=actor, diagram=diagram, version=diagram.version, name=name))
    diagram.refresh_from_db()
    return made


def _link(diagram: Diagram, actor, source: Variable, target: Variable, sign: str = "+", **kwargs) -> Link:
    diagram.refresh_from_db()
    link = services.link_add(
        actor=actor, diagram=diagram, version=diagram.version, source_id=source.pk, target_id=target.pk,
        sign=sign, **kwargs,
    )  # fmt: skip
    diagram.refresh_from_db()
    return link


def _snapshot(diagram: Diagram) -> tuple[int, list[tuple], list[tuple]]:
    diagram.refresh_from_db()
    return (
        diagram.version,
        list(Variable.objects.filter(diagram=diagram).values_list("name", "note", "x", "y")),
        list(
            Link.objects.filter(diagram=diagram).values_list(
                "source", "target", "sign", "delay", "confidence"
            )
        ),
    )


def test_every_change_bumps_the_version_and_records_who_and_what(owner):
    diagram = _diagram(owner)
    assert diagram.version == 1
    bugs, fixes = _add(diagram, owner, "Production bugs", "Hotfixes")
    link = _link(diagram, owner, bugs, fixes)
    services.link_update(actor=owner, diagram=diagram, version=diagram.version, link_id=link.pk, sign="-")
    diagram.refresh_from_db()
    assert diagram.version == 5
    versions = list(DiagramVersion.objects.filter(diagram=diagram).order_by("number"))
    assert [version.number for version in versions] == [1, 2, 3, 4, 5]
    assert versions[1].summary == "Added variable 'Production bugs'"
    assert versions[3].summary == "Added link Production bugs ->+ Hotfixes"
    assert versions[4].summary == "Link Production bugs -> Hotfixes: sign -"
    assert all(version.author == owner for version in versions)
    assert versions[4].snapshot["links"][0]["sign"] == "-"


def test_a_stale_edit_is_refused_with_both_versions_and_nothing_changes(owner):
    diagram = _diagram(owner)
    _add(diagram, owner, "A")
    before = _snapshot(diagram)
    with pytest.raises(ApplicationError) as error:
        services.variable_add(actor=owner, diagram=diagram, version=1, name="B")
    assert error.value.message == (
        "Someone changed this diagram since you loaded it (version 2, you had 1): reload to see their change."
    )
    assert _snapshot(diagram) == before


def test_moving_variables_needs_no_version_and_does_not_bump_it(owner):
    diagram = _diagram(owner)
    (a,) = _add(diagram, owner, "A")
    services.layout_save(actor=owner, diagram=diagram, positions={a.pk: (12.5, -40.0)})
    a.refresh_from_db()
    diagram.refresh_from_db()
    assert (a.x, a.y) == (12.5, -40.0)
    assert diagram.version == 2


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "Give the variable a name."),
        ("x" * 81, "keep it to 80"),
        ("  production BUGS ", "There is already a variable 'Production bugs'"),
    ],
)
def test_bad_variable_names_are_refused(owner, name, message):
    diagram = _diagram(owner)
    _add(diagram, owner, "Production bugs")
    before = _snapshot(diagram)
    with pytest.raises(ApplicationError, match=message):
        services.variable_add(actor=owner, diagram=diagram, version=diagram.version, name=name)
    assert _snapshot(diagram) == before


def test_bad_links_are_refused_naming_the_link(owner):
    diagram = _diagram(owner)
    a, b = _add(diagram, owner, "A", "B")
    _link(diagram, owner, a, b)
    other = _diagram(owner)
    (stranger,) = _add(other, owner, "Stranger")
    before = _snapshot(diagram)
    cases = [
        ({"source_id": a.pk, "target_id": a.pk}, "Link A -> A: a variable cannot link to itself."),
        ({"source_id": a.pk, "target_id": b.pk}, "There is already a link A -> B"),
        ({"source_id": b.pk, "target_id": a.pk, "sign": "x"}, "Sign 'x' is not allowed for link B -> A"),
        ({"source_id": b.pk, "target_id": stranger.pk}, f"Variable #{stranger.pk} is not in this diagram"),
        ({"source_id": b.pk, "target_id": a.pk, "confidence": 1.5}, "must be from 0 to 1 \\(you gave 1.5\\)"),
    ]
    for arguments, message in cases:
        with pytest.raises(ApplicationError, match=message):
            services.link_add(actor=owner, diagram=diagram, version=diagram.version, **arguments)
        assert _snapshot(diagram) == before


def test_renaming_to_another_variables_name_is_refused(owner):
    diagram = _diagram(owner)
    a, _ = _add(diagram, owner, "A", "B")
    with pytest.raises(ApplicationError, match="There is already a variable 'B'"):
        services.variable_update(
            actor=owner, diagram=diagram, version=diagram.version, variable_id=a.pk, name="b "
        )
    services.variable_update(
        actor=owner, diagram=diagram, version=diagram.version, variable_id=a.pk, name="a"
    )
    a.refresh_from_db()
    assert a.name == "a"


def test_deleting_a_variable_deletes_its_links(owner):
    diagram = _diagram(owner)
    a, b = _add(diagram, owner, "A", "B")
    _link(diagram, owner, a, b)
    services.variable_delete(actor=owner, diagram=diagram, version=diagram.version, variable_id=a.pk)
    assert not Link.objects.filter(diagram=diagram).exists()
    assert (
        DiagramVersion.objects.filter(diagram=diagram).first().summary
        == "Deleted variable 'A' and its 1 link"
    )


def test_owners_must_be_the_actors_team_or_community(owner, outsider, team):
    services.diagram_create(actor=owner, title="Team", owner_kind=OwnerKind.TEAM, team=team)
    with pytest.raises(ApplicationError, match="Only members of Payments"):
        services.diagram_create(actor=outsider, title="Team", owner_kind=OwnerKind.TEAM, team=team)
    community = community_create(actor=owner, name="Testing")
    services.diagram_create(actor=owner, title="Ours", owner_kind=OwnerKind.COMMUNITY, community=community)
    with pytest.raises(ApplicationError, match="Only active members of Testing"):
        services.diagram_create(
            actor=outsider, title="Ours", owner_kind=OwnerKind.COMMUNITY, community=community
        )


def test_start_from_an_archetype_gives_its_roles_and_is_detected(owner):
    diagram = _diagram(owner, archetype="shifting-the-burden")
    names = set(Variable.objects.filter(diagram=diagram).values_list("name", flat=True))
    assert names == {"Symptom", "Symptomatic fix", "Fundamental solution", "Side effect"}
    assert Link.objects.filter(diagram=diagram).count() == 6
    state = selectors.diagram_state(diagram, owner)
    assert state["archetypes"][0]["archetype"] == "shifting-the-burden"
    with pytest.raises(ApplicationError, match="There is no archetype 'nonsense'"):
        _diagram(owner, archetype="nonsense")


def test_visibility_follows_the_owner(owner, member, outsider, team):
    personal = _diagram(owner)
    team_diagram = services.diagram_create(actor=owner, title="T", owner_kind=OwnerKind.TEAM, team=team)
    private = community_create(actor=owner, name="Secret", visibility=Visibility.PRIVATE)
    open_community = community_create(actor=owner, name="Open")
    hidden = services.diagram_create(
        actor=owner, title="S", owner_kind=OwnerKind.COMMUNITY, community=private
    )
    public = services.diagram_create(
        actor=owner, title="O", owner_kind=OwnerKind.COMMUNITY, community=open_community
    )
    seen = {person: set(selectors.diagram_list_for(person)) for person in (owner, member, outsider)}
    assert seen[owner] == {personal, team_diagram, hidden, public}
    assert seen[member] == {team_diagram, public}
    assert seen[outsider] == {public}
    assert set(selectors.diagram_list_for(outsider, editable=True)) == set()
    membership_join(person=outsider, community=open_community)
    assert set(selectors.diagram_list_for(outsider, editable=True)) == {public}


def test_links_cite_only_assumptions_the_actor_may_see(owner, outsider):
    diagram = _diagram(owner)
    a, b = _add(diagram, owner, "A", "B")
    mine = Assumption.objects.create(statement="Hotfixes add bugs", owner=owner, confidence=0.6)
    theirs = Assumption.objects.create(statement="Not yours", owner=outsider, confidence=0.5)
    with pytest.raises(ApplicationError, match=f"Assumption #{theirs.pk} is not one you can cite"):
        _link(diagram, owner, a, b, assumption_id=theirs.pk)
    link = _link(diagram, owner, a, b, assumption_id=mine.pk, confidence=0.7)
    assert (link.assumption, link.confidence) == (mine, 0.7)
    services.link_update(
        actor=owner,
        diagram=diagram,
        version=diagram.version,
        link_id=link.pk,
        assumption_id=None,
        confidence=None,
    )
    link.refresh_from_db()
    assert (link.assumption, link.confidence) == (None, None)


def test_a_links_assumption_becomes_a_forecast_question(owner, outsider):
    community = community_create(actor=owner, name="Testing")
    diagram = services.diagram_create(
        actor=owner, title="D", owner_kind=OwnerKind.COMMUNITY, community=community
    )
    a, b = _add(diagram, owner, "Hotfixes", "Bugs")
    assumption = Assumption.objects.create(statement="Hotfixes add bugs", owner=owner, confidence=0.6)
    link = _link(diagram, owner, a, b, assumption_id=assumption.pk)
    closes = timezone.now() + timedelta(days=30)
    question = services.link_forecast_create(
        actor=owner, diagram=diagram, link_id=link.pk, community=community,
        title="Will hotfixes cause more bugs next quarter?", closes_at=closes,
    )  # fmt: skip
    assert question.community == community
    assert "the link Hotfixes -> Bugs (+) rests on this assumption" in question.details
    assert selectors.forecast_communities(owner, diagram) == [community]
    assert selectors.forecast_communities(outsider, diagram) == []
    plain = _link(diagram, owner, b, a, sign="-")
    with pytest.raises(ApplicationError, match="cites no assumption"):
        services.link_forecast_create(
            actor=owner, diagram=diagram, link_id=plain.pk, community=community, title="X?", closes_at=closes
        )


def test_import_round_trips_and_bad_imports_create_nothing(owner):
    diagram = _diagram(owner, archetype="fixes-that-fail")
    text = exports.to_json(services.diagram_data(diagram))
    copy, notes = services.diagram_import(actor=owner, content=text)
    assert notes == []
    assert exports.to_json(services.diagram_data(copy)) == text
    count = Diagram.objects.count()
    bad = text.replace('"sign": "-"', '"sign": "minus"', 1)
    with pytest.raises(ApplicationError, match="sign 'minus' is not allowed"):
        services.diagram_import(actor=owner, content=bad)
    assert Diagram.objects.count() == count


def test_import_drops_citations_the_importer_cannot_make_and_says_so(owner, outsider):
    diagram = _diagram(owner)
    a, b = _add(diagram, owner, "A", "B")
    assumption = Assumption.objects.create(statement="Private belief", owner=owner, confidence=0.6)
    _link(diagram, owner, a, b, assumption_id=assumption.pk)
    text = exports.to_json(services.diagram_data(diagram))
    copy, notes = services.diagram_import(actor=outsider, content=text)
    assert notes == [
        f"Link A -> B: assumption #{assumption.pk} ('Private belief') is not one you can cite, so the link "
        "cites none."
    ]
    assert Link.objects.get(diagram=copy).assumption is None
