"""Forms for knowledge-check pages. They parse what people type; the services in ``checks.py`` decide.

Options are numbered from 1 on pages ("the correct option is 2") and stored 0-based.
"""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict

from practica.analysis.items import MULTIPLE, NUMERIC, SINGLE, TRUE_FALSE
from practica.calibration.checks import MAX_DESCRIPTION, MAX_EXPLANATION, MAX_PROMPT, MAX_TITLE
from practica.calibration.models import CheckItem, ItemKind, KnowledgeCheck, Skill
from practica.core.errors import ApplicationError


class SkillsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        scope = "organisation-wide" if obj.community_id is None else "this community"
        return f"{obj.name} ({scope})"


NO_SKILLS = "No skills exist for this community yet: they are added on its Skills tab."


def _skills_field(skills: QuerySet[Skill], help_text: str) -> SkillsField:
    if not skills.exists():
        help_text = NO_SKILLS
    return SkillsField(
        queryset=skills,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Skills",
        help_text=help_text,
    )


class CheckForm(forms.Form):
    title = forms.CharField(max_length=MAX_TITLE, help_text='What it checks, e.g. "Testing fundamentals".')
    description = forms.CharField(
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown. Who it is for and what it covers; takers read it before starting.",
    )

    def __init__(self, *args: Any, skills: QuerySet[Skill], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skills"] = _skills_field(
            skills, "A result in this check counts as evidence of these skills for the person who took it."
        )

    @staticmethod
    def initial_for(check: KnowledgeCheck) -> dict[str, Any]:
        return {"title": check.title, "description": check.description, "skills": list(check.skills.all())}

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "skill_ids": [skill.pk for skill in data["skills"]],
        }


TRUTH_CHOICES = [("true", "True"), ("false", "False")]


class ItemForm(forms.Form):
    kind = forms.ChoiceField(choices=ItemKind.choices, label="Kind of item")
    prompt = forms.CharField(
        max_length=MAX_PROMPT,
        label="Question",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown. One clear question or statement.",
    )
    options = forms.CharField(
        required=False,
        label="Options (single choice and multiple select)",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One option per line, at least two. They are numbered 1, 2, 3… in this order.",
    )
    correct_options = forms.CharField(
        required=False,
        label="Correct option number(s)",
        help_text='Single choice: the number of the one correct option, e.g. "2". Multiple select: the '
        'numbers of every correct option, e.g. "1, 3".',
    )
    correct_truth = forms.ChoiceField(
        required=False,
        choices=TRUTH_CHOICES,
        widget=forms.RadioSelect,
        label="The statement is (true or false items)",
    )
    correct_number = forms.FloatField(
        required=False,
        label="Correct number (number items)",
        widget=forms.NumberInput(attrs={"step": "any"}),
        error_messages={"invalid": "Give a number, e.g. 42 or 0.5."},
    )
    tolerance = forms.FloatField(
        required=False,
        label="Accepted tolerance ± (number items)",
        widget=forms.NumberInput(attrs={"step": "any"}),
        help_text="Answers this far from the correct number count as right. 0 or empty means exact.",
        error_messages={"invalid": "Give a number, e.g. 0.5."},
    )
    explanation = forms.CharField(
        required=False,
        max_length=MAX_EXPLANATION,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown, shown with the correct answer after the person submits: why it is right.",
    )
    weight = forms.FloatField(
        initial=1.0,
        min_value=0.01,
        max_value=100,
        widget=forms.NumberInput(attrs={"step": "any"}),
        help_text="How much the item counts; 1 for most items.",
        error_messages={"invalid": "Give a number above 0, e.g. 1."},
    )

    ANSWER_FIELD = {
        SINGLE: "correct_options",
        MULTIPLE: "correct_options",
        TRUE_FALSE: "correct_truth",
        NUMERIC: "correct_number",
    }

    def __init__(self, *args: Any, skills: QuerySet[Skill], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skills"] = _skills_field(skills, "What answering this item shows (optional).")

    @staticmethod
    def initial_for(item: CheckItem) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "kind": item.kind,
            "prompt": item.prompt,
            "options": "\n".join(item.options or []),
            "explanation": item.explanation,
            "weight": item.weight,
            "skills": list(item.skills.all()),
            "tolerance": item.tolerance,
        }
        if item.kind == SINGLE:
            initial["correct_options"] = str(int(item.answer) + 1)
        elif item.kind == MULTIPLE:
            initial["correct_options"] = ", ".join(str(int(index) + 1) for index in item.answer)
        elif item.kind == TRUE_FALSE:
            initial["correct_truth"] = "true" if item.answer else "false"
        else:
            initial["correct_number"] = item.answer
        return initial

    def answer_field(self) -> str:
        return self.ANSWER_FIELD.get(self.cleaned_data.get("kind", ""), "correct_options")

    def service_fields(self) -> dict[str, Any]:
        """The service's keyword arguments; a malformed option number is refused here, next to its field."""
        data = self.cleaned_data
        kind = data["kind"]
        options = [line for line in (data.get("options") or "").splitlines() if line.strip()]
        answer: Any = None
        if kind in (SINGLE, MULTIPLE):
            numbers = [
                part.strip() for part in (data.get("correct_options") or "").split(",") if part.strip()
            ]
            try:
                indices = [int(number) - 1 for number in numbers]
            except ValueError:
                raise ApplicationError(
                    'Give option numbers, e.g. "2" or "1, 3".', field="correct_options"
                ) from None
            if kind == SINGLE:
                if len(indices) != 1:
                    raise ApplicationError(
                        "Give the number of the one correct option.", field="correct_options"
                    )
                answer = indices[0]
            else:
                answer = indices
        elif kind == TRUE_FALSE:
            truth = data.get("correct_truth")
            answer = None if not truth else truth == "true"
        else:
            answer = data.get("correct_number")
            if answer is None:
                raise ApplicationError("Give the correct number.", field="correct_number")
        return {
            "kind": kind,
            "prompt": data["prompt"],
            "options": options if kind in (SINGLE, MULTIPLE) else [],
            "answer": answer,
            "tolerance": data.get("tolerance") if kind == NUMERIC else None,
            "explanation": data.get("explanation") or "",
            "weight": data["weight"],
            "skill_ids": [skill.pk for skill in data["skills"]],
        }

    def add_service_error(self, error: ApplicationError) -> None:
        """Show a service refusal next to the field it names (the answer goes to the kind's answer field)."""
        field = error.field
        if field == "answer":
            field = self.answer_field()
        self.add_error(field if field in self.fields else None, error.message)


class StartForm(forms.Form):
    estimate = forms.FloatField(
        label="Before you start: what share of the items do you expect to get right? (%)",
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text="From 0 to 100. Only you see this; it is compared with your score at the end.",
        error_messages={
            "required": "Give your estimate from 0 to 100.",
            "invalid": "Give a number from 0 to 100, without the % sign.",
            "min_value": "Give your estimate from 0 to 100.",
            "max_value": "Give your estimate from 0 to 100.",
        },
    )


STATUS_CHOICES = [("published", "Publish"), ("archived", "Archive")]


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=STATUS_CHOICES)


def response_from_post(item: CheckItem, data: QueryDict) -> Any:
    """The response to ``item`` from a posted answer form, in the service's terms (0-based indices).

    A missing single/true-false/number answer is refused; for multiple select, picking nothing is an answer.
    """
    if item.kind == MULTIPLE:
        try:
            return [int(value) for value in data.getlist("response")]
        except ValueError:
            raise ApplicationError("Pick options from the list.", field="response") from None
    raw = (data.get("response") or "").strip()
    if not raw:
        raise ApplicationError("Choose or type your answer first.", field="response")
    if item.kind == SINGLE:
        try:
            return int(raw)
        except ValueError:
            raise ApplicationError("Choose one of the options.", field="response") from None
    if item.kind == TRUE_FALSE:
        if raw not in ("true", "false"):
            raise ApplicationError("Answer true or false.", field="response")
        return raw == "true"
    try:
        number = float(raw.replace(",", "."))
    except ValueError:
        raise ApplicationError("Give a number, e.g. 42 or 0.5.", field="response") from None
    if not math.isfinite(number):
        raise ApplicationError("Give a number, e.g. 42 or 0.5.", field="response")
    return number
