"""`o2o duty on|off` says the courier's duty once, in each language: going off duty the status would only repeat
it ("您已下班。 状态：已下班。"), and a Chinese sentence runs on after 。 with no space. Real server on loopback,
real cache in tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.i18n import set_language
from tests.support.platform import RunningPlatform, start_platform


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()
        set_language(None)


def _o2o(home: Path, lang: str, *args: str) -> str:
    env: dict[str, str | None] = {"O2O_HOME": str(home), "O2O_LANG": lang, "NO_COLOR": "1", "COLUMNS": "200"}
    env |= {"O2O_PROFILE": None, "O2O_TOKEN": None, "LANG": None, "LC_ALL": None}
    set_language(lang)
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("lang", "now_off", "now_on"),
    [
        ("zh", "您已下班。", "您已上班。状态：空闲。"),
        ("en", "You are off duty.", "You are on duty.  Status: idle."),
    ],
)
def test_duty_is_said_once(running: RunningPlatform, tmp_path: Path, lang: str, now_off: str, now_on: str) -> None:
    assert running.seed is not None
    home = tmp_path / "courier-home"
    _o2o(home, lang, "login", "--url", running.url, "--token", running.seed.tokens["courier"])
    assert _o2o(home, lang, "duty", "off") == now_off
    assert _o2o(home, lang, "duty", "on") == now_on
