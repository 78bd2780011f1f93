"""Drop the foreign-key indexes that composite indexes cover (``drop_covered_fk_indexes``: PostgreSQL only)."""

import django.db.models.deletion
from django.db import migrations, models

from annotate.core.db_triggers import drop_covered_fk_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("coding", "0003_segment_coding_version"),
        ("projects", "0002_codings_released_at"),
    ]

    operations = [
        drop_covered_fk_indexes(
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
            indexes=[
                ("coding_coding", "project_id", "coding_coding_project_id_67913184"),
            ],
        )
    ]
