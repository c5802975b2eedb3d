"""At 40x15 the warning that an assignment MAY have gone through (the link took the request, the answer never came)
stays in sight after `A`: below 60 columns each new toast takes older ones down, and the "not sent" toast that
followed it used to take it down. One toast says both there, the warning first. Real platform, a fault proxy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from o2o_tui.client.aio import AsyncPlatformClient
from o2o_tui.i18n import set_language
from screens.dispatch_board import ClientFleet, DispatchApp
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform
from tests.test_cli_dispatch import place_ready_orders
from tests.test_ui_dispatch import board_of, courier_of, next_round, until

WORDS = {
    "en": ("no answer", "it may be assigned", "Not sent: "),
    "zh": ("平台无回应", "可能已派出", "未发送："),
}


@pytest.fixture(autouse=True)
def no_language() -> Iterator[None]:
    yield
    set_language(None)


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_the_may_have_been_made_warning_survives_the_not_sent_one_at_40x15(
    platform: RunningPlatform, language: str
) -> None:
    set_language(language)
    no_answer, maybe, not_sent = WORDS[language]
    orders = place_ready_orders(platform, [(900.0, 200.0), (-700.0, -900.0), (300.0, -400.0)])
    numbers = {f"#{o.number:04d}": o.id for o in orders}
    with FaultProxy(platform.port) as proxy:
        client = AsyncPlatformClient(
            f"http://127.0.0.1:{proxy.port}", platform.seed.tokens["dispatcher"], timeout=2.0
        )
        app = DispatchApp(ClientFleet(client, platform.seed.store_id), poll_seconds=60)
        async with app.run_test(size=(40, 15)) as pilot:
            board = board_of(app)
            await next_round(pilot, board, 0)
            assert len(board.plan.suggestions) == 3
            proxy.reset_after(0)  # the request reaches the platform, its answer is cut before a byte
            rounds = board.rounds
            await pilot.press("A")
            await until(pilot, lambda: board.rounds > rounds and not board.busy, "the round after A")
            up = [n for n in app._notifications if not n.has_expired]
            given = [app._toasts.given(n)[0] for n in up]
            warned = [text for text in given if no_answer in text]
            assert len(warned) == 1, given
            said = warned[0]
            assert maybe in said and not_sent in said, said
            assert said.index(no_answer) < said.index(not_sent), said  # the one to check first
            unknown = said.split(no_answer)[0].strip(" :：")
            assert unknown in numbers, said
            unsent = [number for number in numbers if number != unknown]
            assert all(number in said.split(not_sent)[1] for number in unsent), said
            shown = next(n for n in up if no_answer in app._toasts.given(n)[0]).message
            assert "…" not in shown, shown  # all of it in sight, not cut
        proxy.pass_through()
    assert courier_of(platform, numbers[unknown]) is not None  # the platform did assign the one not answered
    assert all(courier_of(platform, numbers[number]) is None for number in unsent)
