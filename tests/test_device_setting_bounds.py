"""The consoles read `O2O_PURGE_PERSONAL_HOURS` and `O2O_REFUND_WINDOW_DAYS`, the server's own variables, with the
server's form and bounds (one definition: `o2o_tui.device_settings`, which the server's settings take theirs from): a value the server refuses to start with
(`-1`, `abc`, `1e9`, `nan`) is not used, the console takes the server's default and says so in one warning line,
never a traceback nor a purge of every ended order at once; a value the server takes (`0`, `2`) is used as is."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from o2o_tui import device_settings
from o2o_tui.domain.personal_data import PURGE_PERSONAL_HOURS
from o2o_tui.domain.refunds import REFUND_WINDOW_DAYS, refund_window
from o2o_tui.i18n import set_language
from o2o_tui.platform.settings import BadSetting, settings_from_env
from o2o_tui.sync import tables
from o2o_tui.sync.retention import apply_retention
from o2o_tui.sync.session import retention_from_env
from offline_cache import open_profile_cache

PURGE, REFUND = "O2O_PURGE_PERSONAL_HOURS", "O2O_REFUND_WINDOW_DAYS"
REFUSED = ("-1", "abc", "1e9", "nan", "inf", "-0.5", "366")
TAKEN = ("0", "2", "0.25", "365")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(device_settings, "_said", set())
    set_language("en")


def _server_takes(env: dict[str, str]) -> bool:
    try:
        settings_from_env(env)
    except BadSetting:
        return False
    return True


@pytest.mark.parametrize("raw", REFUSED + TAKEN)
def test_a_console_uses_what_the_server_would_and_the_default_otherwise(raw: str) -> None:
    purge = retention_from_env({PURGE: raw}).purge_personal_after
    if _server_takes({PURGE: raw}):
        assert purge == timedelta(hours=settings_from_env({PURGE: raw}).purge_personal_hours)
    else:
        assert raw in REFUSED and purge == timedelta(hours=PURGE_PERSONAL_HOURS)
    window = refund_window({REFUND: raw})
    if _server_takes({REFUND: raw}):
        assert window == timedelta(days=settings_from_env({REFUND: raw}).refund_window_days)
    else:
        assert raw in REFUSED and window == timedelta(days=REFUND_WINDOW_DAYS)


def test_each_refused_value_is_one_warning_line_naming_it_and_the_bounds(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    env = {PURGE: "-1", REFUND: "abc"}
    for _ in range(3):  # the refund window is read at every key press: said once all the same
        retention_from_env(env)
        refund_window(env)
    said = [record.getMessage() for record in caplog.records]
    assert said == [
        "O2O_PURGE_PERSONAL_HOURS=-1 is not used: the server takes a value from 0 to 8760, this console uses the "
        "default, 6.",
        "O2O_REFUND_WINDOW_DAYS=abc is not used: the server takes a number (such as 8), this console uses the "
        "default, 3.",
    ]
    caplog.clear()
    set_language("zh")
    retention_from_env({PURGE: "1e9"})
    [line] = [record.getMessage() for record in caplog.records]
    assert "O2O_PURGE_PERSONAL_HOURS=1e9" in line and "0 到 8760" in line and "默认值 6" in line, line


@pytest.mark.parametrize("raw", ["-1", "nan", "1e9"])
def test_a_refused_window_purges_nothing_ended_a_minute_ago(tmp_path: Path, raw: str) -> None:
    ended = (NOW - timedelta(minutes=1)).isoformat()
    order = {"id": "o1", "status": "DELIVERED", "ended_at": ended, "updated_at": ended, "note": "ring twice",
             "customer": {"name": "Ms Canary", "phone": "13900000417"}}
    policy = retention_from_env({PURGE: raw, "O2O_PRUNE_ENDED_DAYS": raw})
    with open_profile_cache(tmp_path / "device") as cache:
        cache.table(tables.ORDERS).upsert("o1", order)
        assert apply_retention(cache, policy, NOW) == (0, 0)
        kept = cache.table(tables.ORDERS).get("o1")
    assert kept is not None and kept["note"] == "ring twice" and kept["customer"]["name"] == "Ms Canary"
