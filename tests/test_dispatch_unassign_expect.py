"""A take-back (unassign) says who the sender saw holding the order (`expect_courier_id`), so a stale view never
takes an order from a courier who got it meanwhile: the platform's 409 `courier_changed`, the board's `u`, and
`o2o dispatch unassign` (`--force`), against the real platform. Absent (an empty body, older consoles): as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.i18n import set_language
from tests.support.platform import Api, RunningPlatform
from tests.test_cli_dispatch import Cli, place_ready_orders
from tests.test_dispatch_assign_holder import delivery_status, give
from tests.test_ui_dispatch import board_of, courier_of, live_app, next_round


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


def test_the_platform_refuses_a_take_back_whose_holder_changed(platform: RunningPlatform) -> None:
    [order] = place_ready_orders(platform, [(500.0, 500.0)])
    chen, wang = platform.seed.courier_ids[:2]
    api = Api(platform.url, platform.seed.tokens["dispatcher"])
    give(platform, order.id, chen, accept=False)
    taken = give(platform, order.id, wang, accept=True)  # behind the sender's back

    # the sender saw Chen holding it: refused, naming who holds it now and that they accepted
    answer = api.post(f"/v1/orders/{order.id}/unassign", {"expect_courier_id": chen})
    assert answer.status_code == 409, answer.text
    error = answer.json()["error"]
    assert error["code"] == "courier_changed"
    assert error["courier_id"] == wang and error["delivery_status"] == "ACCEPTED" and error["courier_name"]
    assert courier_of(platform, order.id) == wang and delivery_status(platform, taken.id) == "ACCEPTED"

    # the sender saw nobody: refused too (someone holds it)
    answer = api.post(f"/v1/orders/{order.id}/unassign", {"expect_courier_id": None})
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "courier_changed"

    # the sender saw the holder it has: taken back
    answer = api.post(f"/v1/orders/{order.id}/unassign", {"expect_courier_id": wang})
    assert answer.status_code == 200, answer.text
    assert courier_of(platform, order.id) is None and delivery_status(platform, taken.id) == "CANCELLED"

    # nobody holds it now, whoever the sender saw: nothing to take, answered as before
    answer = api.post(f"/v1/orders/{order.id}/unassign", {"expect_courier_id": chen})
    assert answer.status_code == 200, answer.text
    assert answer.json()["courier_id"] is None

    # no precondition (an older console: an empty body, or none at all): taken back as before
    give(platform, order.id, chen, accept=True)
    answer = api.post(f"/v1/orders/{order.id}/unassign", {})
    assert answer.status_code == 200 and courier_of(platform, order.id) is None
    give(platform, order.id, wang, accept=False)
    answer = api.post(f"/v1/orders/{order.id}/unassign")
    assert answer.status_code == 200 and courier_of(platform, order.id) is None


async def test_u_on_the_board_leaves_an_order_another_courier_got_meanwhile(platform: RunningPlatform) -> None:
    [order] = place_ready_orders(platform, [(900.0, 200.0)])
    chen, wang = platform.seed.courier_ids[:2]
    give(platform, order.id, chen, accept=False)  # the board sees it offered to Chen
    app = live_app(platform)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await next_round(pilot, board, 0)
        assert board.orders_list.row(order.id).tag == "offered"
        taken = give(platform, order.id, wang, accept=True)  # within the board's poll: Wang has it now

        board.orders_list.move_cursor(order.id)
        rounds = board.rounds
        await pilot.press("u")
        await next_round(pilot, board, rounds)
        assert courier_of(platform, order.id) == wang and delivery_status(platform, taken.id) == "ACCEPTED"
        messages = [" ".join(str(n.message).split()) for n in app._notifications]  # unfolded
        assert not any(m.startswith("Sent") for m in messages), messages
        said = [m for m in messages if "not taken back" in m]
        assert said and "accepted it (Coming)" in said[0] and "take it back with u" in said[0], messages
        assert board.orders_list.row(order.id).tag == "coming"  # refreshed: shows who has it

        # `u` from the current view takes it back
        board.orders_list.move_cursor(order.id)
        rounds = board.rounds
        await pilot.press("u")
        await next_round(pilot, board, rounds)
        assert courier_of(platform, order.id) is None


def test_dispatch_unassign_expects_the_holder_it_read_and_force_takes_it(
    platform: RunningPlatform, cli: Cli
) -> None:
    [order] = place_ready_orders(platform, [(900.0, 200.0)])
    chen, wang = platform.seed.courier_ids[:2]
    give(platform, order.id, chen, accept=False)
    cli("dispatch", "unassign", str(order.number))  # the holder it read still has it: taken back
    assert courier_of(platform, order.id) is None

    # what the command read is not what holds it when the take-back lands: a script raced it
    from o2o_tui.cli import dispatch as dispatch_cli

    give(platform, order.id, chen, accept=False)
    real = dispatch_cli._resolve_order

    def raced(client: Any, orders: Any, reference: str) -> Any:
        chosen = real(client, orders, reference)
        give(platform, order.id, wang, accept=True)
        return chosen

    dispatch_cli._resolve_order = raced
    try:
        refused = cli("dispatch", "unassign", str(order.number), code=Exit.REJECTED)
    finally:
        dispatch_cli._resolve_order = real
    assert courier_of(platform, order.id) == wang
    said = " ".join(refused.stderr.split())
    assert "not taken back" in said and "accepted it (Coming)" in said and "--force" in said, said
    cli("dispatch", "unassign", str(order.number), "--force")
    assert courier_of(platform, order.id) is None
