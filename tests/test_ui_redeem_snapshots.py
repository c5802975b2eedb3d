"""Snapshots of the counter's code field (`v`) with a redeemed voucher in large text, at 40x15 and 80x24, English
and Chinese, on a memory source that answers as the platform does (a frozen clock, no server).

Update after an intended change with `pytest tests/test_ui_redeem_snapshots.py --snapshot-update` and look at the
SVGs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import msgspec
import pytest
from textual.pilot import Pilot
from textual.widgets import Label

from o2o_tui.domain.money import Money
from o2o_tui.domain.voucher import Voucher, VoucherStatus
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from screens.terminal import DEFAULT_THEME
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_store

SIZES = [(40, 15), (80, 24)]
SIZE_IDS = ["40x15", "80x24"]
CODE = "123456789012"


class Platform:
    """Answers a redemption again under its key, as the platform does (`o2o_tui.redeem.voucher_answer`)."""

    async def send(self, action: str, target: str, body: bytes, *, key: str) -> Voucher:
        return Voucher(
            id="v-1",
            store_id=target,
            title="双人套餐 Set meal for 2",
            value=Money(3800, "CNY"),
            expires_at=FROZEN_NOW + timedelta(days=30),
            status=VoucherStatus.REDEEMED,
            version=3,
            created_at=FROZEN_NOW,
            updated_at=FROZEN_NOW,
            code_tail=CODE[-4:],
            redeemed_at=FROZEN_NOW,
        )


class AnsweringSource(MemoryOrderSource):
    """A memory source whose queued voucher is confirmed at once."""

    client = Platform()

    async def submit_keyed(self, action: str, target: str, body: msgspec.Struct) -> str:
        await self.submit(action, target, body)
        return "key-1"

    async def entry_state(self, key: str) -> tuple[bool, dict[str, Any] | None]:
        return False, None


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


async def _redeem(pilot: Pilot[Any]) -> None:
    await pilot.press("v", *CODE, "enter")
    for _ in range(200):
        shown = pilot.app.screen.query("#redeem-result")
        if shown and shown.first(Label).has_class("-ok"):
            break
        await pilot.pause(0.02)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_redeem_screen(snap_compare, lang: str, size: tuple[int, int]) -> None:
    source = AnsweringSource(sample_entries(), store=sample_store())
    app = MerchantApp(source, clock=lambda: FROZEN_NOW, theme=DEFAULT_THEME)
    assert snap_compare(app, terminal_size=size, run_before=_redeem)
