"""Signal handlers that keep the search index in step with every save and delete through the ORM.

They run inside the writer's transaction, so a rolled-back edit rolls back its index change too.
Saves that name only fields search does not read (votes, counters, digests) cost nothing.
Writes that bypass the ORM's signals (``QuerySet.update``, ``bulk_create``, raw SQL) are not seen:
after such a bulk change run ``practica manage rebuild_search_index``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from practica.communities.models import CHARTER_FIELDS, Community, Tag
from practica.knowledge.models import Answer, Practice, Question
from practica.search.documents import index_object, unindex_object
from practica.search.models import DocumentKind, SearchDocument

# The fields each kind's document is built from; a save limited to other fields changes nothing.
INDEXED_FIELDS: dict[type[Model], set[str]] = {
    Community: {"name", "slug", "summary", "community", *CHARTER_FIELDS},
    Question: {"title", "body", "relevance", "community"},
    Answer: {"body", "accepted", "question"},
    Practice: {"title", "slug", "body", "status", "community"},
}
KINDS: dict[type[Model], DocumentKind] = {
    Community: DocumentKind.COMMUNITY,
    Question: DocumentKind.QUESTION,
    Answer: DocumentKind.ANSWER,
    Practice: DocumentKind.PRACTICE,
}
_PENDING = "_search_documents_to_refresh"


def _saved(sender: type[Model], instance: Model, raw: bool = False, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if raw or (update_fields is not None and not INDEXED_FIELDS[sender] & set(update_fields)):
        return
    index_object(instance)


def _deleted(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    unindex_object(KINDS[sender], instance.pk)


def _refresh(model: type[Model], ids: Iterable[int]) -> None:
    for obj in model._default_manager.filter(pk__in=list(ids)):
        index_object(obj)


def _tags_changed(
    sender: type[Model],
    instance: Model,
    action: str,
    reverse: bool,
    model: type[Model],
    pk_set: set[int] | None,
    **kwargs: Any,
) -> None:
    """Tags of a community, question or practice changed, from either side of the relation."""
    if not reverse:
        if action in {"post_add", "post_remove", "post_clear"}:
            index_object(instance)
        return
    # ``instance`` is a Tag and ``model`` the tagged model; a clear does not name the objects, so
    # they are noted before it.
    if action == "pre_clear":
        related = model._default_manager.filter(tags=instance).values_list("pk", flat=True)
        setattr(instance, _PENDING, list(related))
    elif action in {"post_add", "post_remove"} and pk_set:
        _refresh(model, pk_set)
    elif action == "post_clear":
        _refresh(model, getattr(instance, _PENDING, []))


def _tag_saved(sender: type[Tag], instance: Tag, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not created and not raw:
        _refresh_documents(SearchDocument.objects.filter(tags=instance))


def _tag_deleting(sender: type[Tag], instance: Tag, **kwargs: Any) -> None:
    setattr(
        instance, _PENDING, list(SearchDocument.objects.filter(tags=instance).values_list("pk", flat=True))
    )


def _tag_deleted(sender: type[Tag], instance: Tag, **kwargs: Any) -> None:
    _refresh_documents(SearchDocument.objects.filter(pk__in=getattr(instance, _PENDING, [])))


def _refresh_documents(documents: Iterable[SearchDocument]) -> None:
    by_kind: dict[str, list[int]] = {}
    for document in documents:
        by_kind.setdefault(document.kind, []).append(document.object_id)
    for model, kind in KINDS.items():
        if kind in by_kind:
            _refresh(model, by_kind[kind])


def connect() -> None:
    """Connect the handlers (called once from SearchConfig.ready; dispatch_uid makes it idempotent)."""
    for model in KINDS:
        name = model.__name__.lower()
        post_save.connect(_saved, sender=model, dispatch_uid=f"search-{name}-saved")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"search-{name}-deleted")
    for model in (Community, Question, Practice):
        through = model.tags.through
        m2m_changed.connect(_tags_changed, sender=through, dispatch_uid=f"search-{model.__name__}-tags")
    post_save.connect(_tag_saved, sender=Tag, dispatch_uid="search-tag-saved")
    pre_delete.connect(_tag_deleting, sender=Tag, dispatch_uid="search-tag-deleting")
    post_delete.connect(_tag_deleted, sender=Tag, dispatch_uid="search-tag-deleted")
