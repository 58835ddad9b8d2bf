"""Forms for community pages; they parse input, the services decide."""

from __future__ import annotations

from django import forms

from practica.communities.models import Level, Role, Stage, Visibility

CHARTER_HELP = {
    "domain": "Domain: what the community is about and why it matters to the organisation.",
    "community_text": "Community: who it is for, how people join, the roles.",
    "practice": "Practice: the shared repertoire it builds (practices, playbooks, answers, checks, events).",
    "purpose": "Purpose.",
    "scope": "Scope: what is in and what is out.",
    "audience": "Audience.",
    "rhythm": "Rhythm, e.g. “fortnightly meetup, monthly kata”.",
    "success_criteria": "How success is judged.",
}
CHARTER_LABELS = {
    "domain": "Domain",
    "community_text": "Community",
    "practice": "Practice",
    "purpose": "Purpose",
    "scope": "Scope",
    "audience": "Audience",
    "rhythm": "Rhythm",
    "success_criteria": "How success is judged",
}


def _charter_field(name: str) -> forms.CharField:
    return forms.CharField(
        label=CHARTER_LABELS[name],
        required=False,
        help_text=CHARTER_HELP[name] + " Markdown.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CommunitySettingsForm(forms.Form):
    name = forms.CharField(max_length=120)
    summary = forms.CharField(max_length=200, required=False, help_text="One line shown in the directory.")
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.OPEN)
    tags = forms.CharField(
        required=False, max_length=500, help_text="Comma-separated, e.g. testing, quality."
    )


class CommunityCreateForm(CommunitySettingsForm):
    domain = _charter_field("domain")
    community_text = _charter_field("community_text")
    practice = _charter_field("practice")


class CharterForm(forms.Form):
    base_version = forms.IntegerField(widget=forms.HiddenInput)
    domain = _charter_field("domain")
    community_text = _charter_field("community_text")
    practice = _charter_field("practice")
    purpose = _charter_field("purpose")
    scope = _charter_field("scope")
    audience = _charter_field("audience")
    rhythm = _charter_field("rhythm")
    success_criteria = _charter_field("success_criteria")
    note = forms.CharField(max_length=200, required=False, label="What changed (optional)")


class StageForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices)
    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}), label="Why")


class DirectoryForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    stage = forms.ChoiceField(choices=[("", "Any stage"), *Stage.choices], required=False)
    visibility = forms.ChoiceField(
        choices=[("", "Any"), ("open", "Open"), ("request", "On request"), ("private", "Private")],
        required=False,
    )
    tag = forms.SlugField(required=False)
    mine = forms.BooleanField(required=False, label="Only mine")


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email of the person to invite")


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


LEVEL_CHOICES = [
    ("", "Derive from activity"),
    *[(value, label) for value, label in Level.choices if value != Level.TRANSACTIONAL],
]


class LevelForm(forms.Form):
    level = forms.ChoiceField(choices=LEVEL_CHOICES, required=False)
