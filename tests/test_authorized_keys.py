"""`o2o admin courier-key`: the lines it writes into authorized_keys, and everything it must leave alone."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from o2o_tui import authorized_keys as ak
from o2o_tui.ssh_gate import o2o_program

O2O = o2o_program(str(Path(sys.executable).parent / "o2o"))
ED_A = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINRdSblqkIWjNj1GWTI3uDQPqdCLnXc7d5DYYfnlUkr0 a@phone"
ED_B = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEzAtT3PZtYaAlP7CVE/VYfUzu3uT1T+st8OMJTsuc2L b@phone"
OTHER = 'from="10.0.0.1" ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 ops@laptop'


def admin(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "O2O_LANG": "en"}
    return subprocess.run(
        [O2O, "admin", "courier-key", *args], env=env, capture_output=True, text=True, timeout=30
    )


def test_add_list_remove_keep_other_lines_and_modes(tmp_path: Path) -> None:
    ssh_dir = tmp_path / ".ssh"
    ssh_dir.mkdir(mode=0o755)
    path = ssh_dir / "authorized_keys"
    path.write_text(f"# ops keys\n{OTHER}\n\n", encoding="utf-8")
    path.chmod(0o644)
    a, b = ak.parse_public_key(ED_A), ak.parse_public_key(ED_B)

    assert ak.add_key(path, "cr_1", a, "'/opt/o2o venv/bin/o2o'") is True  # a path with a space, shell-quoted
    assert ak.add_key(path, "cr_2", b, "/usr/bin/o2o", profile="night-shift") is True
    assert ak.add_key(path, "cr_1", a, "/usr/bin/o2o") is False  # the same key again: refreshed in place
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[:3] == ["# ops keys", OTHER, ""]
    assert lines[3] == (
        'restrict,pty,command="/usr/bin/o2o ssh-gate --courier cr_1" '
        + " ".join(ED_A.split()[:2])
        + " o2o-courier:cr_1"
    )
    assert lines[4].startswith(
        'restrict,pty,command="/usr/bin/o2o ssh-gate --courier cr_2 --profile night-shift" '
    )
    assert len(lines) == 5
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(ssh_dir.stat().st_mode) == 0o700
    assert not [p for p in ssh_dir.iterdir() if p.name != "authorized_keys"]  # no temp file left behind

    listed = ak.list_keys(path)
    assert [(k.courier_id, k.profile, k.key.fingerprint()) for k in listed] == [
        ("cr_1", None, "SHA256:rS+dLHKhWE1r6zEbS91rKx9KjjYgwlso0ExdfPIJ2dY"),
        ("cr_2", "night-shift", "SHA256:9HW/IhBHSDarf5iYW5JKK/uv1PhXdFEQ2Oc0+K1jBXg"),
    ]
    assert ak.remove_keys(path, "cr_1", b) == 0  # not cr_1's key
    assert ak.remove_keys(path, "cr_1") == 1
    assert path.read_text(encoding="utf-8").splitlines()[:3] == ["# ops keys", OTHER, ""]
    assert [k.courier_id for k in ak.list_keys(path)] == ["cr_2"]


def test_a_key_on_another_line_is_refused(tmp_path: Path) -> None:
    path = tmp_path / ".ssh" / "authorized_keys"
    key = ak.parse_public_key(ED_A)
    ak.add_key(path, "cr_1", key, "/usr/bin/o2o")
    before = path.read_bytes()
    with pytest.raises(ak.KeyLineError) as refused:
        ak.add_key(path, "cr_2", key, "/usr/bin/o2o")
    assert refused.value.key == "ssh.key.error.taken" and refused.value.values == {"owner": "cr_1"}
    path.write_bytes(before + b"ssh-ed25519 " + ED_B.split()[1].encode() + b" someone-by-hand\n")
    with pytest.raises(ak.KeyLineError):
        ak.add_key(path, "cr_3", ak.parse_public_key(ED_B), "/usr/bin/o2o")
    for bad_command in ('/usr/bin/o2o" ; rm -rf ~ "', "/usr/bin/o2o\\", " "):
        with pytest.raises(ak.KeyLineError):
            ak.add_key(path, "cr_4", ak.parse_public_key(ED_A.replace("a@phone", "")), bad_command)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("", "ssh.key.error.one_line"),
        (f"{ED_A}\n{ED_B}", "ssh.key.error.one_line"),
        ("ssh-dss AAAAB3NzaC1kc3M= old", "ssh.key.error.type"),
        ('restrict,command="sh" ' + ED_A, "ssh.key.error.type"),
        ("ssh-ed25519 not*base64", "ssh.key.error.base64"),
        ("ssh-ed25519 " + base64.b64encode(b"\0\0\0\x07ssh-rsa....").decode(), "ssh.key.error.mismatch"),
    ],
)
def test_bad_key_lines_are_refused(line: str, key: str) -> None:
    with pytest.raises(ak.KeyLineError) as refused:
        ak.parse_public_key(line)
    assert refused.value.key == key


def test_cli_bad_key_is_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / ".ssh" / "authorized_keys"
    assert (
        admin(
            "add", "cr_1", "--key", ED_A, "--authorized-keys", str(path), "--gate-command", "/x/o2o"
        ).returncode
        == 0
    )
    before = path.read_bytes()
    bad = admin("add", "cr_2", "--key", "ssh-ed25519 AAAA-broken", "--authorized-keys", str(path))
    assert bad.returncode == 2 and "base64" in bad.stderr and bad.stderr.count("\n") == 1
    missing = admin("add", "cr_2", "--key", str(tmp_path / "nope.pub"), "--authorized-keys", str(path))
    assert missing.returncode == 2 and "Cannot read the key file" in missing.stderr
    bad_id = admin("add", "cr 2", "--key", ED_B, "--authorized-keys", str(path))
    assert bad_id.returncode == 2
    assert path.read_bytes() == before

    key_file = tmp_path / "id_ed25519.pub"
    key_file.write_text(ED_B + "\n", encoding="utf-8")
    assert admin("add", "cr_2", "--key", str(key_file), "--authorized-keys", str(path)).returncode == 0
    assert f'command="{O2O} ssh-gate --courier cr_2"' in path.read_text(
        encoding="utf-8"
    )  # this o2o, absolute
    listed = admin("list", "--json", "--authorized-keys", str(path))
    assert '"courier_id":"cr_1"' in listed.stdout and '"profile":"courier-cr_2"' in listed.stdout
    assert admin("remove", "cr_2", "--key", str(key_file), "--authorized-keys", str(path)).returncode == 0
    assert admin("remove", "cr_2", "--authorized-keys", str(path)).returncode == 6
    assert path.read_bytes() == before
