"""Writing the search index: what each kind of thing contributes, and keeping one row per thing.

:func:`index_object` (re)writes the document of a community, question, answer or practice, or removes
it when the thing should not be found (a draft practice); :func:`unindex_object` removes one;
:func:`reindex_all` rebuilds everything. The signal handlers in ``signals.py`` call the first two, so
every service that saves or deletes through the ORM keeps the index in step inside its own transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html import unescape
from typing import Any

import nh3
from django.db import transaction
from django.db.models import Model, Prefetch, QuerySet
from django.urls import NoReverseMatch, reverse

from practica.communities.models import CHARTER_FIELDS, Community, Tag
from practica.core.markdown import render_markdown
from practica.knowledge.models import Answer, Practice, PracticeStatus, Question, Relevance
from practica.search.models import DocumentKind, SearchDocument

# Snippets mark matches with these two characters (see selectors.marked); removing them from indexed
# text means no content can fake a highlight.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")
BATCH = 1000


def plain_text(markdown: str) -> str:
    """The words of a Markdown text, without markup, control characters or runs of white space."""
    html = render_markdown(markdown)
    return clean_text(unescape(nh3.clean(html, tags=set())))


def clean_text(text: str) -> str:
    return _SPACE.sub(" ", _CONTROL.sub(" ", text or "")).strip()


@dataclass
class DocumentData:
    """The fields of one SearchDocument, computed from the thing it indexes."""

    kind: DocumentKind
    object_id: int
    community_id: int
    title: str
    body: str
    url: str
    updated_at: datetime
    status: str = ""
    tags: list[Tag] = field(default_factory=list)

    @property
    def tag_names(self) -> str:
        return " ".join(tag.name for tag in self.tags)

    def fields(self) -> dict[str, Any]:
        return {
            "community_id": self.community_id,
            "title": clean_text(self.title)[:300],
            "tag_names": clean_text(self.tag_names)[:1000],
            "body": self.body,
            "url": self.url,
            "status": self.status,
            "updated_at": self.updated_at,
        }


def _path(name: str, fallback: str, **kwargs: Any) -> str:
    # The Q&A and practices URLconfs are wired into urls.py separately; until they are, the stored
    # address follows their documented pattern so indexing never fails a save.
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return fallback


def _question_url(question: Question, community: Community) -> str:
    fallback = f"/communities/{community.slug}/questions/{question.pk}/"
    return _path("qa:detail", fallback, slug=community.slug, pk=question.pk)


def community_data(community: Community) -> DocumentData:
    charter = "\n\n".join(getattr(community, name) for name in CHARTER_FIELDS)
    return DocumentData(
        kind=DocumentKind.COMMUNITY,
        object_id=community.pk,
        community_id=community.pk,
        title=community.name,
        body=clean_text(f"{community.summary} {plain_text(charter)}"),
        url=reverse("communities:detail", args=[community.slug]),
        updated_at=community.updated_at,
        tags=list(community.tags.all()),
    )


def question_data(question: Question) -> DocumentData:
    community = question.community
    return DocumentData(
        kind=DocumentKind.QUESTION,
        object_id=question.pk,
        community_id=community.pk,
        title=question.title,
        body=plain_text(question.body),
        url=_question_url(question, community),
        updated_at=question.updated_at,
        status=Relevance.OUTDATED.label if question.relevance == Relevance.OUTDATED else "",
        tags=list(question.tags.all()),
    )


def answer_data(answer: Answer, question: Question, tags: list[Tag]) -> DocumentData:
    """An answer is found by its own text, its question's title and its question's tags."""
    community = question.community
    return DocumentData(
        kind=DocumentKind.ANSWER,
        object_id=answer.pk,
        community_id=community.pk,
        title=question.title,
        body=plain_text(answer.body),
        url=f"{_question_url(question, community)}#answer-{answer.pk}",
        updated_at=answer.updated_at,
        status="Accepted" if answer.accepted else "",
        tags=tags,
    )


def practice_data(practice: Practice) -> DocumentData | None:
    """None for a draft: drafts are hidden from readers (practice_selectors), so search keeps them out."""
    if practice.status == PracticeStatus.DRAFT:
        return None
    community = practice.community
    fallback = f"/communities/{community.slug}/practices/{practice.slug}/"
    return DocumentData(
        kind=DocumentKind.PRACTICE,
        object_id=practice.pk,
        community_id=community.pk,
        title=practice.title,
        body=plain_text(practice.body),
        url=_path("practices:detail", fallback, slug=community.slug, practice=practice.slug),
        updated_at=practice.updated_at,
        status="" if practice.status == PracticeStatus.PUBLISHED else practice.get_status_display(),
        tags=list(practice.tags.all()),
    )


def _write(data: DocumentData) -> tuple[SearchDocument, bool]:
    """Create or update the document; True when its indexed text (title, tags, body) changed."""
    values = data.fields()
    document = SearchDocument.objects.filter(kind=data.kind, object_id=data.object_id).first()
    if document is None:
        document = SearchDocument.objects.create(kind=data.kind, object_id=data.object_id, **values)
        text_changed = True
    else:
        changed = [name for name, value in values.items() if getattr(document, name) != value]
        text_changed = bool({"title", "tag_names", "body"} & set(changed))
        if changed:
            for name in changed:
                setattr(document, name, values[name])
            document.save(update_fields=changed)
    document.tags.set(data.tags)
    return document, text_changed


def unindex_object(kind: DocumentKind | str, object_id: int) -> None:
    """Remove the document of one thing (nothing happens when it has none)."""
    SearchDocument.objects.filter(kind=kind, object_id=object_id).delete()


def _index_answers(question: Question) -> None:
    tags = list(question.tags.all())
    for answer in question.answers.all():
        _write(answer_data(answer, question, tags))


def index_object(obj: Model) -> SearchDocument | None:
    """Write the document of a community, question, answer or practice; None when it is not indexed.

    A question's answers carry its title and tags, so they are rewritten when those change; a
    community's documents carry its address, so they are rewritten when its slug changes.
    """
    if isinstance(obj, Community):
        previous = SearchDocument.objects.filter(kind=DocumentKind.COMMUNITY, object_id=obj.pk).first()
        document, _ = _write(community_data(obj))
        if previous is not None and previous.url != document.url:
            reindex_community(obj)
            return SearchDocument.objects.get(kind=DocumentKind.COMMUNITY, object_id=obj.pk)
        return document
    if isinstance(obj, Question):
        carried = (
            SearchDocument.objects.filter(kind=DocumentKind.QUESTION, object_id=obj.pk)
            .values_list("title", "tag_names", "url")
            .first()
        )
        document, _ = _write(question_data(obj))
        if carried != (document.title, document.tag_names, document.url):
            _index_answers(obj)
        return document
    if isinstance(obj, Answer):
        question = obj.question
        return _write(answer_data(obj, question, list(question.tags.all())))[0]
    if isinstance(obj, Practice):
        data = practice_data(obj)
        if data is None:
            unindex_object(DocumentKind.PRACTICE, obj.pk)
            return None
        return _write(data)[0]
    raise TypeError(f"{type(obj).__name__} is not searchable.")


# Rebuilding ----------------------------------------------------------------------------------------

_TAGS = Prefetch("tags", queryset=Tag.objects.order_by("name"))


def _all_data(kind: DocumentKind, queryset: QuerySet[Any]) -> Iterator[DocumentData]:
    for obj in queryset.iterator(chunk_size=BATCH):
        if kind == DocumentKind.COMMUNITY:
            yield community_data(obj)
        elif kind == DocumentKind.QUESTION:
            yield question_data(obj)
        elif kind == DocumentKind.ANSWER:
            yield answer_data(obj, obj.question, list(obj.question.tags.all()))
        elif (data := practice_data(obj)) is not None:
            yield data


def _sources(communities: QuerySet[Community]) -> list[tuple[DocumentKind, QuerySet[Any]]]:
    return [
        (DocumentKind.COMMUNITY, communities.prefetch_related(_TAGS).order_by("pk")),
        (
            DocumentKind.QUESTION,
            Question.objects.filter(community__in=communities)
            .select_related("community")
            .prefetch_related(_TAGS)
            .order_by("pk"),
        ),
        (
            DocumentKind.ANSWER,
            Answer.objects.filter(question__community__in=communities)
            .select_related("question__community")
            .prefetch_related(Prefetch("question__tags", queryset=Tag.objects.order_by("name")))
            .order_by("pk"),
        ),
        (
            DocumentKind.PRACTICE,
            Practice.objects.filter(community__in=communities)
            .exclude(status=PracticeStatus.DRAFT)
            .select_related("community")
            .prefetch_related(_TAGS)
            .order_by("pk"),
        ),
    ]


def _batches(items: Iterable[DocumentData]) -> Iterator[list[DocumentData]]:
    batch: list[DocumentData] = []
    for item in items:
        batch.append(item)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(batch: list[DocumentData]) -> None:
    documents = SearchDocument.objects.bulk_create(
        [SearchDocument(kind=data.kind, object_id=data.object_id, **data.fields()) for data in batch]
    )
    through = SearchDocument.tags.through
    through.objects.bulk_create(
        [
            through(searchdocument_id=document.pk, tag_id=tag.pk)
            for document, data in zip(documents, batch, strict=True)
            for tag in data.tags
        ]
    )


Progress = Callable[[str, int, int], None]


@transaction.atomic
def reindex_all(*, progress: Progress | None = None) -> dict[str, int]:
    """Rebuild the whole index from the database in one transaction; documents written per kind.

    Readers keep seeing the old index until the rebuild commits. ``progress(label, done, total)`` is
    called after every batch.
    """
    SearchDocument.objects.all().delete()
    return _rebuild(Community.objects.all(), progress)


@transaction.atomic
def reindex_community(community: Community) -> dict[str, int]:
    """Rewrite every document of one community (after its address changed)."""
    SearchDocument.objects.filter(community=community).delete()
    return _rebuild(Community.objects.filter(pk=community.pk), None)


def _rebuild(communities: QuerySet[Community], progress: Progress | None) -> dict[str, int]:
    written: dict[str, int] = {}
    for kind, queryset in _sources(communities):
        total = queryset.count()
        done = 0
        written[kind.value] = 0
        for batch in _batches(_all_data(kind, queryset)):
            _insert(batch)
            written[kind.value] += len(batch)
            done = min(total, done + len(batch))
            if progress is not None:
                progress(kind.label, done, total)
        if progress is not None and total == 0:
            progress(kind.label, 0, 0)
    return written
