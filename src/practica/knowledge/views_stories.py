"""Value-story pages: the community's value matrix with its stories, writing a story, reading one.

Thin: parse, authorise, call a service or selector, render. A private community's stories are a 404 for
non-members (``community_for``); writing needs an active membership (403 otherwise).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from practica.communities.access import page_access as _access
from practica.communities.selectors import CommunityAccess
from practica.core.errors import ApplicationError
from practica.core.pagination import paginate
from practica.core.permissions import can_contribute
from practica.knowledge import stories
from practica.knowledge.models import Cycle
from practica.knowledge.story_forms import StoryForm


def _page(request: HttpRequest, template: str, access: CommunityAccess, **context: Any) -> HttpResponse:
    return render(
        request, template, {"community": access.community, "access": access, "tab": "stories", **context}
    )


@login_required
def story_list(request: HttpRequest, slug: str) -> HttpResponse:
    _, access = _access(request, slug)
    return _page(
        request,
        "knowledge/stories/list.html",
        access,
        matrix=stories.value_matrix(access.community),
        page=paginate(request, stories.stories_of(access.community), per_page=10),
        can_write=can_contribute(access.membership),
    )


@login_required
def story_create(request: HttpRequest, slug: str) -> HttpResponse:
    person, access = _access(request, slug)
    if not can_contribute(access.membership):
        raise PermissionDenied(stories.NOT_A_MEMBER)
    form = StoryForm(request.POST or None, community=access.community)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            story = stories.story_create(
                actor=person,
                community=access.community,
                title=data["title"],
                body=data["body"],
                cycles=[Cycle(value) for value in data["cycles"]],
                events=data["events"],
                practices=data["practices"],
                answers=data["answers"],
                metrics=form.metrics(),
            )
        except ApplicationError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
        else:
            messages.success(request, f"Thank you: “{story.title}” is added to the value matrix.")
            return redirect("stories:detail", slug=slug, pk=story.pk)
    return _page(request, "knowledge/stories/form.html", access, form=form, cycle_help=stories.CYCLE_HELP)


@login_required
def story_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _, access = _access(request, slug)
    story = stories.stories_of(access.community).filter(pk=pk).first()
    if story is None:
        raise Http404("No such story.")
    rows = [(cycle, stories.CYCLE_HELP[cycle]) for cycle in story.cycles]
    return _page(request, "knowledge/stories/detail.html", access, story=story, cycles=rows)
