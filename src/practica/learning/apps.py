from __future__ import annotations

from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "practica.learning"
    label = "learning"
    verbose_name = "Learning loops"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from practica.learning.method_library import sync_after_migrate

        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="learning-method-library")
