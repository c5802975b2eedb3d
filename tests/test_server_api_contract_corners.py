"""Platform API as docs/api.md promises it to a partner developer, against the real server: every time answered is
UTC with Z (an offset sent, or one an older database holds, included); HEAD answers where GET does and a 405 says
what is allowed; a customer never reads a staff member's user id; an empty body where fields are required is a 422
on `body`; a store's answer carries the `hours_tag` that `PUT .../hours` takes back as If-Match."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from sqlalchemy import create_engine, select, update

from o2o_tui.domain.store import Store
from o2o_tui.platform import db
from o2o_tui.store_hours import hours_tag
from tests.support.platform import RunningPlatform, api, order_body, start_platform
from tests.test_cli_orders import Cli

SHANGHAI_OFFSET = timezone(timedelta(hours=8))
_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T")


def _times(value: Any, path: str = "") -> dict[str, str]:
    """Every time text in a JSON document, by its path."""
    if isinstance(value, dict):
        return {p: t for key, item in value.items() for p, t in _times(item, f"{path}.{key}").items()}
    if isinstance(value, list):
        return {p: t for index, item in enumerate(value) for p, t in _times(item, f"{path}[{index}]").items()}
    return {path: value} if isinstance(value, str) and _TIME.match(value) else {}


def _all_in_utc(document: Any) -> dict[str, str]:
    times = _times(document)
    assert times, document
    assert {p: t for p, t in times.items() if not t.endswith("Z")} == {}
    return times


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    running = start_platform(tmp_path_factory.mktemp("contract"))
    try:
        yield running
    finally:
        running.stop()


def _scheduled(store_id: str, start: datetime) -> dict[str, Any]:
    timing = {
        "type": "SCHEDULED",
        "window_start": start.isoformat(),
        "window_end": (start + timedelta(minutes=15)).isoformat(),
    }
    return order_body(store_id, "TAKEOUT", timing=timing)


# --- 1. times are UTC with Z ----------------------------------------------------------------------------------


def test_times_sent_with_an_offset_are_answered_in_utc(served: RunningPlatform) -> None:
    assert served.seed is not None
    store_id = served.seed.store_id
    customer, merchant = api(served, "customer"), api(served, "merchant")
    start = (datetime.now(UTC) + timedelta(hours=3)).astimezone(SHANGHAI_OFFSET).replace(second=0, microsecond=0)
    placed = customer.post("/v1/orders", _scheduled(store_id, start))
    assert placed.status_code == 201, placed.text
    order = placed.json()
    times = _all_in_utc(order)
    assert datetime.fromisoformat(order["timing"]["window_start"]) == start  # the same moment, said in UTC
    assert order["held_until"] and order["accept_deadline"] and ".held_until" in times
    _all_in_utc(merchant.get(f"/v1/orders/{order['id']}").json())

    until = (datetime.now(UTC) + timedelta(hours=1)).astimezone(SHANGHAI_OFFSET).replace(microsecond=0)
    paused = merchant.put(f"/v1/stores/{store_id}/status", {"state": "PAUSED", "until": until.isoformat()})
    try:
        assert paused.status_code == 200, paused.text
        assert paused.json()["status"]["until"] == until.astimezone(UTC).isoformat().replace("+00:00", "Z")
        _all_in_utc(merchant.get(f"/v1/stores/{store_id}").json())
    finally:
        assert merchant.put(f"/v1/stores/{store_id}/status", {"state": "ONLINE"}).status_code == 200

    snoozed = merchant.patch(f"/v1/stores/{store_id}/menu/items/rice", {"snooze_until": until.isoformat()})
    assert snoozed.status_code == 200, snoozed.text
    assert until.astimezone(UTC).isoformat().replace("+00:00", "Z") in _times(snoozed.json()).values()
    _all_in_utc(snoozed.json())
    _all_in_utc(merchant.get(f"/v1/stores/{store_id}/menu").json())
    merchant.patch(f"/v1/stores/{store_id}/menu/items/rice", {"clear_snooze": True})


def _rewrite(running: RunningPlatform, table: Any, key: Any, change: Any) -> None:
    """Change a stored document as an older server would have written it."""
    engine = create_engine(running.db_url)
    try:
        with engine.begin() as conn:
            doc = json.loads(conn.execute(select(table.c.doc).where(key)).scalar_one())
            change(doc)
            conn.execute(update(table).where(key).values(doc=json.dumps(doc).encode()))
    finally:
        engine.dispose()


def test_times_an_older_database_holds_with_an_offset_read_and_are_answered_in_utc(
    served: RunningPlatform, tmp_path: Path
) -> None:
    assert served.seed is not None
    store_id = served.seed.store_id
    customer, merchant = api(served, "customer"), api(served, "merchant")
    start = datetime.now(UTC) + timedelta(hours=2)
    order = customer.post("/v1/orders", _scheduled(store_id, start)).json()
    held = datetime.fromisoformat(order["held_until"]).astimezone(SHANGHAI_OFFSET)
    until = (datetime.now(UTC) + timedelta(hours=1)).astimezone(SHANGHAI_OFFSET).replace(microsecond=0)

    def older_order(doc: dict[str, Any]) -> None:
        doc["held_until"] = held.isoformat()
        doc["timing"]["window_start"] = start.astimezone(SHANGHAI_OFFSET).isoformat()

    def older_store(doc: dict[str, Any]) -> None:
        doc["status"] = {"state": "PAUSED", "until": until.isoformat(), "reason": "old pause"}

    def older_menu(doc: dict[str, Any]) -> None:
        for category in doc["categories"]:
            for item in category["items"]:
                if item["id"] == "rice":
                    item["snooze_until"] = until.isoformat()

    _rewrite(served, db.orders, db.orders.c.id == order["id"], older_order)
    _rewrite(served, db.stores, db.stores.c.id == store_id, older_store)
    _rewrite(served, db.menus, db.menus.c.store_id == store_id, older_menu)
    try:
        answered = merchant.get(f"/v1/orders/{order['id']}")
        assert answered.status_code == 200, answered.text
        assert answered.json()["held_until"] == held.astimezone(UTC).isoformat().replace("+00:00", "Z")
        _all_in_utc(answered.json())
        store = merchant.get(f"/v1/stores/{store_id}").json()
        assert store["status"]["until"] == until.astimezone(UTC).isoformat().replace("+00:00", "Z")
        menu = merchant.get(f"/v1/stores/{store_id}/menu").json()
        assert until.astimezone(UTC).isoformat().replace("+00:00", "Z") in _times(menu).values()
        _all_in_utc(menu)

        cli = Cli(tmp_path / "home", served.seed.tokens["merchant"])
        cli("login", "--url", served.url, "--token", cli.token)
        cli("sync", "--once")
        rows = cli.json("orders", "list", "--scheduled")
        assert order["id"] in [row["id"] for row in rows]
        _all_in_utc(rows)
    finally:
        assert merchant.put(f"/v1/stores/{store_id}/status", {"state": "ONLINE"}).status_code == 200
        merchant.patch(f"/v1/stores/{store_id}/menu/items/rice", {"clear_snooze": True})


# --- 2. HEAD where GET is; 405 says Allow ------------------------------------------------------------------------


def test_head_answers_where_get_does_and_a_405_names_the_allowed_methods(served: RunningPlatform) -> None:
    assert served.seed is not None
    store_path = f"/v1/stores/{served.seed.store_id}"
    with served.client("merchant") as merchant:
        got = merchant.get(store_path)
        head = merchant.head(store_path)
        assert head.status_code == 200, head.text
        assert head.content == b""
        assert head.headers["content-length"] == got.headers["content-length"]
        assert head.headers["content-type"] == got.headers["content-type"]
        menu_head = merchant.head(store_path + "/menu")
        assert menu_head.status_code == 200
        assert menu_head.headers["etag"] == merchant.get(store_path + "/menu").headers["etag"]
        assert merchant.head("/healthz").status_code == 200
        assert merchant.head("/v1/stores/no-such-store").status_code == 404
        not_allowed = merchant.delete(store_path)
        assert not_allowed.status_code == 405
        assert not_allowed.json()["error"]["code"] == "method_not_allowed"
        assert not_allowed.headers["allow"] == "GET, HEAD, OPTIONS"
        assert merchant.options(store_path).headers["allow"] == "GET, HEAD, OPTIONS"
        only_put = merchant.head(store_path + "/status")  # PUT only: no HEAD there
        assert only_put.status_code == 405 and only_put.headers["allow"] == "OPTIONS, PUT"
    with httpx.Client(base_url=served.url) as stranger:
        assert stranger.head(store_path).status_code == 401  # the same checks as the GET


# --- 3. a customer never reads a staff member's user id ----------------------------------------------------------


def test_a_customer_reads_who_refunded_and_answered_by_role_only(served: RunningPlatform) -> None:
    assert served.seed is not None
    customer, merchant = api(served, "customer"), api(served, "merchant")
    placed = customer.post("/v1/orders", order_body(served.seed.store_id, "TAKEOUT")).json()
    path = f"/v1/orders/{placed['id']}"
    assert merchant.post(path + "/confirm", {"preparation_minutes": 20}).status_code == 200
    assert customer.post(path + "/chase", {"note": "好了吗"}).status_code == 200
    assert merchant.post(path + "/chase/reply", {"template": "PREPARING", "minutes": 5}).status_code == 200
    refund = {"id": uuid.uuid4().hex, "reason_code": "QUALITY", "lines": [{"line": 0, "quantity": 1}]}
    refunded = merchant.post(path + "/refund", refund)
    assert refunded.status_code == 200, refunded.text

    staff = merchant.get(path).json()
    assert staff["refunds"][0]["by"] and staff["chases"][0]["answered_by"]  # the store knows who
    seen = customer.get(path).json()
    assert seen["refunds"][0]["by"] == "" and seen["refunds"][0]["by_role"] == "merchant"
    assert seen["chases"][0]["answered_by"] is None and seen["chases"][0]["reply"] == "PREPARING"
    listed = next(o for o in customer.get("/v1/orders").json()["orders"] if o["id"] == placed["id"])
    assert listed["refunds"][0]["by"] == "" and listed["chases"][0]["answered_by"] is None
    staff_ids = {staff["refunds"][0]["by"], staff["chases"][0]["answered_by"]}
    assert not staff_ids & set(json.dumps(seen).split('"'))


# --- 4. an empty body where fields are required ------------------------------------------------------------------


@pytest.mark.parametrize("raw", [b"", b"   \n\t "])
def test_an_empty_body_where_fields_are_required_is_a_422_on_body(served: RunningPlatform, raw: bytes) -> None:
    with served.client("customer") as customer:
        refused = customer.post(
            "/v1/orders",
            content=raw,
            headers={"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"},
        )
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["field"]) == ("validation", "body")


def test_an_empty_body_still_does_for_an_action_without_fields(served: RunningPlatform) -> None:
    assert served.seed is not None
    placed = api(served, "customer").post("/v1/orders", order_body(served.seed.store_id, "TAKEOUT")).json()
    with served.client("merchant") as merchant:
        path = f"/v1/orders/{placed['id']}"
        key = {"Idempotency-Key": str(uuid.uuid4())}
        assert merchant.post(path + "/confirm", json={"preparation_minutes": 10}, headers=key).status_code == 200
        started = merchant.post(path + "/preparing", content=b"", headers={"Idempotency-Key": str(uuid.uuid4())})
    assert started.status_code == 200, started.text


# --- 5. the hours' tag in the store's answer ---------------------------------------------------------------------


def test_the_store_answer_carries_the_hours_tag_to_send_back_as_if_match(served: RunningPlatform) -> None:
    assert served.seed is not None
    path = f"/v1/stores/{served.seed.store_id}"
    merchant = api(served, "merchant")
    store = merchant.get(path).json()
    tag = store["hours_tag"]
    assert isinstance(tag, str) and tag.isdigit()
    decoded = msgspec.convert({**store, "hours_tag": "stale"}, Store)  # a device works it out from the hours
    assert decoded.hours_tag == tag == str(hours_tag(decoded))
    hours = {"opening_hours": [{"weekday": day, "opens": "09:00", "closes": "23:00"} for day in range(7)]}
    changed = merchant.put(path + "/hours", hours, headers={"If-Match": f'"{tag}"'})
    assert changed.status_code == 200, changed.text
    new_tag = changed.json()["hours_tag"]
    assert new_tag != tag and new_tag == merchant.get(path).json()["hours_tag"]
    stale = merchant.put(path + "/hours", {"opening_hours": []}, headers={"If-Match": tag})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_store_change"
    back = merchant.put(path + "/hours", {"opening_hours": store["opening_hours"]}, headers={"If-Match": new_tag})
    assert back.status_code == 200 and back.json()["hours_tag"] == tag
    assert "hours_tag" not in api(served, "customer").get(path).json()  # a customer sets no hours


def test_the_docs_say_it() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text(encoding="utf-8")
    for said in ("405 `method_not_allowed`", "`Allow`", "`HEAD`", "`hours_tag`", "answered with `Z`"):
        assert said in text, said
