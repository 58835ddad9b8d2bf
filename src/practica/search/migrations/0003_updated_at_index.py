"""An index on updated_at: words in most documents are answered newest first by walking it.

A plain CREATE INDEX (no table rebuild on SQLite), so the FTS5 triggers of 0002 stay in place.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("search", "0002_full_text")]

    operations = [
        migrations.AddIndex(
            model_name="searchdocument",
            index=models.Index(fields=["updated_at"], name="search_document_updated"),
        ),
    ]
