from __future__ import annotations

from django.apps import AppConfig


class SystemsConfig(AppConfig):
    name = "practica.systems"
    label = "systems"
    verbose_name = "Systems thinking"
