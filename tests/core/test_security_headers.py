"""Security headers, production settings (check --deploy), cookies, throttling and size limits."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

PRACTICA = Path(sys.executable).parent / "practica"


def _directives(header: str) -> dict[str, str]:
    pairs = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: value for name, value in pairs}


@pytest.mark.parametrize("url", ["/signin/", "/", "/api/v1/openapi.json", "/no-such-page/"])
def test_every_response_has_the_security_headers(db, owner, client_for, url):
    response = client_for(owner).get(url)
    csp = _directives(response["Content-Security-Policy"])
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["default-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["base-uri"] == "'self'" and csp["form-action"] == "'self'"
    assert "unsafe" not in csp["default-src"] + csp["script-src"] + csp["connect-src"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_report_only_mode_for_trying_a_policy(db, settings, client):
    settings.PRACTICA_CSP_REPORT_ONLY = True
    settings.PRACTICA_CSP_REPORT_URI = "/csp-reports"
    response = client.get("/signin/")
    assert "Content-Security-Policy" not in response
    assert response["Content-Security-Policy-Report-Only"].endswith("report-uri /csp-reports")


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PRACTICA_", "SECURE_", "DJANGO_", "DATABASE_URL"))
    }
    env.update(
        {
            "PRACTICA_DATA_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "practica.example.org",
            "CSRF_TRUSTED_ORIGINS": "https://practica.example.org",
            "PRACTICA_HTTPS": "1",
            "DEBUG": "0",
        }
    )
    env.update(extra)
    return env


def _deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PRACTICA), "manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = _deploy_check(_production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_https(tmp_path):
    result = _deploy_check(_production_env(tmp_path, PRACTICA_HTTPS="0"))
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stderr + result.stdout


def test_cookies_are_secure_and_the_proxy_header_trusted_over_https(tmp_path):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'practica.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=_production_env(tmp_path), capture_output=True, text=True
    )
    assert result.stdout.split("\n")[0] == (
        "True True True ('HTTP_X_FORWARDED_PROTO', 'https') True 31536000"
    ), result.stderr
    plain = subprocess.run(
        [
            sys.executable,
            "-c",
            code.replace(", s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS", ""),
        ],
        env=_production_env(tmp_path, PRACTICA_HTTPS="0"),
        capture_output=True,
        text=True,
    )
    assert plain.stdout.strip() == "False False True", plain.stderr


def test_sign_in_page_is_throttled(owner, settings):
    settings.PRACTICA_LOGIN_THROTTLE = 3
    client = Client()
    for _ in range(3):
        response = client.post(reverse("login"), {"username": "owner", "password": "guess"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "owner", "password": PASSWORD})
    assert "Too many sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    other = Client(REMOTE_ADDR="10.0.0.9")  # another client is not affected
    assert other.post(reverse("login"), {"username": "owner", "password": PASSWORD}).status_code == 302


def test_token_endpoint_is_throttled_with_429(owner, settings):
    settings.PRACTICA_LOGIN_THROTTLE = 2
    client = Client()
    for _ in range(2):
        response = client.post(
            "/api/v1/tokens", {"username": "owner", "password": "guess"}, content_type="application/json"
        )
        assert response.status_code == 401
    response = client.post(
        "/api/v1/tokens", {"username": "owner", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.json()["detail"]


def test_request_bodies_over_the_limit_are_refused(owner, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    client = Client()
    response = client.post(
        "/api/v1/tokens",
        '{"username": "owner", "password": "' + "x" * 5000 + '"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    response = client.post(reverse("login"), {"username": "owner", "password": "x" * 5000})
    assert response.status_code == 400
