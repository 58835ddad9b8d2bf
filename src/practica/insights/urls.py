"""The steward's dashboard, the time log and budgets.

Panel modules owned elsewhere (``insights/network.py``, ``insights/skills_coverage.py``) add their
pages by defining ``urlpatterns`` of their own; they are appended here when the module exists.
"""

from __future__ import annotations

import importlib

from django.urls import URLPattern, URLResolver, path

from practica.insights import views

app_name = "insights"

urlpatterns: list[URLPattern | URLResolver] = [
    path("insights/", views.home, name="dashboard"),
    path("insights/portfolio/", views.portfolio, name="portfolio"),
    path("insights/portfolio.csv", views.portfolio_csv, name="portfolio-csv"),
    path("insights/indicators/", views.indicators, name="indicators"),
    path("insights/time/", views.time_dashboard, name="time"),
    path("insights/report/", views.report, name="report"),
    path("insights/refresh/", views.refresh, name="refresh"),
    path("insights/refresh/<int:pk>/", views.refresh_status, name="refresh-status"),
    path("me/time/", views.time_log, name="time-log"),
    path("me/time/<int:pk>/delete/", views.time_log_delete, name="time-log-delete"),
    path("me/time/event/", views.time_log_event, name="time-log-event"),
    path("me/budgets/", views.budgets, name="budgets"),
]

for _module_name in ("practica.insights.network", "practica.insights.skills_coverage"):
    try:
        _module = importlib.import_module(_module_name)
    except ModuleNotFoundError as _error:
        if _error.name != _module_name:
            raise
        continue
    urlpatterns += getattr(_module, "urlpatterns", [])
