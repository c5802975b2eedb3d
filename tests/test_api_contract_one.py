"""The API contract as a reviewer reads it: one OpenAPI document (`/openapi.json`; nothing at Litestar's `/schema`
pages), a store's cancel takes only the codes its console and CLI offer (as reject), and docs/api.md names every
event type the platform emits."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import httpx
import pytest

from o2o_tui.domain.limits import REJECT_REASONS
from tests.support.platform import RunningPlatform, api, order_body

ROOT = Path(__file__).resolve().parents[1]
PLATFORM = ROOT / "o2o_tui" / "platform"

# where Litestar serves its own copy of the contract and its viewers (scripts from cdn.jsdelivr.net)
SCHEMA_PAGES = [
    "/schema",
    "/schema/",
    "/schema/openapi.json",
    "/schema/openapi.yaml",
    "/schema/openapi.yml",
    "/schema/swagger",
    "/schema/redoc",
    "/schema/elements",
    "/schema/rapidoc",
    "/schema/stoplight",
    "/schema/scalar",
    "/redoc",
    "/elements",
    "/rapidoc",
    "/swagger",
]


@pytest.mark.parametrize("path", SCHEMA_PAGES)
def test_no_second_contract_nor_viewer_pages(shared_platform: RunningPlatform, path: str) -> None:
    assert shared_platform.seed is not None
    for headers in ({}, {"Authorization": f"Bearer {shared_platform.seed.tokens['admin']}"}):  # no login, admin
        answer = httpx.get(shared_platform.url + path, headers=headers)
        assert answer.status_code == 404, (path, answer.status_code, answer.text[:200])
        assert answer.json()["error"]["code"] == "not_found"  # the platform's envelope, not a page
        assert "cdn." not in answer.text and "<script" not in answer.text


def test_the_one_contract_keeps_the_change_headers_and_strict_bodies(shared_platform: RunningPlatform) -> None:
    document = httpx.get(shared_platform.url + "/openapi.json").json()
    cancel = document["paths"]["/v1/orders/{order_id}/cancel"]["post"]
    headers = {p["name"]: p for p in cancel["parameters"] if p["in"] == "header"}
    assert headers["Idempotency-Key"]["required"] is True and "X-Occurred-At" in headers
    assert document["components"]["schemas"]["ReasonBody"]["additionalProperties"] is False


# --- a store's cancel reason is one of the store's codes ------------------------------------------------------


def _new_order(platform: RunningPlatform, *, accepted: bool) -> str:
    seed = platform.seed
    assert seed is not None
    order_id = api(platform, "customer").post("/v1/orders", order_body(seed.store_id)).json()["id"]
    if accepted:
        answer = api(platform, "merchant").post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 10})
        assert answer.status_code == 200, answer.text
    return str(order_id)


@pytest.mark.parametrize("code", ["FOO", "STORE_CLOSED", "CUSTOMER_CHANGED_MIND", "ACCEPT_TIMEOUT"])
def test_a_merchant_cancel_with_a_code_the_store_does_not_offer_is_refused(
    shared_platform: RunningPlatform, code: str
) -> None:
    order_id = _new_order(shared_platform, accepted=True)
    merchant = api(shared_platform, "merchant")
    answer = merchant.post(f"/v1/orders/{order_id}/cancel", {"reason_code": code})
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "validation" and error["field"] == "reason_code"
    assert all(reason.value in error["message"] for reason in REJECT_REASONS)  # says which codes are taken
    after = merchant.get(f"/v1/orders/{order_id}").json()
    assert after["status"] == "CONFIRMED" and after["cancel_reason_code"] is None  # nothing stored


@pytest.mark.parametrize(
    ("sent", "stored"), [(r.value, r.value) for r in REJECT_REASONS] + [("out-of-stock", "OUT_OF_STOCK")]
)
def test_a_merchant_cancel_with_a_store_code_is_taken_as_reject_takes_it(
    shared_platform: RunningPlatform, sent: str, stored: str
) -> None:
    order_id = _new_order(shared_platform, accepted=True)
    answer = api(shared_platform, "merchant").post(f"/v1/orders/{order_id}/cancel", {"reason_code": sent})
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "CANCELLED" and answer.json()["cancel_reason_code"] == stored
    assert answer.json()["cancelled_by"] == "MERCHANT"


def test_a_customer_cancel_keeps_its_own_code(shared_platform: RunningPlatform) -> None:
    order_id = _new_order(shared_platform, accepted=False)
    answer = api(shared_platform, "customer").post(
        f"/v1/orders/{order_id}/cancel", {"reason_code": "CUSTOMER_CHANGED_MIND"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["cancel_reason_code"] == "CUSTOMER_CHANGED_MIND"


def test_the_api_docs_list_the_merchant_cancel_codes() -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    [row] = [line for line in text.splitlines() if line.startswith("| POST | /v1/orders/{order_id}/cancel |")]
    assert all(f"`{reason.value}`" in row for reason in REJECT_REASONS), row


# --- docs/api.md names every event type ------------------------------------------------------------------------

# an event type is "<entity>.<what>"; the entities are EntityKind's values
EVENT_TYPE = re.compile(r"^(order|store|menu|courier|delivery)\.[a-z_]+$")
# the calls that write an event, and the position of their event type argument (see context.py, events.py,
# orders.save, fleet._emit_delivery)
EMITTERS = {"emit": 0, "append": 1, "save": 3, "_emit_delivery": 2}


def _platform_sources() -> list[Path]:
    # the simulator drives the platform as a client: its "order.confirm" ... are action names, not events
    return [p for p in sorted(PLATFORM.rglob("*.py")) if "simulator" not in p.relative_to(PLATFORM).parts]


def _emitted_types() -> set[str]:
    """Every string of an event type's shape in the platform's code (the emit calls' literals and constants)."""
    found = set()
    for path in _platform_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and EVENT_TYPE.match(node.value):
                found.add(node.value)
    return found


def _documented_types() -> set[str]:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    start = text.index("Event types:")
    paragraph = text[start : text.index("\n\n", start)]
    return {name for name in re.findall(r"`([^`]+)`", paragraph) if EVENT_TYPE.match(name)}


def test_every_event_type_the_platform_emits_is_in_the_api_docs() -> None:
    emitted = _emitted_types()
    # the scan sees the emitters it must (were it blind, the comparison below would prove nothing)
    assert {"order.created", "order.updated", "order.released", "order.refunded", "delivery.updated"} <= emitted
    documented = _documented_types()
    assert emitted - documented == set(), "emitted but not in docs/api.md's event list"
    assert documented - emitted == set(), "in docs/api.md's event list but emitted nowhere"


def _called(call: ast.Call) -> str:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return call.func.id if isinstance(call.func, ast.Name) else ""


def _is_emitter(call: ast.Call, path: Path) -> bool:
    """ctx.emit(...), events.append(...) (not a list's), orders.save(...) (`save` inside orders.py), and
    fleet's _emit_delivery(...)."""
    name = _called(call)
    owner = ast.unparse(call.func.value) if isinstance(call.func, ast.Attribute) else ""
    if name == "append":
        return owner == "events"
    if name == "save":
        return owner == "orders" or (owner == "" and path.name == "orders.py")
    return name in EMITTERS


def test_every_emit_call_names_its_event_type_where_the_scan_sees_it() -> None:
    """An event type built at run time (an f-string, a lookup) would escape the scan above: each call that writes
    an event passes a literal, a module constant, or its own caller's `event_type` on."""
    unseen, checked = [], 0
    for path in _platform_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _is_emitter(node, path):
                position = EMITTERS[_called(node)]
                named = [k.value for k in node.keywords if k.arg == "event_type"]
                if len(node.args) <= position and not named:
                    continue  # orders.save's default, "order.updated": a literal the scan sees
                given = node.args[position] if len(node.args) > position else named[0]
                checked += 1
                seen = (isinstance(given, ast.Constant) and isinstance(given.value, str)) or (
                    isinstance(given, ast.Name) and (given.id in constants or given.id == "event_type")
                )
                if not seen:
                    unseen.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(given)}")
    assert checked >= 12, checked  # the calls are found (the platform has more than a dozen)
    assert unseen == []
