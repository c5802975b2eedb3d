"""A crash prints no token: a full-screen app's traceback (in a real terminal) shows no local variables, `o2o`'s
own unexpected errors neither, and whatever holds a token pretty-prints without it (Rich skips `__repr__`
for a msgspec Struct and lists its fields)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from rich.console import Console
from rich.pretty import pretty_repr
from rich.traceback import Traceback

from o2o_tui.client import AsyncPlatformClient, PlatformClient
from o2o_tui.config import Profile

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "o2o_FBdmSECRETtoken0123456789"
PLAIN = "plainSECRETvalue4242"  # a plain string local: only the traceback without locals hides it


def _in_terminal(script: str, tmp_path: Path, timeout: float = 30.0) -> tuple[int, str]:
    """Run `script` with a terminal (80x24) as its stdin, stdout and stderr; its exit code and all it wrote."""
    main, other = pty.openpty()
    os.set_blocking(main, False)
    import fcntl
    import struct
    import termios

    fcntl.ioctl(other, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "O2O_HOME": str(tmp_path / "home"),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("TEXTUAL_DRIVER", None)
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=other,
        stdout=other,
        stderr=other,
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    os.close(other)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.2)
            if ready:
                try:
                    data = os.read(main, 65536)
                except OSError:  # the other end closed: the program is gone
                    break
                if not data:
                    break
                chunks.append(data)
            elif process.poll() is not None:
                break
        code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)
    return code, b"".join(chunks).decode("utf-8", "replace")


def test_a_crashed_full_screen_app_prints_its_traceback_without_local_variables(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        from o2o_tui.config import Profile
        from screens.steady_keys import SteadyKeysApp

        class Crashing(SteadyKeysApp[None]):
            def on_mount(self) -> None:
                profile = Profile(name="mA", url="http://127.0.0.1:1", token={TOKEN!r}, role="merchant")
                secret = {PLAIN!r}
                raise RuntimeError("the console broke " + str(len(secret)) + profile.name)

        Crashing().run()
        """
    )
    code, output = _in_terminal(script, tmp_path)
    assert code == 1, output[-2000:]
    assert "RuntimeError" in output and "the console broke" in output, output[-2000:]  # the crash is told
    assert "on_mount" in output  # with its frames
    assert PLAIN not in output, "a local variable of the crashed frame was printed"
    assert TOKEN not in output and TOKEN[:8] not in output


def test_an_unexpected_error_of_an_o2o_command_prints_no_local_variables(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        from o2o_tui.cli import build_app

        app = build_app(bare=True)

        @app.command("boom")
        def boom() -> None:
            secret = {PLAIN!r}
            raise RuntimeError("unexpected " + str(len(secret)))

        app(["boom"])
        """
    )
    env = {**os.environ, "O2O_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    env.pop("_TYPER_STANDARD_TRACEBACK", None)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60
    )
    assert result.returncode == 1
    assert "RuntimeError: unexpected" in result.stderr
    assert PLAIN not in result.stderr + result.stdout


def test_what_holds_a_token_pretty_prints_without_it() -> None:
    profile = Profile(name="mA", url="http://127.0.0.1:1", token=TOKEN, role="merchant", store_id="st_1")
    client = PlatformClient("http://127.0.0.1:1", TOKEN)
    async_client = AsyncPlatformClient("http://127.0.0.1:1", TOKEN)
    try:
        for holder in (profile, client, async_client, {"profile": profile}, [client]):
            for shown in (pretty_repr(holder), repr(holder), str(holder)):
                assert TOKEN not in shown, shown
        assert "store_id='st_1'" in pretty_repr(profile) and "token='***'" in pretty_repr(profile)
        assert TOKEN not in pretty_repr(client._http.headers)  # httpx masks the Authorization header

        # a traceback that does show locals (Rich's own default elsewhere) still hides the token
        def crash(profile: Profile, client: PlatformClient) -> None:
            raise RuntimeError("boom")

        try:
            crash(profile, client)
        except RuntimeError:
            console = Console(width=200, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
            console.print(Traceback(show_locals=True))
            text = console.export_text()
        assert "profile" in text and "RuntimeError" in text
        assert TOKEN not in text
    finally:
        client.close()
