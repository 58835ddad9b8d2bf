"""The authorisation table of docs/security.md, generated from the code.

Every page route comes from Django's URL resolver and every API operation from the OpenAPI schema;
who may read and write each one comes from :mod:`practica.core.access_rules`. A route without a rule
fails ``tests/core/test_access_table.py``; ``practica manage security_table --missing`` prints
drafts of the missing rules in the rules file's format, to check and paste.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from practica.core.access_rules import API_RULES, PAGE_RULES, Rule

API_NAMESPACE = "api"
API_PREFIX = "/api/v1"


@dataclass(frozen=True)
class PageRoute:
    name: str  # "namespace:name"
    route: str  # "communities/<slug:slug>/"
    view: str  # dotted path of the view function


@dataclass(frozen=True)
class ApiOperation:
    key: str  # "GET /api/v1/communities/{slug}"
    operation_id: str
    summary: str
    anonymous: bool  # no authentication required


def page_routes() -> list[PageRoute]:
    """Every named page route (the API's own routes are listed as operations instead)."""
    found: dict[str, PageRoute] = {}
    for name, route, view in _walk(get_resolver().url_patterns, "", None):
        if name and name not in found:
            found[name] = PageRoute(name=name, route="/" + route, view=view)
    return sorted(found.values(), key=lambda item: item.route)


def _walk(patterns: Sequence[object], prefix: str, namespace: str | None) -> Iterator[tuple[str, str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == API_NAMESPACE:
                continue
            inner = pattern.namespace or namespace
            yield from _walk(list(pattern.url_patterns), prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            callback = pattern.callback
            view = f"{getattr(callback, '__module__', '')}.{getattr(callback, '__name__', '')}"
            yield name, prefix + str(pattern.pattern), view


def api_operations() -> list[ApiOperation]:
    from practica.core.api import api

    schema = api.get_openapi_schema()
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            operations.append(
                ApiOperation(
                    key=f"{method.upper()} {path}",
                    operation_id=str(operation.get("operationId", "")),
                    summary=str(operation.get("summary", "")),
                    anonymous=not operation.get("security"),
                )
            )
    return sorted(operations, key=lambda item: (item.key.split(" ", 1)[1], item.key))


def missing_page_rules() -> list[PageRoute]:
    return [route for route in page_routes() if route.name not in PAGE_RULES]


def missing_api_rules() -> list[ApiOperation]:
    return [operation for operation in api_operations() if operation.key not in API_RULES]


def stale_rules() -> list[str]:
    """Rules for routes that no longer exist (renamed or removed)."""
    pages = {route.name for route in page_routes()}
    operations = {operation.key for operation in api_operations()}
    return sorted([name for name in PAGE_RULES if name not in pages]) + sorted(
        [key for key in API_RULES if key not in operations]
    )


# Drafts for new routes -----------------------------------------------------------------------------

WRITE_WORDS = re.compile(
    r"(new|create|edit|update|delete|remove|join|leave|decide|invite|role|level|stage|vote|unvote|"
    r"accept|outcome|answer|comment|move|add|share|unshare|adopt|publish|resolve|forecast|predict|start|"
    r"conclude|restore|review|rsvp|attend|toggle|check-in|regenerate|pulse|propose|refresh|revoke|"
    r"import|charter|phase|link|group|follow-up|status|listing|submit|take|retire|archive|log)"
)


SIGNED_IN = "signed-in people"
COMMUNITY_READ = "signed-in people; a private community: its active members only"
COMMUNITY_WRITE = "active members of the community (leads for management)"
OWN = "the signed-in person (own data only)"
# (route or path fragment, who may read, who may write when the route writes): first match wins.
FAMILIES: list[tuple[str, str, str]] = [
    ("/admin/", "admins", "admins"),
    ("/signin/", "anyone", "anyone (limited failed attempts per client)"),
    ("/password/reset", "anyone (with the emailed link)", "anyone (with the emailed link)"),
    ("/password/change", OWN, OWN),
    ("/signout/", "—", OWN),
    ("/me/", OWN, OWN),
    ("/goals", "the owner and the people they shared the goal with", "the owner"),
    (
        "/insights/",
        "stewards and admins (aggregates only; private communities left out)",
        "stewards and admins",
    ),
    (
        "/diagrams",
        "the owner; a team's diagram: its members; a community's: who may read the community",
        "the owner, the team's members or the community's active members",
    ),
    ("/lab", SIGNED_IN, "stewards and admins start runs"),
    ("/audit", "admins", "admins"),
    ("/search", "signed-in people; results only from what they may read", "—"),
    ("/communities/<slug:slug>/", COMMUNITY_READ, COMMUNITY_WRITE),
    ("/communities/{slug}", COMMUNITY_READ, COMMUNITY_WRITE),
    ("/people/<int:pk>/role/", SIGNED_IN, "admins"),
]


def _family(path: str) -> tuple[str, str] | None:
    for fragment, read, write in FAMILIES:
        if fragment in path or path.startswith(fragment.rstrip("/")):
            return read, write
    return None


def draft_page_rule(route: PageRoute) -> Rule:
    """A first guess from the route's shape, for a person to check before pasting."""
    name = route.name.split(":")[-1]
    writes = bool(WRITE_WORDS.search(name)) or name in {"login", "logout"}
    read, write = _family(route.route) or (SIGNED_IN, "signed-in people, as the service allows")
    return (read, write if writes else "—")


def draft_api_rule(operation: ApiOperation) -> Rule:
    method, path = operation.key.split(" ", 1)
    if operation.anonymous:
        return ("—", "anyone (limited failed attempts per client)")
    family = _family(path.removeprefix(API_PREFIX))
    read, write = family or (
        "signed-in people (results scoped to what they may see)",
        "signed-in people, as the service allows",
    )
    return (read, "—") if method == "GET" else ("—", write)


def rules_file_lines(*, pages: list[PageRoute], operations: list[ApiOperation]) -> list[str]:
    """Missing rules as lines to paste into PAGE_RULES / API_RULES of access_rules.py."""
    lines: list[str] = []
    if pages:
        lines.append("# PAGE_RULES additions (check the drafted words):")
        for route in pages:
            read, write = draft_page_rule(route)
            lines.append(f"    {route.name!r}: ({read!r}, {write!r}),  # {route.route}")
    if operations:
        lines.append("# API_RULES additions (check the drafted words):")
        for operation in operations:
            read, write = draft_api_rule(operation)
            lines.append(f"    {operation.key!r}: ({read!r}, {write!r}),")
    return lines


def markdown_table() -> str:
    """The two tables of docs/security.md."""
    out = [
        "## Pages",
        "",
        "| URL | route name | who may read | who may write |",
        "|---|---|---|---|",
    ]
    for route in page_routes():
        read, write = PAGE_RULES.get(route.name, ("**missing rule**", "**missing rule**"))
        out.append(f"| `{route.route}` | `{route.name}` | {read} | {write} |")
    out += [
        "",
        "## API operations",
        "",
        "| operation | who may read | who may write |",
        "|---|---|---|",
    ]
    for operation in api_operations():
        read, write = API_RULES.get(operation.key, ("**missing rule**", "**missing rule**"))
        out.append(f"| `{operation.key}` | {read} | {write} |")
    return "\n".join(out) + "\n"
