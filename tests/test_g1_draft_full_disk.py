"""On a full disk the menu editor never says "Saved in the draft." for an edit it could not write: the status line
says NOT SAVED, Esc asks (keep editing / try saving again, then leave / leave and lose it), and the retry saves once
there is space again. The disk fills up as the product's other full-disk tests make it (os.write raising ENOSPC,
here for the drafts file only). Real platform on loopback, real profile cache; English and Chinese."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language, t
from screens.dialogs import ChoicePrompt
from screens.menu_editor import MenuEditorApp
from screens.menu_source import source_for_profile
from tests.support.deep_variants import ENGLISH_HERE_CHINESE_DEEP
from tests.support.platform import RunningPlatform
from tests.test_ui_live import wait_until
from tests.test_ui_menu_editor_quit_keeps import _saved_price, _type_price


@pytest.fixture(params=ENGLISH_HERE_CHINESE_DEEP)
def profile(
    request: pytest.FixtureRequest, platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language(request.param)
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


class FullDisk:
    """`os.write` into the drafts file (its temp file) fails with ENOSPC while `full`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.full = False
        self.refused = 0
        real = os.write

        def write(fd: int, data: Any) -> int:
            if self.full:
                try:
                    name = os.readlink(f"/proc/self/fd/{fd}")
                except OSError:
                    name = ""
                if "drafts-v" in name:
                    self.refused += 1
                    raise OSError(errno.ENOSPC, "No space left on device")
            return real(fd, data)

        monkeypatch.setattr(os, "write", write)


def _toasts(app: Any) -> list[str]:
    return [str(toast.message) for toast in app._notifications]


async def test_an_unsaved_edit_is_never_said_saved_and_esc_asks(
    platform: RunningPlatform, profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = FullDisk(monkeypatch)
    app: Any = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _type_price(pilot, app, "17")
        disk.full = True
        app.clear_notifications()
        await pilot.press("enter")  # the price goes into the draft: the write fails
        await wait_until(pilot, lambda: disk.refused > 0 and not screen.saved and bool(_toasts(app)))
        await pilot.pause()
        said = " ".join(_toasts(app))
        assert t("menu_editor.error.not_saved", error="@").split("@")[0] in said
        assert (
            t("menu_editor.applied") not in said
            and t("menu_editor.applied_fields", fields="@").split("@")[0] not in said
        )
        status = str(screen.query_one("#menu-status").render())
        assert (
            t("menu_editor.status.not_saved") in status
            and t("menu_editor.status.saved") + " " not in status + " "
        )

        await pilot.press("escape")  # leaves the form (in the tree now)
        await wait_until(pilot, lambda: not screen.has_class("-form-open"))
        await pilot.press("escape")  # leaving the editor: asked, not lost without a word
        await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt))
        await pilot.press("1")  # keep editing
        await wait_until(pilot, lambda: app.screen is screen)
        assert app.is_running

        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt))
        await pilot.press("2")  # try again: still full, so it stays
        await wait_until(pilot, lambda: app.screen is screen)
        assert app.is_running and not screen.saved

        disk.full = False  # space is back
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt))
        await pilot.press("2")  # saves, then leaves
        await wait_until(pilot, lambda: not app.is_running)
    assert await _saved_price(profile) == 1700


async def test_leave_and_lose_leaves(
    platform: RunningPlatform, profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = FullDisk(monkeypatch)
    app: Any = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(40, 15)) as pilot:  # narrow: the form in the tree's place
        screen = await _type_price(pilot, app, "19")
        disk.full = True
        await pilot.press("enter")
        await wait_until(pilot, lambda: disk.refused > 0 and not screen.saved)
        assert screen.query_one("#field-price", Input).value == "19"
        await pilot.press("escape")
        await wait_until(pilot, lambda: not screen.has_class("-form-open"))
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt))
        await pilot.press("3")  # leave, losing it: asked for
        await wait_until(pilot, lambda: not app.is_running)
    assert await _saved_price(profile) == 2600  # the published price: the unsaved change is gone, as chosen
