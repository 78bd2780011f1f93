"""A unit has at most ``planned_coders`` slots: the database refuses a slot numbered beyond the plan, so no
unit can ever be given to more coders than planned, whatever a service does."""

from django.db import migrations

from annotate.core.db_triggers import vendor_sql

POSTGRESQL = """
CREATE OR REPLACE FUNCTION intercoder_assignment_slot_planned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.slot >= (SELECT planned_coders FROM assignments_unit WHERE id = NEW.unit_id) THEN
        RAISE EXCEPTION 'assignment %: slot % beyond the coders planned for unit %', NEW.id, NEW.slot, NEW.unit_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER assignment_slot_planned BEFORE INSERT OR UPDATE OF slot, unit_id ON assignments_assignment
    FOR EACH ROW EXECUTE FUNCTION intercoder_assignment_slot_planned();
"""

SQLITE = [
    f"""CREATE TRIGGER assignment_slot_planned_{event.lower()} BEFORE {event} ON assignments_assignment
    WHEN NEW.slot >= (SELECT planned_coders FROM assignments_unit WHERE id = NEW.unit_id)
    BEGIN SELECT RAISE(ABORT, 'assignment slot beyond the coders planned for its unit'); END;"""  # noqa: S608
    for event in ("INSERT", "UPDATE")
]


class Migration(migrations.Migration):
    dependencies = [("assignments", "0001_initial")]

    operations = [
        vendor_sql(
            postgresql=POSTGRESQL,
            sqlite=SQLITE,
            reverse_postgresql=["DROP TRIGGER IF EXISTS assignment_slot_planned ON assignments_assignment;"],
            reverse_sqlite=[
                "DROP TRIGGER IF EXISTS assignment_slot_planned_insert;",
                "DROP TRIGGER IF EXISTS assignment_slot_planned_update;",
            ],
        )
    ]
