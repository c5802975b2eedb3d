"""Root and courier keys: `o2o admin courier-key add` as root without `--authorized-keys` would write the key into
root's own authorized_keys (a courier's handheld key as a root login), and `o2o ssh-gate` must never run as root.

No real root needed: the real `o2o` runs in a child Python whose `os.geteuid` answers 0 (the code reads the uid
only through `os.geteuid()`), with its HOME in the test's folder, so nothing outside it is ever written.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from o2o_tui import ssh_gate
from tests.test_ssh_gate import O2O, gate_log

ED = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINRdSblqkIWjNj1GWTI3uDQPqdCLnXc7d5DYYfnlUkr0 a@phone"
AS_ROOT = "import os, sys; os.geteuid = lambda: 0; sys.argv[0] = 'o2o'; from o2o_tui.cli import main; main()"


def environment(tmp_path: Path, home: str = "home") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSH_", "TMUX", "O2O_"))}
    env.update(
        {
            "HOME": str(tmp_path / home),
            "O2O_HOME": str(tmp_path / "o2o"),
            "O2O_LANG": "en",
            "SSH_CLIENT": "192.0.2.7 50000 22",
            "COLUMNS": "400",  # one refusal, one line
        }
    )
    return env


def start(argv: list[str], env: dict[str, str], tty: int | None = None) -> subprocess.Popen[str]:
    """`argv` with its stdin and stdout on the terminal `tty` when given (else pipes), its stderr read."""
    out = subprocess.PIPE if tty is None else tty
    return subprocess.Popen(argv, env=env, stdin=tty, stdout=out, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    _, err = process.communicate(timeout=30)
    return process.returncode, err


def as_root(tmp_path: Path, *args: str, home: str = "home", tty: int | None = None) -> subprocess.Popen[str]:
    """The real `o2o ARGS`, in a process whose `os.geteuid()` says 0."""
    return start([sys.executable, "-c", AS_ROOT, *args], environment(tmp_path, home), tty)


def test_root_without_authorized_keys_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    add = ["admin", "courier-key", "add", "cr_x", "--key", ED, "--gate-command", "/bin/false"]
    chosen = tmp_path / "couriers" / ".ssh" / "authorized_keys"
    for home in ("home", "real"):
        (tmp_path / home).mkdir()
    refused = as_root(tmp_path, *add)
    # root naming the couriers' account's file
    named = as_root(tmp_path, *add, "--authorized-keys", str(chosen))
    real = start([O2O, *add], environment(tmp_path, "real"))  # the real uid, read for real

    code, err = finish(refused)
    assert code == 5, err
    said = err.strip().splitlines()
    assert len(said) == 1 and "--authorized-keys" in said[0], said
    assert str(tmp_path / "home" / ".ssh" / "authorized_keys") in said[0]
    assert not (tmp_path / "home" / ".ssh").exists()

    code, err = finish(named)
    assert code == 0, err  # as docs/ssh.md says: root passes --authorized-keys
    assert "o2o-courier:cr_x" in chosen.read_text(encoding="utf-8")

    code, err = finish(real)  # refused as root, written as anyone else
    if os.geteuid() == 0:
        assert code == 5 and not (tmp_path / "real" / ".ssh").exists(), err
    else:
        assert code == 0, err
        written = (tmp_path / "real" / ".ssh" / "authorized_keys").read_text(encoding="utf-8")
        assert "o2o-courier:cr_x" in written


def test_the_gate_refuses_to_run_as_root_in_a_terminal(tmp_path: Path) -> None:
    main, other = pty.openpty()
    try:  # in a terminal, as sshd runs it (`check_request` refuses a login without one first)
        code, err = finish(as_root(tmp_path, "ssh-gate", "--courier", "cr_1", tty=other))
    finally:
        os.close(other)
        os.close(main)
    assert code == 5, err
    said = err.strip().splitlines()
    assert len(said) == 1 and "does not run as root" in said[0], said
    log = gate_log(tmp_path / "o2o")
    assert len(log) == 1 and log[0].endswith("courier=cr_1 client=192.0.2.7 event=refused reason=root"), log
    assert not (tmp_path / "o2o" / "data" / "ssh-gate").exists()  # refused before the plan wrote anything
    assert ssh_gate.running_as_root() == (os.geteuid() == 0)
