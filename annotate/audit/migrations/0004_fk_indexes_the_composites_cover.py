"""Drop single-column foreign-key indexes that a composite index already starts with: every step of the
coding loop writes these rows, and so every index of them. PostgreSQL only, by name; on SQLite an
AlterField would rebuild the table and lose its append-only and consistency triggers, so there the
(harmless) indexes stay and only Django's model state changes."""

import django.db.models.deletion
from django.db import migrations, models

from annotate.core.db_triggers import vendor_sql


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_append_function"),
        ("projects", "0002_codings_released_at"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="project",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="audit_events",
                        to="projects.project",
                    ),
                ),
            ],
            database_operations=[
                vendor_sql(
                    postgresql="DROP INDEX IF EXISTS audit_auditevent_project_id_fb9ed4de;\n",
                    sqlite=[],
                    reverse_postgresql="CREATE INDEX IF NOT EXISTS audit_auditevent_project_id_fb9ed4de ON audit_auditevent (project_id);\n",
                )
            ],
        )
    ]
