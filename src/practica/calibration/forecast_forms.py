"""Forms for forecast pages; they parse input, the services in ``forecasts.py`` decide."""

from __future__ import annotations

from django import forms

from practica.calibration.models import MAX_FORECAST_DETAILS, MAX_FORECAST_TITLE, Resolution


class ForecastQuestionForm(forms.Form):
    title = forms.CharField(
        max_length=MAX_FORECAST_TITLE,
        help_text='One line that will be answered "yes" or "no", e.g. "Will we ship the new CI by 1 March?"',
    )
    details = forms.CharField(
        required=False,
        max_length=MAX_FORECAST_DETAILS,
        label="How it will be resolved",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Markdown. Say exactly what counts as yes, so nobody argues about it later.",
    )
    closes_at = forms.DateTimeField(
        label="Forecasts close at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Nobody can forecast after this. Resolve the question once the answer is known.",
        error_messages={"required": "Say when forecasts close.", "invalid": "Give a date and time."},
    )


class ForecastForm(forms.Form):
    probability = forms.FloatField(
        label='Your probability of "yes" (%)',
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text="From 0 to 100. 50 means you have no idea; 90 means you expect to be wrong 1 time in 10.",
        error_messages={
            "required": "Give a probability from 0 to 100.",
            "invalid": "Give a number from 0 to 100, without the % sign.",
            "min_value": "Give a probability from 0 to 100.",
            "max_value": "Give a probability from 0 to 100.",
        },
    )
    listed = forms.BooleanField(
        required=False,
        label="After the question resolves, others may see this forecast with my name",
    )


RESOLUTION_CHOICES = [
    (Resolution.YES.value, "Yes: it happened"),
    (Resolution.NO.value, "No: it did not happen"),
    (Resolution.ANNULLED.value, "Annulled: the question cannot be answered fairly; it counts nowhere"),
]


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        choices=RESOLUTION_CHOICES,
        widget=forms.RadioSelect,
        label="Resolution",
        error_messages={"required": "Choose yes, no or annulled."},
    )


class ListingForm(forms.Form):
    listed = forms.BooleanField(required=False)
