"""The last Unicode the ASCII and Linux-console glyph sets drew (screens/terminal.py `Glyphs`): a cut text ends in
"..." (`fit`: neither an ASCII terminal nor the console font has "…"), the board's pickup and drop-off times read
"12:34->12:55" under "Pickup->Drop" in ASCII, the scheduled view's quantities "x2", the menu diff's "^", "->" and
"-" for "↕", "→" and "∅", the rebase screen's "-" for "–", and a toast's left edge is a box line on the console
(no "▌"). Real apps run headless with the set given (a FULL app keeps its glyphs: the snapshots do not change);
the queue runs against the real platform."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, ClassVar

import msgspec
import pytest
from rich.cells import cell_len
from textual._context import active_app
from textual.app import App
from textual.widgets._toast import Toast

from o2o_tui import menu_draft, menu_edits
from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language, t
from screens.dispatch_board import DispatchApp
from screens.launch import open_source
from screens.memory_source import MemoryOrderSource
from screens.menu_diff import MenuDiffScreen
from screens.menu_rebase import MenuRebaseScreen
from screens.order_format import fit
from screens.scheduled_screen import ScheduledScreen
from screens.store_screen import Clamped
from screens.terminal import ASCII, CONSOLE, FULL, Glyphs
from tests.support.platform import api, order_body, start_platform
from tests.test_dispatch_live_samples import NOW, board_snapshot
from tests.test_ui_ascii_decoration import QuietApp
from tests.test_ui_dispatch import MemoryFleet
from tests.test_ui_live import wait_until
from tests.test_ui_menu_publish import Host, cny, sample_menu
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_link, sample_store
from tests.test_ui_scheduled import held_entries

# what these sets never draw (the console font lacks "…", "–" and "∅"; ASCII lacks the arrows and "×" too)
NOT_ON_THE_CONSOLE = set("…–∅▌")
NOT_IN_ASCII = NOT_ON_THE_CONSOLE | set("→↕×·─│")


def _screen_text(app: App[Any]) -> str:
    return "\n".join("".join(s.text for s in strip) for strip in app.screen._compositor.render_strips())


def _bad(text: str, glyphs: Glyphs) -> list[str]:
    return sorted(set(text) & (NOT_IN_ASCII if glyphs is ASCII else NOT_ON_THE_CONSOLE))


class _WithGlyphs(App[None]):
    def __init__(self, glyphs: Glyphs) -> None:
        super().__init__()
        self.glyphs = glyphs


@pytest.mark.parametrize(
    ("glyphs", "cuts"),
    [
        (FULL, ["Kung Pao…  ", "Kung…  ", "Kun…", "Ku…", "K…", "…"]),
        (ASCII, ["Kung Pao...", "Kung...", "K...", "K..", "K.", "."]),
        (CONSOLE, ["Kung Pao...", "Kung...", "K...", "K..", "K.", "."]),
    ],
)
def test_fit_cuts_with_the_running_apps_ellipsis(glyphs: Glyphs, cuts: list[str]) -> None:
    """`fit` takes the set of the app running (`active_glyphs`), so no caller passes it; a "..." too wide for
    the cells left is shortened rather than dropping the only character."""
    token = active_app.set(_WithGlyphs(glyphs))
    try:
        assert [fit("Kung Pao Chicken", width) for width in (11, 7, 4, 3, 2, 1)] == cuts
        # wide characters: cells, not characters
        assert fit("宫保鸡丁", 5) == ("宫保…" if glyphs is FULL else "宫...")
        assert fit("Rice", 4) == "Rice"  # what fits is not cut
        # a store name clamped to its lines ends the same way (screens/store_screen.py `Clamped`)
        clamped = Clamped("老王川菜馆 Lao Wang Sichuan Kitchen on People's Square", 1).at(20).plain
        assert clamped == ("老王川菜馆 Lao Wang…" if glyphs is FULL else "老王川菜馆 Lao..."), clamped
    finally:
        active_app.reset(token)
    assert fit("Kung Pao Chicken", 11) == "Kung Pao…  "  # outside an app (the CLI, a test): FULL's


@pytest.mark.parametrize("glyphs", [ASCII, CONSOLE])
@pytest.mark.parametrize("size", [(80, 24), (40, 15)])
async def test_the_queue_against_the_platform_cuts_its_items_with_dots(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int], glyphs: Glyphs
) -> None:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    running = start_platform(tmp_path)
    try:
        seed = running.seed
        assert seed is not None
        profile: Profile = save_profile(
            "counter", url=running.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
        )
        customer = api(running, "customer")
        try:
            live = (await asyncio.to_thread(customer.post, "/v1/orders", order_body(seed.store_id))).json()
        finally:
            customer.close()
        app = QuietApp(open_source(profile), glyphs=glyphs)
        async with app.run_test(size=size) as pilot:
            queue = app.orders_screen.queue
            await wait_until(pilot, lambda: live["id"] in queue.order_ids)
            await pilot.pause(0.2)
            shown = _screen_text(app)
            assert not _bad(shown, glyphs), shown
            row = next(line for line in shown.splitlines() if f"#{live['number']:04d}" in line)
            if size[0] < 60:
                assert "宫保鸡丁..." in row, shown  # the items, cut
            else:
                assert f"Kung Pao Chicken{glyphs.times}2 " in row, shown  # whole: nothing to cut
    finally:
        running.stop()


def _board(glyphs: Glyphs) -> DispatchApp:
    return DispatchApp(MemoryFleet(board_snapshot()), clock=lambda: NOW, poll_seconds=60, glyphs=glyphs)


def _cells_before(line: str, part: str) -> int:
    return cell_len(line[: line.index(part)])


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize(
    ("glyphs", "arrow"), [(ASCII, "->"), (CONSOLE, "→"), (FULL, "→")], ids=["ascii", "console", "full"]
)
async def test_the_boards_pickup_and_drop_off_times_sit_under_their_header(
    glyphs: Glyphs, arrow: str, language: str
) -> None:
    set_language(language)
    try:
        app = _board(glyphs)
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause(0.3)
            lines = _screen_text(app).splitlines()
            title = t("dispatch.board.col.times").replace("→", arrow)
            header = next(line for line in lines if title in line)
            row = next(line for line in lines if f"12:34{arrow}12:55" in line)
            assert _cells_before(header, title) == _cells_before(row, f"12:34{arrow}12:55")
            if glyphs is ASCII:
                assert "→" not in "\n".join(lines)
    finally:
        set_language("en")


@pytest.mark.parametrize("glyphs", [ASCII, FULL])
async def test_the_scheduled_views_quantities_read_in_the_terminals_set(glyphs: Glyphs) -> None:
    set_language("en")
    source = MemoryOrderSource(sample_entries() + held_entries(), store=sample_store())
    app = QuietApp(source, clock=lambda: FROZEN_NOW, glyphs=glyphs)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, ScheduledScreen)
        shown = _screen_text(app)
        rows = [line for line in shown.splitlines() if "#0050" in line]
        assert rows, shown
        assert ("Kung Pao Chickenx2" if glyphs is ASCII else "Kung Pao Chicken×2") in rows[0], shown
        if glyphs is ASCII:
            assert "×" not in shown and "…" not in shown, shown


def _spiced() -> menu_draft.MenuDraft:
    """A description and prep minutes given where there were none (the diff's "∅ → Spicy")."""
    base = sample_menu()
    mine = menu_edits.update_item(base, "kung-pao", description="Spicy", prep_minutes=12)
    mine = menu_edits.move(mine, "item", "fish", -1)
    return menu_draft.apply(menu_draft.start(base), mine)


class _GlyphHost(Host):
    glyphs: ClassVar[Glyphs] = FULL


@pytest.mark.parametrize(
    ("glyphs", "lines"),
    [
        (ASCII, ["~ description: - -> Spicy", "^ item 水煮鱼 Boiled Fish", "position: 3 -> 2"]),
        (CONSOLE, ["~ description: - → Spicy", "↕ item 水煮鱼 Boiled Fish", "position: 3 → 2"]),
        (FULL, ["~ description: ∅ → Spicy", "↕ item 水煮鱼 Boiled Fish", "position: 3 → 2"]),
    ],
    ids=["ascii", "console", "full"],
)
async def test_the_menu_diff_marks_its_changes_in_the_terminals_set(glyphs: Glyphs, lines: list[str]) -> None:
    set_language("en")
    draft = _spiced()
    host = type("Host", (_GlyphHost,), {"glyphs": glyphs})
    app = host(lambda: MenuDiffScreen(menu_draft.diff(draft.base, draft.menu)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MenuDiffScreen)
        shown = _screen_text(app)
        for line in lines:
            assert line in shown, shown
        if glyphs is not FULL:
            assert not _bad(shown.replace("🐟", ""), glyphs), shown


@pytest.mark.parametrize(("glyphs", "dash"), [(ASCII, "-"), (CONSOLE, "-"), (FULL, "–")])
async def test_the_rebase_screen_says_no_value_in_the_terminals_set(glyphs: Glyphs, dash: str) -> None:
    set_language("en")
    draft = _spiced()
    theirs = msgspec.structs.replace(
        menu_edits.update_item(draft.base, "kung-pao", price=cny(4000)), version=4
    )
    rebase = menu_draft.rebase(draft, theirs)
    assert [c.id for c in rebase.conflicts] == ["kung-pao"]
    host = type("Host", (_GlyphHost,), {"glyphs": glyphs})
    app = host(lambda: MenuRebaseScreen(rebase))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = _screen_text(app)
        assert f"prep minutes: {dash}" in shown, shown  # theirs has none
        assert "names:" not in shown, shown  # nobody gave the per-language names: not shown, in any set
        if glyphs is not FULL:
            assert not _bad(shown, glyphs), shown


@pytest.mark.parametrize(("glyphs", "edge"), [(CONSOLE, "│"), (ASCII, "|"), (FULL, "▌")])
async def test_a_toasts_left_edge_is_drawn_with_what_the_terminal_has(glyphs: Glyphs, edge: str) -> None:
    set_language("en")
    source = MemoryOrderSource(sample_entries(), store=sample_store(), link=sample_link())
    app = QuietApp(source, clock=lambda: FROZEN_NOW, glyphs=glyphs)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        for severity in ("information", "warning", "error"):
            app.clear_notifications()
            app.say(f"A {severity} toast", severity=severity)
            await wait_until(pilot, lambda: len(app.screen.query(Toast)) == 1)
            await pilot.pause(0.1)
            shown = _screen_text(app)
            line = next(line for line in shown.splitlines() if f"A {severity} toast" in line)
            assert f"{edge} A {severity} toast" in line, shown
            if glyphs is not FULL:
                assert "▌" not in shown, shown


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_availability_dialog_promises_no_sending_at_once(language: str) -> None:
    """Availability goes out when the link allows (queued offline), so neither the dialog nor the help says
    "at once"; both still say it is not part of the draft."""
    set_language(language)
    try:
        texts = [
            t("menu_editor.availability.title", what="x"),
            t("menu_editor.help.availability"),
            t("menu_editor.help.draft"),
        ]
        for text in texts:
            assert "at once" not in text and "立即" not in text, text
        assert ("link allows" if language == "en" else "联网即发") in texts[0]
        assert ("not part of the draft" if language == "en" else "不进草稿") in texts[0]
    finally:
        set_language("en")
