"""Concurrent writes on one object, with real threads on PostgreSQL: the second writer gets 404 or its own
success, never a 500, and no two writers wait on each other in a circle.

A third connection holds the row's lock while the requests queue behind it in a chosen order (PostgreSQL
grants a row's lock to its waiters first come, first served); releasing it lets them run in that order."""

import threading
import time

import psycopg
import pytest
from django.db import connection, connections

from annotate.memos.services import memo_create
from tests.factories import make_case, make_document

pytestmark = pytest.mark.django_db(transaction=True)


class RowHolder:
    """A separate connection that locks one row until ``release``."""

    def __init__(self, table: str, pk: int) -> None:
        settings = connection.settings_dict
        self.db = psycopg.connect(
            dbname=settings["NAME"],
            user=settings["USER"],
            host=settings["HOST"],
            port=settings["PORT"] or 5432,
        )
        self.db.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [pk])

    def waiters(self) -> int:
        with psycopg.connect(
            dbname=connection.settings_dict["NAME"], user="postgres", host="127.0.0.1", autocommit=True
        ) as probe:
            return probe.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            ).fetchone()[0]

    def wait_for_waiters(self, n: int) -> None:
        deadline = time.monotonic() + 10
        while self.waiters() < n:
            assert time.monotonic() < deadline, f"{n} requests never queued for the lock"
            time.sleep(0.02)

    def release(self) -> None:
        self.db.rollback()
        self.db.close()


def _in_thread(results, key, call):
    def run():
        try:
            results[key] = call()
        except Exception as error:  # a server error: the test client raises what the view raised
            results[key] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _race(holder, first, second):
    """Send ``first``, then ``second`` once ``first`` waits for the lock; release; both responses."""
    results = {}
    threads = [_in_thread(results, "first", first)]
    holder.wait_for_waiters(1)
    threads.append(_in_thread(results, "second", second))
    holder.wait_for_waiters(2)
    holder.release()
    for thread in threads:
        thread.join(timeout=30)
    errors = [r for r in results.values() if isinstance(r, Exception)]
    assert errors == [], f"a request failed with a server error: {errors!r}"
    return results["first"], results["second"]


def test_a_case_deleted_while_an_edit_waits_gives_the_edit_404(project_with_members, api_client_for):
    project, users = project_with_members
    case = make_case(project, users["owner"], identifier="P01")
    url = f"/api/v1/projects/{project.id}/cases/{case.id}/"
    client = api_client_for(users["owner"])
    holder = RowHolder("cases_case", case.id)
    deleted, edited = _race(
        holder, lambda: client.delete(url), lambda: client.patch(url, {"description": "x"}, format="json")
    )
    assert deleted.status_code == 204, deleted.content
    assert edited.status_code == 404, edited.content
    assert "no longer exists" in edited.json()["detail"]


def test_a_transcript_deleted_while_an_edit_waits_gives_the_edit_404(project_with_members, api_client_for):
    project, users = project_with_members
    document = make_document(project, users["owner"], text="P01: hello.")
    url = f"/api/v1/projects/{project.id}/documents/{document.id}/"
    client = api_client_for(users["owner"])
    holder = RowHolder("documents_document", document.id)
    deleted, edited = _race(
        holder,
        lambda: client.delete(url, {"reason": "duplicate"}, format="json"),
        lambda: client.patch(url, {"title": "New"}, format="json"),
    )
    assert deleted.status_code == 204, deleted.content
    assert edited.status_code == 404, edited.content


def test_a_memo_edited_and_deleted_at_once_both_finish(project_with_members, api_client_for):
    """Edit and delete take the memo's row, then the audit chain: the edit (first in line) finishes, then
    the delete. With the two locks in opposite orders they deadlocked and one got a 500."""
    project, users = project_with_members
    memo = memo_create(project_id=project.id, author=users["owner"], text="First thoughts.")
    url = f"/api/v1/projects/{project.id}/memos/{memo.id}/"
    client = api_client_for(users["owner"])
    holder = RowHolder("memos_memo", memo.id)
    edited, deleted = _race(
        holder,
        lambda: client.patch(url, {"text": "Second thoughts."}, format="json"),
        lambda: client.delete(url),
    )
    assert (edited.status_code, deleted.status_code) == (200, 204), (edited.content, deleted.content)


def test_a_memo_deleted_while_an_edit_waits_gives_the_edit_404(project_with_members, api_client_for):
    project, users = project_with_members
    memo = memo_create(project_id=project.id, author=users["owner"], text="First thoughts.")
    url = f"/api/v1/projects/{project.id}/memos/{memo.id}/"
    client = api_client_for(users["owner"])
    holder = RowHolder("memos_memo", memo.id)
    deleted, edited = _race(
        holder, lambda: client.delete(url), lambda: client.patch(url, {"text": "Too late."}, format="json")
    )
    assert (deleted.status_code, edited.status_code) == (204, 404), (deleted.content, edited.content)
