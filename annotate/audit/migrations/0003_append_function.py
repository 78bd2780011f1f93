"""``intercoder_audit_append(...)``: append one event to a project's chain in one statement.

It takes the project's chain lock, reads the chain's head, hashes the event from the template that
``annotate.audit.chain.event_hash_template`` made (so the encoding is written once, in Python) and
inserts it. A volatile PL/pgSQL function takes a fresh snapshot for each statement, so the read after the
lock sees the head that the previous lock holder committed; and several calls in one transaction see
each other's events.
"""

from django.db import migrations

from annotate.core.db_triggers import vendor_sql

CREATE = """
CREATE OR REPLACE FUNCTION intercoder_audit_append(
    namespace integer, project bigint, actor integer, action varchar, object_type varchar,
    object_id varchar, before jsonb, after jsonb, reason text, request_id varchar,
    created_at timestamptz, hash_head text, hash_middle text, hash_tail text
) RETURNS TABLE (event_id bigint, event_sequence bigint, event_prev_hash varchar, event_hash varchar)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    last_sequence bigint;
    last_hash varchar;
BEGIN
    PERFORM pg_advisory_xact_lock(namespace, project::integer);
    SELECT e.sequence, e.hash INTO last_sequence, last_hash FROM audit_auditevent e
        WHERE e.project_id = project ORDER BY e.sequence DESC LIMIT 1;
    IF NOT FOUND THEN
        last_sequence := 0;
        last_hash := repeat('0', 64);
    END IF;
    RETURN QUERY
        INSERT INTO audit_auditevent AS e (
            project_id, sequence, prev_hash, actor_id, action, object_type, object_id, before, after,
            reason, request_id, created_at, hash
        ) VALUES (
            project, last_sequence + 1, last_hash, actor, action, object_type, object_id, before, after,
            reason, request_id, created_at,
            encode(sha256(convert_to(
                hash_head || last_hash || hash_middle || (last_sequence + 1)::text || hash_tail, 'UTF8'
            )), 'hex')
        )
        RETURNING e.id::bigint, e.sequence::bigint, e.prev_hash, e.hash;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        vendor_sql(
            postgresql=CREATE,
            sqlite=[],
            reverse_postgresql=(
                "DROP FUNCTION IF EXISTS intercoder_audit_append("
                "integer, bigint, integer, varchar, varchar, varchar, jsonb, jsonb, text, varchar, "
                "timestamptz, text, text, text);"
            ),
        )
    ]
