"""The full-text index over search_searchdocument, one per database engine.

SQLite: an FTS5 table with external content (it stores only the index; the text stays in
search_searchdocument) kept in step by triggers, so every insert, update and delete through any path
updates it in the same transaction.
PostgreSQL: a generated tsvector column (title weight A, tags B, body C) with a GIN index; the
database computes it on every write.

Note for later migrations: when Django's SQLite schema editor rebuilds search_searchdocument (most
column changes do), the triggers go with the old table; such a migration must run SQLITE_DROP and
SQLITE_CREATE from here again (the final 'rebuild' refills the index from the table).
"""

from django.db import migrations

SQLITE_CREATE = [
    """
    CREATE VIRTUAL TABLE search_document_fts USING fts5(
        title, tag_names, body,
        content='search_searchdocument', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER search_document_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_document_fts(rowid, title, tag_names, body)
        VALUES (new.id, new.title, new.tag_names, new.body);
    END
    """,
    """
    CREATE TRIGGER search_document_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_document_fts(search_document_fts, rowid, title, tag_names, body)
        VALUES ('delete', old.id, old.title, old.tag_names, old.body);
    END
    """,
    """
    CREATE TRIGGER search_document_fts_update AFTER UPDATE OF title, tag_names, body
    ON search_searchdocument BEGIN
        INSERT INTO search_document_fts(search_document_fts, rowid, title, tag_names, body)
        VALUES ('delete', old.id, old.title, old.tag_names, old.body);
        INSERT INTO search_document_fts(rowid, title, tag_names, body)
        VALUES (new.id, new.title, new.tag_names, new.body);
    END
    """,
    "INSERT INTO search_document_fts(search_document_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_document_fts_update",
    "DROP TRIGGER IF EXISTS search_document_fts_delete",
    "DROP TRIGGER IF EXISTS search_document_fts_insert",
    "DROP TABLE IF EXISTS search_document_fts",
]
POSTGRES_CREATE = [
    """
    ALTER TABLE search_searchdocument ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, title), 'A')
        || setweight(to_tsvector('english'::regconfig, tag_names), 'B')
        || setweight(to_tsvector('english'::regconfig, body), 'C')
    ) STORED
    """,
    "CREATE INDEX search_document_vector ON search_searchdocument USING gin (search_vector)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS search_document_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
            elidable=False,
        )
    ]
