from __future__ import annotations

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "practica.insights"
    label = "insights"
    verbose_name = "Insights: the steward's dashboard"
