"""An order is never given to another store's own-fleet courier, whoever assigns it: that store's staff could not
even read the courier carrying their order. An admin is refused with 409 `courier_other_store` and nothing
changes; staff get the 404 any courier not theirs to read gets; the store's own couriers and platform couriers
are assigned as before. The real platform on loopback (the two-store world of test_server_courier_visibility)."""

from __future__ import annotations

from o2o_tui.i18n import set_language
from o2o_tui.sync.explain import explain
from tests.test_server_courier_visibility import World, _ok, world

__all__ = ["world"]  # the fixture, used by name


def test_an_admin_cannot_give_an_order_to_another_stores_own_courier(world: World) -> None:
    order_a = world.accepted(world.a_store)
    refused = world.admin.post(f"/v1/orders/{order_a['id']}/assign", {"courier_id": world.b_rider})
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "courier_other_store" and "another store" in error["message"]
    # nothing changed: the order has no courier, B's rider no delivery, A's staff nothing to read
    assert _ok(world.admin.get(f"/v1/orders/{order_a['id']}"))["courier_id"] is None
    assert _ok(world.admin.get("/v1/deliveries", courier_id=world.b_rider))["deliveries"] == []
    assert _ok(world.b_rider_api.get(f"/v1/couriers/{world.b_rider}"))["delivery_ids"] == []
    # the same with a precondition, and again: refused each time (never answered from an earlier success)
    again = world.admin.post(
        f"/v1/orders/{order_a['id']}/assign", {"courier_id": world.b_rider, "expect_courier_id": None}
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "courier_other_store"
    # A's staff: the 404 of any courier not theirs (nothing of its state, not even that it is another store's)
    for role, staff in world.a_staff.items():
        answer = staff.post(f"/v1/orders/{order_a['id']}/assign", {"courier_id": world.b_rider})
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found", (role, answer.text)
    # the admin still assigns the store's own courier, a platform courier, and B's rider to B's order
    a_rider = _ok(world.a_staff["dispatcher"].get("/v1/couriers"))["couriers"][0]["id"]
    mine = _ok(world.admin.post(f"/v1/orders/{order_a['id']}/assign", {"courier_id": a_rider}))
    assert mine["courier_id"] == a_rider and mine["store_id"] == world.a_store
    free = _ok(world.admin.post(f"/v1/orders/{order_a['id']}/assign", {"courier_id": world.free}))
    assert free["courier_id"] == world.free
    order_b = world.accepted(world.b_store)
    theirs = _ok(world.admin.post(f"/v1/orders/{order_b['id']}/assign", {"courier_id": world.b_rider}))
    assert theirs["courier_id"] == world.b_rider and theirs["store_id"] == world.b_store
    # taking A's order from the platform courier for B's rider is refused too, and the platform courier keeps it
    taken = world.admin.post(f"/v1/orders/{order_a['id']}/assign", {"courier_id": world.b_rider})
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "courier_other_store"
    assert _ok(world.admin.get(f"/v1/orders/{order_a['id']}"))["courier_id"] == world.free


def test_the_refusal_is_said_in_words_in_both_languages() -> None:
    reason = {"code": "courier_other_store", "message": "PLATFORM-ENGLISH"}
    try:
        for language, words in (("en", "another store's own fleet"), ("zh", "其他门店的自有车队")):
            set_language(language)
            said = explain(reason, action="order.assign", target="ord_1")
            assert words in said and "PLATFORM-ENGLISH" not in said, said
    finally:
        set_language(None)
