"""Full-text search: an FTS5 table on SQLite, a generated tsvector column + GIN on PostgreSQL.

Both read `laws_article.segmented` (the text cut into words by rjieba, space-joined). The FTS5
table is kept in sync by the import service (`zhifa.laws.services`), never by signals."""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS laws_article_fts USING fts5("
    "segmented, tokenize='unicode61 remove_diacritics 0')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS laws_article_fts"]
PG_FORWARD = [
    "ALTER TABLE laws_article ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', segmented)) STORED",
    "CREATE INDEX laws_article_search_gin ON laws_article USING gin (search_vector)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS laws_article_search_gin",
    "ALTER TABLE laws_article DROP COLUMN IF EXISTS search_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        todo = statements.get(vendor, [])
        for sql in todo:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("laws", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}),
        )
    ]
