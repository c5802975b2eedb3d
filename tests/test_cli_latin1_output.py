"""A CLI run under a locale that is neither UTF-8 nor Chinese (`LC_ALL=en_US.ISO-8859-1`) says what it can: a
character the terminal's encoding lacks is '?', never a UnicodeEncodeError; `--json` stays UTF-8 JSON."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from o2o_tui.cli import output

ROOT = Path(__file__).resolve().parents[1]


def _latin1() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="latin-1", newline="\n")


def _written(stream: io.TextIOWrapper) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("latin-1")


def test_say_warn_and_fail_on_a_latin1_terminal_write_question_marks(monkeypatch: pytest.MonkeyPatch) -> None:
    out, err = _latin1(), _latin1()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(output, "json_wanted", lambda context=None: False)
    output.say("已接单 #0042 café")
    output.warn("网络断开")
    assert isinstance(output.fail("没有这个命令"), typer.Exit)
    said = _written(out)
    assert "??? #0042 café" in said  # Latin-1 keeps its own letters
    warned = _written(err)
    assert warned.splitlines() == ["????", "??????"]


def test_a_utf8_stream_is_left_alone() -> None:
    assert output.for_stream("已接单", io.TextIOWrapper(io.BytesIO(), encoding="utf-8")) == "已接单"


def _latin1_locale(tmp_path: Path) -> dict[str, str] | None:
    if shutil.which("localedef") is None:
        return None
    where = tmp_path / "locale"
    where.mkdir()
    made = subprocess.run(
        ["localedef", "-i", "en_US", "-f", "ISO-8859-1", str(where / "en_US.ISO-8859-1")],
        capture_output=True,
        check=False,
    )
    if made.returncode not in (0, 1) or not (where / "en_US.ISO-8859-1").exists():
        return None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONIO", "PYTHONUTF8"))}
    env |= {
        "LOCPATH": str(where),
        "LC_ALL": "en_US.ISO-8859-1",
        "LANG": "en_US.ISO-8859-1",
        "O2O_HOME": str(tmp_path / "home"),
        "O2O_LANG": "zh",
        "COLUMNS": "100",
        "NO_COLOR": "1",
    }
    env.pop("O2O_PROFILE", None)
    env.pop("O2O_TOKEN", None)
    return env


def _o2o(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", "from o2o_tui.cli import main; main()", *args],
        env=env,
        cwd=str(ROOT),
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_chinese_under_a_latin1_locale_is_question_marks_not_a_crash(tmp_path: Path) -> None:
    env = _latin1_locale(tmp_path)
    if env is None:
        pytest.skip("localedef cannot build en_US.ISO-8859-1 here")
    probe = subprocess.run(
        [sys.executable, "-c", "import sys; print(sys.stdout.encoding)"],
        env=env,
        capture_output=True,
        check=True,
    )
    assert probe.stdout.strip().lower() in (b"iso8859-1", b"latin-1", b"iso-8859-1"), probe.stdout

    helped = _o2o(env, "--help")  # Typer's own help, in Chinese
    assert helped.returncode == 0, helped.stderr.decode("latin-1")
    assert b"UnicodeEncodeError" not in helped.stderr and b"?" in helped.stdout

    listed = _o2o(env, "orders", "list")  # not logged in: an error for a person, on stderr
    assert b"Traceback" not in listed.stderr, listed.stderr.decode("latin-1")
    assert listed.returncode not in (0, 1)
    assert b"?" in listed.stderr and b"o2o login" in listed.stderr

    said = _o2o(env, "orders", "list", "--json")  # the same for a script: JSON, UTF-8 whatever the locale
    assert b"Traceback" not in said.stderr
    document = json.loads(said.stderr.decode("utf-8").strip().splitlines()[-1])
    assert "error" in document and document["error"]["message"]
