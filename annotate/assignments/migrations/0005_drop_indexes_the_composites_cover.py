"""Drop the foreign-key indexes that composite indexes cover (``drop_covered_fk_indexes``: PostgreSQL only)."""

import django.db.models.deletion
from django.db import migrations, models

from annotate.core.db_triggers import drop_covered_fk_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("assignments", "0004_pool_index_in_claim_order"),
        ("documents", "0004_text_stored_uncompressed"),
        ("projects", "0002_codings_released_at"),
    ]

    operations = [
        drop_covered_fk_indexes(
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
            indexes=[
                ("assignments_assignment", "project_id", "assignments_assignment_project_id_868526f1"),
                ("assignments_assignment", "segment_id", "assignments_assignment_segment_id_1eb5680b"),
                ("assignments_assignment", "unit_id", "assignments_assignment_unit_id_c933feec"),
            ],
        )
    ]
