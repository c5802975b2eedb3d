"""The platform server's log lines say when (operations: a shop's log read the next morning): each starts with its
local time to the millisecond, with its UTC offset, and its level; o2o's own lines and uvicorn's alike
(o2o_tui/platform/log_lines.py)."""

from __future__ import annotations

import re
import socket
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from tests.support.platform import start_platform

STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d) (WARNING|ERROR|CRITICAL) (.+)$")


def _stamped(log: str, words: str) -> datetime:
    """The time of the one line of `log` that says `words`, which must start with a stamp and a level."""
    lines = [line for line in log.splitlines() if words in line]
    assert len(lines) == 1, log
    match = STAMP.match(lines[0])
    assert match is not None, lines[0]
    return datetime.fromisoformat(match.group(1))


def test_o2o_and_uvicorn_lines_start_with_their_time_and_level(tmp_path: Path) -> None:
    running = start_platform(tmp_path)
    try:
        client = running.client("merchant")
        try:  # o2o's own line: a client version the process had not seen
            assert client.get("/v1/me", headers={"User-Agent": "o2o/7.7.7"}).status_code == 200
        finally:
            client.close()
        parts = urlsplit(running.url)
        with socket.create_connection((parts.hostname, parts.port), timeout=5) as raw:  # uvicorn's: not HTTP
            raw.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
            raw.recv(1024)
        deadline = time.monotonic() + 10
        while "Invalid HTTP request" not in running.log_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        log = running.log_text()
    finally:
        running.stop()
    now = datetime.now().astimezone()
    for words in ("client o2o/7.7.7 first seen", "Invalid HTTP request"):
        assert timedelta(0) <= now - _stamped(log, words) < timedelta(minutes=2), log


def test_requests_are_logged_only_when_asked(tmp_path: Path) -> None:
    """`O2O_ACCESS_LOG=1`: a stamped INFO line per request (client, request line, status), never its token; by
    default none (hundreds a second are noise)."""
    for asked, home in ((True, tmp_path / "asked"), (False, tmp_path / "quiet")):
        running = start_platform(home, env={"O2O_ACCESS_LOG": "1"} if asked else {})
        try:
            client = running.client("merchant")
            try:
                assert client.get("/v1/me").status_code == 200
                assert client.get("/v1/orders/ord_nobody").status_code == 404
            finally:
                client.close()
            time.sleep(0.2)
            log = running.log_text()
            token = running.seed.tokens["merchant"] if running.seed else ""
        finally:
            running.stop()
        lines = [line for line in log.splitlines() if '"GET /v1/' in line]
        if not asked:
            assert lines == [], log
            continue
        assert len(lines) == 2, log
        me, missing = lines
        stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d"
        assert re.match(stamp + r" INFO 127\.0\.0\.1:\d+ - \"GET /v1/me HTTP/1\.1\" 200$", me), me
        assert missing.endswith('"GET /v1/orders/ord_nobody HTTP/1.1" 404'), missing
        assert token and token not in log
