"""Pages of the knowledge network (and, in views_skills.py, strategic skills). Thin: parse, authorise,
call a selector, render; the numbers come from the stored snapshot (one query)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from practica.core.permissions import person_for_user
from practica.core.privacy import NOT_ENOUGH_PEOPLE, min_group_size
from practica.insights.network import network_view
from practica.insights.refresh import latest_refresh


def dashboard_context(tab: str) -> dict[str, Any]:
    """What the dashboard's shared layout (tabs, refresh button) needs."""
    links = {}
    for kind, name in (("network", "insights:network"), ("skills", "insights:skills")):
        try:
            links[kind] = reverse(name)
        except NoReverseMatch:
            continue
    return {
        "tab": tab,
        "refresh": latest_refresh(),
        "not_enough": NOT_ENOUGH_PEOPLE,
        "min_group": min_group_size(),
        "extra_links": links,
    }


@login_required
def network_page(request: HttpRequest) -> HttpResponse:
    view = network_view(person_for_user(request.user))
    graph = None
    if view.data is not None:
        graph = {
            "nodes": [
                {
                    "id": row["id"],
                    "name": row["name"],
                    "people": row["people"],
                    "cluster": row["cluster"],
                    "silo": row["silo"],
                    "brokers": row["brokers"],
                    "share": row["external_share"],
                    "x": row["x"],
                    "y": row["y"],
                }
                for row in view.data["units_table"]
            ],
            "edges": view.data["edges"],
        }
    return render(
        request,
        "insights/network.html",
        {
            **dashboard_context("network"),
            "view": view,
            "data": view.data,
            "oldest": view.snapshot,
            "graph": graph,
        },
    )
