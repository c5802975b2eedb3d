"""A damaged menu drafts file is treated as a damaged outbox is: left exactly as it is (it may hold edits never
published), and every reader says so. `o2o menu publish|draft` exit 8 saying where it is and what to do (not
"There is no menu draft to publish", exit 0); logout and a login as someone else are refused, as for drafts; the
menu editor says it in a toast and on its status line and changes nothing. Real platform on loopback, real
profile cache."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import o2o_tui.menu_draft as md
from o2o_tui.cli.exits import Exit
from o2o_tui.i18n import set_language, t
from offline_cache import open_profile_cache
from offline_cache.drafts import CorruptDraftsError, DraftStore
from screens.menu_editor import MenuEditorApp, MenuEditorScreen
from screens.menu_source import source_for_profile
from tests.support.platform import RunningPlatform
from tests.test_menu_draft_owner import Cli, edit_price, open_editor
from tests.test_menu_edits import _menu
from tests.test_ui_live import wait_until


def test_the_store_refuses_a_damaged_file_and_leaves_it_as_it_is(tmp_path: Path) -> None:
    with open_profile_cache(tmp_path / "p") as cache:
        DraftStore(cache).save(md.start(_menu()))
    path = tmp_path / "p" / "drafts-v1.json"
    damaged = path.read_bytes()[:-100]
    path.write_bytes(damaged)
    for read_only in (False, True):
        with (
            open_profile_cache(tmp_path / "p", read_only=read_only) as cache,
            pytest.raises(CorruptDraftsError) as caught,
        ):
            DraftStore(cache)
        assert caught.value.code == "corrupt_drafts" and caught.value.path == path
    assert path.read_bytes() == damaged  # left in place, not set aside and replaced by an empty file
    assert list((tmp_path / "p").glob("drafts-v1.json.corrupt-*")) == []


@pytest.fixture
def counter(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    assert platform.seed is not None
    cli = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
    cli("login", "--url", platform.url, "--token", cli.token)
    cli("sync", "--once")
    monkeypatch.setenv("O2O_HOME", str(cli.home))
    set_language("en")
    yield cli
    set_language(None)


async def _saved_edit() -> None:
    source = await open_editor()
    try:
        await edit_price(source, "mapo-tofu", 2700)
    finally:
        await source.close()


def _damage(cli: Cli) -> Path:
    asyncio.run(_saved_edit())
    return _cut(cli)


def _cut(cli: Cli) -> Path:
    (path,) = cli.home.glob("cache/profiles/*/drafts-v1.json")
    path.write_bytes(path.read_bytes()[:-100])
    return path


def test_cli_commands_refuse_with_exit_8_and_leave_the_file(counter: Cli) -> None:
    path = _damage(counter)
    damaged = path.read_bytes()
    published = counter("menu", "publish", code=Exit.CORRUPT)
    said = " ".join(published.stderr.split())
    assert (
        "cannot be read" in said and "left exactly as it is" in said and "There is no menu draft" not in said
    )
    assert str(path.name) in said.replace(" ", "")
    scripted = counter("menu", "publish", "--json", code=Exit.CORRUPT)
    assert "unchanged" not in scripted.stdout and "cannot be read" in scripted.stdout + scripted.stderr
    counter("menu", "discard", code=Exit.CORRUPT)
    zh = " ".join(counter("menu", "publish", code=Exit.CORRUPT, lang="zh").stderr.split())
    assert "菜单草稿文件" in zh and "无法读取" in zh
    counter("logout", code=Exit.CORRUPT)  # the unsent-drafts guard holds: the file may hold drafts
    assert path.read_bytes() == damaged and list(path.parent.glob("*.corrupt-*")) == []
    counter("logout", "--force")  # asked for: goes


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_editor_says_it_and_changes_nothing(counter: Cli, lang: str) -> None:
    await _saved_edit()
    path = _cut(counter)
    damaged = path.read_bytes()
    set_language(lang)
    app: Any = MenuEditorApp(source_for_profile(counter_profile()))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(
            pilot, lambda: isinstance(app.screen, MenuEditorScreen) and app.screen.draft is not None
        )
        screen = app.screen
        toasts = " ".join(str(toast.message) for toast in app._notifications)
        assert t("menu_draft.error.corrupt", path=str(path), detail="@").split("@")[0] in toasts
        status = str(screen.query_one("#menu-status").render())
        assert t("menu_editor.status.drafts_unreadable") in status
        await pilot.press("h")  # an edit (hide): refused, nothing written
        await pilot.pause()
    assert path.read_bytes() == damaged


def counter_profile() -> Any:
    from o2o_tui.config import load_profile

    return load_profile(None)
