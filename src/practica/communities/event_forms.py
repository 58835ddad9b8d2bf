"""Forms for event pages; they parse input, the services in ``events.py`` decide."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from practica.communities.models import Event, EventKind, Frequency, RsvpAnswer
from practica.people.forms import time_zone_choices

REPEAT_CHOICES = [("", "Does not repeat"), *Frequency.choices]
REPEAT_HELP = (
    "Monthly repeats on the same weekday of the month (the 2nd Tuesday stays the 2nd Tuesday; "
    "a 5th weekday becomes the last one)."
)
SCOPE_CHOICES = [("this", "This occurrence only"), ("following", "This and the following occurrences")]


class EventForm(forms.Form):
    """The fields of an event; dates and times are wall-clock in the chosen time zone."""

    title = forms.CharField(max_length=150)
    kind = forms.ChoiceField(choices=EventKind.choices, label="Kind of event")
    date = forms.DateField(
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}), help_text="For example 2030-05-14."
    )
    start_time = forms.TimeField(
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}), label="Starts at"
    )
    end_time = forms.TimeField(
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
        label="Ends at",
        help_text="Later than the start.",
    )
    time_zone = forms.ChoiceField(choices=time_zone_choices, help_text="Times above are in this time zone.")
    place = forms.CharField(max_length=200, required=False, help_text="A room or an address.")
    link = forms.CharField(
        max_length=200, required=False, label="Video link", help_text="For online events, https://…"
    )
    capacity = forms.IntegerField(
        required=False,
        widget=forms.NumberInput(attrs={"min": 0}),
        help_text="How many people fit. Leave empty for no limit; when full, people join a waitlist.",
    )
    agenda = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}), help_text="Markdown is supported."
    )

    def local_times(self) -> tuple[datetime, datetime]:
        data = self.cleaned_data
        return (
            datetime.combine(data["date"], data["start_time"]),
            datetime.combine(data["date"], data["end_time"]),
        )

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as keyword arguments for ``event_create`` / ``event_update``."""
        data = self.cleaned_data
        starts_local, ends_local = self.local_times()
        return {
            "title": data["title"], "kind": data["kind"], "agenda": data["agenda"],
            "starts_local": starts_local, "ends_local": ends_local, "time_zone": data["time_zone"],
            "place": data["place"], "link": data["link"], "capacity": data["capacity"],
        }  # fmt: skip


class EventCreateForm(EventForm):
    frequency = forms.ChoiceField(
        choices=REPEAT_CHOICES, required=False, label="How often", help_text=REPEAT_HELP
    )
    occurrences = forms.IntegerField(
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": 52}),
        label="Number of occurrences",
        help_text="For a repeating event: how many times, up to 52. Or give an end date instead.",
    )
    until = forms.DateField(
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        label="Repeat until",
        help_text="For a repeating event: the last possible date.",
    )


class EventEditForm(EventForm):
    scope = forms.ChoiceField(
        choices=SCOPE_CHOICES, initial="this", widget=forms.RadioSelect, label="Apply the change to"
    )


def event_initial(event: Event) -> dict[str, Any]:
    """The edit form's values for an event, in its own time zone."""
    zone = ZoneInfo(event.time_zone)
    starts, ends = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    return {
        "title": event.title, "kind": event.kind, "date": starts.date(), "start_time": starts.time(),
        "end_time": ends.time(), "time_zone": event.time_zone, "place": event.place, "link": event.link,
        "capacity": event.capacity, "agenda": event.agenda, "scope": "this",
    }  # fmt: skip


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(choices=RsvpAnswer.choices)


class NotesForm(forms.Form):
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Notes and outcomes",
        help_text="What was discussed, decided, learned; links to slides. Markdown is supported.",
    )


class AttendanceForm(forms.Form):
    """Who came and who spoke; the choices are the people who answered plus the members."""

    attendees = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    speakers = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("attendees", "speakers"):
            field = self.fields[name]
            assert isinstance(field, forms.TypedMultipleChoiceField)
            field.choices = people
