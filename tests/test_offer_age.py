"""How long an offer has waited for its courier's answer: the order carries when its delivery was created
(`offered_at`, a new optional field); the board's row says "Offered 8m" / "已派 8分", marked late past
`LATE_OFFER_MINUTES`; `dispatch suggest` (text and JSON) and `orders show` say it too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from o2o_tui.cli.dispatch import _offered_line
from o2o_tui.client import AsyncPlatformClient, PlatformClient
from o2o_tui.i18n import set_language
from o2o_tui.live_dispatch import LATE_OFFER_MINUTES, plan_live, read_fleet
from screens.dispatch_board import ClientFleet, DispatchApp
from tests.support.platform import RunningPlatform, api
from tests.test_cli_dispatch import Cli, cli, place_ready_orders  # noqa: F401  (the fixture)
from tests.test_dispatch_refusals_end_to_end import _ok, _two_on_duty
from tests.test_ui_dispatch import board_of, next_round


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _offered(platform: RunningPlatform) -> tuple[object, str]:
    zhang, _ = _two_on_duty(platform)
    [placed] = place_ready_orders(platform, [(300.0, 200.0)])
    _ok(api(platform, "dispatcher").post(f"/v1/orders/{placed.id}/assign", {"courier_id": zhang}))
    return placed, zhang


def test_the_order_carries_when_it_was_offered(platform: RunningPlatform) -> None:
    placed, _ = _offered(platform)
    with PlatformClient(platform.url, platform.seed.tokens["merchant"]) as client:
        seen = client.get_order(placed.id)
    assert seen.delivery_status == "PENDING" and seen.offered_at is not None
    assert abs((datetime.now(UTC) - seen.offered_at).total_seconds()) < 60


@pytest.mark.parametrize(("language", "size", "said"), [("en", (80, 24), "Offered 8m"), ("zh", (40, 15), "已派 8分")])
async def test_the_board_row_says_how_long_the_offer_waited_and_marks_it_late(
    platform: RunningPlatform, language: str, size: tuple[int, int], said: str
) -> None:
    set_language(language)
    placed, _ = _offered(platform)
    client = AsyncPlatformClient(platform.url, platform.seed.tokens["dispatcher"])
    later = lambda: datetime.now(UTC) + timedelta(minutes=8, seconds=5)  # noqa: E731
    app = DispatchApp(ClientFleet(client, platform.seed.store_id), clock=later, poll_seconds=60)
    async with app.run_test(size=size) as pilot:
        board = board_of(app)
        await next_round(pilot, board, 0)
        [view] = [v for v in board.orders_list.rows if v.order_id == placed.id]
        assert view.tag == "offered" and view.late, view
        line = board.orders_list.render_row(view, size[0] - 2, None)  # type: ignore[arg-type]
        assert said in line.plain, line.plain


def test_suggest_and_orders_show_say_the_offers_age(platform: RunningPlatform, cli: Cli) -> None:  # noqa: F811
    placed, _ = _offered(platform)
    number = f"#{placed.number:04d}"
    text = cli("dispatch", "suggest").stdout
    assert f"{number}  offered to " in text and "min ago, no answer yet" in text, text
    plan = cli.json("dispatch", "suggest")
    [state] = [o for o in plan["orders"] if o["order_id"] == placed.id]
    assert state["offered_at"], state
    shown = cli("orders", "show", number, "--profile", "counter").stdout
    assert "offered, waiting for an answer (0 min)" in shown or "offered, waiting for an answer (1 min)" in shown, shown

    # past the threshold: marked late
    with PlatformClient(platform.url, platform.seed.tokens["dispatcher"]) as client:
        data = read_fleet(client, platform.seed.store_id)
    later = plan_live(data, datetime.now(UTC) + timedelta(minutes=LATE_OFFER_MINUTES + 5))
    [late] = [o for o in later.orders if o.order_id == placed.id]
    assert "no answer yet: late" in _offered_line(late, later)
