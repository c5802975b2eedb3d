"""An assignment says who the sender saw holding the order (`expect_courier_id`), so a stale view never takes an
order from a courier who took it meanwhile: the platform's 409 `courier_changed`, the board's `a`/`A`/`r`, and
`o2o dispatch assign` (`--force`) / `auto`, against the real platform. Also the board's stage tags, its courier
picker's words, and `o2o deliveries show`'s pickup line for a store with no address."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList

from o2o_tui.client import PlatformClient
from o2o_tui.domain.fleet import ProblemReason
from o2o_tui.domain.requests import AssignBody, EmptyBody, ProblemBody
from o2o_tui.i18n import set_language
from tests.support.platform import Api, RunningPlatform
from tests.test_cli_dispatch import Cli, place_ready_orders
from tests.test_ui_dispatch import CourierPicker, board_of, courier_of, live_app, next_round, until


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


@pytest.fixture
def cli(platform: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    runner = Cli(tmp_path / "home")
    runner("login", "--url", platform.url, "--token", platform.seed.tokens["dispatcher"])
    yield runner


def give(platform: RunningPlatform, order_id: str, courier_id: str, *, accept: bool) -> Any:
    """What a script does behind the board's back: `o2o dispatch assign`, then the courier accepts."""
    with PlatformClient(platform.url, platform.seed.tokens["dispatcher"]) as dispatcher:
        delivery = dispatcher.act("order.assign", order_id, AssignBody(courier_id=courier_id))
    if accept:
        with PlatformClient(platform.url, platform.seed.courier_tokens[courier_id]) as rider:
            delivery = rider.act("delivery.accept", delivery.id, EmptyBody())
    return delivery


def delivery_status(platform: RunningPlatform, delivery_id: str) -> str:
    with PlatformClient(platform.url, platform.seed.tokens["admin"]) as admin:
        return str(admin.get_delivery(delivery_id).status)


def test_the_platform_refuses_an_assignment_whose_holder_changed(platform: RunningPlatform) -> None:
    [order] = place_ready_orders(platform, [(500.0, 500.0)])
    chen, wang, li = platform.seed.courier_ids[:3]
    api = Api(platform.url, platform.seed.tokens["dispatcher"])
    taken = give(platform, order.id, wang, accept=True)

    # the sender saw nobody holding it: refused, naming who holds it now and that they accepted
    answer = api.post(f"/v1/orders/{order.id}/assign", {"courier_id": chen, "expect_courier_id": None})
    assert answer.status_code == 409, answer.text
    error = answer.json()["error"]
    assert error["code"] == "courier_changed"
    assert error["courier_id"] == wang and error["delivery_status"] == "ACCEPTED" and error["courier_name"]
    assert courier_of(platform, order.id) == wang and delivery_status(platform, taken.id) == "ACCEPTED"

    # the sender saw another courier: refused too
    answer = api.post(f"/v1/orders/{order.id}/assign", {"courier_id": chen, "expect_courier_id": li})
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "courier_changed"

    # the sender saw the holder it has: reassigned
    answer = api.post(f"/v1/orders/{order.id}/assign", {"courier_id": chen, "expect_courier_id": wang})
    assert answer.status_code == 200, answer.text
    assert courier_of(platform, order.id) == chen

    # no precondition (an older console): reassigned as before
    answer = api.post(f"/v1/orders/{order.id}/assign", {"courier_id": li})
    assert answer.status_code == 200 and courier_of(platform, order.id) == li

    # the sender saw a holder, but nobody has it now
    api.post(f"/v1/orders/{order.id}/unassign", {})
    answer = api.post(f"/v1/orders/{order.id}/assign", {"courier_id": chen, "expect_courier_id": li})
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "courier_changed" and "courier_id" not in error
    assert courier_of(platform, order.id) is None


async def test_accept_on_the_board_leaves_an_order_a_courier_took_meanwhile(
    platform: RunningPlatform,
) -> None:
    [order] = place_ready_orders(platform, [(900.0, 200.0)])
    app = live_app(platform)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await next_round(pilot, board, 0)
        suggestion = board.plan.suggestion_for(order.id)
        assert suggestion is not None
        other = next(c for c in platform.seed.courier_ids if c != suggestion.courier_id)
        taken = give(platform, order.id, other, accept=True)  # within the board's poll

        board.orders_list.move_cursor(order.id)
        rounds = board.rounds
        await pilot.press("a")
        await next_round(pilot, board, rounds)
        assert courier_of(platform, order.id) == other and delivery_status(platform, taken.id) == "ACCEPTED"
        messages = [" ".join(str(n.message).split()) for n in app._notifications]  # unfolded
        assert not any(m.startswith("Sent") for m in messages), messages
        said = [m for m in messages if "not sent" in m]
        assert said and "accepted it (Coming)" in said[0], messages
        # refreshed at once: the row shows the courier who has it, as the queue says it
        assert board.plan.suggestion_for(order.id) is None
        assert board.orders_list.row(order.id).tag == "coming"


async def test_accept_all_and_reassign_leave_orders_that_changed_hands(platform: RunningPlatform) -> None:
    first, second = place_ready_orders(platform, [(900.0, 200.0), (-700.0, -900.0)])
    app = live_app(platform)
    async with app.run_test(size=(120, 40)) as pilot:
        board = board_of(app)
        await next_round(pilot, board, 0)
        planned = {s.order_id: s.courier_id for s in board.plan.suggestions}
        assert set(planned) == {first.id, second.id}
        spare = next(c for c in platform.seed.courier_ids if c not in planned.values())
        give(platform, first.id, spare, accept=False)  # offered only: not answered yet
        rounds = board.rounds
        await pilot.press("A")
        await next_round(pilot, board, rounds)
        assert courier_of(platform, first.id) == spare  # kept
        assert courier_of(platform, second.id) == planned[second.id]  # the other one went
        messages = [" ".join(str(n.message).split()) for n in app._notifications]
        assert any("not sent" in m and "not answered yet" in m for m in messages), messages
        assert board.orders_list.row(first.id).tag == "offered"

        # `r` from a view older than the platform's: the courier who took it since keeps it
        shown = courier_of(platform, second.id)
        thief = next(c for c in platform.seed.courier_ids if c not in (shown, spare))
        give(platform, second.id, thief, accept=True)
        board.orders_list.move_cursor(second.id)
        rounds = board.rounds
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, CourierPicker), "the courier picker opened")
        choices = app.screen.query_one(OptionList)
        choices.highlighted = choices.get_option_index(spare)
        await pilot.press("enter")
        await next_round(pilot, board, rounds)
        assert courier_of(platform, second.id) == thief
        assert board.orders_list.row(second.id).tag == "coming"

        # and `r` from the current view reassigns
        board.orders_list.move_cursor(second.id)  # the cursor left it after the refusal
        rounds = board.rounds
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, CourierPicker), "the courier picker opened")
        choices = app.screen.query_one(OptionList)
        choices.highlighted = choices.get_option_index(spare)
        await pilot.press("enter")
        await next_round(pilot, board, rounds)
        assert courier_of(platform, second.id) == spare


async def test_the_picker_says_the_list_s_status_and_puts_off_duty_couriers_last(
    platform: RunningPlatform,
) -> None:
    [order] = place_ready_orders(platform, [(900.0, 200.0)])
    ids = platform.seed.courier_ids
    troubled, gone = ids[0], ids[-1]
    delivery = give(platform, order.id, troubled, accept=True)
    with PlatformClient(platform.url, platform.seed.courier_tokens[troubled]) as rider:
        rider.act("delivery.problem", delivery.id, ProblemBody(reason=ProblemReason.VEHICLE_PROBLEM))
    with PlatformClient(platform.url, platform.seed.courier_tokens[gone]) as rider:
        from o2o_tui.domain.fleet import CourierStatus
        from o2o_tui.domain.requests import CourierStateBody

        rider.act("courier.state", gone, CourierStateBody(status=CourierStatus.OFFLINE))
    app = live_app(platform)
    async with app.run_test(size=(100, 30)) as pilot:
        board = board_of(app)
        await next_round(pilot, board, 0)
        listed = board.couriers_list.row(troubled)
        assert listed.problem == "vehicle"
        board.orders_list.move_cursor(order.id)
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, CourierPicker), "the courier picker opened")
        choices = app.screen.query_one(OptionList)
        labels = {
            choices.get_option_at_index(i).id: choices.get_option_at_index(i)
            for i in range(choices.option_count)
        }
        said = str(labels[troubled].prompt)
        assert "vehicle" in said and "to store" not in said, said
        last = choices.get_option_at_index(choices.option_count - 1)
        assert last.id == gone and last.disabled and "off duty" in str(last.prompt)


def test_dispatch_assign_expects_the_holder_it_read_and_force_takes_it(
    platform: RunningPlatform, cli: Cli
) -> None:
    [order] = place_ready_orders(platform, [(900.0, 200.0)])
    chen, wang = platform.seed.courier_ids[:2]
    cli("dispatch", "assign", str(order.number), chen)
    assert courier_of(platform, order.id) == chen
    cli("dispatch", "assign", str(order.number), wang)  # the holder it read (Chen) still has it: reassigned
    assert courier_of(platform, order.id) == wang

    # what the command read is not what holds it when the assign lands: a script raced it
    from o2o_tui.cli import dispatch as dispatch_cli

    real = dispatch_cli._resolve_order
    thief = platform.seed.courier_ids[2]

    def raced(client: Any, orders: Any, reference: str) -> Any:
        chosen = real(client, orders, reference)
        give(platform, order.id, thief, accept=True)
        return chosen

    dispatch_cli._resolve_order = raced
    try:
        refused = cli("dispatch", "assign", str(order.number), chen, code=4)
    finally:
        dispatch_cli._resolve_order = real
    assert courier_of(platform, order.id) == thief
    assert "accepted it (Coming)" in refused.stderr and "--force" in refused.stderr, refused.stderr
    cli("dispatch", "assign", str(order.number), chen, "--force")
    assert courier_of(platform, order.id) == chen


def test_dispatch_auto_leaves_an_order_taken_meanwhile(platform: RunningPlatform, cli: Cli) -> None:
    [order] = place_ready_orders(platform, [(900.0, 200.0)])
    from o2o_tui.cli import dispatch as dispatch_cli

    real = dispatch_cli.assign_suggestions
    thief = platform.seed.courier_ids[-1]

    def raced(client: Any, suggestions: Any, holders: Any = None) -> Any:
        give(platform, order.id, thief, accept=True)  # between the read and the assign
        return real(client, suggestions, holders)

    dispatch_cli.assign_suggestions = raced
    try:
        result = cli("dispatch", "auto", "--once", code=4)
    finally:
        dispatch_cli.assign_suggestions = real
    assert courier_of(platform, order.id) == thief, result.stdout


def test_pickup_line_of_a_store_with_no_address(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from o2o_tui.cli.deliveries import _show_lines
    from o2o_tui.domain.fleet import Delivery
    from o2o_tui.domain.geo import Address, Position
    from o2o_tui.domain.transitions import DeliveryStatus

    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    spot = Position(31.23, 121.47)

    def delivery(pickup: str) -> Delivery:
        return Delivery(
            id="dl_1",
            order_id="ord_1",
            order_number=6,
            store_id="st_1",
            courier_id="c_1",
            status=DeliveryStatus.ACCEPTED,
            pickup=Address(pickup, spot),
            dropoff=Address("9 Road", spot),
            customer_name="Li",
            customer_phone="1",
            version=1,
            created_at=now,
            updated_at=now,
            store_name="Fiery Hotpot",
        )

    lines = _show_lines(delivery(""), [])
    assert "Pick up at: Fiery Hotpot" in lines and not any(line.endswith(", ") for line in lines), lines
    assert "Pick up at: Fiery Hotpot, 1 Road" in _show_lines(delivery("1 Road"), [])


async def test_the_picker_lists_off_duty_couriers_after_every_courier_on_duty() -> None:
    from textual.app import App
    from textual.content import Content

    from o2o_tui.domain.fleet import CourierStatus
    from o2o_tui.live_dispatch import CourierState

    def state(courier_id: str, status: CourierStatus) -> CourierState:
        return CourierState(courier_id, courier_id.title(), status, 2, 0, None, None, None, [])

    # both have no free time (off duty; on duty with no usable position): off duty still goes last
    couriers = [state("gone", CourierStatus.OFFLINE), state("unplaced", CourierStatus.IDLE)]
    app: App[None] = App()
    async with app.run_test(size=(80, 24)) as pilot:
        picker = CourierPicker(Content("pick"), couriers, None, None)
        await app.push_screen(picker)
        await pilot.pause()
        choices = picker.query_one(OptionList)
        shown = [choices.get_option_at_index(i) for i in range(choices.option_count)]
        assert [o.id for o in shown] == ["unplaced", "gone"]
        assert shown[-1].disabled and "off duty" in str(shown[-1].prompt)


def test_a_narrow_order_row_keeps_the_courier_s_name_not_its_mark() -> None:
    from screens.widgets.dispatch_rows import OrderRowView, order_columns, order_line

    row = OrderRowView(
        "o", "#0001", "20:00", "ready", "3 赵敏 Zhao Min", " 2/2", "20:05", "20:20", "now", "Li", "x"
    )
    for width in range(30, 60):
        shown = order_line(row, width).plain
        assert "赵" in shown, (width, order_columns(width)["courier"].width, shown)
    assert "3 赵敏" in order_line(row, 40).plain  # room for both: the mark stays
