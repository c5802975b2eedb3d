"""`o2o admin courier-key add --key FILE` on a key file this account cannot read (in a folder it may not look into:
`Path.exists()` raises PermissionError there), or whose name the system refuses: one line, "Cannot read the key
file ...: <why>", exit 2 like a missing file, never a traceback; authorized_keys is left alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from o2o_tui import authorized_keys as ak
from o2o_tui.ssh_gate import o2o_program

O2O = o2o_program(str(Path(sys.executable).parent / "o2o"))
ED_A = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINRdSblqkIWjNj1GWTI3uDQPqdCLnXc7d5DYYfnlUkr0 a@phone"
NOBODY = 65534


def _locked_key(tmp_path: Path) -> Path:
    folder = tmp_path / "locked"
    folder.mkdir()
    key = folder / "id_ed25519.pub"
    key.write_text(ED_A + "\n", encoding="utf-8")
    folder.chmod(0o700)
    tmp_path.chmod(0o755)
    return key


def _as_nobody(key: Path) -> str:
    """`read_public_key(key)` in a child that dropped to an unprivileged account (the suite runs as root, which
    reads everything): what it raised, as the CLI would say it."""
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.close(read_end)
        try:
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            try:
                ak.read_public_key(str(key))
                said = "read"
            except ak.KeyLineError as error:
                said = f"KeyLineError {error.key} {error.values.get('detail')}"
            except BaseException as error:  # noqa: BLE001 - the crash this test is about
                said = f"crash {type(error).__name__}: {error}"
            os.write(write_end, said.encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as answer:
        said = answer.read().decode()
    os.waitpid(child, 0)
    return said


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_key_file_this_account_cannot_read_is_one_clear_refusal(tmp_path: Path) -> None:
    key = _locked_key(tmp_path)
    if os.geteuid() == 0:
        said = _as_nobody(key)
    else:
        try:
            ak.read_public_key(str(key.parent.parent / "locked" / key.name))
            pytest.skip("this account reads the locked folder")
        except ak.KeyLineError as error:
            said = f"KeyLineError {error.key} {error.values.get('detail')}"
    assert said == "KeyLineError ssh.key.error.unreadable Permission denied", said


def test_the_cli_says_one_line_for_a_key_path_it_cannot_use(tmp_path: Path) -> None:
    authorized = tmp_path / ".ssh" / "authorized_keys"
    env = {**os.environ, "O2O_LANG": "en", "O2O_HOME": str(tmp_path / "home")}
    too_long = str(tmp_path / ("k" * 300))  # stat() itself fails (File name too long), as on a locked folder
    for value, why in ((too_long, "File name too long"), (str(tmp_path), "Is a directory")):
        done = subprocess.run(
            [O2O, "admin", "courier-key", "add", "cr_x", "--key", value, "--authorized-keys", str(authorized)],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr == f"Cannot read the key file {value}: {why}\n", done.stderr
        assert "Traceback" not in done.stderr and not authorized.exists()
