"""The handheld (`o2o courier`), the dispatch board (`o2o dispatch`) and the menu editor (`o2o menu edit`) take the
user's keymap as the console does, and now say what it gets wrong as the console does (`screens.keys`
`check_keymap_later`, a second after start): an id that is a typo, a key taken from another binding that is left
with none. They used to say nothing, so a remap that did nothing went unnoticed. One keymap serves every app: an
id another app owns is not a typo in this one (`KEYMAP_APPS`, checked here against the modules)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.app import App
from textual.binding import Binding
from textual.pilot import Pilot

from o2o_tui.i18n import set_language, t
from screens import keys
from screens.courier_app import CourierApp
from screens.courier_memory_source import MemoryCourierSource
from screens.courier_widgets import Line
from screens.dispatch_board import DispatchApp
from screens.menu_editor import MenuEditorApp
from screens.menu_source import MemoryMenuSource
from screens.terminal import DEFAULT_THEME
from tests.test_dispatch_live_samples import NOW, board_snapshot
from tests.test_ui_courier_snapshots import courier, sample_tasks
from tests.test_ui_dispatch import MemoryFleet
from tests.test_ui_menu_editor_snapshots import sample_menu
from tests.test_ui_samples import FROZEN_NOW, sample_store


@pytest.fixture(autouse=True)
def soon(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(keys, "KEYMAP_CHECK_S", 0.05)
    set_language("en")
    yield
    set_language(None)


def _declared(modules: tuple[str, ...]) -> set[str]:
    return {
        binding.id
        for cls in keys._binding_classes(modules)
        for binding in cls.__dict__["BINDINGS"]
        if isinstance(binding, Binding) and binding.id
    }


def test_each_app_owns_whole_prefixes_and_every_prefix_has_an_owner() -> None:
    """`own`: every id of the prefix, whichever screen declares it, is the app's (so an unknown one is a typo
    everywhere); every id any app declares has an owner (so none is a typo in the app that does not declare it)."""
    declared = {name: _declared(entry.modules) for name, entry in keys.KEYMAP_APPS.items()}
    every = set().union(*declared.values())
    owned = set().union(*(entry.own for entry in keys.KEYMAP_APPS.values()))
    assert not {binding_id for binding_id in every if binding_id.partition(".")[0] not in owned}
    for name, entry in keys.KEYMAP_APPS.items():
        for prefix in entry.own:
            ids = {binding_id for binding_id in every if binding_id.partition(".")[0] == prefix}
            assert ids and ids <= declared[name], (name, prefix, ids - declared[name])
    assert " ".join(sorted(keys.OTHER_APPS)) == "dispatch handheld menu menu_diff menu_publish menu_rebase"


def test_another_apps_ids_are_no_typo_anywhere() -> None:
    shared = {
        "queue.accept": "z", "app.ask_quit": "ctrl+x", "handheld.back": "0,escape", "dispatch.reassign": "R",
        "menu.duplicate": "C", "list.up": "up,w", "dialog.cancel": "escape,ctrl+g", "menu_rebase.theirs": "T",
    }  # fmt: skip
    for name in keys.KEYMAP_APPS:
        assert keys.app_keymap_problems(shared, name) == [], name


async def _until(pilot: Pilot[Any], condition: Callable[[], bool]) -> None:
    for _ in range(200):  # a bounded wait for the check's timer, not a timing assertion
        if condition():
            return
        await pilot.pause(0.02)


def _toasts(app: App[Any]) -> list[str]:
    said: list[str] = []
    real_notify = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        said.append(message)
        real_notify(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return said


async def test_the_handheld_says_a_taken_key_and_a_typo_on_its_message_line() -> None:
    set_language("zh")
    keymap = {"handheld.enter": "1", "handheld.bak": "0", "queue.acept": "y", "app.ask_quit": "ctrl+x"}
    source = MemoryCourierSource(sample_tasks(), courier=courier())
    app = CourierApp(source, ascii_only=False, theme=DEFAULT_THEME, keymap=keymap)  # type: ignore[arg-type]
    async with app.run_test(size=(40, 16)) as pilot:
        message = app.screen.query_one("#message", Line)
        await _until(pilot, lambda: bool(message.shown))
        taken = t("ui.keymap.no_key_left", key="1", now="handheld.enter", lost="handheld.pick1")
        typo = t("ui.keymap.unknown.handheld", id="handheld.bak")
        assert message.shown == t("ui.keymap.handheld", problems=f"{taken} / {typo}"), message.shown
        assert "手持机" in message.shown and "queue.acept" not in message.shown  # the console's to say


async def test_the_dispatch_board_says_a_taken_key_and_a_typo_in_one_toast() -> None:
    keymap = {"dispatch.accept": "q", "dispatch.acept": "y", "menu.add": "+", "queue.acept": "y"}
    app = DispatchApp(MemoryFleet(board_snapshot()), clock=lambda: NOW, poll_seconds=3600, keymap=keymap)
    said = _toasts(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(pilot, lambda: any(text.startswith(t("ui.keymap.title")) for text in said))
    warnings = [text for text in said if text.startswith(t("ui.keymap.title"))]
    assert len(warnings) == 1, said
    lines = warnings[0].splitlines()
    assert lines[1:] == [
        "q is now Accept; Quit has no key left",
        "dispatch.acept is not a key name the dispatch board knows: ignored",
    ], lines


async def test_the_menu_editor_says_a_taken_key_and_a_typo_in_one_toast() -> None:
    keymap = {"menu.add": "q", "menu_publish.cancle": "x", "dispatch.acept": "y"}
    source = MemoryMenuSource(sample_menu(), store=sample_store())
    app = MenuEditorApp(source, clock=lambda: FROZEN_NOW, theme=DEFAULT_THEME, keymap=keymap)
    said = _toasts(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(pilot, lambda: any(text.startswith(t("ui.keymap.title")) for text in said))
    warnings = [text for text in said if text.startswith(t("ui.keymap.title"))]
    assert len(warnings) == 1, said
    assert warnings[0].splitlines()[1:] == [
        f"q is now {t('menu_editor.key.add')}; {t('ui.key.quit')} has no key left",
        "menu_publish.cancle is not a key name the menu editor knows: ignored",
    ], warnings
