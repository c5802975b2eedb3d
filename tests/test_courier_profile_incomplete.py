"""A profile written by hand without its role, or a courier's without the courier it is (no courier_id), is told
what is missing and how to mend it (log in again), in English and Chinese: not "profile 'cour' is a courier
profile, not a courier's" (“是骑手的，不是骑手的”). A merchant's profile is still told it is a merchant's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from o2o_tui.cli.exits import Exit

ROOT = Path(__file__).resolve().parent.parent
CLI = "from o2o_tui.cli import main; main()"
URL = "http://127.0.0.1:19599"
PROFILES = {
    "cour": {"name": "cour", "url": URL, "token": "x", "role": "courier"},
    "norole": {"name": "norole", "url": URL, "token": "x", "role": ""},
    "shop": {"name": "shop", "url": URL, "token": "x", "role": "merchant", "store_id": "s1"},
}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    config = tmp_path / "config"
    config.mkdir()
    path = config / "profiles.json"
    path.write_text(json.dumps({"version": 1, "profiles": PROFILES}))
    path.chmod(0o600)
    return tmp_path


def _o2o(home: Path, lang: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("O2O_", "_O2O_"))}
    env |= {"O2O_HOME": str(home), "O2O_LANG": lang, "COLUMNS": "400"}
    return subprocess.run(
        [sys.executable, "-c", CLI, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60
    )


@pytest.mark.parametrize("command", [("courier",), ("deliveries", "list")])
@pytest.mark.parametrize(
    ("profile", "lang", "words"),
    [
        ("cour", "en", "is marked as a courier's but names no courier (no courier_id"),
        ("cour", "zh", "标为骑手，但未注明是哪位骑手（缺少 courier_id"),
        ("norole", "en", 'Profile "norole" says no role'),
        ("norole", "zh", "账号配置“norole”没有角色"),
    ],
)
def test_an_incomplete_profile_is_told_what_it_lacks(
    home: Path, command: tuple[str, ...], profile: str, lang: str, words: str
) -> None:
    said = _o2o(home, lang, *command, "--profile", profile)
    assert said.returncode == Exit.USAGE, said.stderr
    line = " ".join(said.stderr.split())
    assert words in line, line
    assert f"o2o login --profile {profile} --url {URL} --token TOKEN" in line, line
    assert "not a courier's" not in line and "不是骑手的" not in line and "是骑手的：" not in line, line
    assert "Traceback" not in said.stderr


def test_a_merchants_profile_is_still_told_it_is_a_merchants(home: Path) -> None:
    said = _o2o(home, "zh", "courier", "--profile", "shop")
    assert said.returncode == Exit.USAGE and "账号配置“shop”是商家的，不是骑手的" in said.stderr, said.stderr
