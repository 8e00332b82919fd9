"""Full-text search of published items, as in the law library: an FTS5 table on SQLite (kept by
the publish and withdraw services, never by signals), a generated tsvector column + GIN index on
PostgreSQL. Both read `publicity_publication.segmented` (rjieba words, space-joined)."""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS publicity_publication_fts USING fts5("
    "segmented, tokenize='unicode61 remove_diacritics 0')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS publicity_publication_fts"]
PG_FORWARD = [
    "ALTER TABLE publicity_publication ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', segmented)) STORED",
    "CREATE INDEX publicity_publication_search_gin ON publicity_publication "
    "USING gin (search_vector)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS publicity_publication_search_gin",
    "ALTER TABLE publicity_publication DROP COLUMN IF EXISTS search_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("publicity", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}),
        )
    ]
