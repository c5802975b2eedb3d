"""Profiles and settings storage without a server: names, corrupt files, cache dirs, layering."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from o2o_tui.cli.common import exit_for
from o2o_tui.cli.exits import Exit
from o2o_tui.client import errors as e
from o2o_tui.config import (
    BadProfileName,
    ConfigError,
    NoProfileError,
    load_profile,
    profile_cache_dir,
    profiles_path,
    remove_profile,
    save_profile,
)
from o2o_tui.domain.errors import ErrorDetail
from o2o_tui.settings import load_settings, parse_keymap


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("O2O_HOME", str(tmp_path))
    for name in ("O2O_PROFILE", "O2O_LANG", "O2O_KEYMAP"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_save_load_and_env_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    save_profile(None, url="http://a:1", token="tok-a", role="merchant", store_id="s1")
    save_profile("night", url="http://b:2", token="tok-b", role="courier", courier_id="c1")
    assert load_profile(None).url == "http://a:1"
    monkeypatch.setenv("O2O_PROFILE", "night")
    assert load_profile(None).courier_id == "c1"
    assert load_profile("default").store_id == "s1"  # an explicit name wins over the environment
    assert "tok-b" not in repr(load_profile(None))
    assert stat.S_IMODE(profiles_path().stat().st_mode) == 0o600
    assert remove_profile("night") and not remove_profile("night")
    with pytest.raises(NoProfileError, match="default"):
        load_profile("night")


def test_bad_names_and_corrupt_file() -> None:
    with pytest.raises(BadProfileName):
        save_profile("../etc", url="http://a", token="t", role="admin")
    profiles_path().write_text("{not json")
    with pytest.raises(ConfigError, match="profiles.json"):
        load_profile(None)
    with pytest.raises(ConfigError):  # a broken file is never overwritten silently
        save_profile(None, url="http://a", token="t", role="admin")
    assert profiles_path().read_text() == "{not json"


def test_profile_cache_dir_is_private(tmp_path: Path) -> None:
    path = profile_cache_dir("counter")
    assert path == tmp_path / "cache" / "profiles" / "counter"
    assert stat.S_IMODE(path.stat().st_mode) == 0o700


def test_settings_layering(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().language is None
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "settings.json").write_text('{"language": "zh-CN", "keymap": {"queue.accept": "a"}}')
    settings = load_settings()
    assert settings.language == "zh" and settings.keymap == {"queue.accept": "a"}
    monkeypatch.setenv("O2O_LANG", "en_US.UTF-8")
    monkeypatch.setenv("O2O_KEYMAP", "queue.accept=y, queue.reject=n, junk")
    settings = load_settings()
    assert settings.language == "en"
    assert settings.keymap == {"queue.accept": "y", "queue.reject": "n"}
    assert parse_keymap("") == {}


def test_exit_codes_for_errors() -> None:
    detail = ErrorDetail(code="x")
    assert exit_for(e.Unreachable("down")) is Exit.OFFLINE
    assert exit_for(e.Unauthorized(status=401, detail=detail)) is Exit.AUTH
    assert exit_for(e.Forbidden(status=403, detail=detail)) is Exit.AUTH
    assert exit_for(e.NotFound(status=404, detail=detail)) is Exit.NOT_FOUND
    for refused in (e.IllegalTransition, e.WrongCode, e.Conflict, e.StaleVersion, e.ValidationFailed):
        assert exit_for(refused(status=409, detail=detail)) is Exit.REJECTED
    assert exit_for(e.ServerError(status=500, detail=detail)) is Exit.ERROR
    assert exit_for(e.MalformedResponse("bad", status=200)) is Exit.ERROR
