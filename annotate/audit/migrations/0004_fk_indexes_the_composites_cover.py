"""Drop the foreign-key indexes that composite indexes cover (``drop_covered_fk_indexes``: PostgreSQL only)."""

import django.db.models.deletion
from django.db import migrations, models

from annotate.core.db_triggers import drop_covered_fk_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_append_function"),
        ("projects", "0002_codings_released_at"),
    ]

    operations = [
        drop_covered_fk_indexes(
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
            indexes=[
                ("audit_auditevent", "project_id", "audit_auditevent_project_id_fb9ed4de"),
            ],
        )
    ]
