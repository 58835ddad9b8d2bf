"""Forms of the dashboard's pages: filters, logging time, setting a budget. They parse; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from practica.communities.models import Community, Event, HealthStatus, Stage


class PortfolioFilterForm(forms.Form):
    """The portfolio's filters; an empty value means "all"."""

    stage = forms.ChoiceField(required=False, label="Stage")
    health = forms.ChoiceField(required=False, label="Health")
    department = forms.ChoiceField(required=False, label="Department")

    def __init__(self, *args: Any, departments: list[dict[str, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = {
            "stage": [("", "All stages"), *Stage.choices],
            "health": [("", "Any health"), *HealthStatus.choices],
            "department": [("", "All departments")]
            + [(str(item["id"]), item["name"]) for item in departments or []],
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = options


class TimeLogForm(forms.Form):
    community = forms.ModelChoiceField(
        queryset=Community.objects.none(), label="Community", empty_label="Choose a community"
    )
    on = forms.DateField(
        label="Day", widget=forms.DateInput(attrs={"type": "date"}), help_text="The day you spent the time."
    )
    hours = forms.DecimalField(
        label="Hours",
        min_value=0.25,
        max_value=24,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
        help_text="In quarters of an hour, e.g. 1.5.",
    )
    note = forms.CharField(
        label="What you did", required=False, max_length=200, help_text="Optional, e.g. prepared the kata."
    )

    def __init__(self, *args: Any, communities: QuerySet[Community], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = communities
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())


class BudgetForm(forms.Form):
    hours = forms.IntegerField(
        label="Budget (hours)", min_value=0, max_value=100_000, help_text="0 removes the budget."
    )


class EventChoiceField(forms.ModelChoiceField):
    """Events named with their community and date."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.community.name}: {obj.title}, {timezone.localtime(obj.starts_at):%d %b %Y}"


class EventTimeForm(forms.Form):
    """A lead logs an event's length for everyone recorded as present."""

    event = EventChoiceField(queryset=Event.objects.none(), label="Event", empty_label="Choose an event")
    hours = forms.DecimalField(
        label="Hours each",
        min_value=0.25,
        max_value=24,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
        help_text="Usually the length of the event.",
    )
    note = forms.CharField(
        label="Note", required=False, max_length=200, help_text='Default: "Attended" and its title.'
    )

    def __init__(self, *args: Any, events: QuerySet[Event], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["event"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = events
