"""One page size and one way to paginate, for every list page."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 30


def paginate(request: HttpRequest, queryset: Any, *, per_page: int = PAGE_SIZE) -> Page:
    """The page named by ``?page=`` (out-of-range numbers give the nearest page)."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
