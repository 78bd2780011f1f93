"""A bound on the requests an ASGI process runs synchronous code for at once.

Under ASGI, Django runs each request's synchronous part (middleware, authentication, a DRF view) in a
thread of its own, and each such thread opens its own database connection. A held event stream gives its
connection back before its first byte (``annotate/analysis/events.py``), but the arrival is the danger:
after a restart every open Analysis tab reconnects within the same few seconds. In the first run of
``benchmarks/events.py``, when a stream still gave its connection back only after its first byte, 500
browsers connecting at once were answered 503 by a PostgreSQL that allows 100 connections. Giving it back
first brought the most seen to 21 without this gate and 18 with it, with a load generator in one process
that opens its connections one after another; browsers on many machines arrive closer together. The gate
lets ``limit`` requests at a time through, each until its answer starts sending its body; the rest wait
their turn, which is milliseconds, so the connections a process opens for starting requests stay at
``limit`` however the wave comes.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class RequestStartGate:
    """At most ``limit`` HTTP requests between their arrival and the first body message of their answer."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        if limit < 1:
            raise ValueError("the gate must let at least one request through")
        self.app = app
        self.limit = limit
        # One semaphore per event loop: a process serves from one, tests run several in turn.
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        gate = self._gates.setdefault(asyncio.get_running_loop(), asyncio.Semaphore(self.limit))
        await gate.acquire()
        through = False

        def let_through() -> None:
            nonlocal through
            if not through:
                through = True
                gate.release()

        async def gated_send(message: Message) -> None:
            if message["type"] == "http.response.body":
                let_through()
            await send(message)

        try:
            await self.app(scope, receive, gated_send)
        finally:
            let_through()
