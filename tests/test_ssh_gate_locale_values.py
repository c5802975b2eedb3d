"""A login's locale variable that does not look like a locale (`LANG='C.UTF-8;'`, which sshd passes through
AcceptEnv) is dropped, and logged: tmux took a trailing ";" for a command separator and the gate failed with
"no server running". Through the real gate and the real tmux, in a terminal."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from o2o_tui import ssh_gate
from tests.test_ssh_gate import O2O, gate_log


def test_the_plan_drops_what_is_not_a_locale_and_logs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    environ = {
        "PATH": os.environ["PATH"],
        "TERM": "xterm",
        "LANG": "C.UTF-8;",
        "LC_ALL": "x;run-shell touch /tmp/pwned",
        "LC_CTYPE": "sr_RS.UTF-8@latin",
        "O2O_LANG": "zh",
        ssh_gate.COMMAND_ENV: "/bin/cat",
    }
    chosen = ssh_gate.plan("cr_9", None, environ, has_tty=True, program="/opt/o2o")
    argv = chosen.argv
    assert not any(arg.endswith(";") for arg in argv), argv
    assert "LC_CTYPE=sr_RS.UTF-8@latin" in argv and "O2O_LANG=zh" in argv
    assert not any(arg.startswith(("LANG=", "LC_ALL=")) for arg in argv), argv
    assert "LANG" not in chosen.env and "LC_ALL" not in chosen.env  # nor the tmux server's own environment
    assert ssh_gate.login_locale(environ) == {"LC_CTYPE": "sr_RS.UTF-8@latin", "O2O_LANG": "zh"}
    log = gate_log(tmp_path / "home")
    assert log[-1].endswith("courier=cr_9 client=- event=locale-dropped reason=LANG,LC_ALL"), log
    assert "pwned" not in "\n".join(log)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_a_locale_ending_in_a_semicolon_still_opens_the_session(tmp_path: Path) -> None:
    home = tmp_path / "home"
    courier = f"g1{os.getpid()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSH_", "TMUX", "LC_", "O2O_"))}
    env.update(
        {
            "O2O_HOME": str(home),
            "O2O_LANG": "en",
            "LANG": "C.UTF-8;",
            "TERM": "xterm",
            "SSH_CLIENT": "192.0.2.7 50000 22",
            ssh_gate.COMMAND_ENV: "sh -c 'echo SESSION-RAN LANG=[$LANG]; sleep 0.5'",
        }
    )
    main, other = pty.openpty()
    process = subprocess.Popen(
        [O2O, "ssh-gate", "--courier", courier],
        stdin=other,
        stdout=other,
        stderr=other,
        env=env,
        start_new_session=True,
    )
    os.close(other)
    output = b""
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.2)
            if ready:
                try:
                    data = os.read(main, 65536)
                except OSError:
                    break
                if not data:
                    break
                output += data
            elif process.poll() is not None:
                break
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)
        subprocess.run(["tmux", "-L", ssh_gate.socket_name(courier), "kill-server"], capture_output=True)
    text = output.decode("utf-8", "replace")
    assert "no server running" not in text, text
    assert "SESSION-RAN LANG=[]" in text, text  # the session ran, on the default locale
    events = [line.split(" event=", 1)[1] for line in gate_log(home)]
    assert events == ["locale-dropped reason=LANG", "start"], events
