"""The search page: one view for the page and its htmx fragment (live results while typing)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from practica.core.http import HtmxHttpRequest
from practica.core.permissions import person_for_user
from practica.search.forms import SearchForm
from practica.search.selectors import MAX_OFFSET, search

PAGE_SIZE = 20


def _page_number(raw: str | None) -> int:
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return max(1, min(number, MAX_OFFSET // PAGE_SIZE + 1))


@login_required
def search_page(request: HtmxHttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    form = SearchForm(request.GET or None, person=person)
    results = None
    if form.is_valid() and form.cleaned_data["q"]:
        data = form.cleaned_data
        page = _page_number(request.GET.get("page"))
        results = search(
            person,
            data["q"],
            community=data["community"],
            kind=data["type"],
            tag=data["tag"],
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    context = {
        "form": form,
        "results": results,
        "page_number": results.offset // PAGE_SIZE + 1 if results else 1,
        "filtered": form.is_bound and any(form.data.get(name) for name in ("community", "type", "tag")),
    }
    template = "search/partials/results.html" if request.htmx else "search/search.html"
    return render(request, template, context)
