"""`o2o demo` edges a first-time user meets: a handheld left open when the demo ends closes and says why (and the
demo does not then tell them to open one "next time"); `--lang` refuses a language it does not know; with two
demos running, `--door`/`--handheld` say which one they attach to; a demo killed with SIGKILL leaves no customers'
data behind past the next `o2o demo` (a running demo's dir, a kept one and one whose pid was reused are told apart).
Real processes: the demo headless, the handheld in a pseudo-terminal."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from fcntl import ioctl
from pathlib import Path

import pytest

from o2o_tui import demo_dirs
from tests.test_demo import CLI, LIVELY, _demo, _env, _line_with, _lines, _processes_under, _wait_for

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="needs /proc (process start times, children)"
)


def _start_demo(home: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        _demo(home, "--headless-check", "300", *LIVELY),
        env=_env(home),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _wait_running(home: Path, count: int) -> list[Path]:
    def roots() -> list[Path]:
        return demo_dirs.running_roots(home / "data") if (home / "data").is_dir() else []

    # the profiles are saved once the platform answers: the demo is ready for a handheld or --door
    ready = lambda: [r for r in roots() if (r / "home" / "config" / "profiles.json").exists()]  # noqa: E731
    assert _wait_for(lambda: len(ready()) >= count, 60), roots()
    time.sleep(0.5)  # the courier's profile is written right after the merchant's
    return ready()


def _stop(*processes: subprocess.Popen[str], home: Path) -> None:
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()
    _wait_for(lambda: _processes_under(home) == [], 10)
    for pid in _processes_under(home):  # never leave strays, even when the test fails
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _in_terminal(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[bytes], list[bytes]]:
    """`args` on a pseudo-terminal of 80x24, its output read by a thread as it comes."""
    master, slave = pty.openpty()
    ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    process = subprocess.Popen(args, env=env, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    chunks: list[bytes] = []

    def pump() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(master)

    threading.Thread(target=pump, daemon=True).start()
    return process, chunks


def test_a_handheld_left_open_closes_when_its_demo_ends(tmp_path: Path) -> None:
    home = tmp_path / "home"
    demo = _start_demo(home)
    handheld = None
    try:
        assert demo.stdout is not None
        lines = _lines(demo.stdout)
        (root,) = _wait_running(home, 1)
        env = {k: v for k, v in _env(home).items() if k not in ("COLUMNS", "LINES")} | {"TERM": "xterm"}
        handheld, shown = _in_terminal([sys.executable, "-c", CLI, "demo", "--handheld"], env)
        assert _wait_for(lambda: demo_dirs.handhelds_open(root) == [handheld.pid], 30), b"".join(shown)

        demo.send_signal(signal.SIGTERM)
        assert handheld.wait(timeout=20) == 0  # it did not stay up OFFLINE on a removed data dir
        demo.wait(timeout=30)
        _, after = _line_with(lines, None, 10)
        assert _wait_for(lambda: b"The demo has ended" in b"".join(shown), 5), b"".join(shown)
        assert not root.exists()  # removed once the handheld had closed
        said = "".join(after)
        assert "Demo stopped" in said and "Next time" not in said, said  # a handheld was used this time
    finally:
        _stop(demo, *([handheld] if handheld else []), home=home)  # type: ignore[list-item]


# both refused by one `normalize(lang) is None`: "fr" runs in `python -m bench deep`
@pytest.mark.parametrize("lang", ["cn", pytest.param("fr", marks=pytest.mark.deep)])
def test_an_unknown_language_is_refused(tmp_path: Path, lang: str) -> None:
    home = tmp_path / "home"
    result = subprocess.run(
        _demo(home, "--lang", lang, "--headless-check", "3"),
        env=_env(home),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert f"Unknown language for --lang: {lang}" in result.stderr and "zh" in result.stderr
    assert not (home / "data").exists() or not list((home / "data").glob("demo-*"))  # nothing started


def test_with_two_demos_running_door_and_handheld_say_which(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = _start_demo(home)
    second = None
    try:
        _wait_running(home, 1)
        time.sleep(1.1)  # a later second in the newer dir's name
        second = _start_demo(home)
        newest, older = _wait_running(home, 2)
        door = subprocess.run(
            _demo(home, "--door", "--json"),
            env=_env(home),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert door.returncode == 0, door.stderr
        assert json.loads(door.stdout) == []  # the JSON stays JSON: the warning is on stderr
        assert "2 demos are running" in door.stderr and str(newest) in door.stderr, door.stderr
        handheld = subprocess.run(  # no terminal: the screen refuses, after the warning
            _demo(home, "--handheld"), env=_env(home), cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert "2 demos are running" in handheld.stderr and str(newest) in handheld.stderr, handheld.stderr
        assert f"O2O_HOME={older / 'home'} o2o courier --profile courier" in handheld.stderr, handheld.stderr
    finally:
        _stop(first, *([second] if second else []), home=home)


def _identity_of_a_finished_process() -> tuple[int, str]:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    identity = demo_dirs.process_identity(process.pid)
    assert identity is not None
    process.kill()
    process.wait()
    return process.pid, identity


def test_a_killed_demos_data_is_removed_at_the_next_start(tmp_path: Path) -> None:
    home = tmp_path / "home"
    killed = _start_demo(home)
    try:
        (killed_root,) = _wait_running(home, 1)
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=10)
        assert _wait_for(lambda: _processes_under(home) == [], 30)
        assert (killed_root / "platform.db").exists()  # nobody cleaned up after it

        data = home / "data"
        # this very process under a name whose dir says another process made it: the pid was reused
        reused = data / f"demo-20260101-120000-{os.getpid()}"
        reused.mkdir()
        (reused / demo_dirs.OWNER).write_text("another-boot 12345")
        dead_pid, identity = _identity_of_a_finished_process()
        kept = data / f"demo-20260101-120001-{dead_pid}"  # `--keep`: the person asked for it
        kept.mkdir()
        (kept / demo_dirs.OWNER).write_text(identity)
        (kept / demo_dirs.KEPT).touch()
        # made before demos said which process made them: left alone
        unknown = data / f"demo-20260101-120002-{dead_pid}"
        unknown.mkdir()
        # a running demo: this process, rightly named
        running = data / f"demo-20260101-120003-{os.getpid()}"
        running.mkdir()
        own = demo_dirs.process_identity(os.getpid())
        assert own is not None
        (running / demo_dirs.OWNER).write_text(own)

        result = subprocess.run(
            _demo(home, "--headless-check", "2", *LIVELY),
            env=_env(home),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert not killed_root.exists() and not reused.exists()
        assert kept.exists() and unknown.exists() and running.exists()
    finally:
        _stop(killed, home=home)
