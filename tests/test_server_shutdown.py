"""Stopping `o2o serve` while consoles long-poll: the polls are answered and the server exits at once, with no
traceback in its log (before, uvicorn cancelled them after its 2 s grace and logged "Exception in ASGI application"
with a CancelledError for each: what an operator reads after every restart)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from tests.support.platform import start_platform


def test_long_polls_are_answered_and_the_server_stops_without_a_traceback(tmp_path: Path) -> None:
    platform = start_platform(tmp_path)
    answers: list[int] = []
    try:
        with platform.client("merchant") as client:
            cursor = client.get("/v1/events").json()["cursor"]

        def poll() -> None:
            with platform.client("merchant") as client:
                answers.append(client.get("/v1/events", params={"after": cursor, "wait": 25}).status_code)

        polls = [threading.Thread(target=poll) for _ in range(3)]
        for thread in polls:
            thread.start()
        time.sleep(1.0)  # parked on the server
        started = time.monotonic()
        platform.stop()
        stopped_in = time.monotonic() - started
        for thread in polls:
            thread.join(timeout=10)
    finally:
        platform.stop()
    log = platform.log_text()
    assert "Traceback" not in log and "Exception in ASGI application" not in log, log
    assert answers == [200, 200, 200]
    assert stopped_in < 1.5, stopped_in  # not the 2 s grace uvicorn waits before it cancels
