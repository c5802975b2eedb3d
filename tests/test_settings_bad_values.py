"""A wrongly typed value in settings.json falls back to that setting's default (the others kept) with one warning
line naming the file and the setting; a file that is not JSON gives the defaults: never a traceback, and the
console, `o2o print status` and the rest still start."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui import settings
from o2o_tui.i18n import set_language
from tests.support.platform import RunningPlatform
from tests.test_login import ROOT, o2o


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    for name in (
        "O2O_RING_EVERY",
        "O2O_MUTE_MINUTES",
        "O2O_VOICE",
        "O2O_SIMPLE_MODE",
        "O2O_KEYMAP",
        "O2O_PRINTER",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(settings, "_warned", set(), raising=False)
    (tmp_path / "home" / "config").mkdir(parents=True)
    set_language("en")
    yield tmp_path / "home"
    set_language(None)


def _write(home: Path, text: str) -> Path:
    path = home / "config" / settings.SETTINGS_FILE
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("document", "bad", "kept"),
    [
        (
            {"ring_every_s": "abc", "mute_minutes": 5},
            "ring_every_s",
            {"mute_minutes": 5, "ring_every_s": 20.0},
        ),
        ({"voice": "yes", "ring_every_s": 45}, "voice", {"voice": False, "ring_every_s": 45.0}),
        ({"mute_minutes": "x", "voice": True}, "mute_minutes", {"mute_minutes": 10, "voice": True}),
        ({"keymap": ["a"], "simple_mode": True}, "keymap", {"keymap": {}, "simple_mode": True}),
    ],
)
def test_a_wrongly_typed_value_falls_back_alone_with_one_warning(
    home: Path,
    capsys: pytest.CaptureFixture[str],
    document: dict[str, object],
    bad: str,
    kept: dict[str, object],
) -> None:
    path = _write(home, json.dumps(document))
    loaded = settings.load_settings()
    assert {name: getattr(loaded, name) for name in kept} == kept
    settings.load_settings()  # read again (each screen does): said once
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert bad in lines[0] and str(path) in lines[0] and "default" in lines[0]


@pytest.mark.parametrize("text", ["[]", "not json {", '"ring"', ""])
def test_a_file_that_is_not_a_json_object_gives_the_defaults_with_a_warning(
    home: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    path = _write(home, text)
    assert settings.load_settings() == settings.Settings()
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "not a JSON object" in lines[0], lines


def test_good_values_say_nothing_and_a_number_written_as_text_is_taken(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(home, json.dumps({"ring_every_s": "30", "mute_minutes": 3, "voice": True, "unknown": [1]}))
    loaded = settings.load_settings()
    assert (loaded.ring_every_s, loaded.mute_minutes, loaded.voice) == (30.0, 3, True)
    assert capsys.readouterr().err == ""


def test_the_warning_is_in_chinese_too(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(home, json.dumps({"voice": "yes"}))
    set_language("zh")
    settings.load_settings()
    err = capsys.readouterr().err
    assert "voice" in err and "默认值" in err


def test_print_status_warns_and_goes_on(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    path = home / "config" / settings.SETTINGS_FILE
    path.write_text(
        json.dumps({"voice": "yes", "printer": f"file:{tmp_path / 'tickets.bin'}"}), encoding="utf-8"
    )
    result = o2o(home, "print", "status")
    assert "Traceback" not in result.stderr, result.stderr
    assert f"Ignoring voice in {path}" in " ".join(result.stderr.split()), result.stderr
    assert "Ignoring" not in result.stdout


def _tmux(socket: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, check=False).stdout


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_console_opens_with_a_bad_value_and_the_warning_stays_readable(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    assert platform.seed is not None
    home = tmp_path / "home"
    login = o2o(home, "login", "--url", platform.url, "--token", platform.seed.tokens["merchant"])
    assert login.returncode == 0, login.stderr
    (home / "config" / settings.SETTINGS_FILE).write_text('{"ring_every_s": "abc"}', encoding="utf-8")
    socket = f"g1-settings-{os.getpid()}"
    command = f"cd {ROOT} && O2O_HOME={home} O2O_LANG=en o2o console; echo CONSOLE-EXIT=$?; sleep 30"
    _tmux(socket, "new-session", "-d", "-s", "c", "-x", "120", "-y", "24", command)
    try:
        screen = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "ONLINE" not in screen:
            time.sleep(0.5)
            screen = _tmux(socket, "capture-pane", "-p", "-t", "c")
        assert "ONLINE" in screen, screen
        _tmux(socket, "send-keys", "-t", "c", "q")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "CONSOLE-EXIT=" not in screen:
            time.sleep(0.3)
            if "Quit the console?" in screen:
                _tmux(socket, "send-keys", "-t", "c", "y")
            screen = _tmux(socket, "capture-pane", "-p", "-t", "c")
        assert "CONSOLE-EXIT=0" in screen, screen
        assert "Traceback" not in screen
        assert "Ignoring ring_every_s in" in " ".join(screen.split()), screen
    finally:
        _tmux(socket, "kill-server")
