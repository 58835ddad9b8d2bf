"""Pages that belong to no single app: home and the error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from practica.core.permissions import person_for_user
from practica.people import selectors as people_selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    context = {
        "person": person,
        "memberships": person.team_memberships.select_related("team", "manager"),
        "people_count": people_selectors.person_list().count(),
        "team_count": people_selectors.team_list().count(),
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
