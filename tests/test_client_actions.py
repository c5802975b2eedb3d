"""The action table, deterministic bodies, and the token staying out of reprs, errors and logs."""

from __future__ import annotations

import logging
import socket

import msgspec
import pytest

from o2o_tui.client import AsyncPlatformClient, PlatformClient
from o2o_tui.client.actions import ACTIONS, decode_result, encode_body, route
from o2o_tui.client.errors import Unreachable
from o2o_tui.client.wire import normalize_base_url
from o2o_tui.domain.fleet import Delivery
from o2o_tui.domain.order import Order
from o2o_tui.domain.requests import CodeBody, ConfirmBody, ItemPatchBody, ReasonBody
from tests.support.badserver import BadServer, Canned

EXPECTED_ACTIONS = {
    "order.create", "order.confirm", "order.reject", "order.preparing", "order.ready", "order.dispatch",
    "order.handoff", "order.delivered", "order.cancel", "order.cancellation.request",
    "order.cancellation.accept", "order.cancellation.deny", "order.assign", "order.unassign",
    "order.unlock_code", "order.chase", "order.chase_reply", "order.refund", "store.status", "store.hours",
    "store.validate_code", "menu.publish", "menu.item.patch", "menu.option.patch", "courier.state", "delivery.accept",
    "delivery.reject", "delivery.arrived_at_merchant", "delivery.picked_up", "delivery.arrived_at_customer",
    "delivery.delivered", "delivery.return", "delivery.returned", "delivery.problem",
}  # fmt: skip
EXPECTED_ACTIONS |= {"delivery.food_back"}  # the food of a refused pickup is back at the store
EXPECTED_ACTIONS |= {"order.food_received"}  # the same, said by the store (the courier never said it)
EXPECTED_ACTIONS |= {"voucher.redeem"}  # the counter's voucher code (o2o_tui/redeem.py)
EXPECTED_ACTIONS |= {"store.auto_accept"}  # auto-accept's setting (o2o_tui/auto_accept.py)
EXPECTED_ACTIONS |= {"order.delay"}  # the kitchen needs more time (o2o_tui/domain/delay.py)
EXPECTED_ACTIONS |= {"store.prep_time"}  # the store's default preparation time


def test_action_table_is_complete() -> None:
    assert set(ACTIONS) == EXPECTED_ACTIONS
    assert all(r.method in ("POST", "PUT", "PATCH") for r in ACTIONS.values())
    assert ACTIONS["order.assign"].result_type is Delivery
    assert ACTIONS["menu.publish"].conditional


def test_paths_fill_from_target() -> None:
    assert route("order.confirm").path("o-1") == "/v1/orders/o-1/confirm"
    assert route("order.cancellation.accept").path("o 1") == "/v1/orders/o%201/cancellation/accept"
    assert route("menu.item.patch").path("s1/i9") == "/v1/stores/s1/menu/items/i9"
    assert route("menu.option.patch").path("s1/o9") == "/v1/stores/s1/menu/options/o9"
    assert route("store.hours").path("s1") == "/v1/stores/s1/hours"
    assert route("delivery.picked_up").path("d1") == "/v1/deliveries/d1/picked-up"
    assert route("order.unlock_code").path("o-1") == "/v1/orders/o-1/code-lock/lift"
    assert route("order.create").path("s1") == "/v1/orders"
    with pytest.raises(ValueError):
        route("menu.item.patch").path("s1")
    with pytest.raises(ValueError):
        route("order.confirm").path("a/b")  # a slash cannot smuggle another path
    with pytest.raises(ValueError):
        route("order.fly")


def test_bodies_are_deterministic_and_typed() -> None:
    first = encode_body("order.reject", ReasonBody(reason_code="BUSY", reason="厨房忙"))
    again = encode_body("order.reject", ReasonBody(reason="厨房忙", reason_code="BUSY"))
    assert first == again
    assert msgspec.json.decode(first) == {"reason_code": "BUSY", "reason": "厨房忙"}
    patch = encode_body("menu.item.patch", ItemPatchBody(hidden=True))
    assert msgspec.json.decode(patch)["hidden"] is True
    with pytest.raises(TypeError):
        encode_body("order.confirm", CodeBody(code="1234"))


def test_decode_result_is_strict() -> None:
    with pytest.raises(msgspec.ValidationError):
        decode_result("order.confirm", b'{"id": "o1"}')
    with pytest.raises(msgspec.DecodeError):
        decode_result("order.confirm", b"<html>")
    assert route("order.confirm").result_type is Order


def test_base_url_normalization() -> None:
    assert normalize_base_url("http://h:1/") == "http://h:1"
    assert normalize_base_url(" https://h/v1/ ") == "https://h"
    for bad in ("h:1", "ftp://h", "", "http://"):
        with pytest.raises(ValueError):
            normalize_base_url(bad)


def test_token_never_in_repr_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    secret = "tok-VERY-SECRET-123"
    caplog.set_level(logging.DEBUG)
    bad = BadServer().start()
    try:
        bad.answer("/v1/me", Canned(401, b'{"error": {"code": "unauthorized", "message": "bad token"}}'))
        bad.answer("/v1/orders/o1/confirm", Canned(200, b"<html>", "text/html"))
        with PlatformClient(bad.url, secret) as client:
            assert secret not in repr(client) and secret not in str(client)
            errors = []
            for call in (client.me, lambda: client.act("order.confirm", "o1", ConfirmBody(preparation_minutes=5))):
                try:
                    call()
                except Exception as exc:  # noqa: BLE001 - every error is inspected below
                    errors.append(exc)
            assert [type(e).__name__ for e in errors] == ["Unauthorized", "MalformedResponse"]
            for error in errors:
                assert secret not in repr(error) and secret not in str(error) and secret not in error.i18n_message()
        assert bad.seen[0].headers["Authorization"] == f"Bearer {secret}"
    finally:
        bad.stop()
    assert caplog.records, "httpx/httpcore debug logging was expected to say something"
    assert secret not in caplog.text


def test_unreachable_error_hides_token() -> None:
    secret = "tok-hidden-456"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = AsyncPlatformClient(f"http://127.0.0.1:{port}", secret)
    assert secret not in repr(client)
    with PlatformClient(f"http://127.0.0.1:{port}", secret) as sync_client, pytest.raises(Unreachable) as caught:
        sync_client.me()
    assert secret not in repr(caught.value) and secret not in str(caught.value)
    assert caught.value.__cause__ is None  # no httpx exception (with its request) chained for display
