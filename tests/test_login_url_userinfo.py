"""A platform URL with `user:password@` in it is refused where a platform URL is taken (login, simulate, the
clients): httpx would send them as Basic auth instead of the token ("the platform did not accept the token").
A usage error that says to drop it, never quoting the password, and nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from o2o_tui.client import PlatformClient
from o2o_tui.client.wire import UserInfoInURL, normalize_base_url
from tests.support.platform import RunningPlatform


def _run(home: Path, args: list[str], stdin: str = "", lang: str = "en") -> object:
    env = {"O2O_HOME": str(home), "O2O_LANG": lang, "NO_COLOR": "1", "COLUMNS": "200"}
    env |= {"O2O_PROFILE": None, "O2O_TOKEN": None, "O2O_URL": None}
    return CliRunner().invoke(app, args, input=stdin, env=env, catch_exceptions=False)


def test_login_refuses_user_info_and_works_without(platform: RunningPlatform, tmp_path: Path) -> None:
    assert platform.seed is not None
    token = platform.seed.tokens["merchant"]
    with_user = platform.url.replace("http://", "http://bob:s3cret@")
    for lang in ("en", "zh"):
        result = _run(tmp_path, ["login", "--url", with_user, "--token", "-"], token + "\n", lang)
        assert result.exit_code == Exit.USAGE, (result.stdout, result.stderr)
        assert "s3cret" not in result.stderr + result.stdout
        assert "user:password@" in result.stderr
    result = _run(tmp_path, ["login", "--url", with_user, "--token", "-", "--json"], token + "\n")
    error = json.loads(result.stderr)["error"]
    assert error["code"] == "usage" and "s3cret" not in error["message"]
    assert not (tmp_path / "config" / "profiles.json").exists() or "s3cret" not in (
        tmp_path / "config" / "profiles.json"
    ).read_text()
    assert _run(tmp_path, ["profiles", "list", "--json"]).stdout.count("bob") == 0
    # the same token at the same URL without user info is accepted
    result = _run(tmp_path, ["login", "--url", platform.url, "--token", "-"], token + "\n")
    assert result.exit_code == 0, result.stderr


def test_simulate_refuses_user_info(tmp_path: Path) -> None:
    result = _run(tmp_path, ["simulate", "--url", "http://bob:s3cret@127.0.0.1:9", "--token", "t", "--json"])
    assert result.exit_code == Exit.USAGE
    error = json.loads(result.stderr)["error"]
    assert error["code"] == "usage" and "s3cret" not in error["message"]
    not_url = _run(tmp_path, ["simulate", "--url", "nonsense", "--token", "t"])  # a usage error, no traceback
    assert not_url.exit_code == Exit.USAGE


@pytest.mark.parametrize("url", ["http://bob:pw@h:1", "https://bob@h", "http://:pw@h:1/v1"])
def test_the_clients_refuse_user_info(url: str) -> None:
    with pytest.raises(UserInfoInURL) as raised:
        normalize_base_url(url)
    assert "pw" not in str(raised.value)
    with pytest.raises(ValueError):
        PlatformClient(url, "token")
