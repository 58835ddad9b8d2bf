"""The value-story form: the five cycles explained, the community's artefacts to cite, three metric rows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString

from practica.communities.models import Community
from practica.knowledge.models import MAX_BODY, Cycle
from practica.knowledge.practice_selectors import practice_choices
from practica.knowledge.stories import CYCLE_HELP, MAX_METRICS, MetricInput, answer_choices, event_choices

METRIC_ROWS = range(1, MAX_METRICS + 1)


def _cycle_label(cycle: Cycle) -> SafeString:
    return format_html("{} <span class='help'>{}</span>", cycle.label, CYCLE_HELP[cycle])


class StoryForm(forms.Form):
    title = forms.CharField(
        required=False, help_text="One line, e.g. “The kata cut our flaky tests by half”."
    )
    body = forms.CharField(
        required=False,
        label="The story",
        help_text=f"Markdown, up to {MAX_BODY:,} characters. What happened, who used it, what changed.",
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    cycles = forms.MultipleChoiceField(
        choices=[(cycle.value, _cycle_label(cycle)) for cycle in Cycle],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Cycles of value the story reaches",
    )
    events = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Events it cites"
    )
    practices = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Practices it cites"
    )
    answers = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Answers it cites"
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        events = self.fields["events"]
        practices = self.fields["practices"]
        answers = self.fields["answers"]
        assert isinstance(events, forms.ChoiceField)
        assert isinstance(practices, forms.ChoiceField)
        assert isinstance(answers, forms.ChoiceField)
        events.choices = [
            (event.pk, f"{event.title} ({event.starts_at:%Y-%m-%d})") for event in event_choices(community)
        ]
        practices.choices = [(practice.pk, practice.title) for practice in practice_choices(community)]
        answers.choices = [
            (answer.pk, f"Answer to “{answer.question.title}” ({answer.created_at:%Y-%m-%d})")
            for answer in answer_choices(community)
        ]
        for number in METRIC_ROWS:
            self.fields[f"metric_label_{number}"] = forms.CharField(
                required=False, max_length=120, label="What"
            )
            self.fields[f"metric_before_{number}"] = forms.FloatField(required=False, label="Before")
            self.fields[f"metric_after_{number}"] = forms.FloatField(required=False, label="After")
            self.fields[f"metric_unit_{number}"] = forms.CharField(
                required=False, max_length=40, label="Unit"
            )

    def metric_rows(self) -> list[list[forms.BoundField]]:
        """The bound fields of each metric row, for the template's table."""
        return [
            [self[f"metric_{part}_{number}"] for part in ("label", "before", "after", "unit")]
            for number in METRIC_ROWS
        ]

    def metrics(self) -> list[MetricInput]:
        data = self.cleaned_data
        return [
            MetricInput(
                label=data[f"metric_label_{number}"],
                before=data[f"metric_before_{number}"],
                after=data[f"metric_after_{number}"],
                unit=data[f"metric_unit_{number}"],
            )
            for number in METRIC_ROWS
        ]
