"""The dashboard's live updates as server-sent events: a ``pulse`` event whenever the project's pulse
(``selectors.analysis_pulse``: a write to the research record, or an analysis run requested, started or
finished) differs from the last one the browser saw.

Each event's ``id`` is the pulse, so a browser that reconnects (``EventSource`` sends it back as
``Last-Event-ID``) gets no event until something changes. The server looks at the pulse every
``INTERCODER_EVENTS_CHECK_S``, sends a comment every ``HEARTBEAT_S`` so proxies keep the connection, and
ends the stream after ``INTERCODER_EVENTS_STREAM_S`` (the browser reconnects after ``RETRY_MS``).

How long a stream stays open depends on what holding it costs the server:

- under ASGI the stream is an asynchronous generator: a connection waiting for its next look holds no
  thread and no worker;
- under a multi-threaded WSGI server (``manage.py runserver``, gunicorn's ``gthread`` workers) the same
  events come from a synchronous generator, one thread per connection (Django would read an asynchronous
  one to its end before sending anything);
- under a single-threaded WSGI worker (gunicorn's ``sync`` workers, the production default: see
  gunicorn.conf.py) a held stream would take the whole worker from everyone else, so each stream ends
  after one look, and ``EventSource`` comes back ``RETRY_MS`` later with the last id it saw: the same
  protocol at the cost of a short request every few seconds, never a worker held.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.conf import settings

from .selectors import analysis_pulse

HEARTBEAT_S = 15.0
RETRY_MS = 3_000


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


async def pulse_events(*, project_id: int, last_seen: str | None) -> AsyncIterator[str]:
    stream = PulseStream(last_seen=last_seen, started=time.monotonic())
    look = sync_to_async(analysis_pulse)
    yield stream.first()
    while True:
        now = time.monotonic()
        if piece := stream.step(await look(project_id=project_id), now):
            yield piece
        if stream.over(now):
            return
        await asyncio.sleep(settings.INTERCODER_EVENTS_CHECK_S)
