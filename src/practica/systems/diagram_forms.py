"""Forms of the diagram pages: new diagram (optionally from an archetype), import, settings, forecast."""

from __future__ import annotations

from typing import Any

from django import forms

from practica.analysis.archetypes import ARCHETYPES
from practica.communities.models import Community
from practica.systems.exports import MAX_IMPORT_BYTES


class DiagramForm(forms.Form):
    title = forms.CharField(
        max_length=200, help_text='What the diagram is about, e.g. "Why hotfixes keep coming".'
    )
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="Description (optional)",
    )
    owner = forms.ChoiceField(label="Kept by", help_text="Who may see and change it follows who keeps it.")
    archetype = forms.ChoiceField(
        required=False,
        label="Start from",
        help_text="An archetype starts you with its variables and links; rename and extend them.",
    )

    def __init__(self, *args: Any, owners: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners  # type: ignore[attr-defined]
        self.fields["archetype"].choices = [("", "A blank diagram")] + [  # type: ignore[attr-defined]
            (template.slug, f"Archetype: {template.name}") for template in ARCHETYPES
        ]


class ImportForm(forms.Form):
    file = forms.FileField(
        label="JSON file",
        help_text="A file from a diagram's JSON export (at most 1 MB, 500 variables, 2,000 links).",
    )
    owner = forms.ChoiceField(label="Kept by")
    title = forms.CharField(
        required=False,
        max_length=200,
        label="Title (optional)",
        help_text="Leave empty to keep the file's title.",
    )

    def __init__(self, *args: Any, owners: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners  # type: ignore[attr-defined]

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"The file has {upload.size:,} bytes; the limit is {MAX_IMPORT_BYTES:,} (1 MB)."
            )
        content: bytes = upload.read()
        return content


class DiagramSettingsForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        label="Description (optional)",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class LinkForecastForm(forms.Form):
    community = forms.ModelChoiceField(queryset=Community.objects.none(), label="Ask in", empty_label=None)
    title = forms.CharField(max_length=200, help_text='A question answered "yes" or "no" by a date.')
    closes_at = forms.DateTimeField(
        label="Forecasts close at", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    details = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="How it will be resolved (optional)"
    )

    def __init__(self, *args: Any, communities: list[Community], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Community.objects.filter(
            pk__in=[community.pk for community in communities]
        ).order_by("name")
