"""Write latency with many idle long-polls of other stores: a commit should wake only the polls it concerns.

    python -m bench longpoll [--polls 150] [--stores 15] [--writes 200]

Three runs, each on a fresh server process over a new SQLite file: no polls; `--polls` idle polls spread over
`--stores` other stores, with scoped wake-ups (each commit wakes the polls its events are for); the same polls with
the notifier as it was before issue 9 (every commit wakes every poll, which re-reads the database and waits again).
A write is a customer's new order in store A, one at a time; the table shows its latency median and p95.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from o2o_tui.domain.geo import Address, Position
from o2o_tui.domain.identity import Role
from o2o_tui.platform import db, seed

DESCRIPTION = (
    "long-polls: write latency with 150 idle polls of other stores, scoped wake-ups vs wake-all (before)"
)
QUICK = True
BUDGET_MS = 5.0  # median write latency with 150 idle polls of other stores, at most


def _child(db_url: str, broad: bool) -> None:
    """The server process: the real app; with `broad`, the pre-issue-9 notifier (every commit wakes every poll)."""
    import uvicorn

    from o2o_tui.platform import events
    from o2o_tui.platform.app import create_app
    from o2o_tui.platform.server import bind

    class WakeEveryPoll(events.Notifier):
        async def wait(self, timeout: float, scope: events.Scope | None = None) -> bool:
            return await super().wait(timeout, None)

    app = create_app(db_url, run_jobs=False)
    if broad:
        app.state.platform.notifier = WakeEveryPoll()
    sock = bind("127.0.0.1", 0)
    print(sock.getsockname()[1], flush=True)
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=1
    )
    uvicorn.Server(config).run(sockets=[sock])


def _start(db_url: str, broad: bool) -> tuple[subprocess.Popen[str], str]:
    code = f"from bench.longpoll import _child; _child({db_url!r}, {broad!r})"
    # stderr dropped: at the end uvicorn reports the parked polls it cut short, which is expected here
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    url = f"http://127.0.0.1:{process.stdout.readline().strip()}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the server did not start")


async def _read(reader: asyncio.StreamReader) -> tuple[int, dict]:
    status_line = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return int(status_line.split()[1]), json.loads(await reader.readexactly(length))


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: str, body: bytes = b""
) -> tuple[int, dict]:
    writer.write(head.encode() + body)
    return await _read(reader)


async def _idle_poll(host: str, port: int, token: str, parked: list[int]) -> None:
    """Long-poll forever for a store that gets no events (cancelled at the end of the run)."""
    reader, writer = await asyncio.open_connection(host, port)
    cursor = "latest"
    try:
        while True:
            head = (
                f"GET /v1/events?after={cursor}&wait=60 HTTP/1.1\r\nHost: {host}\r\n"
                f"Authorization: Bearer {token}\r\n\r\n"
            )
            if cursor != "latest":
                parked[0] += 1
            _status, page = await _request(reader, writer, head)
            cursor = page["cursor"]
    finally:
        writer.close()


async def _writes(host: str, port: int, token: str, store_id: str, count: int) -> list[float]:
    reader, writer = await asyncio.open_connection(host, port)
    latencies = []
    try:
        for _ in range(count):
            body = json.dumps(
                {
                    "id": str(uuid.uuid4()),
                    "store_id": store_id,
                    "type": "TAKEOUT",
                    "lines": [
                        {"item_id": "mapo-tofu", "quantity": 1, "option_ids": ["spice-medium", "rice-white"]}
                    ],
                    "customer_name": "压测 Bench",
                    "customer_phone": "13900001111",
                }
            ).encode()
            head = (
                f"POST /v1/orders HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
                f"Idempotency-Key: {uuid.uuid4()}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            )
            started = time.perf_counter()
            status, answer = await _request(reader, writer, head, body)
            latencies.append(time.perf_counter() - started)
            if status != 201:
                raise RuntimeError(f"order: {status} {answer}")
    finally:
        writer.close()
    return latencies


async def _run(url: str, customer: str, store_id: str, poll_tokens: list[str], writes: int) -> list[float]:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    parked = [0]
    polls = [asyncio.create_task(_idle_poll(host, int(port), token, parked)) for token in poll_tokens]
    try:
        deadline = time.monotonic() + 20
        while parked[0] < len(poll_tokens) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)
        await _writes(host, int(port), customer, store_id, 20)  # warm-up
        return await _writes(host, int(port), customer, store_id, writes)
    finally:
        for poll in polls:
            poll.cancel()
        await asyncio.gather(*polls, return_exceptions=True)


def _other_stores(db_url: str, stores: int) -> list[str]:
    """`stores` more stores, each with a merchant; answers the merchants' tokens."""
    engine = db.open_database(db_url)
    tokens = []
    try:
        with db.writing(engine) as conn:
            for index in range(stores):
                store = seed.create_store(
                    conn,
                    name=f"店 {index}",
                    address=Address(text=f"{index} Road", position=Position(lat=31.2, lon=121.4)),
                )
                tokens.append(seed.create_user(conn, role=Role.MERCHANT, name="m", store_id=store.id).token)
    finally:
        engine.dispose()
    return tokens


def _ms(values: list[float], quantile: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(quantile * len(ordered)))]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench longpoll")
    parser.add_argument("--polls", type=int, default=150)
    parser.add_argument("--stores", type=int, default=15, help="other stores the idle polls are spread over")
    parser.add_argument("--writes", type=int, default=200)
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="o2o-bench-") as folder:
        db_url = f"sqlite:///{Path(folder) / 'platform.sqlite3'}"
        seeded = seed.seed_demo(db_url)
        merchants = _other_stores(db_url, args.stores)
        poll_tokens = [merchants[i % len(merchants)] for i in range(args.polls)]
        for label, broad, tokens in (
            ("no polls", False, []),
            (f"{args.polls} idle polls of other stores, scoped wake-ups", False, poll_tokens),
            (f"{args.polls} idle polls of other stores, every commit wakes all (before)", True, poll_tokens),
        ):
            process, url = _start(db_url, broad)
            try:
                latencies = asyncio.run(
                    _run(url, seeded.tokens["customer"], seeded.store_id, tokens, args.writes)
                )
            finally:
                process.terminate()
                process.wait(timeout=10)
            rows.append((label, statistics.median(latencies) * 1000, _ms(latencies, 0.95)))
    width = max(len(label) for label, _, _ in rows)
    print(f"{'new order (one at a time)':{width}}  {'median ms':>9}  {'p95 ms':>7}")
    for label, median, p95 in rows:
        print(f"{label:{width}}  {median:9.2f}  {p95:7.2f}")
    scoped, broad = rows[1][1], rows[2][1]
    verdict = "ok" if scoped <= BUDGET_MS else "OVER BUDGET"
    print(
        f"scoped median {scoped:.2f} ms (budget {BUDGET_MS:.0f} ms: {verdict}); wake-all was {broad / scoped:.1f}x"
    )
