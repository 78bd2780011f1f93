"""Put back, on SQLite, the triggers of migration 0002 (no slot beyond the coders planned for its unit).
Migration 0003 added a check constraint, for which Django's SQLite backend rebuilds the table, and the
rebuilt table had lost them. PostgreSQL kept its trigger; nothing changes there.
``tests/annotate/core/test_sqlite_migrations.py`` now checks every trigger after all migrations."""

import importlib

from django.db import migrations

from annotate.core.db_triggers import vendor_sql

_SLOTS = importlib.import_module("annotate.assignments.migrations.0002_slots_within_plan")


class Migration(migrations.Migration):
    dependencies = [("assignments", "0005_drop_indexes_the_composites_cover")]

    operations = [
        vendor_sql(
            postgresql=[],
            sqlite=[
                sql.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1) for sql in _SLOTS.SQLITE
            ],
        )
    ]
