"""On a vt100 or the Linux console (the app's glyph set ASCII or CONSOLE: classes `-ascii` / `-console`) the
one-row fields of the chase-reply and refund dialogs (compact inputs: the minutes, the own-words answer, the
refund's note) show what is typed: merchant.tcss's ASCII / console borders for inputs are not drawn on them (a
border takes the only row and leaves an empty box). Real app against the real platform, glyphs given."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.chase_dialog import ChaseReplyDialog
from screens.launch import open_source
from screens.refund_dialog import RefundDialog
from screens.terminal import ASCII, CONSOLE, Glyphs
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_ui_live import wait_until


class QuietApp(MerchantApp):
    def bell(self) -> None:
        pass


@pytest.fixture
def profile(
    shared_platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    seed = shared_platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=shared_platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


def _post(platform: RunningPlatform, role: str, path: str, body: object) -> dict[str, Any]:
    client = api(platform, role)
    try:
        answer = client.post(path, body)
        assert answer.status_code < 300, answer.text
        return dict(answer.json())
    finally:
        client.close()


def _chased_order(platform: RunningPlatform) -> dict[str, Any]:
    """A takeout being prepared that its customer chased."""
    assert platform.seed is not None
    order = _post(platform, "customer", "/v1/orders", order_body(platform.seed.store_id, "TAKEOUT"))
    path = f"/v1/orders/{order['id']}"
    _post(platform, "merchant", path + "/confirm", {"preparation_minutes": 30})
    _post(platform, "customer", path + "/chase", {"note": "where is it"})
    return order


def _field_row(app: MerchantApp, field: Input) -> str:
    """What the terminal shows in the field's cells."""
    region = field.region
    assert region.height >= 1, region
    strips = app.screen._compositor.render_strips()
    return "".join(s.text for s in strips[region.y].crop(region.x, region.right))


@pytest.mark.covering  # every value of every axis in the suite, every combination in `python -m bench deep`
@pytest.mark.parametrize("glyphs", [ASCII, CONSOLE], ids=["ascii", "console"])
@pytest.mark.parametrize("size", [(80, 24), (40, 15)], ids=["80x24", "40x15"])
async def test_what_is_typed_in_the_chase_and_refund_fields_shows(
    shared_platform: RunningPlatform, profile: Profile, glyphs: Glyphs, size: tuple[int, int]
) -> None:
    order = await asyncio.to_thread(_chased_order, shared_platform)
    app = QuietApp(open_source(profile), glyphs=glyphs)
    async with app.run_test(size=size) as pilot:
        queue = app.orders_screen.queue
        await wait_until(
            pilot,
            lambda: any(r.entry.order.id == order["id"] and r.entry.order.chases for r in queue.row_views()),
        )
        queue.select(order["id"])
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ChaseReplyDialog))
        await pilot.press("1")  # being prepared: the minutes field, its value selected
        minutes = app.screen.query_one("#minutes", Input)
        await wait_until(pilot, lambda: app.focused is minutes)
        await pilot.press("1", "7")
        await pilot.pause()
        assert minutes.value == "17"
        assert "17" in _field_row(app, minutes), _field_row(app, minutes)

        await pilot.press("escape", "y")
        await wait_until(pilot, lambda: isinstance(app.screen, ChaseReplyDialog))
        await pilot.press("4")  # own words
        text = app.screen.query_one("#text", Input)
        await wait_until(pilot, lambda: app.focused is text)
        await pilot.press(*"hello")
        await pilot.pause()
        assert "hello" in _field_row(app, text), _field_row(app, text)

        await pilot.press("escape", "dollar_sign")
        await wait_until(pilot, lambda: isinstance(app.screen, RefundDialog))
        await pilot.press("0", "enter", "6", "enter")  # the whole order, reason "other": its note
        note = app.screen.query_one("#note", Input)
        await wait_until(pilot, lambda: app.focused is note)
        await pilot.press(*"abc")
        await pilot.pause()
        assert "abc" in _field_row(app, note), _field_row(app, note)
        await pilot.press("escape")
