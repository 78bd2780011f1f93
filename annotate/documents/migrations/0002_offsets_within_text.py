"""Segments never point outside their document's text, and a document's text never changes (offsets
refer to it). On PostgreSQL the segment check is a statement-level trigger over the transition table,
so a bulk insert of thousands of segments is checked by one join."""

from django.db import migrations

from annotate.core.db_triggers import vendor_sql

POSTGRESQL = """
CREATE OR REPLACE FUNCTION intercoder_segments_within_text() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad record;
BEGIN
    SELECT s.document_id, s.position, s.start_offset, s.end_offset, d.text_length INTO bad
    FROM new_rows s JOIN documents_document d ON d.id = s.document_id
    WHERE s.end_offset > d.text_length LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'segment % of document % ends at %, beyond the text (length %)',
            bad.position, bad.document_id, bad.end_offset, bad.text_length USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER segments_within_text_insert AFTER INSERT ON documents_segment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION intercoder_segments_within_text();
CREATE TRIGGER segments_within_text_update AFTER UPDATE ON documents_segment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION intercoder_segments_within_text();

CREATE OR REPLACE FUNCTION intercoder_document_text_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.text IS DISTINCT FROM OLD.text OR NEW.text_length IS DISTINCT FROM OLD.text_length THEN
        RAISE EXCEPTION 'document %: the text is immutable (offsets refer to it)', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER document_text_immutable BEFORE UPDATE ON documents_document
    FOR EACH ROW EXECUTE FUNCTION intercoder_document_text_immutable();
"""

SQLITE = [
    """CREATE TRIGGER segments_within_text_insert BEFORE INSERT ON documents_segment
    WHEN NEW.end_offset > (SELECT text_length FROM documents_document WHERE id = NEW.document_id)
    BEGIN SELECT RAISE(ABORT, 'segment ends beyond its document text'); END;""",
    """CREATE TRIGGER segments_within_text_update BEFORE UPDATE ON documents_segment
    WHEN NEW.end_offset > (SELECT text_length FROM documents_document WHERE id = NEW.document_id)
    BEGIN SELECT RAISE(ABORT, 'segment ends beyond its document text'); END;""",
    """CREATE TRIGGER document_text_immutable BEFORE UPDATE OF text, text_length ON documents_document
    WHEN NEW.text IS NOT OLD.text OR NEW.text_length IS NOT OLD.text_length
    BEGIN SELECT RAISE(ABORT, 'the document text is immutable (offsets refer to it)'); END;""",
]


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [
        vendor_sql(
            postgresql=POSTGRESQL,
            sqlite=SQLITE,
            reverse_postgresql=[
                "DROP TRIGGER IF EXISTS segments_within_text_insert ON documents_segment;",
                "DROP TRIGGER IF EXISTS segments_within_text_update ON documents_segment;",
                "DROP TRIGGER IF EXISTS document_text_immutable ON documents_document;",
            ],
            reverse_sqlite=[
                "DROP TRIGGER IF EXISTS segments_within_text_insert;",
                "DROP TRIGGER IF EXISTS segments_within_text_update;",
                "DROP TRIGGER IF EXISTS document_text_immutable;",
            ],
        )
    ]
