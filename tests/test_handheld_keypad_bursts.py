"""A keypad of digits and Enter only, against the real platform (real server on loopback, real cache in tmp_path,
Pilot at 40x16 and 20x16): `2` opens the code step wherever there is one; a key that does nothing (no such line,
or dropped while fresh lines settle) swallows the burst typed right after it, so a code typed at the wrong moment
never reports a problem or returns food; "Returned to store" asks once more; in the code field Enter on an empty
field goes back and a code too short to be one is cleared, not sent; `8` pages a task's details, a step brings
them back to the top, and with the food in hand the drop-off comes before the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len

from o2o_tui.courier_tasks import CODE_DIGITS
from o2o_tui.i18n import set_language, t
from screens import courier_screens
from screens.courier_app import MIN_WIDTH
from screens.courier_screens import MORE_DIGIT, CodeScreen, ConfirmScreen, TaskScreen
from screens.courier_widgets import Line, Scroll
from tests.support.platform import Api, RunningPlatform
from tests.test_ui_courier import (
    CountingApp,
    call,
    courier_profile,
    offer,
    open_first_task,
    open_source,
    screen_text,
    server_delivery,
    server_order,
    settled,
    wait_until,
)

NOTE = "Gate code 4321#, knock twice, the dog is friendly, leave it with the guard if nobody answers"
# the narrow handheld in the suite; the wide one too in `python -m bench deep` (the same keys, more room)
SIZES = [pytest.param((40, 16), id="40x16", marks=pytest.mark.deep), pytest.param((20, 16), id="20x16")]


@pytest.fixture
def courier_id(platform: RunningPlatform) -> str:
    assert platform.seed is not None
    return platform.seed.courier_ids[0]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    yield tmp_path / "home"
    set_language(None)


def act(platform: RunningPlatform, courier_id: str, order_id: str, *actions: str) -> None:
    """The courier's own steps sent straight to the server (the handheld sees them by sync)."""
    seed = platform.seed
    assert seed is not None
    delivery_id = server_delivery(platform, order_id)["id"]
    order = server_order(platform, order_id)
    client = Api(platform.url, seed.courier_tokens[courier_id])
    try:
        for action in actions:
            body: dict[str, str] = {}
            if action == "picked-up":
                body = {"code": order["pickup_code"]}
            answer = client.post(f"/v1/deliveries/{delivery_id}/{action}", body)
            assert answer.status_code < 300, answer.text
    finally:
        client.close()


def status(platform: RunningPlatform, order_id: str) -> str:
    return str(server_delivery(platform, order_id)["status"])


def message(app: CountingApp) -> str:
    return app.screen.query_one("#message", Line).shown


async def past_burst(pilot: object) -> None:
    await pilot.pause(courier_screens.BURST_S + 0.1)  # type: ignore[attr-defined]


@pytest.mark.parametrize("size", SIZES)
async def test_two_opens_the_code_at_the_store_and_at_the_door(
    platform: RunningPlatform, courier_id: str, home: Path, size: tuple[int, int]
) -> None:
    order = offer(platform, courier_id)
    act(platform, courier_id, order["id"], "accept", "arrived-at-merchant")
    pickup_code = server_order(platform, order["id"])["pickup_code"]
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=size) as pilot:
        await open_first_task(pilot, app, f"#{order['number']:04d}")
        await pilot.press("2")  # at the store: the pickup code, as on the way there
        assert isinstance(app.screen, CodeScreen) and app.screen.step.value == "delivery.picked_up"
        await pilot.press(*pickup_code, "enter")
        await wait_until(pilot, lambda: status(platform, order["id"]) == "PICKED_UP")
        await settled(pilot)
        await pilot.press("1")  # at the customer's door
        await wait_until(pilot, lambda: status(platform, order["id"]) == "ARRIVED_AT_CUSTOMER")
        await wait_until(pilot, lambda: "1 Delivered (code)" in screen_text(app))
        await settled(pilot)
        await pilot.press("2")  # at the door: the delivery code
        assert isinstance(app.screen, CodeScreen) and app.screen.step.value == "delivery.delivered"


async def test_a_code_typed_after_a_missing_line_picks_nothing(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order = offer(platform, courier_id)
    act(platform, courier_id, order["id"], "accept", "arrived-at-merchant", "picked-up", "arrived-at-customer")
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await open_first_task(pilot, app, f"#{order['number']:04d}")
        await pilot.press("5", "3", "2", "2", "3", "enter")  # no line 5, then a code: none of it picks a line
        await pilot.pause(0.3)
        assert isinstance(app.screen, TaskScreen)
        assert message(app) == "No line 5: the keys typed right after it are ignored."
        await pilot.press("5", "4", "1", "5", "7", "enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, TaskScreen)
        assert server_delivery(platform, order["id"])["problems"] == []
        assert status(platform, order["id"]) == "ARRIVED_AT_CUSTOMER"
        await past_burst(pilot)
        await pilot.press("4")  # after a pause, a key acts again
        assert isinstance(app.screen, ConfirmScreen)


async def test_a_key_dropped_while_lines_settle_swallows_the_rest(
    platform: RunningPlatform, courier_id: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keys come slower than the settle time but within a burst of each other: without the burst, the `3`
    after the dropped `2` would open the problem list."""
    monkeypatch.setattr(courier_screens, "SETTLE_S", 0.3)
    order = offer(platform, courier_id)
    act(platform, courier_id, order["id"], "accept", "arrived-at-merchant", "picked-up")
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await open_first_task(pilot, app, f"#{order['number']:04d}")
        await pilot.press("1")  # at the door: new lines, which settle
        await wait_until(pilot, lambda: "1 Delivered (code)" in screen_text(app))
        assert isinstance(app.screen, TaskScreen)
        app.screen.lines_changed()  # (the sync that showed the new lines may have come before the press)
        for key in ["2", "3", "2", "2", "3", "enter"]:
            await pilot.press(key)
            await pilot.pause(0.4)
        assert isinstance(app.screen, TaskScreen)
        assert "Too soon: keys ignored" in message(app)
        assert server_delivery(platform, order["id"])["problems"] == []


@pytest.mark.parametrize("size", SIZES)
async def test_returned_to_store_asks_and_a_typed_code_cannot_answer(
    platform: RunningPlatform, courier_id: str, home: Path, size: tuple[int, int]
) -> None:
    order = offer(platform, courier_id)
    act(platform, courier_id, order["id"], "accept", "arrived-at-merchant", "picked-up", "arrived-at-customer")
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=size) as pilot:
        await open_first_task(pilot, app, f"#{order['number']:04d}")
        await pilot.press("4", "1", "5", "7", "enter")  # "4157 Enter" typed at the task: 4 asks, the rest is dropped
        await pilot.pause(0.3)
        assert isinstance(app.screen, ConfirmScreen)
        assert status(platform, order["id"]) == "ARRIVED_AT_CUSTOMER"
        await past_burst(pilot)
        await pilot.press("1")  # deliberate: returning
        await wait_until(pilot, lambda: status(platform, order["id"]) == "RETURNING")
        await wait_until(pilot, lambda: "1 Returned to store" in screen_text(app))
        await settled(pilot)
        await pilot.press("1", "1", "enter")  # returned: asks once more, the repeats are dropped
        await pilot.pause(0.3)
        assert isinstance(app.screen, ConfirmScreen)
        number = f"#{order['number']:04d}"
        assert f"Is {number} back at the store?" in " ".join(screen_text(app).split())
        assert status(platform, order["id"]) == "RETURNING"
        delivery_id = server_delivery(platform, order["id"])["id"]  # the order gets a new delivery once returned
        await past_burst(pilot)
        await pilot.press("1")
        await wait_until(
            pilot, lambda: call(platform, "dispatcher", "GET", f"/v1/deliveries/{delivery_id}")["status"] == "RETURNED"
        )


@pytest.mark.parametrize("size", SIZES)
async def test_the_code_field_goes_back_and_clears_with_digits_and_enter(
    platform: RunningPlatform, courier_id: str, home: Path, size: tuple[int, int]
) -> None:
    order = offer(platform, courier_id)
    act(platform, courier_id, order["id"], "accept", "arrived-at-merchant")
    pickup_code = server_order(platform, order["id"])["pickup_code"]
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=size) as pilot:
        await open_first_task(pilot, app, f"#{order['number']:04d}")
        await pilot.press("1")
        assert isinstance(app.screen, CodeScreen)
        await pilot.press("enter")  # empty: back to the task
        assert isinstance(app.screen, TaskScreen)
        await settled(pilot)
        await pilot.press("1")
        assert isinstance(app.screen, CodeScreen)
        field = app.screen.query_one("#code")
        await pilot.press(*pickup_code[:2], "enter")  # a typo: too short to be a code, cleared, not sent
        assert isinstance(app.screen, CodeScreen) and field.value == ""  # type: ignore[attr-defined]
        assert message(app).startswith("Too short")
        await pilot.press(*pickup_code, "enter")
        await wait_until(pilot, lambda: status(platform, order["id"]) == "PICKED_UP")
        assert server_delivery(platform, order["id"])["status"] == "PICKED_UP"


async def test_eight_pages_the_details_and_a_step_goes_back_to_the_top(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order = offer(platform, courier_id, note=NOTE)
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(20, 16)) as pilot:
        await open_first_task(pilot, app, f"#{order['number']:04d}")
        details = app.screen.query_one("#details", Scroll)
        more = app.screen.query_one("#more", Line)
        await wait_until(pilot, lambda: more.shown == "▼ more: 8")
        for _ in range(12):  # to the end of the details, where the drop-off and the note are
            if details.scroll_y >= details.max_scroll_y:
                break
            await pilot.press(str(MORE_DIGIT))
            await pilot.pause()
        assert details.scroll_y == details.max_scroll_y > 0
        await wait_until(pilot, lambda: more.shown == "▲ top: 8")
        assert isinstance(app.screen, TaskScreen)
        await pilot.press(str(MORE_DIGIT))  # from the end: back to the top
        await pilot.pause()
        assert details.scroll_y == 0
        await pilot.press(str(MORE_DIGIT))
        await pilot.pause()
        assert details.scroll_y > 0
        await settled(pilot)
        await pilot.press("1")  # accept: the task moves on, its details from the top
        await wait_until(pilot, lambda: status(platform, order["id"]) == "ACCEPTED")
        await wait_until(pilot, lambda: "1 Arrived at store" in screen_text(app))
        await pilot.pause()
        assert details.scroll_y == 0


async def test_with_the_food_in_hand_the_drop_off_comes_first(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order = offer(platform, courier_id, note=NOTE)
    act(platform, courier_id, order["id"], "accept")
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(20, 16)) as pilot:
        await open_first_task(pilot, app, f"#{order['number']:04d}")

        def order_of_fields() -> list[str]:
            return [line.id or "" for line in app.screen.query(".field").results(Line)]

        assert order_of_fields().index("field-store") < order_of_fields().index("field-dropoff")  # on the way
        act(platform, courier_id, order["id"], "arrived-at-merchant", "picked-up")
        await wait_until(pilot, lambda: "1 Arrived at customer" in screen_text(app))
        fields = order_of_fields()
        assert fields.index("field-dropoff") < fields.index("field-store")
        await pilot.pause()
        dropoff = app.screen.query_one("#field-dropoff", Line)
        details = app.screen.query_one("#details", Scroll)
        assert dropoff.region.y >= details.region.y and dropoff.region.bottom <= details.region.bottom


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_new_lines_fit_the_narrowest_handheld(language: str) -> None:
    set_language(language)
    try:
        for arrow in ("▼", "v"):
            assert str(MORE_DIGIT) in t("handheld.more", arrow=arrow)
            assert cell_len(t("handheld.more", arrow=arrow)) <= MIN_WIDTH
        for arrow in ("▲", "^"):
            assert str(MORE_DIGIT) in t("handheld.more.top", arrow=arrow)
            assert cell_len(t("handheld.more.top", arrow=arrow)) <= MIN_WIDTH
        assert cell_len(t("handheld.no_line.short", digit=5)) <= MIN_WIDTH
        assert cell_len(t("handheld.keys_ignored.short")) <= MIN_WIDTH
        assert str(CODE_DIGITS) in t("handheld.code.hint", digits=CODE_DIGITS)
    finally:
        set_language(None)
