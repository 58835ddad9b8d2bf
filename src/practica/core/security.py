"""Security headers for every response: Content-Security-Policy and Permissions-Policy.

Django 5.2 sets X-Content-Type-Options, Referrer-Policy and X-Frame-Options itself (settings.py);
it has no Content-Security-Policy, so :class:`SecurityHeadersMiddleware` adds one. Scripts come only
from Practica's own static files (no inline scripts, no eval: charts use the vendored Vega
expression interpreter). Styles allow 'unsafe-inline' because Vega's SVG renderer and htmx set style
attributes; style attributes cannot run code.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

DEFAULT_CSP: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)


def policy_text(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def content_security_policy(path: str) -> str:
    """The policy for a response (the same for every page; the API docs load only local files)."""
    text = policy_text(DEFAULT_CSP)
    report_uri = getattr(settings, "PRACTICA_CSP_REPORT_URI", "")
    return f"{text}; report-uri {report_uri}" if report_uri else text


class SecurityHeadersMiddleware:
    """Add Content-Security-Policy and Permissions-Policy unless a view already set them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        header = (
            "Content-Security-Policy-Report-Only"
            if getattr(settings, "PRACTICA_CSP_REPORT_ONLY", False)
            else "Content-Security-Policy"
        )
        if "Content-Security-Policy" not in response and header not in response:
            response[header] = content_security_policy(request.path)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
