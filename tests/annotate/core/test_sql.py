"""``annotate.core.sql``: ``execute_batch`` (several statements, one round trip on PostgreSQL, the same
results and the same all-or-nothing behaviour as running them one by one) and ``integer_columns``."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from annotate.core.sql import execute_batch
from annotate.projects.models import Project
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_each_statement_gets_its_rows_and_the_batch_is_one_trip():
    project = ProjectFactory(creator=UserFactory())
    statements = [
        ("SELECT id, name FROM projects_project WHERE id = %s", [project.id]),
        ("UPDATE projects_project SET description = %s WHERE id = %s", ["it's; a -- test", project.id]),
        ("SELECT description FROM projects_project WHERE id = %s", [project.id]),
        ("SELECT %s::int + %s::int", [2, 3]),
    ]
    with CaptureQueriesContext(connection) as queries, transaction.atomic(), connection.cursor() as cursor:
        results = execute_batch(cursor, statements)
    assert results == [[(project.id, project.name)], None, [("it's; a -- test",)], [(5,)]]
    sent = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"] and q["sql"] != "BEGIN"]
    assert len(sent) == 1


def test_an_error_stops_the_batch_and_the_transaction_keeps_nothing():
    project = ProjectFactory(creator=UserFactory(), description="before")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        execute_batch(
            cursor,
            [
                ("UPDATE projects_project SET description = %s WHERE id = %s", ["after", project.id]),
                ("SELECT 1 / %s", [0]),
                ("UPDATE projects_project SET name = %s WHERE id = %s", ["never", project.id]),
            ],
        )
    project = Project.objects.get(pk=project.pk)
    assert (project.description, project.name != "never") == ("before", True)


def test_a_statement_run_often_is_prepared_once_per_connection():
    """psycopg prepares what a connection has run ``prepare_threshold`` times (settings); PostgreSQL then
    keeps its plan, which on the coding loop cost more than running the statement."""
    from django.conf import settings

    threshold = settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]
    assert threshold is not None
    project = ProjectFactory(creator=UserFactory())
    marker = "SELECT name AS prepared_marker FROM projects_project WHERE id = %s"
    with transaction.atomic(), connection.cursor() as cursor:
        for _ in range(threshold + 1):
            assert execute_batch(cursor, [(marker, [project.id]), ("SELECT %s::int", [1])])[0] == [
                (project.name,)
            ]
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("prepared_marker" in statement for statement in prepared)


def test_constants_are_plain_words_only():
    from annotate.core.sql import constant

    assert constant("open") == "'open'"
    for unsafe in ("it's", "open' OR '1'='1", "", "Open"):
        with pytest.raises(ValueError):
            constant(unsafe)


def test_a_single_statement_is_one_trip_and_its_error_is_djangos():
    from django.db import IntegrityError

    project = ProjectFactory(creator=UserFactory())
    with CaptureQueriesContext(connection) as queries, transaction.atomic(), connection.cursor() as cursor:
        assert execute_batch(cursor, [("SELECT name FROM projects_project WHERE id = %s", [project.id])]) == [
            [(project.name,)]
        ]
    assert len([q for q in queries.captured_queries if "projects_project" in q["sql"]]) == 1
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        execute_batch(
            cursor, [("UPDATE projects_project SET created_by_id = NULL WHERE id = %s", [project.id])]
        )


def test_integer_columns_are_the_rows_of_the_query_in_one_trip():
    import numpy as np

    from annotate.core.sql import integer_columns

    owner = UserFactory(username="pi")
    projects = [ProjectFactory(creator=owner, name=f"P{i}") for i in range(3)]
    query = Project.objects.filter(pk__in=[p.pk for p in projects[1:]]).values_list("id", "created_by_id")
    with CaptureQueriesContext(connection) as queries:
        array = integer_columns(query, 2)
    assert len(queries) == 1
    assert array.dtype == np.int64
    assert array.shape == (2, 2)
    assert sorted(map(tuple, array.tolist())) == sorted(query)
    assert integer_columns(Project.objects.none().values_list("id", "created_by_id"), 2).shape == (0, 2)
