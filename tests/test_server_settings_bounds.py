"""Each numeric knob has its bounds: a value outside stops the server with one line naming the variable and the
bounds (exit 2); a retention under the minimum that exists for safety (7 days of stored answers, 90 days of ended
orders) is raised to it with one warning, the same rule for both."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.i18n import set_language
from o2o_tui.platform import order_retention
from o2o_tui.platform.settings import _BOUNDS, _ENV, SettingOutOfBounds, Settings, settings_from_env
from tests.support.platform import free_port


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


@pytest.mark.parametrize(
    ("name", "value", "bounds"),
    [
        ("O2O_JOB_INTERVAL_SECONDS", "0", "from 0.1 to 3600"),
        ("O2O_JOB_INTERVAL_SECONDS", "-5", "from 0.1 to 3600"),
        ("O2O_PURGE_PERSONAL_HOURS", "-1", "from 0 to 8760"),
        ("O2O_ORDER_RETENTION_DAYS", "-1", "from 0 to 36500"),
        ("O2O_HEARTBEAT_MINUTES", "0", "over 0, up to 1440"),
        ("O2O_EVENT_RECHECK_SECONDS", "0", "from 0.05 to 60"),
        ("O2O_BODY_MIN_BYTES_PER_SECOND", "0", "over 0"),
        ("O2O_CODE_ATTEMPTS", "0", "from 1 to 1000"),
        ("O2O_MAX_CONCURRENT_BODIES", "0", "from 1 to 10000"),
        ("O2O_REFUND_WINDOW_DAYS", "1e9", "from 0 to 365"),
    ],
)
def test_a_value_out_of_bounds_names_the_variable_and_the_bounds(name: str, value: str, bounds: str) -> None:
    with pytest.raises(SettingOutOfBounds) as caught:
        settings_from_env({name: value})
    said = caught.value.message()
    assert said.startswith(f"{name}={value} is out of bounds") and bounds in said, said
    assert "\n" not in said


def test_every_number_has_bounds_that_hold_its_default() -> None:
    defaults = Settings()
    numeric = [field for field in _ENV if isinstance(getattr(defaults, field), int | float | None)]
    numeric = [field for field in numeric if not isinstance(getattr(defaults, field), bool)]
    assert set(numeric) <= set(_BOUNDS), set(numeric) - set(_BOUNDS)
    for field, bounds in _BOUNDS.items():
        value = getattr(defaults, field)
        assert value is None or bounds.holds(float(value)), (field, value)


@pytest.mark.parametrize("command", ["o2o serve", "python -m o2o_tui.platform"])
def test_a_job_interval_of_zero_stops_the_server_in_one_line(tmp_path: Path, command: str) -> None:
    argv = [sys.executable, "-m", "o2o_tui.platform"] if command.startswith("python") else ["o2o", "serve"]
    env = {**os.environ, "O2O_HOME": str(tmp_path / "home"), "O2O_LANG": "en", "O2O_JOB_INTERVAL_SECONDS": "0"}
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
    assert lines[0] == "O2O_JOB_INTERVAL_SECONDS=0 is out of bounds: it takes a value from 0.1 to 3600."
    assert not (tmp_path / "platform.sqlite3").exists()  # refused before anything was opened


def test_order_retention_under_its_minimum_is_raised_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="o2o.platform.settings"):
        assert settings_from_env({"O2O_ORDER_RETENTION_DAYS": "5"}).order_retention_days == 90
    assert "O2O_ORDER_RETENTION_DAYS=5 is under its minimum of 90" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="o2o.platform.settings"):
        assert settings_from_env({"O2O_ORDER_RETENTION_DAYS": "0"}).order_retention_days == 0  # kept forever
        assert settings_from_env({"O2O_ORDER_RETENTION_DAYS": "120"}).order_retention_days == 120
        assert settings_from_env({"O2O_IDEMPOTENCY_RETENTION_DAYS": "10"}).idempotency_retention_days == 10
    assert caplog.text == ""
    with caplog.at_level(logging.WARNING, logger="o2o.platform.settings"):
        assert settings_from_env({"O2O_IDEMPOTENCY_RETENTION_DAYS": "0"}).idempotency_retention_days == 7
    assert "O2O_IDEMPOTENCY_RETENTION_DAYS=0 is under its minimum of 7" in caplog.text
    assert order_retention.kept_days(5) == order_retention.FIGURES_DAYS  # a setting given in code, still safe


def test_values_inside_the_bounds_are_taken_as_given() -> None:
    chosen = settings_from_env(
        {
            "O2O_JOB_INTERVAL_SECONDS": "0.2",
            "O2O_EVENT_RETENTION_HOURS": "0.0003",
            "O2O_PURGE_PERSONAL_HOURS": "0",
            "O2O_ACCEPT_TIMEOUT_SECONDS": "1",
            "O2O_EVENT_RECHECK_SECONDS": "60",
        }
    )
    assert chosen.job_interval_seconds == 0.2 and chosen.event_retention_hours == 0.0003
    assert chosen.purge_personal_hours == 0 and chosen.accept_timeout_seconds == 1
    assert chosen.event_recheck_seconds == 60
