"""Turn an ApplicationError that escaped a view into a message on the page it came from."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from practica.core.errors import ApplicationError


class ApplicationErrorMiddleware:
    """Views may let ApplicationError escape; the person sees its text, never a 500 page.

    A normal request is sent back where it came from with the message shown; an htmx request gets
    the message as a fragment; anything else a 400 page. The API has its own handler (core.api).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError):
            return None
        if getattr(request, "htmx", False):
            return render(request, "core/partials/error.html", {"message": exception.message}, status=400)
        referer = request.META.get("HTTP_REFERER", "")
        if request.method == "POST" and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            messages.error(request, exception.message)
            return HttpResponseRedirect(referer)
        return render(request, "400.html", {"message": exception.message}, status=400)
