"""A delivery code typed at the door while the link is down is not checked yet: the handheld says so and never
heads the task "Delivered" before the platform checked the code (the courier stays at the door with the food);
and a refused code says its reason first on a message line of one row (40x8, a soft keyboard up), where the whole
sentence ("Refused: order #0016: your pickup was...") was cut before its reason. English and Chinese, at 40x16,
32x12 and 40x8."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from o2o_tui.courier_tasks import CourierStep
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import set_language, t
from screens.courier_app import CourierApp
from screens.courier_format import UNICODE, row_parts
from screens.courier_memory_source import MemoryCourierSource
from screens.courier_screens import Step, StepChosen, TaskScreen
from screens.courier_source import TaskView
from screens.source import LinkState, LinkStatus
from tests.support.handheld import first_courier_id, handheld_home, message, offer_with_code
from tests.support.platform import Api, RunningPlatform
from tests.test_ui_courier import CountingApp, call, courier_profile, open_source, server_delivery, wait_until
from tests.test_ui_courier_snapshots import courier, delivery

SIZES = ((40, 16), (32, 12), (40, 8))
# what each language says: the task's heading, the line under it, the message line (long, then one row)
SAYS = {
    "en": ("Code not checked", "keep the food", "code not checked yet", "keep the food"),
    "zh": ("收货码未核验", "餐品先不要交出", "收货码未核验", "先不要交出餐品"),
}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from handheld_home(tmp_path, monkeypatch, clear_ssh_gate=True)


def rows(app: CourierApp) -> list[str]:
    """The screen as drawn, row by row."""
    return ["".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()]


async def _opened(pilot: Pilot[None], app: CourierApp, delivery_id: str) -> None:
    await app.push_screen(TaskScreen(delivery_id))
    await pilot.pause()


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_delivery_code_queued_offline_says_it_is_not_checked_yet(home: Path, lang: str) -> None:
    set_language(lang)
    heading, under, queued, queued_short = SAYS[lang]
    at_door = delivery(5, DeliveryStatus.ARRIVED_AT_CUSTOMER)
    source = MemoryCourierSource(
        [TaskView(at_door)], courier=courier(), link=LinkStatus(LinkState.OFFLINE, pending=1)
    )
    app = CourierApp(source, ascii_only=False)  # type: ignore[arg-type]
    async with app.run_test(size=SIZES[0]) as pilot:
        await _opened(pilot, app, at_door.id)
        app.post_message(StepChosen(Step(at_door.id, CourierStep.DELIVERED, code="1234")))
        await wait_until(pilot, lambda: bool(source.submitted))
        # the read model applies the queued step: the delivery reads DELIVERED, "delivered" still queued
        source.put(TaskView(delivery(5, DeliveryStatus.DELIVERED), pending=(CourierStep.DELIVERED.value,)))
        await pilot.pause()
        for size in SIZES:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            shown = rows(app)
            title = next(row for row in shown if "#0005" in row)
            assert heading in title and t("handheld.status.DELIVERED") not in title, shown
            assert under in "".join(row.strip() for row in shown), shown  # the line under it, on screen
            said = message(app)
            assert queued in said or queued_short in said, said
            bottom = "".join(shown[-2:]).replace(" ", "")  # the message line, as drawn: whole or said short
            assert said.replace(" ", "") in bottom or queued_short.replace(" ", "") in bottom, shown
        # 40x8: one row, whole or said short, never cut
        one_row = (message(app), t("handheld.done_queued.unchecked.short", number="0005"))
        assert len(rows(app)) == 8 and rows(app)[-1].rstrip() in one_row, rows(app)
    # back on the list: not "DONE" either
    head, _store = row_parts(
        1, delivery(5, DeliveryStatus.DELIVERED), queued=True, refused=False, glyphs=UNICODE, unchecked=True
    )
    assert t("handheld.short.DELIVERED") not in head and t("handheld.short.code_unchecked") in head


async def test_a_wrong_code_on_one_row_says_its_reason_first(platform: RunningPlatform, home: Path) -> None:
    courier_id = first_courier_id(platform)
    order, number, pickup_code = offer_with_code(platform, courier_id)
    delivery_id = server_delivery(platform, order["id"])["id"]
    delivery_code = call(platform, "customer", "GET", f"/v1/orders/{order['id']}")["delivery_code"]
    assert platform.seed is not None
    hands = Api(platform.url, platform.seed.courier_tokens[courier_id])
    try:  # to the door on the platform, so the handheld opens there
        steps = (("accept", None), ("arrived-at-merchant", None), ("picked-up", {"code": pickup_code}))
        for step, body in (*steps, ("arrived-at-customer", None)):
            assert hands.send("POST", f"/v1/deliveries/{delivery_id}/{step}", body).status_code < 300
    finally:
        hands.http.close()
    wrong = "0000" if delivery_code != "0000" else "1111"
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 8)) as pilot:
        await wait_until(pilot, lambda: app.source.task(delivery_id) is not None)
        await _opened(pilot, app, delivery_id)
        app.post_message(StepChosen(Step(delivery_id, CourierStep.DELIVERED, code=wrong)))
        await wait_until(pilot, lambda: message(app).startswith("Refused: "))
        await pilot.pause()
        # the whole sentence cut at 40 cells lost its reason ("...: the code for you…"): its reason first, and
        # the tries the platform says the code still takes (five in all: this was the first)
        assert rows(app)[-1].rstrip() == f"Wrong delivery code {number}: 4 tries left", rows(app)
        refusal = app.screen.query_one("#refusal").render()  # the task keeps the whole sentence
        assert "did not match (4 more wrong codes lock it)" in " ".join(str(refusal).split())
