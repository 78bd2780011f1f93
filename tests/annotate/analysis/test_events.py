"""The dashboard's live updates as server-sent events: the first event carries the pulse, a change to the
record sends the next one, a reconnection with the last id sends nothing until something changes, and the
stream ends after its bound. Read through the WSGI path (the test client) and the ASGI path (Django's
asynchronous test client), which production serves."""

import asyncio
import json
import threading
import time

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import AsyncClient

from annotate.analysis import events
from annotate.analysis.selectors import analysis_pulse
from annotate.coding.services import coding_create
from annotate.projects.models import Role
from tests.factories import make_code, make_document

pytestmark = pytest.mark.django_db(transaction=True)
# A multi-threaded WSGI server (runserver, gthread) holds the stream open; the test client says it is not.
THREADED = {"wsgi.multithread": True}


def _events(text: str) -> list[dict[str, str]]:
    """The events of an event-stream text (comments and the retry advice left out)."""
    events = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":"))
        if "event" in fields:
            events.append(fields)
    return events


@pytest.fixture
def coded(project_with_members):
    project, users = project_with_members
    owner = users[Role.OWNER]
    document = make_document(project, owner, text="P01: naloxone.\n\nP01: treatment.")
    code = make_code(project, owner, name="Harm reduction")
    return project, users, document, code


def test_the_stream_sends_the_pulse_then_each_change_and_ends(coded, api_client_for, settings):
    project, users, document, code = coded
    settings.INTERCODER_EVENTS_CHECK_S = 0.05
    settings.INTERCODER_EVENTS_STREAM_S = 1.5
    owner = users[Role.OWNER]
    response = api_client_for(owner).get(
        f"/api/v1/projects/{project.id}/analysis/events/", HTTP_ACCEPT="text/event-stream", **THREADED
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"] == "no-cache, private"
    before = analysis_pulse(project_id=project.id)

    def code_later():
        time.sleep(0.4)
        coding_create(project_id=project.id, coder=owner, segment=document.segments.first(), code=code)

    writer = threading.Thread(target=code_later)
    writer.start()
    started = time.monotonic()
    text = b"".join(response.streaming_content).decode()
    elapsed = time.monotonic() - started
    writer.join()
    after = analysis_pulse(project_id=project.id)

    assert text.startswith("retry: ")
    events = _events(text)
    assert [e["id"] for e in events] == [before, after]
    assert before != after
    assert all(e["event"] == "pulse" and e["data"] == f'{{"pulse": "{e["id"]}"}}' for e in events)
    assert 1.4 <= elapsed < 5, "the stream ends after INTERCODER_EVENTS_STREAM_S"


def test_a_reconnection_with_the_last_id_gets_nothing_until_a_change(coded, api_client_for, settings):
    project, users, _, _ = coded
    settings.INTERCODER_EVENTS_CHECK_S = 0.05
    settings.INTERCODER_EVENTS_STREAM_S = 0.3
    tag = analysis_pulse(project_id=project.id)
    response = api_client_for(users[Role.ADJUDICATOR]).get(
        f"/api/v1/projects/{project.id}/analysis/events/", HTTP_LAST_EVENT_ID=tag, **THREADED
    )
    assert response.status_code == 200
    assert _events(b"".join(response.streaming_content).decode()) == []


def test_a_single_threaded_worker_answers_with_one_look_and_is_not_held(coded, api_client_for, settings):
    """gunicorn's sync workers: the stream ends at once, and EventSource comes back after ``retry``."""
    project, users, _, _ = coded
    settings.INTERCODER_EVENTS_STREAM_S = 60
    url = f"/api/v1/projects/{project.id}/analysis/events/"
    started = time.monotonic()
    response = api_client_for(users[Role.OWNER]).get(url, **{"wsgi.multithread": False})
    text = b"".join(response.streaming_content).decode()
    assert time.monotonic() - started < 5
    assert text.startswith("retry: 3000\n\n")
    (event,) = _events(text)
    assert event["id"] == analysis_pulse(project_id=project.id)
    again = api_client_for(users[Role.OWNER]).get(url, HTTP_LAST_EVENT_ID=event["id"])
    assert _events(b"".join(again.streaming_content).decode()) == []


def test_under_asgi_the_stream_is_asynchronous(coded, settings):
    project, users, _, _ = coded
    settings.INTERCODER_EVENTS_CHECK_S = 0.05
    settings.INTERCODER_EVENTS_STREAM_S = 1.0
    async_to_sync(_first_event_under_asgi)(project, users[Role.OWNER])


async def _first_event_under_asgi(project, owner):
    client = AsyncClient()
    await client.aforce_login(owner)
    response = await client.get(
        f"/api/v1/projects/{project.id}/analysis/events/", HTTP_ACCEPT="text/event-stream"
    )
    assert response.status_code == 200
    assert response.is_async, "under ASGI the events come from an asynchronous generator: no thread held"
    chunks = []
    async for chunk in response.streaming_content:
        chunks.append(chunk.decode())
        if len(_events("".join(chunks))) == 1:
            break
    (event,) = _events("".join(chunks))
    assert event["id"] == await sync_to_async(analysis_pulse)(project_id=project.id)


async def _read_streams(project_id: int, count: int) -> list[str]:
    """``count`` streams of one event loop (one events process), each read to its end."""

    async def read(stream):
        return "".join([piece async for piece in stream])

    streams = [events.pulse_events(project_id=project_id, last_seen=None) for _ in range(count)]
    return await asyncio.gather(*(read(stream) for stream in streams))


def test_the_streams_of_one_process_share_one_look_per_check(coded, settings, monkeypatch):
    """However many browsers follow a project, the database sees one look per check from each process."""
    project, *_ = coded
    settings.INTERCODER_EVENTS_CHECK_S = 0.1
    settings.INTERCODER_EVENTS_STREAM_S = 1.0
    looks = []
    look = events._look

    def counted_look(project_id):
        looks.append(project_id)
        return look(project_id)

    monkeypatch.setattr(events, "_look", counted_look)
    texts = async_to_sync(_read_streams)(project.id, 8)

    tag = analysis_pulse(project_id=project.id)
    assert [[e["id"] for e in _events(text)] for text in texts] == [[tag]] * 8
    # One stream's worth of looks (1.0 s / 0.1 s, give or take the first and the last), not eight.
    assert 5 <= len(looks) <= 13, looks
    assert not any(events._watches.values()), "the last stream to go leaves no watch behind"


def test_a_failed_look_ends_the_streams_and_the_next_stream_looks_afresh(coded, settings, monkeypatch):
    project, *_ = coded
    settings.INTERCODER_EVENTS_CHECK_S = 0.05
    settings.INTERCODER_EVENTS_STREAM_S = 5.0

    def failing_look(project_id):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(events, "_look", failing_look)
    started = time.monotonic()
    texts = async_to_sync(_read_streams)(project.id, 3)
    assert time.monotonic() - started < 2, "the streams end at once: their browsers come back after retry"
    assert all(text.startswith("retry: ") and not _events(text) for text in texts)

    monkeypatch.undo()
    settings.INTERCODER_EVENTS_STREAM_S = 0.3
    (text,) = async_to_sync(_read_streams)(project.id, 1)
    assert [e["id"] for e in _events(text)] == [analysis_pulse(project_id=project.id)]


@pytest.mark.parametrize(("role", "status"), [(Role.CODER, 403), (Role.VIEWER, 403), ("outsider", 404)])
def test_only_analysts_open_the_stream(project_with_members, api_client_for, role, status):
    project, users = project_with_members
    response = api_client_for(users[role]).get(
        f"/api/v1/projects/{project.id}/analysis/events/", HTTP_ACCEPT="text/event-stream"
    )
    assert response.status_code == status
    # EventSource asked for an event stream: the refusal is JSON all the same.
    assert "detail" in json.loads(response.content)
