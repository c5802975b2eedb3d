"""The server's tuning variables: a value of the wrong form is one line naming the variable (exit 2), and the
stored answers' retention is never under the week a device may stay offline."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from o2o_tui.platform.settings import BadSetting, settings_from_env
from tests.support.platform import api, free_port, order_body, start_platform


# Each variable and each command in the suite (a server process each), every pair in `python -m bench deep`.
@pytest.mark.covering
@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("O2O_IDEMPOTENCY_RETENTION_DAYS", "abc", "a number"),
        ("O2O_EVENT_RETENTION_HOURS", "nan", "a number"),
        ("O2O_CODE_ATTEMPTS", "1.5", "a whole number"),
    ],
)
@pytest.mark.parametrize("command", ["o2o serve", "python -m o2o_tui.platform"])
def test_a_bad_value_is_one_line_naming_the_variable(
    tmp_path: Path, command: str, name: str, value: str, expected: str
) -> None:
    argv = [sys.executable, "-m", "o2o_tui.platform"] if command.startswith("python") else ["o2o", "serve"]
    env = {**os.environ, "O2O_HOME": str(tmp_path / "home"), "O2O_LANG": "en", name: value}
    db_url = f"sqlite:///{tmp_path / 'platform.sqlite3'}"
    done = subprocess.run(
        [*argv, "--port", str(free_port()), "--db", db_url],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith(f"{name}={value} is not valid") and expected in lines[0]
    assert not (tmp_path / "platform.sqlite3").exists()  # refused before anything was opened


def test_the_parser_names_the_variable_and_raises_a_short_retention(caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(BadSetting) as caught:
        settings_from_env({"O2O_IDEMPOTENCY_RETENTION_DAYS": "abc"})
    assert caught.value.name == "O2O_IDEMPOTENCY_RETENTION_DAYS"
    assert settings_from_env({"O2O_IDEMPOTENCY_RETENTION_DAYS": "1"}).idempotency_retention_days == 7
    assert "O2O_IDEMPOTENCY_RETENTION_DAYS=1 is under its minimum of 7" in caplog.text
    assert settings_from_env({"O2O_IDEMPOTENCY_RETENTION_DAYS": "10"}).idempotency_retention_days == 10


def _backdate(db_url: str, key: str, days: float) -> None:
    moment = (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE idempotency SET created_at = ? WHERE key = ?", (moment, key))


def test_a_retention_under_a_week_is_raised_to_it(tmp_path: Path) -> None:
    """O2O_IDEMPOTENCY_RETENTION_DAYS=1: an answer 2 days old is still replayed (a device offline 2 days would
    otherwise have its queued action applied twice), one 9 days old is forgotten."""
    env = {"O2O_IDEMPOTENCY_RETENTION_DAYS": "1", "O2O_JOB_INTERVAL_SECONDS": "0.2", "O2O_LANG": "en"}
    running = start_platform(tmp_path, env=env)
    try:
        assert running.seed is not None
        customer = api(running, "customer")
        for key in ("two-days", "nine-days"):
            assert customer.post("/v1/orders", order_body(running.seed.store_id), key=key).status_code == 201
        _backdate(running.db_url, "two-days", 2)
        _backdate(running.db_url, "nine-days", 9)
        other = order_body(running.seed.store_id)
        deadline = time.monotonic() + 15
        while customer.post("/v1/orders", other, key="nine-days").status_code != 201:
            assert time.monotonic() < deadline, "the 9-day-old answer was never pruned"
            time.sleep(0.2)
        reused = customer.post("/v1/orders", order_body(running.seed.store_id), key="two-days")
        assert reused.status_code == 422 and reused.json()["error"]["code"] == "idempotency_key_reused"
        assert "O2O_IDEMPOTENCY_RETENTION_DAYS=1 is under its minimum of 7" in running.log_text()
    finally:
        running.stop()
