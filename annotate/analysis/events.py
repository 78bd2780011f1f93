"""The dashboard's live updates as server-sent events: a ``pulse`` event whenever the project's pulse
(``selectors.analysis_pulse``: a write to the research record, or an analysis run requested, started or
finished) differs from the last one the browser saw.

Each event's ``id`` is the pulse, so a browser that reconnects (``EventSource`` sends it back as
``Last-Event-ID``) gets no event until something changes. The server looks at the pulse every
``INTERCODER_EVENTS_CHECK_S``, sends a comment every ``HEARTBEAT_S`` so proxies keep the connection, and
ends the stream after ``INTERCODER_EVENTS_STREAM_S`` (the browser reconnects after ``RETRY_MS``).

How long a stream stays open depends on what holding it costs the server:

- under ASGI (production: the ``events`` service of docker-compose.yml, uvicorn, to which the proxy in
  deploy/nginx routes this one path) the stream is an asynchronous generator: a connection waiting for
  its next event holds no thread, no worker and no database connection (below);
- under a multi-threaded WSGI server (``manage.py runserver``, which ``make run`` starts) the same events
  come from a synchronous generator, one thread per connection (Django would read an asynchronous one to
  its end before sending anything);
- under a single-threaded WSGI worker (gunicorn's ``sync`` workers, which serve every other request in
  production: see gunicorn.conf.py) a held stream would take the whole worker from everyone else, so
  each stream ends after one look, and ``EventSource`` comes back ``RETRY_MS`` later with the last id it
  saw: the same protocol at the cost of a short request every few seconds, never a worker held. This is
  what a deployment without the events process gets.

Under ASGI the database is spared as well, as Zulip spares its own by serving event queues from Tornado
beside its WSGI app:

- the stream gives back the database connection its request opened (authentication, the project role)
  before its first byte, so open dashboards hold no connection each; the gate in core/asgi_gate.py bounds
  how many requests hold one at once while they start;
- the streams of one process that follow the same project share one look per check (``ProjectWatch``):
  the database sees one query per watched project and process each ``INTERCODER_EVENTS_CHECK_S``,
  however many browsers are open on it.

``benchmarks/events.py`` measures the two: 500 open dashboards, each change reaching them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import weakref
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connection

from .selectors import analysis_pulse

HEARTBEAT_S = 15.0
RETRY_MS = 3_000

logger = logging.getLogger(__name__)

# Every look of a process runs in this one thread, so a process holds one database connection for them
# however many projects are watched (a look is a few indexed aggregates, about a millisecond).
_LOOKS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pulse-look")


def _event(tag: str) -> str:
    return f"id: {tag}\nevent: pulse\ndata: {json.dumps({'pulse': tag})}\n\n"


class PulseStream:
    """The events of one connection: ``step(tag, now)`` says what to send after a look at the pulse."""

    def __init__(self, *, last_seen: str | None, started: float) -> None:
        self.last_seen = last_seen
        self.started = started
        self.last_sent = started

    def first(self) -> str:
        return f"retry: {RETRY_MS}\n\n"

    def step(self, tag: str, now: float) -> str:
        if tag != self.last_seen:
            self.last_seen = tag
            self.last_sent = now
            return _event(tag)
        if now - self.last_sent >= HEARTBEAT_S:
            self.last_sent = now
            return ": still here\n\n"
        return ""

    def over(self, now: float) -> bool:
        return now - self.started >= settings.INTERCODER_EVENTS_STREAM_S

    def due(self, now: float) -> float:
        """Seconds until this stream has something to send without a change: a heartbeat or its end."""
        heartbeat = self.last_sent + HEARTBEAT_S
        end = self.started + settings.INTERCODER_EVENTS_STREAM_S
        return max(0.0, min(heartbeat, end) - now)


def pulse_events_sync(*, project_id: int, last_seen: str | None, hold: bool) -> Iterator[str]:
    """``hold``: keep the stream open (a thread per connection); else one look, then the end."""
    stream = PulseStream(last_seen=last_seen, started=time.monotonic())
    yield stream.first()
    while True:
        now = time.monotonic()
        if piece := stream.step(analysis_pulse(project_id=project_id), now):
            yield piece
        if not hold or stream.over(now):
            return
        time.sleep(settings.INTERCODER_EVENTS_CHECK_S)


def _look(project_id: int) -> str:
    """One look at the pulse, in the looks' thread: its connection is renewed or closed as
    ``DATABASE_CONN_MAX_AGE`` says, as a request's would be, since no request ends in this thread."""
    close_old_connections()
    try:
        return analysis_pulse(project_id=project_id)
    finally:
        close_old_connections()


class ProjectWatch:
    """The pulse of one project, looked at every ``INTERCODER_EVENTS_CHECK_S`` for every stream of this
    event loop that follows it, while at least one does.

    ``tag`` is the latest pulse (None before the first look); ``changed`` is set when it changes, or when a
    look fails (``failed``: the streams end, and their browsers come back ``RETRY_MS`` later).
    """

    def __init__(self, project_id: int) -> None:
        self.project_id = project_id
        self.tag: str | None = None
        self.failed = False
        self.followers = 0
        self.changed = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        look = sync_to_async(_look, thread_sensitive=False, executor=_LOOKS)
        try:
            while self.followers:
                tag = await look(self.project_id)
                if tag != self.tag:
                    self.tag = tag
                    self._wake()
                await asyncio.sleep(settings.INTERCODER_EVENTS_CHECK_S)
        except Exception:
            logger.exception("the pulse of project %s could not be read", self.project_id)
            self.failed = True
            self._wake()
        finally:
            _forget(self)

    def _wake(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()


# The watches of each event loop (one per process under uvicorn; tests run several loops in turn).
_watches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, ProjectWatch]] = (
    weakref.WeakKeyDictionary()
)


def _follow(project_id: int) -> ProjectWatch:
    loop = asyncio.get_running_loop()
    watches = _watches.setdefault(loop, {})
    watch = watches.get(project_id)
    if watch is None:
        watch = watches[project_id] = ProjectWatch(project_id)
        watch.task = loop.create_task(watch._run())  # held here: the loop keeps only a weak reference
    watch.followers += 1
    return watch


def _forget(watch: ProjectWatch) -> None:
    watches = _watches.get(asyncio.get_running_loop(), {})
    if watches.get(watch.project_id) is watch:
        del watches[watch.project_id]


def _close_request_connection() -> None:
    """Run in the request's own thread (``sync_to_async``'s default): the connection that authenticated
    the request goes back now, not when the stream ends minutes later."""
    connection.close()


async def pulse_events(*, project_id: int, last_seen: str | None) -> AsyncIterator[str]:
    stream = PulseStream(last_seen=last_seen, started=time.monotonic())
    await sync_to_async(_close_request_connection)()  # before the first byte: see core/asgi_gate.py
    yield stream.first()
    watch = _follow(project_id)
    try:
        while True:
            changed = watch.changed  # before reading the tag: a change after the read still wakes us
            if watch.failed:
                return
            wait = None  # before the first look: until it is done
            if watch.tag is not None:
                now = time.monotonic()
                if piece := stream.step(watch.tag, now):
                    yield piece
                if stream.over(now):
                    return
                wait = stream.due(time.monotonic())  # a heartbeat or the end, unless a change comes first
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), timeout=wait)
    finally:
        watch.followers -= 1  # at zero the watch's task ends after its current sleep, and forgets it
