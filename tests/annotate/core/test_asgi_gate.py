"""The gate on an ASGI process's starting requests: no more than its limit before their first body byte,
a held stream stops counting once it streams, and a request that fails lets the next one through."""

import asyncio

import pytest

from annotate.core.asgi_gate import RequestStartGate


class StreamingApp:
    """Each request works ``work_s`` (its synchronous part), starts its answer, then holds it open until
    ``release`` is set. Records the most requests seen in their synchronous part at once."""

    def __init__(self, work_s: float = 0.02, fail: bool = False) -> None:
        self.work_s, self.fail = work_s, fail
        self.starting = self.most_starting = self.streaming = 0
        self.release = asyncio.Event()

    async def __call__(self, scope, receive, send):
        self.starting += 1
        self.most_starting = max(self.most_starting, self.starting)
        await asyncio.sleep(self.work_s)
        self.starting -= 1
        if self.fail:
            raise RuntimeError("the view failed")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"retry: 3000\n\n", "more_body": True})
        self.streaming += 1
        await self.release.wait()
        await send({"type": "http.response.body", "body": b""})


async def _noop_send(message):
    return None


async def _receive():
    return {"type": "http.request", "body": b""}


def _request(gate):
    return gate({"type": "http", "path": "/"}, _receive, _noop_send)


def test_no_more_than_the_limit_start_at_once_and_streams_do_not_count():
    async def scenario():
        app = StreamingApp()
        gate = RequestStartGate(app, limit=3)
        requests = [asyncio.create_task(_request(gate)) for _ in range(20)]
        for _ in range(200):
            if app.streaming == 20:
                break
            await asyncio.sleep(0.01)
        streaming = app.streaming
        app.release.set()
        await asyncio.gather(*requests)
        return app.most_starting, streaming

    most_starting, streaming = asyncio.run(scenario())
    assert most_starting == 3
    assert streaming == 20, "twenty held streams, through a gate of three"


def test_a_failed_request_lets_the_next_one_through():
    async def scenario():
        failing = RequestStartGate(StreamingApp(fail=True), limit=1)
        for _ in range(3):
            with pytest.raises(RuntimeError):
                await asyncio.wait_for(_request(failing), timeout=1)

    asyncio.run(scenario())


def test_other_kinds_of_connection_pass_untouched():
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["type"])

    asyncio.run(RequestStartGate(app, limit=1)({"type": "lifespan"}, _receive, _noop_send))
    assert seen == ["lifespan"]
    with pytest.raises(ValueError, match="at least one"):
        RequestStartGate(app, limit=0)
