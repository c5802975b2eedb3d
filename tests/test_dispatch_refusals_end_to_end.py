"""A courier who rejected an order is not offered it again, end to end on the real server: the platform records the
rejection on the order (`Order.refused_by`, staff who dispatch read it), `o2o dispatch suggest` names another
courier while one is on duty, and with only the refuser on duty suggests it marked, which `o2o dispatch auto` never
sends. A courier going off duty over an offer it never answered has refused it too."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from o2o_tui.client import PlatformClient
from o2o_tui.domain.geo import from_local_metres
from o2o_tui.domain.identity import Role
from o2o_tui.i18n import set_language
from o2o_tui.live_dispatch import plan_live, read_fleet
from o2o_tui.platform import views
from o2o_tui.platform.auth import Caller
from o2o_tui.platform.seed import DEMO_CENTER
from screens.widgets.dispatch_rows import order_line, order_view
from tests.support.platform import Api, RunningPlatform, api
from tests.test_cli_dispatch import Cli, cli, on_server, place_ready_orders

__all__ = ["cli"]  # the fixture, used by name


def _ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def _courier(platform: RunningPlatform, courier_id: str) -> Api:
    assert platform.seed is not None
    return Api(platform.url, platform.seed.courier_tokens[courier_id])


def _put(platform: RunningPlatform, courier_id: str, status: str, at_metres: tuple[float, float] | None = None) -> None:
    body: dict[str, Any] = {"status": status}
    if at_metres is not None:
        spot = from_local_metres(at_metres[0], at_metres[1], DEMO_CENTER)
        body["position"] = {"lat": spot.lat, "lon": spot.lon}
    _ok(_courier(platform, courier_id).put(f"/v1/couriers/{courier_id}/state", body))


def _two_on_duty(platform: RunningPlatform) -> tuple[str, str]:
    """Zhang (the `rider` profile's courier) at the store, Wang 2.5 km off, everyone else off duty: for an order
    near the store the plan picks Zhang, unless Zhang refused it."""
    seed = platform.seed
    assert seed is not None
    zhang, wang = seed.courier_ids[0], seed.courier_ids[1]
    for courier_id in seed.courier_ids[2:]:
        _put(platform, courier_id, "OFFLINE")
    _put(platform, zhang, "IDLE", (0.0, 0.0))
    _put(platform, wang, "IDLE", (2500.0, 0.0))
    return zhang, wang


def _lines_for(text: str, number: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(number)]


def test_a_courier_who_rejected_an_order_is_not_suggested_it_again(platform: RunningPlatform, cli: Cli) -> None:
    zhang, wang = _two_on_duty(platform)
    [order] = place_ready_orders(platform, [(300.0, 200.0)])
    number = f"#{order.number:04d}"
    [before] = cli.json("dispatch", "suggest")["suggestions"]
    assert before["courier_id"] == zhang, before  # the nearest: the one the rejection must move it from

    delivery = cli.json("dispatch", "assign", number, "zhang wei")
    cli("sync", "--once", "--profile", "rider")
    cli("deliveries", "reject", delivery["id"], "--profile", "rider")

    held = on_server(platform, order.id)
    assert held.courier_id is None and [r.courier_id for r in held.refused_by] == [zhang], held
    [after] = cli.json("dispatch", "suggest")["suggestions"]
    assert after["courier_id"] == wang and not after["refused"], after
    said = _lines_for(cli("dispatch", "suggest").stdout, number)
    assert said and "Wang Fang" in said[0] and "Zhang Wei" not in said[0] and "refused" not in said[0], said

    # who refused is for the staff who dispatch it: the customer and the couriers read none of it
    assert _ok(api(platform, "customer").get(f"/v1/orders/{order.id}"))["refused_by"] == []
    for role in ("merchant", "dispatcher", "admin"):
        seen = _ok(api(platform, role).get(f"/v1/orders/{order.id}"))
        assert [r["courier_id"] for r in seen["refused_by"]] == [zhang], (role, seen["refused_by"])
    # a courier reads an order only while it carries it (the next one offered it, say): none of it either
    courier = Caller(user_id="u-courier", name="c", role=Role.COURIER, courier_id=wang)
    assert views.order_view(held, courier, "someone").refused_by == []


def test_only_the_refuser_on_duty_is_suggested_marked_and_auto_does_not_send_it(
    platform: RunningPlatform, cli: Cli
) -> None:
    zhang, wang = _two_on_duty(platform)
    [order] = place_ready_orders(platform, [(300.0, 200.0)])
    number = f"#{order.number:04d}"
    delivery = cli.json("dispatch", "assign", number, "zhang wei")
    cli("sync", "--once", "--profile", "rider")
    cli("deliveries", "reject", delivery["id"], "--profile", "rider")
    _put(platform, wang, "OFFLINE")

    [suggestion] = cli.json("dispatch", "suggest")["suggestions"]
    assert suggestion["courier_id"] == zhang and suggestion["refused"], suggestion
    said = _lines_for(cli("dispatch", "suggest").stdout, number)
    assert said and "Zhang Wei" in said[0] and "(张伟 Zhang Wei refused it before" in said[0], said

    # `auto` leaves it to a person and says so once per order and courier, the command to send it anyway
    out = cli("dispatch", "auto", "--once").stdout
    told = [line for line in out.splitlines() if line.startswith("not sent:")]
    assert len(told) == 1 and number in told[0] and "refused it before" in told[0], out
    assert f"o2o dispatch assign {number} {zhang}" in told[0], told
    assert on_server(platform, order.id).courier_id is None  # not sent
    report = cli.json("dispatch", "auto", "--once")
    assert report["assigned"] == [] and [s["order_id"] for s in report["refused_before"]] == [order.id], report
    assert on_server(platform, order.id).courier_id is None

    # the board tags the row, in both languages, on a wide and a narrow screen
    with PlatformClient(platform.url, platform.seed.tokens["dispatcher"]) as client:  # type: ignore[union-attr]
        plan = plan_live(read_fleet(client, platform.seed.store_id), datetime.now(UTC))  # type: ignore[union-attr]
    state = next(o for o in plan.orders if o.order_id == order.id)
    marks = {c.courier_id: (i, c.name) for i, c in enumerate(plan.couriers)}
    row = order_view(state, plan.suggestion_for(order.id), marks, ZoneInfo("UTC"))
    assert row.tag == "refused", row
    try:
        for lang, word in (("en", "refused"), ("zh", "曾拒单")):
            set_language(lang)
            for width in (80, 40):
                assert word in order_line(order_view(state, plan.suggestion_for(order.id), marks, ZoneInfo("UTC")), width).plain
    finally:
        set_language(None)

    # a person may still send it: the platform takes it
    cli("dispatch", "assign", number, zhang)
    assert on_server(platform, order.id).courier_id == zhang


def test_going_off_duty_over_an_unanswered_offer_refuses_it(platform: RunningPlatform, cli: Cli) -> None:
    zhang, wang = _two_on_duty(platform)
    [order] = place_ready_orders(platform, [(300.0, 200.0)])
    cli.json("dispatch", "assign", f"#{order.number:04d}", "zhang wei")
    _put(platform, zhang, "OFFLINE")  # never answered the offer
    _put(platform, zhang, "IDLE", (0.0, 0.0))  # ... and back at once, at the store

    held = on_server(platform, order.id)
    assert held.courier_id is None and [r.courier_id for r in held.refused_by] == [zhang], held
    [suggestion] = cli.json("dispatch", "suggest")["suggestions"]
    assert suggestion["courier_id"] == wang, suggestion
    # one taken back by the staff is not the courier's refusal
    cli.json("dispatch", "assign", f"#{order.number:04d}", "wang fang")
    cli("dispatch", "unassign", f"#{order.number:04d}")
    assert [r.courier_id for r in on_server(platform, order.id).refused_by] == [zhang]


async def test_the_board_tags_a_refused_pair_and_does_not_count_it_as_go_now(platform: RunningPlatform) -> None:
    from textual.widgets import Static

    from tests.test_ui_dispatch import board_of, live_app, next_round

    zhang, wang = _two_on_duty(platform)
    [order] = place_ready_orders(platform, [(300.0, 200.0)])
    delivery = _ok(api(platform, "dispatcher").post(f"/v1/orders/{order.id}/assign", {"courier_id": zhang}))
    _ok(_courier(platform, zhang).post(f"/v1/deliveries/{delivery['id']}/reject"))
    _put(platform, wang, "OFFLINE")
    set_language("en")
    try:
        app = live_app(platform)
        async with app.run_test(size=(80, 24)) as pilot:
            board = board_of(app)
            await next_round(pilot, board, 0)
            suggestion = board.plan.suggestion_for(order.id)  # type: ignore[union-attr]
            assert suggestion is not None and suggestion.commit and suggestion.refused, suggestion
            row = board.orders_list.row(order.id)
            assert row is not None and row.tag == "refused" and "refused" in order_line(row, 80).plain, row
            title = str(board.query_one("#orders-title", Static).render())
            assert "go now 0" in title, title  # a person decides it: not GO NOW
    finally:
        set_language(None)
