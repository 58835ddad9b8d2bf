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
from django.views.decorators.http import require_POST

from practica.communities.access import page_access as _access
from practica.communities.selectors import CommunityAccess
from practica.core.errors import ApplicationError
from practica.core.pagination import paginate
from practica.core.permissions import can_contribute, can_delete_story, can_edit_story
from practica.knowledge import stories
from practica.knowledge.models import Cycle, ValueStory
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


def _story_fields(form: StoryForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "body": data["body"],
        "cycles": [Cycle(value) for value in data["cycles"]],
        "events": data["events"],
        "practices": data["practices"],
        "answers": data["answers"],
        "metrics": form.metrics(),
    }


@login_required
def story_create(request: HttpRequest, slug: str) -> HttpResponse:
    person, access = _access(request, slug)
    if not can_contribute(access.membership):
        raise PermissionDenied(stories.NOT_A_MEMBER)
    form = StoryForm(request.POST or None, community=access.community)
    if request.method == "POST" and form.is_valid():
        try:
            story = stories.story_create(actor=person, community=access.community, **_story_fields(form))
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"Thank you: “{story.title}” is added to the value matrix.")
            return redirect("stories:detail", slug=slug, pk=story.pk)
    return _page(request, "knowledge/stories/form.html", access, form=form, cycle_help=stories.CYCLE_HELP)


def _story(access: CommunityAccess, pk: int) -> ValueStory:
    story = stories.stories_of(access.community).filter(pk=pk).first()
    if story is None:
        raise Http404("No such story.")
    return story


@login_required
def story_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = _access(request, slug)
    story = _story(access, pk)
    if not can_edit_story(person, story, access.membership):
        raise PermissionDenied(stories.NOT_THE_AUTHOR)
    form = StoryForm(request.POST or None, community=access.community, story=story)
    if request.method == "POST" and form.is_valid():
        try:
            stories.story_update(actor=person, story=story, **_story_fields(form))
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Your story is saved.")
            return redirect("stories:detail", slug=slug, pk=story.pk)
    return _page(
        request, "knowledge/stories/form.html", access, form=form, cycle_help=stories.CYCLE_HELP, story=story
    )


@login_required
@require_POST
def story_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = _access(request, slug)
    story = _story(access, pk)
    if not can_delete_story(person, story, access.membership):
        raise PermissionDenied(stories.NOT_YOURS_TO_DELETE)
    stories.story_delete(actor=person, story=story)
    messages.success(request, f"“{story.title}” is deleted.")
    return redirect("stories:list", slug=slug)


@login_required
def story_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    person, access = _access(request, slug)
    story = _story(access, pk)
    rows = [(cycle, stories.CYCLE_HELP[cycle]) for cycle in story.cycles]
    return _page(
        request,
        "knowledge/stories/detail.html",
        access,
        story=story,
        cycles=rows,
        can_edit=can_edit_story(person, story, access.membership),
        can_delete=can_delete_story(person, story, access.membership),
    )
