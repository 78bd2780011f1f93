"""``intercoder_audit_chain_head(namespace, project)``: take the project's chain lock and read the chain's
head in one round trip. A volatile PL/pgSQL function takes a fresh snapshot for each statement, so the
read after the lock sees the head that the previous lock holder committed."""

from django.db import migrations

from annotate.core.db_triggers import vendor_sql

CREATE = """
CREATE OR REPLACE FUNCTION intercoder_audit_chain_head(namespace integer, project bigint)
RETURNS TABLE (head_sequence bigint, head_hash varchar) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(namespace, project::integer);
    RETURN QUERY
        SELECT e.sequence::bigint, e.hash FROM audit_auditevent e
        WHERE e.project_id = project ORDER BY e.sequence DESC LIMIT 1;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        vendor_sql(
            postgresql=CREATE,
            sqlite=[],
            reverse_postgresql="DROP FUNCTION IF EXISTS intercoder_audit_chain_head(integer, bigint);",
        )
    ]
