"""Store transcripts uncompressed (PostgreSQL: ``STORAGE EXTERNAL``), so that cutting a turn out of a
long transcript reads only the chunks that hold it; a compressed text must be decompressed from its start
up to the turn, for every turn the coder's view shows. Transcripts are small beside their worth; the
disk they take grows about twofold. Rows written before this keep their storage until rewritten.
SQLite has no such setting."""

from django.db import migrations

from annotate.core.db_triggers import vendor_sql


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_importjob")]

    operations = [
        vendor_sql(
            postgresql="ALTER TABLE documents_document ALTER COLUMN text SET STORAGE EXTERNAL;",
            sqlite=[],
            reverse_postgresql="ALTER TABLE documents_document ALTER COLUMN text SET STORAGE EXTENDED;",
        )
    ]
