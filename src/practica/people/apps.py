from __future__ import annotations

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "practica.people"
    label = "people"
    verbose_name = "People and teams"
