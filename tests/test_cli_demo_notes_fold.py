"""What `o2o demo` says before its console opens is folded to the terminal's width by the console's rules
(`o2o_tui.text_fold`): in Chinese at 40 columns no line starts with "，" or "。" (the terminal's own wrap cut
anywhere), English breaks between words, an indented command keeps its indent, nothing is lost. To a pipe it is
said as it is. Once in this process (`demo.tell`), once end to end: `o2o demo --headless-check` in a terminal of
40 columns (a pty)."""

from __future__ import annotations

import io
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from fcntl import ioctl
from pathlib import Path

import pytest
from rich.cells import cell_len

from o2o_tui.cli import demo
from o2o_tui.i18n import set_language, t
from o2o_tui.text_fold import CLOSING
from tests.test_demo import CLI, LIVELY

NOTES = {
    "courier": "你（手持机） You (handheld)",
    "command": "O2O_HOME=/tmp/d/home o2o courier --profile courier",
    "seconds": 75,
    "vouchers": "/tmp/d/home/data/voucher-codes.txt",
}


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _said(monkeypatch: pytest.MonkeyPatch, lang: str, *, terminal: bool) -> list[str]:
    set_language(lang)
    out = _Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setenv("COLUMNS", "40")
    for message in (
        t("demo.handheld", name=NOTES["courier"], command=NOTES["command"], seconds=NOTES["seconds"]),
        t("demo.vouchers", path=NOTES["vouchers"]),
        t("demo.notes.again"),
        t("demo.handheld_next"),
    ):
        demo.tell(message)
    return out.getvalue().splitlines()


def _check_folded(lines: list[str], whole: str, width: int) -> None:
    assert all(cell_len(line) <= width for line in lines), lines
    assert not [line for line in lines if line and line.lstrip()[0] in CLOSING], lines
    assert "".join("".join(lines).split()) == "".join(whole.split())  # nothing lost


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_notes_fold_to_the_terminal(monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    try:
        plain = _said(monkeypatch, lang, terminal=False)
        folded = _said(monkeypatch, lang, terminal=True)
    finally:
        set_language(None)
    assert any(cell_len(line) > 40 for line in plain)  # to a pipe: as it is
    _check_folded(folded, "\n".join(plain), 40)
    # the command under its sentence keeps its indent on every line it folds into
    start = next(i for i, line in enumerate(folded) if "O2O_HOME=" in line)
    assert folded[start].startswith("  O2O_HOME=") and folded[start + 1].startswith("  ")
    if lang == "en":  # words whole
        assert set(" ".join(folded).split()) <= set(" ".join(plain).split())


def _run_in_terminal(args: list[str], env: dict[str, str], columns: int) -> str:
    master, slave = pty.openpty()
    ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 15, columns, 0, 0))
    process = subprocess.Popen(args, env=env, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            elif process.poll() is not None:
                break
        assert process.wait(timeout=60) == 0, b"".join(chunks).decode(errors="replace")
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_o2o_demo_in_a_terminal_of_40_columns(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env |= {"O2O_HOME": str(home), "O2O_LANG": "zh", "TERM": "xterm"}
    shown = _run_in_terminal([sys.executable, "-c", CLI, "demo", "--headless-check", "3", *LIVELY], env, 40)
    lines = [line for line in shown.splitlines() if line.strip()]
    assert any("o2o demo --door" in line for line in lines), shown
    assert all(cell_len(line) <= 40 for line in lines), shown
    assert not [line for line in lines if line.lstrip()[0] in CLOSING], shown
    assert any(line.startswith("  O2O_HOME=") for line in lines), shown
