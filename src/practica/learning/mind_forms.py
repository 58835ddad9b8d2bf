"""Forms for the experiment, assumption, vision and goal pages. They parse input; the services decide.

Probabilities and confidences are typed in percent on the pages (0..100) and passed to the services
as 0..1.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from practica.calibration.models import Skill
from practica.communities.models import Community, MembershipStatus
from practica.core.permissions import community_content_q
from practica.learning.models import (
    Assumption,
    AssumptionScope,
    AssumptionStatus,
    Decision,
    EvidenceDirection,
    ExperimentResult,
    GoalStatus,
)
from practica.people.models import Person, Team

PERCENT_ERRORS = {
    "required": "Give a percentage from 0 to 100.",
    "invalid": "Give a number from 0 to 100, without the % sign.",
    "min_value": "Give a percentage from 0 to 100.",
    "max_value": "Give a percentage from 0 to 100.",
}


def percent_field(label: str, help_text: str = "", *, required: bool = True) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=required,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text=help_text,
        error_messages=PERCENT_ERRORS,
    )


def textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# Experiments --------------------------------------------------------------------------------------


class ExperimentForm(forms.Form):
    title = forms.CharField(max_length=200)
    hypothesis = forms.CharField(
        label="We believe that", widget=textarea(), help_text="The hypothesis, in one or two sentences."
    )
    method = forms.CharField(label="To verify that, we will", widget=textarea())
    metric = forms.CharField(label="And measure", max_length=200)
    success_criterion = forms.CharField(label="We are right if", max_length=300)
    planned_days = forms.IntegerField(
        label="Planned duration (days)",
        min_value=1,
        max_value=365,
        initial=14,
        error_messages={"required": "Plan the experiment for 1 to 365 days."},
    )
    assumption = forms.ModelChoiceField(
        queryset=Assumption.objects.none(),
        required=False,
        label="Assumption it tests",
        help_text="Optional: a belief in the assumption register this experiment puts to the test.",
    )

    def __init__(self, *args: Any, assumptions: QuerySet[Assumption] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if assumptions is not None:
            self.fields["assumption"].queryset = assumptions  # type: ignore[attr-defined]


class PredictionForm(forms.Form):
    probability = percent_field(
        "Your probability that it succeeds (%)",
        "From 0 to 100: how likely the success criterion will be met. 50 means you have no idea.",
    )


RESULT_CHOICES = [
    (ExperimentResult.WON.value, "Won: the success criterion was met"),
    (ExperimentResult.LOST.value, "Lost: the criterion was not met"),
    (ExperimentResult.INCONCLUSIVE.value, "Inconclusive: we cannot tell (predictions count nowhere)"),
]
DECISION_CHOICES = [choice for choice in Decision.choices if choice[0]]


class ConcludeForm(forms.Form):
    result = forms.ChoiceField(choices=RESULT_CHOICES, widget=forms.RadioSelect, required=False)
    result_data = forms.CharField(
        label="Result data",
        widget=textarea(5),
        required=False,
        help_text="Required. What you observed, with the numbers (Markdown).",
    )
    learning = forms.CharField(
        label="We learned that (learning card)", widget=textarea(), required=False, help_text="Optional now."
    )
    decision = forms.ChoiceField(
        choices=[("", "Decide later"), *DECISION_CHOICES], required=False, label="Therefore we will"
    )
    assumption_status = forms.ChoiceField(
        choices=[("", "Leave as it is"), *AssumptionStatus.choices],
        required=False,
        label="New status of the assumption",
    )
    assumption_confidence = percent_field("New confidence in the assumption (%)", required=False)
    assumption_note = forms.CharField(
        label="What changed my mind",
        widget=textarea(2),
        required=False,
        help_text="Required when you update it.",
    )


class LearningCardForm(forms.Form):
    learning = forms.CharField(label="We learned that", widget=textarea(4), required=False)
    decision = forms.ChoiceField(
        choices=[("", "Choose..."), *DECISION_CHOICES], required=False, label="Therefore we will"
    )


# Assumptions --------------------------------------------------------------------------------------


class AssumptionForm(forms.Form):
    statement = forms.CharField(
        max_length=300, label="The belief", help_text='One sentence, e.g. "Pairing halves onboarding time".'
    )
    details = forms.CharField(
        widget=textarea(), required=False, help_text="Optional, Markdown: why you hold it."
    )
    scope = forms.ChoiceField(
        choices=AssumptionScope.choices,
        initial=AssumptionScope.TEAM,
        help_text="Who sees it: only you, your team, a community's members, or everyone signed in.",
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, help_text="For team scope.")
    community = forms.ModelChoiceField(
        queryset=Community.objects.none(), required=False, help_text="For community scope."
    )
    confidence = percent_field("Confidence (%)", "How likely you think the belief is true.")

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(memberships__person=person).order_by("name")  # type: ignore[attr-defined]
        self.fields["community"].queryset = Community.objects.filter(  # type: ignore[attr-defined]
            memberships__person=person, memberships__status=MembershipStatus.ACTIVE
        ).order_by("name")


class AssumptionEditForm(forms.Form):
    statement = forms.CharField(max_length=300, label="The belief")
    details = forms.CharField(widget=textarea(), required=False)


class AssumptionChangeForm(forms.Form):
    status = forms.ChoiceField(choices=AssumptionStatus.choices)
    confidence = percent_field("Confidence (%)")
    note = forms.CharField(
        label="What changed my mind",
        widget=textarea(3),
        required=False,
        help_text="Required: the evidence or reasoning behind the change.",
    )


class EvidenceForm(forms.Form):
    direction = forms.ChoiceField(choices=EvidenceDirection.choices, widget=forms.RadioSelect)
    summary = forms.CharField(max_length=300, help_text="One line: what it shows.")
    url = forms.URLField(
        assume_scheme="https",
        required=False,
        label="Document address",
        help_text="A document, dashboard or ticket (https://...).",
    )
    answer = forms.IntegerField(
        required=False, min_value=1, label="Or an answer's number", help_text="From a community's Q&A."
    )


# Vision -------------------------------------------------------------------------------------------


class DraftForm(forms.Form):
    text = forms.CharField(label="Proposed vision", widget=textarea(8), required=False, help_text="Markdown.")
    note = forms.CharField(max_length=200, required=False, label="What this draft changes")


class CommentForm(forms.Form):
    text = forms.CharField(label="Your comment", widget=textarea(2), required=False)


class RebaseForm(forms.Form):
    text = forms.CharField(label="Merged text on the current version", widget=textarea(8), required=False)


SCORE_CHOICES = [
    (1, "1: I do not see my work in this"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, "5: I clearly see my work in this"),
]


class PulseForm(forms.Form):
    score = forms.TypedChoiceField(
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        label="I see my work in this vision",
        error_messages={
            "required": "Choose a score from 1 to 5.",
            "invalid_choice": "Choose a score from 1 to 5.",
        },
    )
    comment = forms.CharField(
        widget=textarea(2),
        required=False,
        help_text="Optional. Shown without your name, and only to a large enough group.",
    )


# Goals --------------------------------------------------------------------------------------------


class IdsField(forms.ModelMultipleChoiceField):
    """Several records by id; an id no integer column can hold is an invalid choice (SQLite raises on
    it in the ``__in`` lookup Django runs, which would be a server error)."""

    def clean(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else []:
            text = str(pk)
            if not (text.isascii() and text.isdigit() and len(text) <= 18):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text}
                )
        return super().clean(value)


class GoalForm(forms.Form):
    title = forms.CharField(max_length=200, label="Goal")
    vision = forms.CharField(label="My vision", widget=textarea(3), help_text="Where I want to be.")
    current_reality = forms.CharField(
        label="Current reality", widget=textarea(3), help_text="Where I honestly am now."
    )
    target_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    skills = IdsField(queryset=Skill.objects.none(), required=False)
    status = forms.ChoiceField(choices=GoalStatus.choices, initial=GoalStatus.ACTIVE)

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        readable = Community.objects.filter(community_content_q(person)).values("pk")
        self.fields["skills"].queryset = Skill.objects.filter(  # type: ignore[attr-defined]
            Q(community__isnull=True) | Q(community__in=readable)
        ).order_by("name")


class MilestoneForm(forms.Form):
    title = forms.CharField(max_length=200, label="Milestone", required=False)
    due_on = forms.DateField(required=False, label="Due", widget=forms.DateInput(attrs={"type": "date"}))


class CheckInForm(forms.Form):
    note = forms.CharField(label="Check-in note", widget=textarea(3), required=False)
    current_reality = forms.CharField(
        label="Updated current reality",
        widget=textarea(2),
        required=False,
        help_text="Optional; only the goal's owner.",
    )


class ShareForm(forms.Form):
    email = forms.EmailField(
        label="Share with (email)", help_text="A mentor or your manager: they can read it and add check-ins."
    )
