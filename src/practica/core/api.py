"""The JSON API at /api/v1/: authentication, the shared error format, and the routers of each app."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.parser import Parser
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

    def _get_key(self, request: HttpRequest) -> str | None:
        # Nobody signed in: there is no session a forged request could ride on, so the answer is
        # 401 ("sign in"), not django-ninja's 403 "CSRF check Failed", which misled API clients
        # that simply forgot their token. Signed-in sessions still have their writes CSRF-checked.
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not request.user.is_authenticated or not request.user.is_active:
            return None
        return person_for_user(request.user)


class ObjectBodyParser(Parser):
    """Request bodies must be JSON objects. Without this, a bare JSON string reached the schemas,
    which read its attributes (``"x"`` became a check titled ``"X"`` through ``str.title``)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the request body must be a JSON object")
        return data


api = NinjaAPI(
    title="Practica API",
    version="1",
    description=(
        "Communities of practice, learning and calibration. Authenticate with a personal API token "
        "(create one on your profile page, or POST /api/v1/tokens) sent as `Authorization: Bearer <token>`."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    parser=ObjectBodyParser(),
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


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def value_out_of_range(request: HttpRequest, error: Exception) -> HttpResponse:
    """A number too large for the database (e.g. ``?page=10**20``) is bad input, not a server error."""
    return api.create_response(request, {"detail": "A number in the request is out of range."}, status=400)


@api.exception_handler(IntegrityError)
def integrity_error(request: HttpRequest, error: IntegrityError) -> HttpResponse:
    """The database refused a value the services let through (SQLite reports a too-large offset so)."""
    return api.create_response(
        request,
        {"detail": "The request has a value out of range or conflicts with existing data."},
        status=400,
    )


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
    api.add_router("", "practica.core.api_audit.router")
    api.add_router("", "practica.systems.api_diagrams.router")


def _schema_names_used_twice() -> set[str]:
    """Names of API schemas defined in more than one Practica module (e.g. two ``TemplateOut``)."""
    from collections import defaultdict

    from pydantic import BaseModel

    modules: dict[str, set[str]] = defaultdict(set)
    pending: list[type[BaseModel]] = [BaseModel]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith("practica."):
                modules[subclass.__name__].add(subclass.__module__)
    return {name for name, found in modules.items() if len(found) > 1}


def _qualify_duplicate_schema_names() -> None:
    """Give schemas whose class name is used in two modules their module-qualified name in OpenAPI.

    django-ninja files every schema under its class name, so two apps' ``TemplateOut`` would share
    one component and the published schema would be wrong for one of them.
    """
    import ninja.openapi.schema as openapi_schema
    from ninja.schema import NinjaGenerateJsonSchema

    duplicates = _schema_names_used_twice()

    class QualifiedDuplicates(NinjaGenerateJsonSchema):
        def get_defs_ref(self, core_mode_ref: Any) -> Any:
            ref = super().get_defs_ref(core_mode_ref)
            short = str(core_mode_ref[0]).rsplit(":", 1)[0].rsplit(".", 1)[-1]
            choices = self._prioritized_defsref_choices.get(ref)
            if short in duplicates and choices and len(choices) > 2:
                self._prioritized_defsref_choices[ref] = choices[2:]  # module-qualified first
            return ref

    openapi_schema.NinjaGenerateJsonSchema = QualifiedDuplicates  # type: ignore[misc]


register_routers()
_qualify_duplicate_schema_names()
