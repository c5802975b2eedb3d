"""A long poll already waiting when its user is disabled (or its token revoked or rotated) is answered 401 within
about a second, as a new request would be, and never with the events that come after: the poll checks its token
again (through the token cache) about every second while it waits and before it answers with events. A poller
whose token still works gets its events as before."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.platform import RunningPlatform, api, order_body, start_platform


def _admin(running: RunningPlatform, *args: str) -> None:
    env = {**os.environ, "O2O_LANG": "en"}
    done = subprocess.run(
        ["o2o", "admin", *args, "--db", running.db_url], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


class _Poll:
    """One long poll of the event feed (wait=30 s) in a thread; `answer` and when it came, once it has."""

    def __init__(self, running: RunningPlatform, token: str) -> None:
        self._client = httpx.Client(base_url=running.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
        cursor = self._client.get("/v1/events").json()["cursor"]
        self.answer: httpx.Response | None = None
        self.at = 0.0
        self._thread = threading.Thread(target=self._run, args=(cursor,), daemon=True)
        self._thread.start()
        time.sleep(0.5)  # parked

    def _run(self, cursor: str) -> None:
        self.answer = self._client.get("/v1/events", params={"after": cursor, "wait": 30})
        self.at = time.monotonic()

    def join(self) -> httpx.Response:
        self._thread.join(timeout=60)
        self._client.close()
        assert self.answer is not None
        return self.answer


def _new_request(running: RunningPlatform, token: str) -> Any:
    with httpx.Client(base_url=running.url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        answer = client.get("/v1/events")
    assert answer.status_code == 401, answer.text
    return answer.json()


@pytest.mark.parametrize("how", ["disable-user", "revoke-token", "rotate-token"])
def test_a_waiting_poll_of_a_refused_token_answers_401_within_a_second(tmp_path: Path, how: str) -> None:
    running = start_platform(tmp_path)
    try:
        assert running.seed is not None
        token = running.seed.tokens["dispatcher"]
        refused = _Poll(running, token)
        kept = _Poll(running, running.seed.tokens["merchant"])  # the same store's other device: still served
        _admin(running, how, running.seed.user_ids["dispatcher"])
        done_at = time.monotonic()
        time.sleep(2.0)
        customer = api(running, "customer")
        assert customer.post("/v1/orders", order_body(running.seed.store_id)).status_code == 201
        customer.close()
        answer = refused.join()
        assert answer.status_code == 401, answer.text  # before the fix: 200 with order.created
        assert answer.json() == _new_request(running, token)  # the same 401 a new request gets
        assert refused.at - done_at < 2.0, refused.at - done_at  # within about a second, not at the order
        served = kept.join()
        assert served.status_code == 200, served.text
        assert [event["type"] for event in served.json()["events"]][:1] == ["order.created"]
    finally:
        running.stop()


def test_a_poll_answers_no_events_to_a_token_refused_as_they_come(tmp_path: Path) -> None:
    """Disabled and an order placed at once: the events wake the poll, which checks the token before answering."""
    running = start_platform(tmp_path)
    try:
        assert running.seed is not None
        poll = _Poll(running, running.seed.tokens["dispatcher"])
        _admin(running, "disable-user", running.seed.user_ids["dispatcher"])
        time.sleep(0.6)  # the token cache's half second: the next lookup asks the database
        customer = api(running, "customer")
        assert customer.post("/v1/orders", order_body(running.seed.store_id)).status_code == 201
        customer.close()
        answer = poll.join()
        assert answer.status_code == 401, answer.text
        assert answer.json()["error"]["code"] == "user_disabled"
    finally:
        running.stop()
