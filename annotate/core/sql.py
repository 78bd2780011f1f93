"""Helpers for the few hand-written statements on the coding loop's hot path (queue, codes, done).

The ORM is the default everywhere; these statements are written by hand because compiling an ORM query
costs two to four times what running it does (``benchmarks/coding_load.py``). They are plain SQL that
PostgreSQL and SQLite both run; the row-lock clauses, which only PostgreSQL has (SQLite's IMMEDIATE
transactions serialise writers instead), come from the functions below.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import time
from collections.abc import Sequence
from typing import Any, TypeVar, cast

import psycopg
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from psycopg.pq import ExecStatus

M = TypeVar("M", bound=Model)


def for_update(*, of: str = "", skip_locked: bool = False, share: bool = False) -> str:
    """The row-lock suffix of a SELECT on this backend: ``FOR UPDATE [OF alias] [SKIP LOCKED]``, or with
    ``share`` the weakest lock that still waits for (and holds off) a ``FOR UPDATE``: ``FOR KEY SHARE``
    (the lock a foreign key check takes; many holders do not block each other). Nothing on SQLite. Name
    ``of`` in a join, or every joined row is locked too."""
    if connection.vendor != "postgresql":
        return ""
    mode = " FOR KEY SHARE" if share else " FOR UPDATE"
    return mode + (f" OF {of}" if of else "") + (" SKIP LOCKED" if skip_locked else "")


def db_datetime_param(value: dt.datetime | None) -> Any:
    """A datetime as this backend stores it (SQLite: naive UTC text)."""
    return connection.ops.adapt_datetimefield_value(value)


def db_datetime(value: Any) -> dt.datetime | None:
    """A datetime column's raw value (SQLite gives text) as an aware datetime."""
    if value is None or isinstance(value, dt.datetime):
        return value
    parsed = parse_datetime(value)
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    return parsed


def columns(model: type[Model], alias: str) -> str:
    """The select list of every concrete column of ``model`` under ``alias``, in ``instance_from_row`` order."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def instance_from_row(model: type[M], values: Sequence[Any]) -> M:
    """A model instance from the values of ``columns(model, …)``, converted as the ORM would for the
    field types these models use (SQLite gives datetimes as text and booleans as integers)."""
    fields = model._meta.concrete_fields
    converted = []
    for field, value in zip(fields, values, strict=True):
        if value is not None:
            kind = field.get_internal_type()
            if kind == "DateTimeField":
                value = db_datetime(value)
            elif kind == "BooleanField":
                value = bool(value)
            elif kind not in _PLAIN_TYPES:
                raise TypeError(f"instance_from_row does not convert {kind} ({model.__name__}.{field.name})")
        converted.append(value)
    return model.from_db(connection.alias, [field.attname for field in fields], converted)


_PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "TextField",
    }
)


def insert_statement(
    model: type[Model], columns_: Sequence[str], rows: Sequence[Sequence[Any]]
) -> tuple[str, list[Any]]:
    """One INSERT of ``rows`` (values in ``columns_`` order, columns named by attname) returning the new
    ids in row order. Values are prepared by their fields, as the ORM would."""
    # get_field knows attnames too; the columns it is given are concrete fields, never relations' reverse ends
    fields = [cast("Field[Any, Any]", model._meta.get_field(name)) for name in columns_]
    quote = connection.ops.quote_name
    params: list[Any] = []
    for row in rows:
        params += [
            field.get_db_prep_save(value, connection) for field, value in zip(fields, row, strict=True)
        ]
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
        f"VALUES {', '.join([one] * len(rows))} RETURNING id"
    )
    return sql, params


def insert_returning_ids(
    model: type[Model], columns_: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[int]:
    """Run ``insert_statement`` and return the new ids in row order."""
    if not rows:
        return []
    with connection.cursor() as cursor:
        cursor.execute(*insert_statement(model, columns_, rows))
        return [row[0] for row in cursor.fetchall()]


def execute_batch(cursor, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[tuple] | None]:
    """Run ``statements`` (SQL with positional ``%s`` parameters) in order and return each one's rows
    (``None`` for one that returns no rows).

    On PostgreSQL they go to the server in one round trip (several in psycopg's pipeline mode): each
    statement is bound on the server and runs with its own snapshot, exactly as separate calls would (a statement that
    waits for a lock sees, once it has it, what the holder committed). A statement this connection has
    run ``prepare_threshold`` times (settings) is prepared, so the server plans it once per connection
    rather than on every request; planning cost more than running for most of the coding loop's
    statements (``benchmarks/coding_load.py``). An error stops the batch and is raised as Django's, as from
    a single statement. Elsewhere (SQLite) they run one by one. Django's query log and execute wrappers
    see one query per round trip.
    """
    if connection.vendor != "postgresql":
        results: list[list[tuple] | None] = []
        for sql, params in statements:
            cursor.execute(sql, params)
            results.append(cursor.fetchall() if cursor.description is not None else None)
        return results
    return _execute_on_server(cursor.db, statements)


def _execute_on_server(db, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[tuple] | None]:
    """``execute_batch`` on PostgreSQL: psycopg cursors that bind on the server (Django's own bind on the
    client, and cannot prepare), several statements in one pipeline, through Django's error wrapping,
    execute wrappers and query log."""

    def run(_sql, _params, _many, _context) -> list[list[tuple] | None]:
        raw = db.connection
        server_cursors = [psycopg.Cursor(raw) for _ in statements]
        try:
            if len(statements) == 1:  # one round trip anyway; the pipeline would only add its own cost
                server_cursors[0].execute(*statements[0])
            else:
                with raw.pipeline():
                    for server_cursor, (sql, params) in zip(server_cursors, statements, strict=True):
                        server_cursor.execute(sql, params)
            # The result's status says whether it has rows (``description`` would build its columns).
            return [
                c.fetchall() if c.pgresult is not None and c.pgresult.status == ExecStatus.TUPLES_OK else None
                for c in server_cursors
            ]
        finally:
            for server_cursor in server_cursors:
                server_cursor.close()

    db.validate_no_broken_transaction()
    sql = ";\n".join(sql for sql, _ in statements)
    params = [p for _, statement_params in statements for p in statement_params]
    executor = run
    for wrapper in reversed(db.execute_wrappers):
        executor = functools.partial(wrapper, executor)
    start = time.monotonic()
    try:
        with db.wrap_database_errors:
            return executor(sql, params, False, {"connection": db, "cursor": None})
    finally:
        if db.queries_logged:
            db.queries_log.append({"sql": sql, "time": f"{time.monotonic() - start:.3f}"})


def constant(value: str) -> str:
    """A constant of our own code (a status, a unit type) as an SQL literal, written into the statement
    rather than passed as a parameter: a prepared statement's generic plan can then use the partial
    indexes on that constant (``status = 'open'``), and PostgreSQL stops re-planning it for each call."""
    if not _CONSTANT.fullmatch(value):
        raise ValueError(f"not a plain constant: {value!r}")
    return f"'{value}'"


_CONSTANT = re.compile(r"[a-z_]+")


def integer_columns(queryset, width: int):
    """The rows of ``queryset`` (a ``values_list`` of ``width`` non-null integer columns) as an int64 array
    of shape (rows, width), without a Python object per value: on PostgreSQL the database packs the rows
    into one ``bytea`` (8 big-endian bytes a value) that numpy reads in place; elsewhere the rows are read
    a chunk at a time. Row order is not kept."""
    import numpy as np

    if connection.vendor != "postgresql":
        flat = np.fromiter(
            (value for row in queryset.iterator(chunk_size=10_000) for value in row), dtype=np.int64
        )
        return flat.reshape(-1, width)
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a query that cannot match (``none()``, ``__in=[]``)
        return np.zeros((0, width), dtype=np.int64)
    names = [f"c{i}" for i in range(width)]
    packed = " || ".join(f"int8send({name})" for name in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT string_agg({packed}, ''::bytea) FROM ({sql}) AS t({', '.join(names)})",  # noqa: S608
            params,
        )
        (data,) = cursor.fetchone()
    if data is None:
        return np.zeros((0, width), dtype=np.int64)
    return np.frombuffer(data, dtype=">i8").astype(np.int64).reshape(-1, width)
