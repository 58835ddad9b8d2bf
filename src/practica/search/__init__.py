"""Full-text search over communities, questions, answers and practices, on SQLite and PostgreSQL.

Design
------
Index. One table, ``SearchDocument`` (models.py), holds one row per searchable thing: its kind and id,
its community, and its text as plain text (Markdown removed): ``title``, ``tag_names`` and ``body``.
A community's document is its name, summary and charter; a question's its title and body; an answer's
its body under its question's title and tags; a practice's its title and body. Draft practices are
not indexed (readers cannot open them); outdated and archived practices, and questions marked no
longer relevant, stay findable and say so (``status``). Tags are also kept as a relation, so the tag
filter is an indexed join.

Engines. Migration 0002 adds the engine's own full-text index beside the table:

- SQLite: an FTS5 table with external content (``search_document_fts``; Porter stemming, Unicode,
  accents folded) kept in step by triggers on insert, update and delete. Ranking is ``bm25()`` with
  column weights title 10, tags 4, body 1; ``highlight()`` marks the title and ``snippet()`` cuts the
  best passage of the body. Only the page's rows get snippets.
- PostgreSQL: a generated ``tsvector`` column (``english`` configuration; title weight A, tags B,
  body C) with a GIN index, computed by the database on every write. Ranking is ``ts_rank``,
  snippets ``ts_headline`` (``SearchRank``/``SearchHeadline`` expressions, which need no
  ``django.contrib.postgres`` in INSTALLED_APPS). The model does not declare the column, so SQLite
  databases never see it.

Sync. ``signals.py`` connects post_save/post_delete of Community, Question, Answer and Practice,
m2m_changed of their tags (from both sides) and renames/deletes of tags to ``documents.index_object``
and ``documents.unindex_object``; nobody has to call search. They run in the writer's transaction.
``documents.reindex_all`` (``practica manage rebuild_search_index``) rebuilds everything.

Queries. ``query.parse_query`` reduces what a person types to words and "quoted phrases" (never
engine syntax) and renders them for FTS5 (quoted strings) and for ``to_tsquery`` (``&``, ``<->``), so
both engines mean the same: all words, in any order, the last one also as a prefix while typing.

Large result sets (SQLite). A search is two statements: a count that stops early (visible matches up to
``selectors.COUNT_CAP``, reported as "more than 1000"; all matches up to the "very common" threshold),
then the page. bm25 keeps only the best few hundred matches before the filters run (with an exact
fallback when too few of those pass). When the words are in more than ``COMMON_SHARE`` of the index
(and more than ``COMMON_MIN`` documents) ranking says little, so the newest visible matches come first
by walking the ``updated_at`` index (migration 0003), and the page and API say so (``ordering``).
PostgreSQL keeps one statement with an exact total.

Privacy. ``selectors.search`` searches only documents whose community passes
``core.permissions.community_content_q(person)``, inside the same SQL statement that ranks and counts,
so a private community's documents are neither returned nor counted for non-members, whichever
filter is used.
"""
