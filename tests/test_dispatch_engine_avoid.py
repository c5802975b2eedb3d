"""The engine's per-order `avoid` (couriers that refused the order): never planned with them, matched or bundled;
an order without one plans as before."""

from __future__ import annotations

from o2o_tui.dispatch import engine
from o2o_tui.dispatch.model import DispatchCourier, DispatchOrder, DispatchParams

PARAMS = DispatchParams(meters_per_minute=250.0, pickup_service=2.0, dropoff_service=2.0)


def _courier(name: str, x: float) -> DispatchCourier:
    return DispatchCourier(id=name, position=(x, 0.0), free_at=0.0, on_at=-1.0, off_at=1e6)


def _order(name: str, y: float, avoid: tuple[str, ...] = ()) -> DispatchOrder:
    return DispatchOrder(id=name, restaurant=(0.0, 0.0), customer=(0.0, y), placed_at=-5.0, ready_at=0.0, avoid=avoid)


def _who(plan: engine.DispatchPlan) -> dict[str, str]:
    return {order_id: route.courier_id for route in plan.routes for order_id in route.order_ids}


def test_an_order_never_goes_to_a_courier_it_avoids() -> None:
    near, far = _courier("near", 100.0), _courier("far", 1500.0)
    assert _who(engine.plan([_order("a", 800.0)], [near, far], 0.0, PARAMS)) == {"a": "near"}
    assert _who(engine.plan([_order("a", 800.0, ("near",))], [near, far], 0.0, PARAMS)) == {"a": "far"}
    # alone with the courier it avoids: it waits
    alone = engine.plan([_order("a", 800.0, ("near",))], [near], 0.0, PARAMS)
    assert alone.routes == () and alone.waiting_order_ids == ("a",)


def test_a_bundle_with_an_avoided_order_never_goes_to_that_courier() -> None:
    near, far = _courier("near", 100.0), _courier("far", 3000.0)
    orders = [_order(f"o{i}", 600.0 + 10 * i) for i in range(4)]
    assert set(_who(engine.plan(orders, [near, far], 0.0, PARAMS)).values()) == {"near"}  # one bundle, the near one
    orders[2] = _order("o2", 620.0, ("near",))
    who = _who(engine.plan(orders, [near, far], 0.0, PARAMS))
    assert who.get("o2") == "far", who
    assert all(courier == "near" for order_id, courier in who.items() if order_id != "o2"), who
