"""The JSON API at /api/v1/: authentication, the shared error format, and the routers of each app."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import APIKeyCookie, HttpBearer

from practica.core.errors import ApplicationError
from practica.core.permissions import person_for_user
from practica.people.services import api_token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        person = api_token_authenticate(token)
        if person is None:
            return None
        request.user = person.user
        return person


class SessionAuth(APIKeyCookie):
    """The browser's session, so pages can call the API; CSRF is checked for writes."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not request.user.is_authenticated or not request.user.is_active:
            return None
        return person_for_user(request.user)


api = NinjaAPI(
    title="Practica API",
    version="1",
    description=(
        "Communities of practice, learning and calibration. Authenticate with a personal API token "
        "(create one on your profile page, or POST /api/v1/tokens) sent as `Authorization: Bearer <token>`."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    return api.create_response(request, {"detail": error.message}, status=400)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(error) or "Permission denied."}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(error) or "Not found."}, status=404)


def register_routers() -> None:
    """Attach each app's router; called once from urls.py so apps stay import-order independent."""
    from practica.communities.api import router as communities_router
    from practica.knowledge.api_practices import router as practices_router
    from practica.knowledge.api_qa import router as qa_router
    from practica.people.api import router as people_router
    from practica.search.api import router as search_router
    from practica.systems.api import router as systems_router

    api.add_router("", people_router)
    api.add_router("", communities_router)
    api.add_router("", qa_router)
    api.add_router("", practices_router)
    api.add_router("", systems_router)
    api.add_router("", search_router)
    api.add_router("", "practica.calibration.api.router")
    api.add_router("", "practica.calibration.api_skills.router")
    api.add_router("", "practica.calibration.api_checks.router")
    api.add_router("", "practica.learning.api_reviews.router")
    api.add_router("", "practica.learning.api_mind.router")
    api.add_router("", "practica.insights.api.router")


register_routers()
