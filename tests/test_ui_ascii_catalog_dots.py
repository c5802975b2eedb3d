"""On an ASCII terminal (the app's glyph set ASCII: vt100, a locale that is not UTF-8) the catalog's own "·"
separators show as the set's dot ("|"), in English and in Chinese: the chase and refund dialogs' key hints (the
Chinese refund hints write it without spaces), the refused actions' rows, the figures' title and the order
detail's courier line. Before, they drew the Unicode middle dot the terminal cannot show. The dialogs in the real
app against the real platform; the others over a memory source. FULL keeps the "·" (the snapshots do not change).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from textual.app import App

from o2o_tui.config import Profile, save_profile
from o2o_tui.courier_stage import CourierNote
from o2o_tui.i18n import set_language, t
from screens.app import MerchantApp
from screens.chase_dialog import ChaseReplyDialog
from screens.conflicts_screen import ConflictsScreen
from screens.figures_screen import FiguresScreen
from screens.launch import open_source
from screens.memory_source import MemoryOrderSource
from screens.refund_dialog import RefundDialog
from screens.source import ConflictView, LinkState, LinkStatus, QueueEntry
from screens.terminal import ASCII, FULL, Glyphs
from screens.widgets.order_detail import detail_content
from tests.support.platform import RunningPlatform
from tests.test_ui_console_one_line_inputs import _chased_order
from tests.test_ui_figures import fixed
from tests.test_ui_live import wait_until
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_store


class QuietApp(MerchantApp):
    def bell(self) -> None:
        pass


def _screen_text(app: App[Any]) -> str:
    return "\n".join("".join(s.text for s in strip) for strip in app.screen._compositor.render_strips())


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


@pytest.mark.parametrize("size", [(80, 24), (40, 15)], ids=["80x24", "40x15"])
async def test_the_chase_and_refund_hints_draw_no_middle_dot_in_ascii(
    shared_platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str, size: Any
) -> None:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    seed = shared_platform.seed
    assert seed is not None
    profile: Profile = save_profile(
        "counter", url=shared_platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    order = await asyncio.to_thread(_chased_order, shared_platform)
    app = QuietApp(open_source(profile), glyphs=ASCII)
    async with app.run_test(size=size) as pilot:
        queue = app.orders_screen.queue
        await wait_until(
            pilot,
            lambda: any(r.entry.order.id == order["id"] and r.entry.order.chases for r in queue.row_views()),
        )
        queue.select(order["id"])
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ChaseReplyDialog))
        await pilot.pause(0.1)
        hints = [t("care.chase.hint").replace("·", "|")]
        shown = [_screen_text(app)]
        await pilot.press("escape", "dollar_sign")
        await wait_until(pilot, lambda: isinstance(app.screen, RefundDialog))
        await pilot.pause(0.1)
        hints.append(t("care.refund.hint_lines").replace("·", "|"))
        shown.append(_screen_text(app))
        await pilot.press("0", "enter")  # the whole order: the reasons, with their own hint
        await pilot.pause(0.1)
        hints.append(t("care.refund.hint_reason").replace("·", "|"))
        shown.append(_screen_text(app))
    for hint, text in zip(hints, shown, strict=True):
        assert "·" not in text, text
        if size[0] >= 80:  # narrower, a hint may wrap: its start is still there
            assert hint in text, (hint, text)
        assert hint.split("|")[0].strip() in text, (hint, text)


@pytest.mark.parametrize(("glyphs", "dot"), [(ASCII, " | "), (FULL, " · ")], ids=["ascii", "full"])
async def test_the_refused_rows_and_the_figures_title_use_the_terminals_dot(
    lang: str, glyphs: Glyphs, dot: str
) -> None:
    conflict = ConflictView(
        key="k1",
        action="order.confirm",
        action_label="accept",
        order_id="ord-0042",
        order_number=42,
        explanation="the order was cancelled",
        tapped_at=FROZEN_NOW - timedelta(minutes=3),
    )
    source = MemoryOrderSource(store=sample_store(), link=LinkStatus(LinkState.ONLINE), conflicts=[conflict])
    app = QuietApp(source, clock=lambda: FROZEN_NOW, glyphs=glyphs)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(ConflictsScreen(source))
        await pilot.pause(0.2)
        rows = _screen_text(app)
        head = next(line for line in rows.splitlines() if "0042" in line)
        assert f"0042{dot}" in head, rows
        if glyphs is ASCII:
            assert "·" not in rows, rows
        await app.push_screen(FiguresScreen(lambda day: fixed(day or "2026-12-02"), figures=fixed(),
                                            store_name="Lao Wang"))  # fmt: skip
        await pilot.pause(0.2)
        figures = _screen_text(app)
        assert f"2026-12-02{dot}Lao Wang" in figures, figures
        if glyphs is ASCII:
            assert "·" not in figures, figures


@pytest.mark.parametrize(("glyphs", "dot"), [(ASCII, " | "), (FULL, " · ")], ids=["ascii", "full"])
def test_the_details_courier_line_uses_the_terminals_dot(lang: str, glyphs: Glyphs, dot: str) -> None:
    entry = next(e for e in sample_entries() if e.order.type.value == "DELIVERY")
    order = msgspec.structs.replace(entry.order, courier_id="courier-1", delivery_status="ACCEPTED")
    shown = str(detail_content(QueueEntry(order, courier=CourierNote("Wang Wei")), FROZEN_NOW, glyphs=glyphs))
    line = next(line for line in shown.splitlines() if "Wang Wei" in line)
    assert f"Wang Wei{dot}" in line, shown
