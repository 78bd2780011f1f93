"""A code's segments from the index alone: (code, segment) replaces the foreign-key index on code, which it
covers (``drop_covered_fk_indexes``: PostgreSQL only; SQLite keeps its table, and its triggers, as they
are)."""

import django.db.models.deletion
from django.db import migrations, models

from annotate.core.db_triggers import drop_covered_fk_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("codebook", "0005_code_merge_split_guid_and_proposals"),
        ("coding", "0004_fk_indexes_the_composites_cover"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="coding",
            index=models.Index(
                fields=["code", "segment"], include=["project"], name="coding_code_segment_idx"
            ),
        ),
        drop_covered_fk_indexes(
            state_operations=[
                migrations.AlterField(
                    model_name="coding",
                    name="code",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="codings",
                        to="codebook.code",
                    ),
                ),
            ],
            indexes=[
                ("coding_coding", "code_id", "coding_coding_code_id_169dc677"),
            ],
        ),
    ]
