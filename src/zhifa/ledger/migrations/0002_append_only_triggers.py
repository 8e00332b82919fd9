"""Append-only triggers on the ledger tables (see zhifa.ledger.triggers)."""

from django.db import migrations


def install(apps, schema_editor):
    from zhifa.ledger import triggers

    triggers.install(schema_editor.connection)


def drop(apps, schema_editor):
    from zhifa.ledger import triggers

    triggers.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(install, drop)]
