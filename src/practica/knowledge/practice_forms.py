"""Forms for practice pages; they parse input, the services in ``practices.py`` decide.

Title and text are not limited here: the service's limits (MAX_TITLE, MAX_BODY) give the same message
on the page and in the API.
"""

from __future__ import annotations

from django import forms

from practica.knowledge.models import MAX_BODY, PracticeKind, PracticeStatus
from practica.knowledge.practice_selectors import NEEDS_REVIEW
from practica.knowledge.practices import STALE_AFTER_DAYS

BODY_HELP = f"Markdown, up to {MAX_BODY:,} characters. Headings, lists, tables, code and links work."


class PracticeFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            ("", "Any status"),
            *PracticeStatus.choices,
            (NEEDS_REVIEW, f"Needs review (not reviewed for {STALE_AFTER_DAYS} days)"),
        ],
        required=False,
    )
    kind = forms.ChoiceField(choices=[("", "Any kind"), *PracticeKind.choices], required=False)
    tag = forms.SlugField(required=False)


class PracticeFields(forms.Form):
    title = forms.CharField(required=False)
    kind = forms.ChoiceField(choices=PracticeKind.choices, initial=PracticeKind.ARTICLE)
    body = forms.CharField(
        required=False, label="Text", help_text=BODY_HELP, widget=forms.Textarea(attrs={"rows": 18})
    )
    tags = forms.CharField(
        required=False, max_length=500, help_text="Comma-separated, e.g. testing, flaky tests."
    )


class PracticeCreateForm(PracticeFields):
    status = forms.ChoiceField(
        choices=[
            (PracticeStatus.DRAFT, "Draft: only you and the leads see it"),
            (PracticeStatus.PUBLISHED, "Published"),
        ],
        initial=PracticeStatus.DRAFT,
        widget=forms.RadioSelect,
    )


class PracticeEditForm(PracticeFields):
    base_revision = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(max_length=200, required=False, label="What changed (optional)")


class RestoreForm(forms.Form):
    number = forms.IntegerField(min_value=1)
    base_revision = forms.IntegerField(min_value=1)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=PracticeStatus.choices)
