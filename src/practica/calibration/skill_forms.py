"""Forms for skill pages; they parse input, the services in ``skills.py`` decide."""

from __future__ import annotations

from typing import Any

from django import forms

from practica.calibration.models import LEVEL_DESCRIPTORS, SkillLevel
from practica.calibration.skill_selectors import SkillNode
from practica.calibration.skills import MAX_JUSTIFICATION, MAX_SKILL_DESCRIPTION, MAX_SKILL_NAME

LEVEL_CHOICES = [
    (level.value, f"{level.value} · {level.label}: {LEVEL_DESCRIPTORS[level.value]}") for level in SkillLevel
]
LEVEL_ERRORS = {
    "required": "Choose a level from 1 (novice) to 5 (expert).",
    "invalid_choice": "Choose a level from 1 (novice) to 5 (expert).",
}


class SkillForm(forms.Form):
    name = forms.CharField(
        max_length=MAX_SKILL_NAME,
        error_messages={"required": "A skill needs a name."},
        help_text="Short and concrete, e.g. “Test automation” rather than “Quality”.",
    )
    description = forms.CharField(
        required=False,
        max_length=MAX_SKILL_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What someone who has this skill can do. Optional.",
    )
    parent = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label="Sits under",
        help_text="Place it under a broader skill, or leave it at the top level.",
        error_messages={"invalid_choice": "Choose one of the skills in the list."},
    )

    def __init__(self, *args: Any, parents: list[SkillNode], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str | int, str]] = [("", "— Top level —")]
        choices += [(node.skill.pk, f"{'· ' * node.depth}{node.skill.name}") for node in parents]
        self.fields["parent"].choices = choices  # type: ignore[attr-defined]


class SelfAssessmentForm(forms.Form):
    level = forms.TypedChoiceField(
        choices=LEVEL_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        label="Where are you today?",
        error_messages=LEVEL_ERRORS,
    )
    justification = forms.CharField(
        required=False,
        max_length=MAX_JUSTIFICATION,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="A note for yourself (optional)",
        help_text="What makes you say so; only you see it.",
    )


class ColleagueAssessmentForm(forms.Form):
    """Shown on the same page as the self-assessment form, so its element ids carry their own prefix."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "colleague_%s")
        super().__init__(*args, **kwargs)

    email = forms.EmailField(
        label="Colleague's email",
        help_text="Someone who shares a community or a team with you.",
        error_messages={"required": "Give your colleague's email.", "invalid": "Give an email address."},
    )
    source = forms.ChoiceField(
        choices=[("peer", "As a peer (we work together)"), ("lead", "As a lead of their community")],
        widget=forms.RadioSelect,
        initial="peer",
        label="You assess them",
        error_messages={"required": "Say whether you assess them as a peer or as a lead."},
    )
    level = forms.TypedChoiceField(
        choices=LEVEL_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        label="Their level",
        error_messages=LEVEL_ERRORS,
    )
    justification = forms.CharField(
        max_length=MAX_JUSTIFICATION,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why this level",
        help_text="What you saw them do. They will see this note and your name; nobody else will.",
        error_messages={"required": "Say in a sentence or two why this level."},
    )


class CoverageFilterForm(forms.Form):
    level = forms.ChoiceField(required=False, label="Participation level")
