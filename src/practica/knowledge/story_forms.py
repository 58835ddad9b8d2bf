"""The value-story form: the five cycles explained, the community's artefacts to cite, three metric rows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString

from practica.communities.models import Community
from practica.knowledge.models import MAX_BODY, Cycle, ValueStory
from practica.knowledge.practice_selectors import practice_choices
from practica.knowledge.stories import CYCLE_HELP, MAX_METRICS, MetricInput, answer_choices, event_choices

METRIC_ROWS = range(1, MAX_METRICS + 1)


def _cycle_label(cycle: Cycle) -> SafeString:
    return format_html("{} <span class='help'>{}</span>", cycle.label, CYCLE_HELP[cycle])


def _union(offered: list[Any], cited: list[Any]) -> list[Any]:
    known = {row.pk for row in offered}
    return offered + [row for row in cited if row.pk not in known]


def story_initial(story: ValueStory) -> dict[str, Any]:
    """The form's fields filled with what a story says now (for editing it)."""
    links = list(story.links.all())
    initial: dict[str, Any] = {
        "title": story.title,
        "body": story.body,
        "cycles": [cycle.value for cycle in story.cycles],
        "events": [link.event_id for link in links if link.event_id],
        "practices": [link.practice_id for link in links if link.practice_id],
        "answers": [link.answer_id for link in links if link.answer_id],
    }
    for number, metric in enumerate(story.metrics.all(), start=1):
        initial.update(
            {
                f"metric_label_{number}": metric.label,
                f"metric_before_{number}": metric.before,
                f"metric_after_{number}": metric.after,
                f"metric_unit_{number}": metric.unit,
            }
        )
    return initial


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

    def __init__(
        self, *args: Any, community: Community, story: ValueStory | None = None, **kwargs: Any
    ) -> None:
        if story is not None and "initial" not in kwargs:
            kwargs["initial"] = story_initial(story)
        super().__init__(*args, **kwargs)
        events = self.fields["events"]
        practices = self.fields["practices"]
        answers = self.fields["answers"]
        assert isinstance(events, forms.ChoiceField)
        assert isinstance(practices, forms.ChoiceField)
        assert isinstance(answers, forms.ChoiceField)
        # What the story already cites stays offered even when it is older than the latest choices,
        # so editing never drops a citation by accident.
        cited = list(story.links.all()) if story is not None else []
        event_rows = _union(list(event_choices(community)), [link.event for link in cited if link.event])
        practice_rows = _union(
            list(practice_choices(community)), [link.practice for link in cited if link.practice]
        )
        answer_rows = _union(list(answer_choices(community)), [link.answer for link in cited if link.answer])
        events.choices = [(event.pk, f"{event.title} ({event.starts_at:%Y-%m-%d})") for event in event_rows]
        practices.choices = [(practice.pk, practice.title) for practice in practice_rows]
        answers.choices = [
            (answer.pk, f"Answer to “{answer.question.title}” ({answer.created_at:%Y-%m-%d})")
            for answer in answer_rows
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
