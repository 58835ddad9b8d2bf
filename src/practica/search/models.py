"""The search index: one row per searchable thing, in the table both full-text engines read.

See the package docstring (``practica/search/__init__.py``) for how SQLite and PostgreSQL index it.
"""

from __future__ import annotations

from django.db import models

from practica.communities.models import Community, Tag


class DocumentKind(models.TextChoices):
    COMMUNITY = "community", "Community"
    QUESTION = "question", "Question"
    ANSWER = "answer", "Answer"
    PRACTICE = "practice", "Practice"


class SearchDocument(models.Model):
    """The searchable text of a community, question, answer or practice, and where it lives.

    ``community`` decides who may find it (a private community's documents are found by its members
    only); ``title``, ``tag_names`` and ``body`` are the indexed text (plain text, Markdown removed).
    """

    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    object_id = models.PositiveBigIntegerField()
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=300)
    tag_names = models.CharField(max_length=1000, blank=True, help_text="Tag names, space-separated.")
    body = models.TextField(blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="+")
    url = models.CharField(max_length=300)
    status = models.CharField(
        max_length=40, blank=True, help_text="Shown beside the result, e.g. 'Archived'; empty when current."
    )
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="unique_search_document"),
        ]
        indexes = [
            models.Index(fields=["community", "kind"]),
            # "Newest first" for very common words walks this index (selectors._SQLITE_NEWEST).
            models.Index(fields=["updated_at"], name="search_document_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title}"
