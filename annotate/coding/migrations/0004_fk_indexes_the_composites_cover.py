"""Drop single-column foreign-key indexes that a composite index already starts with: every step of the
coding loop writes these rows, and so every index of them. PostgreSQL only, by name; on SQLite an
AlterField would rebuild the table and lose its append-only and consistency triggers, so there the
(harmless) indexes stay and only Django's model state changes."""

import django.db.models.deletion
from django.db import migrations, models

from annotate.core.db_triggers import vendor_sql


class Migration(migrations.Migration):
    dependencies = [
        ("coding", "0003_segment_coding_version"),
        ("projects", "0002_codings_released_at"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="coding",
                    name="project",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="codings",
                        to="projects.project",
                    ),
                ),
            ],
            database_operations=[
                vendor_sql(
                    postgresql="DROP INDEX IF EXISTS coding_coding_project_id_67913184;\n",
                    sqlite=[],
                    reverse_postgresql="CREATE INDEX IF NOT EXISTS coding_coding_project_id_67913184 ON coding_coding (project_id);\n",
                )
            ],
        )
    ]
