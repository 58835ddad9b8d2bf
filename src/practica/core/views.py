"""Pages that belong to no single app: home and the error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from practica.communities import selectors as community_selectors
from practica.communities.event_selectors import upcoming_events_for
from practica.core.permissions import person_for_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A person's start page: their next events, news from their communities, communities to discover."""
    person = person_for_user(request.user)
    context = {
        "person": person,
        "upcoming": upcoming_events_for(person, limit=6),
        "my_communities": community_selectors.community_list_for(person, mine=True)[:12],
        "activity": community_selectors.activity_for_person(person)[:12],
        "suggestions": community_selectors.community_suggestions(person),
    }
    return render(request, "core/home.html", context)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", {"message": ""}, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the error may come from the database or a template.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
