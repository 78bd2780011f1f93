"""Decisions are never overwritten: the only change the database allows is a revision clearing
``is_current`` (true → false) on the decision it supersedes; final codings never change. And a decision,
its final codings, its unit and its segment agree (same segment and project; spans inside the segment)."""

from django.db import migrations

from annotate.core.db_triggers import vendor_sql

POSTGRESQL = """
CREATE OR REPLACE FUNCTION intercoder_decision_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'intercoder: adjudication decisions are never deleted'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND NOT (
        OLD.is_current AND NOT NEW.is_current
        AND (to_jsonb(NEW) - 'is_current') = (to_jsonb(OLD) - 'is_current')
    ) THEN
        RAISE EXCEPTION 'intercoder: decision %: only a revision may change it (is_current true → false)',
            OLD.id USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'INSERT' AND NOT EXISTS (
        SELECT 1 FROM assignments_unit u
        WHERE u.id = NEW.unit_id AND u.segment_id = NEW.segment_id AND u.project_id = NEW.project_id
    ) THEN
        RAISE EXCEPTION 'decision %: segment or project differs from its unit''s', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER adjudication_decision_guard BEFORE INSERT OR UPDATE OR DELETE ON adjudication_decision
    FOR EACH ROW EXECUTE FUNCTION intercoder_decision_guard();

CREATE OR REPLACE FUNCTION intercoder_final_coding_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'intercoder: final codings are append-only: % is not allowed', TG_OP
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM adjudication_decision d JOIN documents_segment s ON s.id = d.segment_id
        WHERE d.id = NEW.decision_id AND d.segment_id = NEW.segment_id AND d.project_id = NEW.project_id
          AND (NEW.span_start IS NULL OR (NEW.span_start >= s.start_offset AND NEW.span_end <= s.end_offset))
    ) THEN
        RAISE EXCEPTION 'final coding: span [%, %) outside its segment, or segment/project differs from its decision''s',
            NEW.span_start, NEW.span_end USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER adjudication_final_coding_guard BEFORE INSERT OR UPDATE OR DELETE ON adjudication_finalcoding
    FOR EACH ROW EXECUTE FUNCTION intercoder_final_coding_guard();
"""

_DECISION_COLUMNS = [
    "project_id",
    "unit_id",
    "segment_id",
    "adjudicator_id",
    "decided_by_id",
    "provenance",
    "method",
    "accepted_coder_id",
    "agreed_with",
    "coders",
    "rationale",
    "supersedes_id",
    "created_at",
    "id",
]

SQLITE = [
    "CREATE TRIGGER adjudication_decision_no_delete BEFORE DELETE ON adjudication_decision "
    "BEGIN SELECT RAISE(ABORT, 'intercoder: adjudication decisions are never deleted'); END;",
    "CREATE TRIGGER adjudication_decision_no_change BEFORE UPDATE ON adjudication_decision WHEN NOT ("
    "OLD.is_current AND NOT NEW.is_current AND "
    + " AND ".join(f"NEW.{c} IS OLD.{c}" for c in _DECISION_COLUMNS)
    + ") BEGIN SELECT RAISE(ABORT, 'intercoder: only a revision may change a decision'); END;",
    "CREATE TRIGGER adjudication_decision_matches_unit BEFORE INSERT ON adjudication_decision WHEN NOT EXISTS ("
    "SELECT 1 FROM assignments_unit u WHERE u.id = NEW.unit_id AND u.segment_id = NEW.segment_id "
    "AND u.project_id = NEW.project_id) "
    "BEGIN SELECT RAISE(ABORT, 'decision: segment or project differs from its unit'); END;",
    "CREATE TRIGGER adjudication_final_coding_no_update BEFORE UPDATE ON adjudication_finalcoding "
    "BEGIN SELECT RAISE(ABORT, 'intercoder: final codings are append-only'); END;",
    "CREATE TRIGGER adjudication_final_coding_no_delete BEFORE DELETE ON adjudication_finalcoding "
    "BEGIN SELECT RAISE(ABORT, 'intercoder: final codings are append-only'); END;",
    "CREATE TRIGGER adjudication_final_coding_consistent BEFORE INSERT ON adjudication_finalcoding "
    "WHEN NOT EXISTS (SELECT 1 FROM adjudication_decision d JOIN documents_segment s ON s.id = d.segment_id "
    "WHERE d.id = NEW.decision_id AND d.segment_id = NEW.segment_id AND d.project_id = NEW.project_id "
    "AND (NEW.span_start IS NULL OR (NEW.span_start >= s.start_offset AND NEW.span_end <= s.end_offset))) "
    "BEGIN SELECT RAISE(ABORT, 'final coding span outside its segment or differs from its decision'); END;",
]


class Migration(migrations.Migration):
    dependencies = [("adjudication", "0001_initial")]

    operations = [
        vendor_sql(
            postgresql=POSTGRESQL,
            sqlite=SQLITE,
            reverse_postgresql=[
                "DROP TRIGGER IF EXISTS adjudication_decision_guard ON adjudication_decision;",
                "DROP TRIGGER IF EXISTS adjudication_final_coding_guard ON adjudication_finalcoding;",
            ],
            reverse_sqlite=[
                f"DROP TRIGGER IF EXISTS {name};"
                for name in (
                    "adjudication_decision_no_delete",
                    "adjudication_decision_no_change",
                    "adjudication_decision_matches_unit",
                    "adjudication_final_coding_no_update",
                    "adjudication_final_coding_no_delete",
                    "adjudication_final_coding_consistent",
                )
            ],
        )
    ]
