"""The registry of dashboard panels: a panel name and the function that computes its snapshot.

A panel module registers its compute function with ``@panel("name")``; ``practica refresh-insights``
(:mod:`practica.insights.refresh`) runs every registered panel in order and stores what it returns
as an :class:`~practica.insights.models.InsightSnapshot`. Pages and the API read one snapshot each
with :func:`snapshot`, so no page view recomputes an expensive aggregate.

A compute function takes no arguments and returns JSON-serialisable data (dicts, lists, strings,
numbers, booleans, None). Returning a mapping of ``{key: data}`` for several keys (e.g. one per
quarter) is done with ``@panel("name", keyed=True)``; a plain panel is stored under the key ``""``.

Usage (in ``insights/network.py``)::

    from practica.insights.panels import panel

    @panel("network", title="Knowledge network", order=40)
    def compute_network() -> dict: ...

Modules that register panels are listed in :data:`PANEL_MODULES` and imported by :func:`registered`,
so registration does not depend on which module happened to be imported first.

Pages of a panel module: ``insights/urls.py`` appends the ``urlpatterns`` list that
``insights/network.py`` or ``insights/skills_coverage.py`` defines (paths under ``insights/``); the
dashboard home and the report link to the URL names ``insights:network`` and ``insights:skills``
when they exist, and the report includes ``insights/partials/report_network.html`` and
``insights/partials/report_skills.html`` (with ``snapshot`` in the context) when those templates
exist and the snapshot has been computed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from practica.insights.models import InsightSnapshot

# The modules whose import registers panels. A module that does not exist (yet) is skipped, so a
# panel can land in its own change without breaking the others.
PANEL_MODULES = (
    "practica.insights.portfolio",
    "practica.insights.time_invested",
    "practica.insights.indicators",
    "practica.insights.network",
    "practica.insights.skills_coverage",
)

ComputeFunction = Callable[[], Any]
F = TypeVar("F", bound=ComputeFunction)


@dataclass(frozen=True)
class Panel:
    """One registered panel: its name (the snapshot kind), a human title, run order and function."""

    name: str
    title: str
    order: int
    compute: ComputeFunction
    keyed: bool = False


_REGISTRY: dict[str, Panel] = {}


def panel(name: str, *, title: str = "", order: int = 50, keyed: bool = False) -> Callable[[F], F]:
    """Register ``compute`` as the panel ``name``; refresh runs panels by ``order``, then name.

    With ``keyed=True`` the function returns ``{key: data}`` and each key gets its own snapshot.
    Registering the same name twice with a different function is a programming error.
    """
    if not name or len(name) > 40:
        raise ValueError(f"panel name must be 1-40 characters: {name!r}")

    def register(compute: F) -> F:
        existing = _REGISTRY.get(name)
        same = existing is not None and (
            existing.compute.__module__,
            existing.compute.__qualname__,
        ) == (compute.__module__, compute.__qualname__)
        if existing is not None and not same:
            raise ValueError(f"panel {name!r} is already registered by {existing.compute.__module__}")
        _REGISTRY[name] = Panel(
            name=name,
            title=title or name.replace("_", " ").capitalize(),
            order=order,
            compute=compute,
            keyed=keyed,
        )
        return compute

    return register


def load_panel_modules() -> None:
    """Import every module that registers panels (a missing module is skipped)."""
    for module in PANEL_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise


def registered() -> list[Panel]:
    """Every registered panel, in the order refresh runs them."""
    load_panel_modules()
    return sorted(_REGISTRY.values(), key=lambda item: (item.order, item.name))


def panel_named(name: str) -> Panel | None:
    load_panel_modules()
    return _REGISTRY.get(name)


def snapshot(kind: str, key: str = "") -> InsightSnapshot | None:
    """The stored snapshot of one panel (and key), or None when it has not been computed yet. One query."""
    return InsightSnapshot.objects.filter(kind=kind, key=key).first()
