"""A courier key must open its own courier's handheld: the profile it names stores a courier id, and `o2o admin
courier-key add` and `o2o ssh-gate` refuse a profile saved for another courier (or for no courier). Courier B's
key with `--profile` of courier A opened A's handheld while ssh-gate.log said B."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from o2o_tui import ssh_gate
from o2o_tui.config import save_profile
from tests.test_ssh_gate import O2O

ED_A = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINRdSblqkIWjNj1GWTI3uDQPqdCLnXc7d5DYYfnlUkr0 a@phone"
ED_B = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEzAtT3PZtYaAlP7CVE/VYfUzu3uT1T+st8OMJTsuc2L b@phone"


@pytest.fixture
def profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An account whose profiles are: c0p (courier cr_A), courier-cr_B (saved by mistake with cr_A's login), and
    shop (a merchant's, no courier)."""
    home = tmp_path / "o2o"
    monkeypatch.setenv("O2O_HOME", str(home))
    url = "http://127.0.0.1:28330"
    save_profile("c0p", url=url, token="tok-a", role="courier", courier_id="cr_A")
    save_profile("courier-cr_B", url=url, token="tok-a2", role="courier", courier_id="cr_A")
    save_profile("shop", url=url, token="tok-m", role="merchant", store_id="st_1")
    return home


def test_the_gate_refuses_a_profile_of_another_courier(profiles: Path, tmp_path: Path) -> None:
    environ = {"PATH": os.environ["PATH"], "TERM": "xterm", "TMUX_TMPDIR": str(tmp_path)}
    for courier, profile in (("cr_B", "c0p"), ("cr_B", None), ("cr_A", "shop")):
        with pytest.raises(ssh_gate.Refused) as refused:
            ssh_gate.plan(courier, profile, environ, has_tty=True, program="/opt/o2o")
        assert refused.value.reason == "profile-courier" and refused.value.code == 5, (courier, profile)
        assert refused.value.values == {"profile": profile or "courier-cr_B", "courier_id": courier}
    assert not (profiles / "data" / "ssh-gate").exists()  # refused before anything was written

    if shutil.which("tmux", path=environ["PATH"]) is None:
        with pytest.raises(ssh_gate.Refused) as refused:
            ssh_gate.plan("cr_A", "c0p", environ, has_tty=True, program="/opt/o2o")
        assert refused.value.reason == "no-tmux"
        return
    chosen = ssh_gate.plan("cr_A", "c0p", environ, has_tty=True, program="/opt/o2o")  # its own: opens
    assert chosen.argv[chosen.argv.index("--") + 1 :] == ["/opt/o2o", "courier", "--profile", "c0p"]


def test_adding_a_key_with_another_couriers_profile_is_refused(profiles: Path, tmp_path: Path) -> None:
    path = tmp_path / "couriers" / ".ssh" / "authorized_keys"
    env = {**os.environ, "O2O_HOME": str(profiles), "O2O_LANG": "en", "COLUMNS": "400"}

    def add(*args: str) -> subprocess.CompletedProcess[str]:
        argv = [O2O, "admin", "courier-key", "add", *args, "--authorized-keys", str(path)]
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30)

    refused = add("cr_B", "--key", ED_B, "--profile", "c0p")
    assert refused.returncode == 2, refused.stderr
    said = refused.stderr.strip().splitlines()
    assert len(said) == 1 and "c0p is not courier cr_B's login (its courier: cr_A)" in said[0], said
    assert not path.exists()

    assert add("cr_A", "--key", ED_A, "--profile", "c0p").returncode == 0  # its own courier's profile
    # a profile this account does not have (root adding for the couriers' account): left to the gate
    assert add("cr_B", "--key", ED_B, "--profile", "courier-cr_X").returncode == 0
    text = path.read_text(encoding="utf-8")
    assert "--courier cr_A --profile c0p" in text and "--courier cr_B --profile courier-cr_X" in text
