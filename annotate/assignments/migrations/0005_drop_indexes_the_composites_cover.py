"""Drop single-column foreign-key indexes that a composite index already starts with: every step of the
coding loop writes these rows, and so every index of them. PostgreSQL only, by name; on SQLite an
AlterField would rebuild the table and lose its append-only and consistency triggers, so there the
(harmless) indexes stay and only Django's model state changes."""

import django.db.models.deletion
from django.db import migrations, models

from annotate.core.db_triggers import vendor_sql


class Migration(migrations.Migration):
    dependencies = [
        ("assignments", "0004_pool_index_in_claim_order"),
        ("documents", "0004_text_stored_uncompressed"),
        ("projects", "0002_codings_released_at"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="assignment",
                    name="project",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="projects.project",
                    ),
                ),
                migrations.AlterField(
                    model_name="assignment",
                    name="segment",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to="documents.segment",
                    ),
                ),
                migrations.AlterField(
                    model_name="assignment",
                    name="unit",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to="assignments.unit",
                    ),
                ),
            ],
            database_operations=[
                vendor_sql(
                    postgresql="DROP INDEX IF EXISTS assignments_assignment_project_id_868526f1;\nDROP INDEX IF EXISTS assignments_assignment_segment_id_1eb5680b;\nDROP INDEX IF EXISTS assignments_assignment_unit_id_c933feec;\n",
                    sqlite=[],
                    reverse_postgresql="CREATE INDEX IF NOT EXISTS assignments_assignment_project_id_868526f1 ON assignments_assignment (project_id);\nCREATE INDEX IF NOT EXISTS assignments_assignment_segment_id_1eb5680b ON assignments_assignment (segment_id);\nCREATE INDEX IF NOT EXISTS assignments_assignment_unit_id_c933feec ON assignments_assignment (unit_id);\n",
                )
            ],
        )
    ]
