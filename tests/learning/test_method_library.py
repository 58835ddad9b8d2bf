"""The method library: built-ins shipped as data, synced idempotently, and organisations' own templates."""

from __future__ import annotations

import pytest

from practica.core.errors import ApplicationError
from practica.learning.method_library import BUILTIN_TEMPLATES, method_template_create, method_templates_sync
from practica.learning.models import MethodTemplate, TemplateKind

pytestmark = pytest.mark.django_db

EXPECTED = {
    "start-stop-continue": ["start", "stop", "continue"],
    "four-ls": ["liked", "learned", "lacked", "longed_for"],
    "after-action-review": ["supposed", "actual", "difference", "sustain", "improve"],
    "lean-test-card": ["hypothesis", "method", "metric", "criterion"],
    "lean-learning-card": ["hypothesis", "observation", "learning", "decision"],
    "design-test-review": ["worked", "improve", "questions", "ideas"],
    "service-blueprint-review": [
        "customer",
        "frontstage",
        "backstage",
        "support",
        "fail_points",
        "wait_points",
    ],
    "usability-test-debrief": ["observations", "severity", "quotes", "hypotheses"],
}


def test_the_migration_loads_every_builtin_with_its_sections():
    for slug, keys in EXPECTED.items():
        template = MethodTemplate.objects.get(slug=slug)
        assert template.builtin
        assert [section["key"] for section in template.sections] == keys
        assert all(section["title"] and section["prompt"] for section in template.sections)
        assert "Source:" in template.description


def test_lean_cards_are_experiment_templates_and_the_rest_are_reviews():
    kinds = dict(MethodTemplate.objects.filter(builtin=True).values_list("slug", "kind"))
    assert kinds["lean-test-card"] == kinds["lean-learning-card"] == TemplateKind.EXPERIMENT
    assert {kind for slug, kind in kinds.items() if not slug.startswith("lean-")} == {TemplateKind.REVIEW}


def test_sync_is_idempotent_and_restores_an_edited_builtin():
    assert method_templates_sync() == 0
    MethodTemplate.objects.filter(slug="four-ls").update(name="Tampered", sections=[])
    assert method_templates_sync() == 1
    assert MethodTemplate.objects.get(slug="four-ls").name == "4Ls: liked, learned, lacked, longed for"
    assert MethodTemplate.objects.filter(builtin=True).count() == len(BUILTIN_TEMPLATES)


def test_stewards_add_templates_with_sections(steward):
    template = method_template_create(
        actor=steward,
        name="Sailboat",
        method="agile",
        sections=[{"title": "Wind", "prompt": "What pushes us?"}, {"title": "Anchors"}, {"title": " "}],
    )
    assert not template.builtin and template.kind == TemplateKind.REVIEW
    assert template.sections == [
        {"key": "wind", "title": "Wind", "prompt": "What pushes us?"},
        {"key": "anchors", "title": "Anchors", "prompt": ""},
    ]
    again = method_template_create(
        actor=steward, name="Sailboat", method="agile", sections=[{"title": "Wind"}]
    )
    assert again.slug == "sailboat-2"


def test_members_cannot_add_templates_and_bad_sections_are_refused(member, steward):
    with pytest.raises(ApplicationError, match="stewards and admins"):
        method_template_create(actor=member, name="Mine", method="agile", sections=[{"title": "A"}])
    with pytest.raises(ApplicationError, match="at least one section"):
        method_template_create(actor=steward, name="Mine", method="agile", sections=[])
    with pytest.raises(ApplicationError, match="both called"):
        method_template_create(
            actor=steward, name="Mine", method="agile", sections=[{"title": "A"}, {"title": "a"}]
        )
    with pytest.raises(ApplicationError, match="practice"):
        method_template_create(actor=steward, name="Mine", method="waterfall", sections=[{"title": "A"}])
    assert not MethodTemplate.objects.filter(builtin=False).exists()
