"""Database-level invariants that a CHECK constraint cannot express (they span rows or tables, or forbid
changes), written once per backend. Used from migrations through ``vendor_sql``."""

from collections.abc import Sequence

from django.db import migrations

REJECT_CHANGE_FUNCTION = """
CREATE OR REPLACE FUNCTION intercoder_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'intercoder: % is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END $$;
"""


def append_only_postgresql(table: str) -> str:
    return f"""
{REJECT_CHANGE_FUNCTION}
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION intercoder_reject_change();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION intercoder_reject_change();
"""


def append_only_sqlite(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'intercoder: {table} is append-only: UPDATE is not allowed'); END;",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'intercoder: {table} is append-only: DELETE is not allowed'); END;",
    ]


def append_only_drop(table: str, vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
        ]
    return [f"DROP TRIGGER IF EXISTS {table}_no_update;", f"DROP TRIGGER IF EXISTS {table}_no_delete;"]


def vendor_sql(
    *,
    postgresql: Sequence[str] | str,
    sqlite: Sequence[str] | str,
    reverse_postgresql: Sequence[str] | str = (),
    reverse_sqlite: Sequence[str] | str = (),
) -> migrations.RunPython:
    """A migration operation that runs the SQL written for the connection's backend."""

    def as_list(value) -> list[str]:
        return [value] if isinstance(value, str) else list(value)

    def run(statements_by_vendor):
        def apply(apps, schema_editor):
            statements = statements_by_vendor.get(schema_editor.connection.vendor)
            if statements is None:
                raise RuntimeError(
                    f"Intercoder supports PostgreSQL and SQLite, not {schema_editor.connection.vendor}"
                )
            for statement in as_list(statements):
                schema_editor.execute(statement, params=None)

        return apply

    return migrations.RunPython(
        run({"postgresql": postgresql, "sqlite": sqlite}),
        run({"postgresql": reverse_postgresql, "sqlite": reverse_sqlite}),
    )


def drop_covered_fk_indexes(
    *, state_operations: list, indexes: list[tuple[str, str, str]]
) -> migrations.SeparateDatabaseAndState:
    """Drop single-column foreign-key indexes that a composite index already starts with: ``indexes`` as
    (table, column, index name); ``state_operations`` the fields' AlterField(db_index=False).

    PostgreSQL only, by name. On SQLite an AlterField rebuilds the table, and the rebuilt table loses its
    triggers (the append-only trail, the consistency checks); there the indexes stay, harmless, and only
    Django's model state changes."""
    return migrations.SeparateDatabaseAndState(
        state_operations=state_operations,
        database_operations=[
            vendor_sql(
                postgresql=[f"DROP INDEX IF EXISTS {name};" for _, _, name in indexes],
                sqlite=[],
                reverse_postgresql=[
                    f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column});"
                    for table, column, name in indexes
                ],
            )
        ],
    )
