"""Forms for people pages; they parse input, the services decide."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q

from practica.core import throttle
from practica.people.models import Role, Team

THROTTLE_SCOPE = "sign-in"


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing a client after too many failed attempts."""

    def clean(self) -> dict[str, Any]:
        client = throttle.client_address(self.request.META) if self.request else "unknown"
        if throttle.attempts_exceeded(THROTTLE_SCOPE, client):
            raise forms.ValidationError(throttle.TOO_MANY_ATTEMPTS, code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.record_failure(THROTTLE_SCOPE, client)
            raise
        throttle.reset(THROTTLE_SCOPE, client)
        return cleaned


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=150, label="Name")
    title = forms.CharField(max_length=150, required=False)
    location = forms.CharField(max_length=150, required=False)
    time_zone = forms.ChoiceField(choices=time_zone_choices)
    bio = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5}), help_text="Markdown is supported."
    )


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. “weekly report script”.")


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class DirectoryFilterForm(forms.Form):
    """Search and team filter; the team list offers departments (large org charts have thousands of
    teams), and any team reached from its team page (``?team=<slug>``) is accepted too."""

    q = forms.CharField(required=False, label="Search", max_length=100)
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, to_field_name="slug", empty_label="All departments"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = self.data.get("team", "") if self.is_bound else ""
        field = self.fields["team"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Team.objects.filter(Q(parent__isnull=True) | Q(slug=chosen)).order_by("name")
