"""Forms for review pages; they parse input, the services in ``reviews.py`` decide."""

from __future__ import annotations

from typing import Any

from django import forms

from practica.learning.models import Method, MethodTemplate, TemplateKind
from practica.learning.reviews import MAX_DOTS, MAX_ITEM, MAX_TITLE, FollowUp


class ReviewForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=MethodTemplate.objects.filter(kind=TemplateKind.REVIEW).order_by(
            "-builtin", "method", "name"
        ),
        label="Method",
        empty_label=None,
        help_text="The sections people add items under. See the method library for how each one runs.",
    )
    title = forms.CharField(
        max_length=MAX_TITLE,
        required=False,
        help_text="Leave empty to use the method's name and today's date.",
    )
    dots_per_person = forms.IntegerField(
        min_value=1,
        max_value=MAX_DOTS,
        initial=3,
        label="Dots per person",
        help_text="How many votes each person has.",
    )
    allow_anonymous = forms.BooleanField(
        required=False,
        initial=True,
        label="People may add items anonymously (hidden from everyone, you included)",
    )


class ItemForm(forms.Form):
    section = forms.CharField(widget=forms.HiddenInput)
    text = forms.CharField(
        max_length=MAX_ITEM,
        label="Your item",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write the item first."},
    )
    anonymous = forms.BooleanField(required=False, label="Anonymous")


class ItemEditForm(forms.Form):
    text = forms.CharField(max_length=MAX_ITEM, label="Item", widget=forms.Textarea(attrs={"rows": 2}))


class InsightForm(forms.Form):
    title = forms.CharField(
        max_length=MAX_TITLE, label="Insight", help_text="One sentence others can act on."
    )
    details = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown: the evidence and context.",
    )
    item = forms.IntegerField(required=False, widget=forms.HiddenInput)
    group = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ActionForm(forms.Form):
    title = forms.CharField(max_length=MAX_TITLE, label="Action")
    owner = forms.IntegerField(required=False, label="Owner")
    due_on = forms.DateField(required=False, label="Due on", widget=forms.DateInput(attrs={"type": "date"}))
    item = forms.IntegerField(required=False, widget=forms.HiddenInput)


class FollowUpForm(forms.Form):
    outcome = forms.ChoiceField(choices=FollowUp.CHOICES, widget=forms.RadioSelect)


class ShareForm(forms.Form):
    communities = forms.TypedMultipleChoiceField(
        coerce=int,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        label="Share to",
        error_messages={"required": "Choose at least one community to share it with."},
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["communities"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = choices or []


class AdoptForm(forms.Form):
    team = forms.IntegerField(label="Team")
    note = forms.CharField(
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="How you adopted it",
        help_text="What you changed, so others can learn from it too.",
    )


class LinkForm(forms.Form):
    forecast = forms.IntegerField(required=False, label="Forecast question")
    experiment = forms.IntegerField(required=False, label="Experiment")


class TemplateForm(forms.Form):
    name = forms.CharField(max_length=120)
    method = forms.ChoiceField(choices=Method.choices, label="Practice it comes from")
    summary = forms.CharField(max_length=300, required=False)
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Markdown: how to run it, and where it comes from.",
    )
    sections = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=(
            "One section per line: a title, then optionally “|” and the prompt. "
            "E.g. “Went well | What should we repeat?”"
        ),
    )

    def clean_sections(self) -> list[dict[str, str]]:
        lines = [line for line in self.cleaned_data["sections"].splitlines() if line.strip()]
        sections = []
        for line in lines:
            title, _, prompt = line.partition("|")
            sections.append({"title": title.strip(), "prompt": prompt.strip()})
        return sections
