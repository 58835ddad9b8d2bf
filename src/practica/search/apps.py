from __future__ import annotations

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "practica.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        # The services that write questions, answers, practices and communities do not call search:
        # the index follows their saves and deletes through signals, connected once here.
        from practica.search import signals

        signals.connect()
