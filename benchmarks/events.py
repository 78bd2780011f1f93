"""Live updates: how soon a change reaches every open Analysis tab, held streams (production: the
``events`` process, uvicorn) against the reconnecting streams a sync gunicorn worker serves.

``--dashboards`` browsers (default 500) follow one project's event stream
(``GET /api/v1/projects/<id>/analysis/events/``) while ``--writes`` changes to the record (a code added
to the codebook through the web app, each a new audit event) are made ``--gap`` seconds apart, plus up
to a second at random. For each change and each browser the latency is the time from the write's answer
to that browser's event.

- **ours**: the streams held open by uvicorn (``annotate.asgi``, two processes as docker-compose.yml runs
  it). Also measured: the database connections the events processes hold (the most seen in
  pg_stat_activity, every 20 ms) while the browsers connect, all at once as after a restart
  (``opening_db_connections``), and while they follow (``db_connections``); and the requests per second
  the open tabs cost (``rps``).
- **reference**: what a browser gets from gunicorn's sync workers alone (gunicorn.conf.py, the web app's
  server): each stream ends after one look, and the browser comes back ``RETRY_MS`` (3 s) later with the
  last id it saw, as ``EventSource`` does. ``reference_rps`` is the load those reconnections put on the
  web app's workers.

``ours_s`` / ``reference_s`` are the p95 latencies; ``ratio`` = reference p95 / ours p95. ``peak_mb`` is the
events processes' peak resident memory (summed), ``missed`` the (browser, change) pairs not delivered within
10 s; ``reference_peak_mb`` the web app's (which serves the writes in both phases). Both servers look at the pulse every ``INTERCODER_EVENTS_CHECK_S`` (1 s, the default).

    .venv/bin/python benchmarks/events.py            # 500 dashboards, 10 changes
    .venv/bin/python benchmarks/events.py --quick    # 10 dashboards, 2 changes, seconds

Clients are asyncio + httpx in this process; the database is ``BENCH_DATABASE_URL``, else
``$DATABASE_URL`` + ``_events_bench``, dropped and re-created.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sys
import time

from _harness import ROOT, Measurement, emit, parser, percentile
from _servers import (
    app_env,
    bench_database_url,
    free_port,
    recreate_database,
    server_peak_mb,
    set_up_study,
    start_server,
    stop,
)

BENCH_DB = bench_database_url("_events_bench")
PYTHON = sys.executable
EVENTS_APP_NAME = "intercoder-events-bench"
RETRY_S = 3.0  # annotate.analysis.events.RETRY_MS
DELIVERY_TIMEOUT_S = 10.0

SETUP = r"""
import json
from annotate.accounts.services import api_token_create
from tests.factories import ProjectFactory, UserFactory

owner = UserFactory(username="bench-pi")
project = ProjectFactory(creator=owner, name="Events bench")
print(json.dumps({"project": project.id, "token": api_token_create(user=owner, name="events bench")[1]}))
"""


def _env(app_name: str) -> dict[str, str]:
    return app_env(BENCH_DB, PGAPPNAME=app_name)  # names the process's connections in pg_stat_activity


def _event_ids(text: str) -> list[str]:
    return [line[4:] for line in text.splitlines() if line.startswith("id: ")]


class Browser:
    """One open Analysis tab: when each pulse id first reached it."""

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}
        self.last: str | None = None
        self.requests = 0
        self.errors = 0

    def saw(self, ids: list[str]) -> None:
        now = time.perf_counter()
        for tag in ids:
            self.seen.setdefault(tag, now)
            self.last = tag

    def first_since(self, moment: float) -> float | None:
        """When the first event after ``moment`` reached this browser (None: none yet)."""
        return min((when for when in self.seen.values() if when >= moment), default=None)


async def _held(client, url: str, browser: Browser, done: asyncio.Event) -> None:
    """A stream the server holds: one request, events as they come (reopened if the server ends it)."""
    while not done.is_set():
        headers = {"Last-Event-ID": browser.last} if browser.last else {}
        browser.requests += 1
        try:
            async with client.stream("GET", url, headers=headers) as response:
                if response.status_code != 200:
                    browser.errors += 1
                    await asyncio.sleep(RETRY_S)
                    continue
                async for line in response.aiter_lines():
                    browser.saw(_event_ids(line))
                    if done.is_set():
                        return
        except Exception:
            browser.errors += 1
            await asyncio.sleep(RETRY_S)


async def _reconnecting(client, url: str, browser: Browser, done: asyncio.Event) -> None:
    """EventSource against a sync worker: one look per request, back after ``RETRY_S``, from a random phase."""
    await asyncio.sleep(RETRY_S * (hash(id(browser)) % 1000) / 1000)
    while not done.is_set():
        headers = {"Last-Event-ID": browser.last} if browser.last else {}
        browser.requests += 1
        try:
            response = await client.get(url, headers=headers)
            if response.status_code == 200:
                browser.saw(_event_ids(response.text))
            else:
                browser.errors += 1
        except Exception:
            browser.errors += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=RETRY_S)


async def _phase(
    follow, events_base: str, web_base: str, data: dict, dashboards: int, writes: int, gap: float
):
    """The browsers follow the project on ``events_base``; changes are written through ``web_base``.
    Returns (latencies, missed, requests per second, (most database connections of the events
    processes while the browsers connect, and while they follow), errors)."""
    import httpx
    import psycopg

    headers = {"Authorization": f"Token {data['token']}", "Accept": "text/event-stream"}
    limits = httpx.Limits(max_connections=dashboards + 10, max_keepalive_connections=dashboards + 10)
    url = f"/api/v1/projects/{data['project']}/analysis/events/"
    browsers = [Browser() for _ in range(dashboards)]
    done = asyncio.Event()
    async with (
        httpx.AsyncClient(base_url=events_base, headers=headers, limits=limits, timeout=30) as client,
        httpx.AsyncClient(
            base_url=web_base, headers={"Authorization": headers["Authorization"]}, timeout=30
        ) as web,
        await psycopg.AsyncConnection.connect(
            BENCH_DB.rsplit("/", 1)[0] + "/postgres", autocommit=True
        ) as db,
    ):
        counts: list[int] = []

        async def count_connections() -> None:
            while not done.is_set():
                cursor = await db.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [EVENTS_APP_NAME]
                )
                counts.append((await cursor.fetchone())[0])
                await asyncio.sleep(0.02)

        counter = asyncio.create_task(count_connections())
        # All the browsers at once, as after a restart: the wave of connections is counted too.
        tasks = [asyncio.create_task(follow(client, url, b, done)) for b in browsers]
        deadline = time.perf_counter() + 60
        while not all(b.seen for b in browsers) and time.perf_counter() < deadline:
            await asyncio.sleep(0.1)
        opened = len(counts)
        latencies: list[float] = []
        missed = 0
        start_requests = sum(b.requests for b in browsers)
        started = time.perf_counter()
        phases = random.Random(1)
        for i in range(writes):
            # A random phase against the servers' looks (every INTERCODER_EVENTS_CHECK_S, 1 s), so the
            # changes do not all land at the same point of the cycle.
            await asyncio.sleep(gap + phases.uniform(0, 1))
            response = await web.post(
                f"/api/v1/projects/{data['project']}/codebook/codes/",
                json={"name": f"Bench theme {follow.__name__} {i}"},
            )
            response.raise_for_status()
            written = time.perf_counter()
            deadline = written + DELIVERY_TIMEOUT_S
            while time.perf_counter() < deadline and any(b.first_since(written) is None for b in browsers):
                await asyncio.sleep(0.05)
            arrivals = [b.first_since(written) for b in browsers]
            latencies += [when - written for when in arrivals if when is not None]
            missed += arrivals.count(None)
        elapsed = time.perf_counter() - started
        rps = (sum(b.requests for b in browsers) - start_requests) / elapsed
        done.set()
        for task in [*tasks, counter]:
            task.cancel()
        await asyncio.gather(*tasks, counter, return_exceptions=True)
        connections = (max(counts[:opened], default=0), max(counts[opened:], default=0))
    return latencies, missed, rps, connections, sum(b.errors for b in browsers)


def main() -> None:
    args_parser = parser(__doc__.splitlines()[0])
    args_parser.add_argument("--dashboards", type=int, default=500)
    args_parser.add_argument("--writes", type=int, default=10)
    args_parser.add_argument("--gap", type=float, default=4.0, help="seconds between two changes")
    args = args_parser.parse_args()
    dashboards, writes, gap = args.dashboards, args.writes, args.gap
    if args.quick:
        dashboards, writes, gap = 10, 2, 1.5
    recreate_database(BENCH_DB)
    data = set_up_study(_env("intercoder-bench-setup"), SETUP)
    web_port, events_port = free_port(), free_port()
    web = start_server(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "annotate.wsgi:application",
            "-b",
            f"127.0.0.1:{web_port}",
            "--log-level",
            "warning",
        ],
        web_port,
        cwd=ROOT,
        env=_env("intercoder-web-bench"),
    )
    try:
        uvicorn = [PYTHON, "-m", "uvicorn", "annotate.asgi:application", "--host", "127.0.0.1"]
        uvicorn += ["--port", str(events_port), "--workers", "2", "--log-level", "warning", "--no-access-log"]
        events = start_server(
            [*uvicorn, "--timeout-graceful-shutdown", "2"],
            events_port,
            cwd=ROOT,
            env=_env(EVENTS_APP_NAME),
        )
        try:
            web_base, events_base = f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{events_port}"
            ours = asyncio.run(_phase(_held, events_base, web_base, data, dashboards, writes, gap))
            peak = server_peak_mb(events)
        finally:
            stop(events)
        reference = asyncio.run(_phase(_reconnecting, web_base, web_base, data, dashboards, writes, gap))
        web_peak = server_peak_mb(web)
    finally:
        stop(web)
    (latencies, missed, rps, connections, errors) = ours
    (ref_latencies, ref_missed, ref_rps, _, ref_errors) = reference
    p95, ref_p95 = percentile(latencies, 0.95), percentile(ref_latencies, 0.95)
    emit(
        f"push to {dashboards} open dashboards",
        Measurement(seconds=p95, peak_mb=peak, result=None),
        "reconnect every 3 s (gunicorn sync workers)",
        Measurement(seconds=ref_p95, peak_mb=web_peak, result=None),
        p50_ms=round(percentile(latencies, 0.5) * 1000, 1),
        p95_ms=round(p95 * 1000, 1),
        reference_p50_ms=round(percentile(ref_latencies, 0.5) * 1000, 1),
        reference_p95_ms=round(ref_p95 * 1000, 1),
        rps=round(rps, 2),
        reference_rps=round(ref_rps, 1),
        opening_db_connections=connections[0],
        db_connections=connections[1],
        missed=missed,
        reference_missed=ref_missed,
        errors=errors,
        reference_errors=ref_errors,
        dashboards=dashboards,
        writes=writes,
        quick=args.quick,
    )


if __name__ == "__main__":
    main()
