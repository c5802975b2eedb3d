"""Steps queued offline on one delivery and refused together: the handheld says the first refusal, the cause (a
mistyped pickup code), and that the later steps were not applied because of it; never the last refusal alone
("...was still at the store, the step before it has to be done first"), which hides why. English and Chinese, on
the 40x16 message line and on the task at 20x10. Real server on loopback, real cache, a fault proxy for the link."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.i18n import set_language
from screens.courier_screens import TaskScreen
from screens.courier_widgets import Line
from screens.source import LinkState
from tests.support.faultproxy import FaultProxy
from tests.support.handheld import first_courier_id, handheld_home, message, offer_with_code, proxied_profile
from tests.support.platform import RunningPlatform
from tests.test_ui_courier import (
    CountingApp,
    call,
    open_source,
    screen_text,
    server_delivery,
    settled,
    wait_until,
)

SAYS = {
    # the cause, then the steps it took along; what the last refusal alone said
    "en": ("Refused: ", "the code for your", "so the 2 steps you queued after it were not applied either", "step before"),
    "zh": ("被拒绝：", "不匹配", "因此之后排队的 2 步也未执行", "前一步"),
}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from handheld_home(tmp_path, monkeypatch, clear_ssh_gate=True)


@pytest.mark.parametrize(
    ("lang", "size"),
    [
        pytest.param("en", (40, 16), marks=pytest.mark.deep),
        ("zh", (40, 16)),
        pytest.param("en", (20, 10), marks=pytest.mark.deep),
    ],
)
async def test_the_first_refusal_is_said_with_the_steps_it_took_along(
    platform: RunningPlatform, home: Path, lang: str, size: tuple[int, int]
) -> None:
    set_language(lang)
    courier_id = first_courier_id(platform)
    order, number, pickup_code = offer_with_code(platform, courier_id)
    wrong = "0000" if pickup_code != "0000" else "1111"
    delivery_code = call(platform, "customer", "GET", f"/v1/orders/{order['id']}")["delivery_code"]
    prefix, cause, dropped, last_alone = SAYS[lang]
    with FaultProxy(platform.port) as proxy:
        app = CountingApp(open_source(proxied_profile(platform, courier_id, proxy)))
        async with app.run_test(size=size) as pilot:
            await wait_until(pilot, lambda: number in screen_text(app))
            await wait_until(pilot, lambda: app.source.link().state is LinkState.ONLINE)  # in any language
            await pilot.press("1")
            assert isinstance(app.screen, TaskScreen)
            await settled(pilot)
            await pilot.press("1")  # accept, online
            await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "ACCEPTED")
            await settled(pilot)
            proxy.drop()
            await wait_until(pilot, lambda: app.source.link().state is LinkState.OFFLINE)
            await settled(pilot)
            # offline: at the store, a mistyped pickup code, at the customer, the delivery code
            for keys in (["1"], ["1", *wrong, "enter"], ["1"], ["1", *delivery_code, "enter"]):
                await pilot.press(*keys)
                await settled(pilot)
            assert isinstance(app.screen, TaskScreen)
            proxy.pass_through()
            await wait_until(pilot, lambda: dropped in screen_text(app), 30)
            await pilot.pause(1.0)  # every refusal in: none of the later ones takes the cause's place
            assert server_delivery(platform, order["id"])["status"] == "ARRIVED_AT_MERCHANT"
            refusal = app.screen.query_one("#refusal", Line).shown
            assert refusal.startswith(prefix) and cause in refusal and dropped in refusal, refusal
            assert refusal.index(cause) < refusal.index(dropped) and last_alone not in refusal, refusal
            said = message(app)
            assert said.startswith(prefix) and last_alone not in said, said
            if size[0] >= 40:  # the cause within the two lines of a 40-column message line
                assert cause in said, said
