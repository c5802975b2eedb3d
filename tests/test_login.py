"""`o2o login/logout/whoami/profiles` against the real server: 0600 files, tokens never printed, O2O_HOME."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform

ROOT = Path(__file__).resolve().parent.parent


def o2o(
    home: Path, *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("O2O_")}
    full_env.update({"O2O_HOME": str(home), "O2O_LANG": "en", **(env or {})})
    return subprocess.run(
        [sys.executable, "-c", "from o2o_tui.cli import main; main()", *args],
        capture_output=True,
        text=True,
        input=stdin,
        cwd=ROOT,
        env=full_env,
        timeout=60,
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_login_saves_private_profile_and_never_prints_token(shared_platform: RunningPlatform, home: Path) -> None:
    assert shared_platform.seed is not None
    token = shared_platform.seed.tokens["merchant"]
    result = o2o(home, "login", "--url", shared_platform.url + "/", "--token", token)
    assert result.returncode == 0, result.stderr
    assert "Lao Wang" in result.stdout and "merchant" in result.stdout
    assert token not in result.stdout + result.stderr

    path = home / "config" / "profiles.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = json.loads(path.read_text())["profiles"]["default"]
    assert saved["token"] == token and saved["url"] == shared_platform.url
    assert saved["store_id"] == shared_platform.seed.store_id
    assert not list(path.parent.glob(".profiles.json.*.tmp"))  # no temp file left behind

    as_json = o2o(home, "login", "--url", shared_platform.url, "--token", token, "--profile", "counter2", "--json")
    assert as_json.returncode == 0, as_json.stderr
    document = json.loads(as_json.stdout)
    assert document["name"] == "counter2" and document["role"] == "merchant"
    assert token not in as_json.stdout + as_json.stderr and "token" not in document

    listed = o2o(home, "profiles", "list", "--json")
    assert listed.returncode == 0
    names = [p["name"] for p in json.loads(listed.stdout)["profiles"]]
    assert names == ["counter2", "default"]
    assert token not in listed.stdout
    plain = o2o(home, "profiles", "list")
    assert "counter2" in plain.stdout and token not in plain.stdout

    who = o2o(home, "whoami", "--json", env={"O2O_PROFILE": "counter2"})
    assert who.returncode == 0, who.stderr
    assert json.loads(who.stdout)["profile"] == "counter2" and token not in who.stdout


def test_bad_token_is_refused_and_nothing_saved(shared_platform: RunningPlatform, home: Path) -> None:
    secret = "o2o_wrong-token-value"
    result = o2o(home, "login", "--url", shared_platform.url, "--token", secret)
    assert result.returncode == Exit.AUTH
    assert secret not in result.stdout + result.stderr
    assert "log in again" in result.stderr.lower() or "token" in result.stderr.lower()
    assert not (home / "config" / "profiles.json").exists()


def test_unreachable_platform_and_bad_url(home: Path) -> None:
    result = o2o(home, "login", "--url", "http://127.0.0.1:9", "--token", "x")
    assert result.returncode == Exit.OFFLINE
    assert "cannot be reached" in result.stderr
    bad = o2o(home, "login", "--url", "localhost:8765", "--token", "x")
    assert bad.returncode == Exit.USAGE and "Not a platform URL" in bad.stderr
    for url in ("http://127.0.0.1:80a", "http://127.0.0.1:99999", "http://:8765"):  # httpx raised a traceback
        bad = o2o(home, "login", "--url", url, "--token", "x")
        assert bad.returncode == Exit.USAGE and "Not a platform URL" in bad.stderr, (url, bad.stderr)
        assert "Traceback" not in bad.stderr


def test_missing_profile_is_clear(home: Path) -> None:
    result = o2o(home, "whoami")
    assert result.returncode == Exit.AUTH
    assert "o2o login" in result.stderr
    zh = o2o(home, "whoami", env={"O2O_LANG": "zh"})
    assert "尚未登录" in zh.stderr


def test_logout_forgets_the_profile(shared_platform: RunningPlatform, home: Path) -> None:
    assert shared_platform.seed is not None
    token = shared_platform.seed.tokens["courier"]
    assert o2o(home, "login", "--url", shared_platform.url, "--token", token, "--profile", "bike").returncode == 0
    out = o2o(home, "logout", "--profile", "bike")
    assert out.returncode == 0 and "bike" in out.stdout
    assert token not in (home / "config" / "profiles.json").read_text()
    again = o2o(home, "logout", "--profile", "bike")
    assert again.returncode == Exit.AUTH


def test_homes_are_isolated(shared_platform: RunningPlatform, tmp_path: Path) -> None:
    assert shared_platform.seed is not None
    first, second = tmp_path / "a", tmp_path / "b"
    assert o2o(first, "login", "--url", shared_platform.url, "--token", shared_platform.seed.tokens["admin"]).returncode == 0
    assert json.loads(o2o(second, "profiles", "list", "--json").stdout) == {"profiles": []}


def test_token_asked_for_is_not_echoed(shared_platform: RunningPlatform, home: Path) -> None:
    assert shared_platform.seed is not None
    token = shared_platform.seed.tokens["dispatcher"]
    # without a terminal there is no prompt (test_cli_no_reader.py types at a real one): `--token -` reads stdin
    result = o2o(home, "login", "--url", shared_platform.url, "--token", "-", stdin=token + "\n")
    assert result.returncode == 0, result.stderr
    assert token not in result.stdout + result.stderr
    assert "dispatcher" in result.stdout


def test_a_profile_without_a_user_name_reads_without_a_gap() -> None:
    from o2o_tui.cli.login import _describe
    from o2o_tui.i18n import set_language

    set_language("en")
    try:
        assert _describe("demo", "", "merchant", "http://h:1", "st_1", None) == "[demo] merchant at http://h:1 store st_1"
        assert _describe("c", "Bo", "courier", "http://h:1", None, "cr_1") == "[c] Bo (courier) at http://h:1 courier cr_1"
    finally:
        set_language(None)
