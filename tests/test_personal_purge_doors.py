"""The copies of an order's personal data outside the order and the delivery: the courier a hand-over left at the
customer's door (its position is that door until its next arrival) and the refused actions in a device's conflicts
list (their bodies hold the notes and the free text typed). Both go when the order's personal data goes, on the
server (its jobs, a window of seconds) and on each device (its own retention, at a later clock, server unchanged).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import msgspec.inspect as mi

from o2o_tui.client import PlatformClient
from o2o_tui.client.actions import ACTIONS
from o2o_tui.domain.chases import ChaseReply, ChaseReplyBody
from o2o_tui.domain.fleet import ProblemReason
from o2o_tui.domain.geo import PositionIn
from o2o_tui.domain.identity import Role
from o2o_tui.domain.personal_data import ACTION_PERSONAL
from o2o_tui.domain.refunds import RefundBody, RefundReason
from o2o_tui.domain.requests import ProblemBody, ReasonBody
from o2o_tui.live_dispatch import plan_live, read_fleet
from o2o_tui.sync import tables
from o2o_tui.sync.explain import explain
from o2o_tui.sync.retention import RetentionPolicy, apply_retention
from o2o_tui.sync.scope import Scope
from offline_cache import open_profile_cache
from tests.support.platform import Api, RunningPlatform, api, order_body, start_platform
from tests.support.purge import (
    Action,
    Json,
    courier_device,
    database_text,
    merchant_device,
    ok,
    start_purging_platform,
    sync_once,
    wait_for,
)

WINDOW_SECONDS = 10
DOOR = {"lat": 31.246813, "lon": 121.513579}  # the customer's door
CANCEL_WHY, REFUND_NOTE = "CANARYCANCEL she moved to flat 9", "CANARYREFUND cold, said Ms Canary 13900000417"
REPLY_TEXT, PROBLEM_NOTE = "CANARYREPLY downstairs at gate 9", "CANARYPROBLEM gate code 4711"
PENDING_WHY = "CANARYPENDING not sent yet"
# tests/test_courier_door_answers.py imports these three from here under their old names
_ok, _wait_until, _database_text = ok, wait_for, database_text


def _delivered_to_the_door(
    running: RunningPlatform, courier_id: str, on_the_way: Callable[[], None] = lambda: None
) -> tuple[Json, Json]:
    """An order delivered by `courier_id`: the hand-over puts the courier at the door (a handheld has no GPS), and
    it reports nothing after. `on_the_way()` runs while the courier rides (the devices sync). Answers (order,
    delivery) as they were."""
    seeded = running.seed
    assert seeded is not None
    customer, merchant, dispatcher = (api(running, role) for role in ("customer", "merchant", "dispatcher"))
    courier = Api(running.url, seeded.courier_tokens[courier_id])
    body = order_body(seeded.store_id, address={"text": "CANARYADDR 幸福路 417 号", "position": DOOR})
    order = ok(customer.post("/v1/orders", body))
    path = f"/v1/orders/{order['id']}"
    ok(merchant.post(path + "/confirm", {"preparation_minutes": 5}))
    delivery = ok(dispatcher.post(path + "/assign", {"courier_id": courier_id}))
    at = f"/v1/deliveries/{delivery['id']}"
    ok(courier.post(at + "/accept", {}))
    ok(courier.post(at + "/picked-up", {"code": ok(merchant.get(path))["pickup_code"]}))
    on_the_way()  # a courier's device holds its deliveries from while they are active
    ok(courier.post(at + "/delivered", {"code": ok(customer.get(path))["delivery_code"]}))
    for client in (customer, merchant, dispatcher, courier):
        client.close()
    return order, delivery


def _sync(
    running: RunningPlatform, profile: Path, token: str, scope: Scope, actions: tuple[Action, ...] = ()
) -> None:
    """Queue `actions` ((action, target, body) through the engine, as a console does) and sync once."""
    report = sync_once(running, profile, token, scope, actions)
    assert report.rejected == len(actions)  # each refused for good: the order was delivered meanwhile


# what a refused order or delivery action keeps: ids, codes and reason codes say what was refused
KEPT_IN_BODIES = {
    "id",
    "store_id",
    "lines[].item_id",
    "lines[].option_ids[]",
    "reason_code",
    "code",
    "courier_id",
    "expect_courier_id",  # an assign's "who I saw holding it": a courier's id, as courier_id
}


def _body_texts(info: Any, path: str = "") -> list[str]:
    """The path of every text and every position in a request body of this type."""
    if isinstance(info, mi.Metadata):
        return _body_texts(info.type, path)
    if isinstance(info, mi.StructType):
        if info.cls is PositionIn:
            return [path]
        return [p for f in info.fields for p in _body_texts(f.type, f"{path}.{f.encode_name}".lstrip("."))]
    if isinstance(info, mi.ListType):
        return _body_texts(info.item_type, path + "[]")
    if isinstance(info, mi.UnionType):
        return [p for member in info.types for p in _body_texts(member, path)]
    return [path] if isinstance(info, mi.StrType) else []


def test_every_text_of_an_order_or_delivery_action_is_either_personal_or_kept() -> None:
    """A new free-text field in such a body must be sorted here, or the conflicts list would keep it forever."""
    for action, route in ACTIONS.items():
        if not action.startswith(("order.", "delivery.")):
            continue
        rule = ACTION_PERSONAL.get(action, {})
        texts = _body_texts(mi.type_info(route.body_type))
        covered = [p for p in texts if any(p == r or p.startswith(r + ".") for r in rule)]
        assert not [p for p in texts if p not in covered and p not in KEPT_IN_BODIES], action
        assert all(any(t == r or t.startswith(r + ".") for t in texts) for r in rule), (
            f"{action}: a stale path"
        )
    assert set(ACTION_PERSONAL) <= set(ACTIONS)


def test_the_server_forgets_the_door_a_courier_was_left_at(tmp_path: Path) -> None:
    running = start_purging_platform(tmp_path, WINDOW_SECONDS)
    try:
        seeded = running.seed
        assert seeded is not None
        rider, *others = seeded.courier_ids
        for other in others:  # only the rider is on duty: dispatch has no one else to plan from
            off = Api(running.url, seeded.courier_tokens[other])
            ok(off.put(f"/v1/couriers/{other}/state", {"status": "OFFLINE"}))
            off.close()
        dispatcher = api(running, "dispatcher")
        board = (
            tmp_path / "board",
            seeded.tokens["dispatcher"],
            Scope(Role.DISPATCHER, store_id=seeded.store_id),
        )
        _delivered_to_the_door(running, rider)
        handheld = Api(running.url, seeded.courier_tokens[rider])
        # the handheld says it is still on duty: the answer (kept for a replay of its key) is the record at the door
        assert ok(handheld.put(f"/v1/couriers/{rider}/state", {"status": "IDLE"}))["position"] == DOOR
        handheld.close()
        left = ok(dispatcher.get(f"/v1/couriers/{rider}"))
        assert left["position"] == DOOR  # until the window: dispatch plans the rider from where it is
        _sync(running, *board)
        with open_profile_cache(board[0]) as cache:
            assert (cache.table(tables.COURIERS).get(rider) or {})["position"] == DOOR

        assert wait_for(
            lambda: ok(dispatcher.get(f"/v1/couriers/{rider}"))["position"] is None, WINDOW_SECONDS + 20
        ), "the server kept the courier at the customer's door"
        forgotten = ok(dispatcher.get(f"/v1/couriers/{rider}"))
        assert forgotten["version"] == left["version"] + 1  # a change the boards hear of
        # position_at stays: a late replay of a step from before cannot bring an older place back
        assert forgotten["position_at"] == left["position_at"]
        assert str(DOOR["lat"]) not in database_text(running.db_url)
        # the event: a board's cache takes the blanked courier without a purge of its own
        _sync(running, *board)
        with open_profile_cache(board[0]) as cache:
            assert (cache.table(tables.COURIERS).get(rider) or {})["position"] is None

        # dispatch copes with a courier on duty without a position: not planned, and the order says why
        merchant = api(running, "merchant")
        waiting = ok(api(running, "customer").post("/v1/orders", order_body(seeded.store_id)))
        ok(merchant.post(f"/v1/orders/{waiting['id']}/confirm", {"preparation_minutes": 5}))
        with PlatformClient(running.url, seeded.tokens["dispatcher"]) as client:
            plan = plan_live(read_fleet(client, seeded.store_id), datetime.now(UTC))
        [state] = [c for c in plan.couriers if c.courier_id == rider]
        assert (state.position, state.free_at, state.status.value) == (None, None, "IDLE")
        assert not plan.suggestions
        assert {o.order_id: o.why for o in plan.orders}[waiting["id"]] == "no_position"
        # back on duty without saying where: at its store, planned again
        back = Api(running.url, seeded.courier_tokens[rider])
        ok(back.put(f"/v1/couriers/{rider}/state", {"status": "IDLE"}))
        back.close()
        with PlatformClient(running.url, seeded.tokens["dispatcher"]) as client:
            plan = plan_live(read_fleet(client, seeded.store_id), datetime.now(UTC))
        assert [s.courier_id for s in plan.suggestions] == [rider]
    finally:
        running.stop()


def _texts(entries: list[Any]) -> str:
    return "\n".join(entry.body for entry in entries)


def test_each_device_forgets_the_door_and_the_refused_words_by_itself(tmp_path: Path) -> None:
    """The server's window is the default (6 h): nothing is purged there during the test. Each device's own
    retention, run at a clock past the window, does it: a device offline at that time still forgets."""
    running = start_platform(tmp_path / "platform")
    try:
        seeded = running.seed
        assert seeded is not None
        rider, other = seeded.courier_ids[:2]
        counter = merchant_device(seeded, tmp_path / "counter")
        handheld = courier_device(seeded, rider, tmp_path / "handheld")

        def both() -> None:
            for device in (counter, handheld):
                _sync(running, *device)

        order, delivery = _delivered_to_the_door(running, rider, both)
        # refused, each with words typed in: the order was delivered before these reached the platform
        _sync(
            running,
            *counter,
            (
                ("order.cancel", order["id"], ReasonBody(reason_code="CLOSING_SOON", reason=CANCEL_WHY)),
                (
                    "order.refund",
                    order["id"],
                    RefundBody(
                        # a customer's change of mind: not a refund after handoff (what went wrong is)
                        id=str(uuid.uuid4()), reason_code=RefundReason.CUSTOMER_REQUEST, whole=True, note=REFUND_NOTE
                    ),
                ),
                ("order.chase_reply", order["id"], ChaseReplyBody(template=ChaseReply.TEXT, text=REPLY_TEXT)),
            ),
        )
        _sync(
            running,
            *handheld,
            (
                (
                    "delivery.problem",
                    delivery["id"],
                    ProblemBody(reason=ProblemReason.OTHER, note=PROBLEM_NOTE),
                ),
            ),
        )
        now = datetime.now(UTC)
        for profile, *_ in (counter, handheld):
            with open_profile_cache(profile) as cache:
                assert (cache.table(tables.COURIERS).get(rider) or {})["position"] == DOOR
                assert cache.outbox.conflicts() and not cache.outbox.pending()
                if profile == counter[0]:  # a cancellation typed just now, still waiting for the link
                    typed = {"reason_code": "CLOSING_SOON", "reason": PENDING_WHY}
                    cache.outbox.append("order.cancel", order["id"], msgspec.json.encode(typed).decode())
        with open_profile_cache(counter[0]) as cache:
            conflicts = cache.outbox.conflicts()
            assert all(words in _texts(conflicts) for words in (CANCEL_WHY, REFUND_NOTE, REPLY_TEXT))
            other_before = cache.table(tables.COURIERS).get(other)
            said = [explain(dict(e.rejection or {}), action=e.action, target=e.target) for e in conflicts]
            assert apply_retention(cache, RetentionPolicy(), now + timedelta(hours=5)) == (0, 0)  # not yet
            assert cache.table(tables.COURIERS).get(rider)["position"] == DOOR  # type: ignore[index]

            apply_retention(cache, RetentionPolicy(), now + timedelta(hours=7))
            couriers = cache.table(tables.COURIERS)
            assert couriers.get(rider)["position"] is None  # type: ignore[index]
            assert couriers.get(other) == other_before  # at its store: no one's door
            after = cache.outbox.conflicts()
            assert [(e.key, e.action, e.target, e.rejection, e.occurred_at) for e in after] == [
                (e.key, e.action, e.target, e.rejection, e.occurred_at) for e in conflicts
            ]
            assert [explain(dict(e.rejection or {}), action=e.action, target=e.target) for e in after] == said
            bodies = {e.action: msgspec.json.decode(e.body) for e in after}
            assert bodies["order.cancel"] == {"reason_code": "CLOSING_SOON", "reason": ""}
            assert bodies["order.refund"]["note"] == "" and bodies["order.refund"]["reason_code"] == "CUSTOMER_REQUEST"
            assert bodies["order.chase_reply"] == {"template": "TEXT", "minutes": None, "text": ""}
            [pending] = cache.outbox.pending()
            assert PENDING_WHY in pending.body  # never sent yet: the very bytes are sent, untouched
            assert apply_retention(cache, RetentionPolicy(), now + timedelta(hours=7)) == (0, 0)  # done once

        with open_profile_cache(handheld[0]) as cache:
            assert PROBLEM_NOTE in _texts(cache.outbox.conflicts())
            apply_retention(cache, RetentionPolicy(), now + timedelta(hours=7))
            assert cache.table(tables.COURIERS).get(rider)["position"] is None  # type: ignore[index]
            [refused] = cache.outbox.conflicts()
            assert msgspec.json.decode(refused.body) == {"reason": "OTHER", "note": ""}
        text = "\n".join(
            f.read_text("utf-8", errors="replace")
            for profile in (counter[0], handheld[0])
            for f in sorted(profile.rglob("*"))
            if f.is_file()
        )
        left = [w for w in (CANCEL_WHY, REFUND_NOTE, REPLY_TEXT, PROBLEM_NOTE, str(DOOR["lat"])) if w in text]
        assert not left, left
    finally:
        running.stop()
