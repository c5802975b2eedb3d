"""`o2o print test` stamps the page on the store's clock, as the kitchen tickets and receipts are, and says so;
with no store cached for the profile, on this machine's clock, said as well. This machine runs on UTC here, eight
hours off the seeded store's Shanghai; the real platform on loopback, a fake network printer."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from tests.support.fake_printer import FakePrinter
from tests.support.platform import RunningPlatform

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def utc_machine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _o2o(home: Path, printer: FakePrinter, *args: str, lang: str = "en") -> Any:
    env = {"O2O_HOME": str(home), "O2O_LANG": lang, "O2O_PRINTER": printer.target, "O2O_PROFILE": None}
    result = CliRunner().invoke(app, list(args), env={**env, "COLUMNS": "200"}, catch_exceptions=False)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result


def _stamps(zone: tzinfo, before: datetime, after: datetime) -> set[str]:
    """What the page may print between two moments (a minute may turn meanwhile)."""
    return {moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") for moment in (before, after)}


def test_the_test_page_is_on_the_stores_clock(
    shared_platform: RunningPlatform, tmp_path: Path, utc_machine: None
) -> None:
    assert shared_platform.seed is not None
    home = tmp_path / "home"
    with FakePrinter() as printer:
        _o2o(
            home,
            printer,
            "login",
            "--url",
            shared_platform.url,
            "--token",
            shared_platform.seed.tokens["merchant"],
        )
        _o2o(home, printer, "sync", "--once")

        before = datetime.now(UTC)
        said = json.loads(_o2o(home, printer, "print", "test", "--json").stdout)
        page = printer.wait_for_cuts(1).text()
        after = datetime.now(UTC)
        assert (said["clock"], said["timezone"]) == ("store", "Asia/Shanghai")
        assert said["printed_at"].endswith("Z")  # UTC, as every --json time; the page on the store's clock
        assert before <= datetime.fromisoformat(said["printed_at"]) <= after
        assert any(f"{stamp}:" in page for stamp in _stamps(SHANGHAI, before, after)), page
        assert "Asia/Shanghai" in page
        assert "on the store's clock (Asia/Shanghai)" in _o2o(home, printer, "print", "test").stdout
        assert "门店时间（Asia/Shanghai）" in _o2o(home, printer, "print", "test", lang="zh").stdout

        # a profile with no store cached: this machine's clock, and the page and the command say it
        alone = tmp_path / "alone"
        before = datetime.now(UTC)
        said = json.loads(_o2o(alone, printer, "print", "test", "--json").stdout)
        lines = printer.wait_for_cuts(4).tickets()[-1]
        after = datetime.now(UTC)
        assert (said["clock"], said["timezone"]) == ("machine", "UTC")
        assert any(
            stamp in line and line.endswith("UTC") for line in lines for stamp in _stamps(UTC, before, after)
        )
        assert "on this machine's clock (UTC)" in _o2o(alone, printer, "print", "test").stdout
