"""Every cancel and cancellation answer carries a reason code of its own list (`o2o_tui/domain/cancel_reasons.py`),
as a store's cancel and reject already did: a customer's cancel and request, a store's deny, an admin's cancel. A
made-up code is a 422 naming `reason_code` and the allowed codes, nothing changes; a listed one in any case with
`-` for `_` is stored as the list spells it. `o2o orders cancellation deny --reason` says a bad code before
anything is queued (exit 2). Real platform on loopback, real cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from o2o_tui.cli.exits import Exit
from o2o_tui.domain.cancel_reasons import ADMIN_REASONS, CUSTOMER_REASONS, DENY_REASONS
from o2o_tui.platform.simulator import customers, merchant
from tests.support.platform import Api, RunningPlatform, api, order_body
from tests.test_cli_orders import Cli


def _place(running: RunningPlatform, *, confirm: bool = False) -> str:
    assert running.seed is not None
    placed = api(running, "customer").post("/v1/orders", order_body(running.seed.store_id, "TAKEOUT"))
    assert placed.status_code in (200, 201), placed.text
    order_id = str(placed.json()["id"])
    if confirm:
        done = api(running, "merchant").post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 10})
        assert done.status_code == 200, done.text
    return order_id


def _refused(answer: Any, allowed: tuple[str, ...]) -> None:
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["field"] == "reason_code"
    assert all(code in error["message"] for code in allowed), error["message"]


def _order(who: Api, order_id: str) -> Any:
    return who.get(f"/v1/orders/{order_id}").json()


def test_a_customers_cancel_and_request_take_the_customers_codes_only(running: RunningPlatform) -> None:
    customer = api(running, "customer")
    fresh = _place(running)
    _refused(customer.post(f"/v1/orders/{fresh}/cancel", {"reason_code": "I_FEEL_LIKE_IT"}), CUSTOMER_REASONS)
    _refused(customer.post(f"/v1/orders/{fresh}/cancel", {"reason_code": "STORE_BUSY"}), CUSTOMER_REASONS)
    assert _order(customer, fresh)["status"] == "CREATED"  # refused: nothing changed
    done = customer.post(f"/v1/orders/{fresh}/cancel", {"reason_code": "customer-changed-mind"})
    assert done.status_code == 200, done.text
    assert (done.json()["cancel_reason_code"], done.json()["cancelled_by"]) == ("CUSTOMER_CHANGED_MIND", "CUSTOMER")

    cooking = _place(running, confirm=True)
    _refused(customer.post(f"/v1/orders/{cooking}/cancellation", {"reason_code": "TOO_SLOW"}), CUSTOMER_REASONS)
    assert _order(customer, cooking)["cancellation"] is None
    asked = customer.post(f"/v1/orders/{cooking}/cancellation", {"reason_code": "taking_too_long", "reason": "饿了"})
    assert asked.status_code == 200, asked.text
    assert asked.json()["cancellation"]["reason_code"] == "TAKING_TOO_LONG"


def test_a_stores_deny_takes_the_deny_codes_and_its_request_the_stores(running: RunningPlatform) -> None:
    customer, store = api(running, "customer"), api(running, "merchant")
    order_id = _place(running, confirm=True)
    path = f"/v1/orders/{order_id}"
    _refused(store.post(path + "/cancellation", {"reason_code": "TAKING_TOO_LONG"}), ("OUT_OF_STOCK", "STORE_BUSY"))
    assert customer.post(path + "/cancellation", {"reason_code": "TAKING_TOO_LONG"}).status_code == 200
    _refused(store.post(path + "/cancellation/deny", {"reason_code": "NO"}), DENY_REASONS)
    _refused(store.post(path + "/cancellation/deny", {"reason_code": "OUT_OF_STOCK"}), DENY_REASONS)
    assert _order(store, order_id)["cancellation"] is not None  # refused: the request still waits
    denied = store.post(path + "/cancellation/deny", {"reason_code": "already-cooking"})
    assert denied.status_code == 200, denied.text
    assert denied.json()["cancellation"] is None


def test_an_admins_cancel_takes_the_admins_codes(running: RunningPlatform) -> None:
    admin = api(running, "admin")
    order_id = _place(running, confirm=True)
    _refused(admin.post(f"/v1/orders/{order_id}/cancel", {"reason_code": "BECAUSE"}), ADMIN_REASONS)
    assert _order(admin, order_id)["status"] == "CONFIRMED"
    done = admin.post(f"/v1/orders/{order_id}/cancel", {"reason_code": "fraud-suspected"})
    assert done.status_code == 200, done.text
    assert (done.json()["cancel_reason_code"], done.json()["cancelled_by"]) == ("FRAUD_SUSPECTED", "PLATFORM")
    # the simulator's customers cancel through the admin client when they have no token of their own
    other = _place(running)
    assert admin.post(f"/v1/orders/{other}/cancel", {"reason_code": "CUSTOMER_CHANGED_MIND"}).status_code == 200


def test_the_simulator_sends_listed_codes_only() -> None:
    import inspect
    import re

    for module, allowed in ((customers, CUSTOMER_REASONS), (merchant, DENY_REASONS)):
        sent = re.findall(r'reason_code="([A-Z_]+)"', inspect.getsource(module))
        assert sent and all(code in allowed for code in sent), (module.__name__, sent)


def test_the_cli_says_a_bad_deny_code_before_anything_is_queued(running: RunningPlatform, tmp_path: Path) -> None:
    assert running.seed is not None
    order_id = _place(running, confirm=True)
    customer = api(running, "customer")
    assert customer.post(f"/v1/orders/{order_id}/cancellation", {"reason_code": "OTHER"}).status_code == 200
    cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    cli("sync", "--once")

    bad = cli("orders", "cancellation", "deny", order_id, "--reason", "NO", code=Exit.USAGE)
    assert 'Unknown deny reason "NO"' in bad.stderr
    assert "MERCHANT_DENIED (Store declined), ALREADY_COOKING (Already cooking)" in bad.stderr
    assert cli.json("sync", "status")["pending"] == 0 and cli.json("conflicts", "list") == []
    assert "MERCHANT_DENIED" in cli("orders", "cancellation", "deny", "--help").stdout
    done = cli.json("orders", "cancellation", "deny", order_id, "--reason", "already-cooking")
    assert done["outcome"] == "done"
    assert _order(customer, order_id)["cancellation"] is None
