from django.db import migrations

from annotate.core.db_triggers import append_only_drop, append_only_postgresql, append_only_sqlite, vendor_sql

TABLE = "audit_auditevent"


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        vendor_sql(
            postgresql=append_only_postgresql(TABLE),
            sqlite=append_only_sqlite(TABLE),
            reverse_postgresql=append_only_drop(TABLE, "postgresql"),
            reverse_sqlite=append_only_drop(TABLE, "sqlite"),
        )
    ]
