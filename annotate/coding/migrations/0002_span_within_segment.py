"""A coding's span lies inside its segment, and a coding belongs to its segment's project."""

from django.db import migrations

from annotate.core.db_triggers import vendor_sql

POSTGRESQL = """
CREATE OR REPLACE FUNCTION intercoder_codings_consistent() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad record;
BEGIN
    SELECT c.id, c.span_start, c.span_end, s.start_offset, s.end_offset, d.project_id AS doc_project,
           c.project_id INTO bad
    FROM new_rows c JOIN documents_segment s ON s.id = c.segment_id
    JOIN documents_document d ON d.id = s.document_id
    WHERE d.project_id <> c.project_id
       OR (c.span_start IS NOT NULL AND (c.span_start < s.start_offset OR c.span_end > s.end_offset))
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'coding %: span [%, %) outside its segment [%, %) or wrong project',
            bad.id, bad.span_start, bad.span_end, bad.start_offset, bad.end_offset
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER codings_consistent_insert AFTER INSERT ON coding_coding
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION intercoder_codings_consistent();
CREATE TRIGGER codings_consistent_update AFTER UPDATE ON coding_coding
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION intercoder_codings_consistent();
"""

_SQLITE_CONDITION = """
    (SELECT d.project_id FROM documents_segment s JOIN documents_document d ON d.id = s.document_id
     WHERE s.id = NEW.segment_id) <> NEW.project_id
    OR (NEW.span_start IS NOT NULL AND (
        NEW.span_start < (SELECT start_offset FROM documents_segment WHERE id = NEW.segment_id)
        OR NEW.span_end > (SELECT end_offset FROM documents_segment WHERE id = NEW.segment_id)))
"""

SQLITE = [
    f"""CREATE TRIGGER codings_consistent_{event.lower()} BEFORE {event} ON coding_coding WHEN {_SQLITE_CONDITION}
    BEGIN SELECT RAISE(ABORT, 'coding span outside its segment or wrong project'); END;"""
    for event in ("INSERT", "UPDATE")
]


class Migration(migrations.Migration):
    dependencies = [("coding", "0001_initial"), ("documents", "0002_offsets_within_text")]

    operations = [
        vendor_sql(
            postgresql=POSTGRESQL,
            sqlite=SQLITE,
            reverse_postgresql=[
                "DROP TRIGGER IF EXISTS codings_consistent_insert ON coding_coding;",
                "DROP TRIGGER IF EXISTS codings_consistent_update ON coding_coding;",
            ],
            reverse_sqlite=[
                "DROP TRIGGER IF EXISTS codings_consistent_insert;",
                "DROP TRIGGER IF EXISTS codings_consistent_update;",
            ],
        )
    ]
