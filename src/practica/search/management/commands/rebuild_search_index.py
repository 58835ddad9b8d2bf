"""``practica manage rebuild_search_index``: rebuild the full-text index from the database.

Needed once after installing search on an existing database, and after bulk changes that bypass the
ORM's signals (``QuerySet.update``, ``bulk_create``, raw SQL). Searches keep answering from the old
index until the rebuild commits.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from practica.search.documents import reindex_all


class Command(BaseCommand):
    help = "Rebuild the search index of communities, questions, answers and practices."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        last_label = ""

        def progress(label: str, done: int, total: int) -> None:
            nonlocal last_label
            if label != last_label and last_label:
                self.stdout.write("")
            last_label = label
            self.stdout.write(f"\r{label}: {done}/{total}", ending="")
            self.stdout.flush()

        written = reindex_all(progress=progress)
        self.stdout.write("")
        seconds = time.perf_counter() - started
        summary = ", ".join(f"{count} {kind}" for kind, count in written.items())
        self.stdout.write(
            self.style.SUCCESS(f"Indexed {sum(written.values())} documents ({summary}) in {seconds:.1f} s.")
        )
