"""The search form: parses the query string of the page; the selectors decide what is found."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import slugify

from practica.communities.models import Community
from practica.core.permissions import community_content_q
from practica.people.models import Person
from practica.search.models import DocumentKind
from practica.search.query import MAX_QUERY_CHARS


class SearchForm(forms.Form):
    q = forms.CharField(label="Search for", required=False, max_length=MAX_QUERY_CHARS, strip=True)
    community = forms.ChoiceField(label="Community", required=False)
    type = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Everything"), *DocumentKind.choices]
    )
    tag = forms.CharField(label="Tag", required=False, max_length=60)

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only communities the person may see are offered; any other slug is "not a valid choice",
        # the same answer for a private community as for one that does not exist.
        visible = Community.objects.filter(community_content_q(person)).order_by("name")
        field = self.fields["community"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "All communities"), *visible.values_list("slug", "name")]

    def clean_tag(self) -> str:
        return slugify(self.cleaned_data["tag"])
