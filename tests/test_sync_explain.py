"""A refused action explained to a person, in English and Chinese, from the reason the engine stored."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from o2o_tui.i18n import set_language
from o2o_tui.sync.explain import explain


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def test_cancelled_by_the_customer() -> None:
    reason = {
        "code": "illegal_transition",
        "current_status": "CANCELLED",
        "order_number": 42,
        "cancelled_by": "CUSTOMER",
    }
    assert (
        explain(reason, action="order.confirm", target="ord_1")
        == "order #0042 was cancelled by the customer before your accept reached the platform"
    )
    set_language("zh")
    assert (
        explain(reason, action="order.confirm", target="ord_1")
        == "在您的“接单”送达平台之前，订单 #0042 已被顾客取消"
    )


def test_cancelled_by_the_platform_or_another_device() -> None:
    reason = {"code": "illegal_transition", "current_status": "CANCELLED", "order_number": 5}
    timed_out = explain({**reason, "cancelled_by": "PLATFORM", "cancel_reason_code": "ACCEPT_TIMEOUT"}, action="order.confirm", target="ord_5")
    assert timed_out == "order #0005 was cancelled by the platform (not accepted in time) before your accept reached it"
    other_device = explain({**reason, "cancelled_by": "MERCHANT"}, action="order.ready", target="ord_5")
    assert "another device of this store" in other_device


def test_cancelled_by_comes_from_the_platform_record() -> None:
    from o2o_tui.sync.rejection import cancelled_by

    assert cancelled_by({"cancelled_by": "PLATFORM", "cancel_reason_code": "CUSTOMER_ASKED"}) == "PLATFORM"
    assert cancelled_by({"cancel_reason_code": "CUSTOMER_ASKED"}) == "CUSTOMER"  # cached before it was recorded


def test_moved_on_wrong_code_and_unknown() -> None:
    moved = {"code": "illegal_transition", "current_status": "READY_FOR_PICKUP", "order_number": 7}
    assert explain(moved, action="order.preparing", target="ord_7") == (
        "order #0007 was already Ready when your start of preparation reached the platform, so it was not applied"
    )
    early = {"code": "illegal_transition", "current_status": "CREATED", "to": "READY_FOR_PICKUP", "order_number": 2}
    assert explain(early, action="order.ready", target="ord_2") == (  # too early, not too late
        "order #0002 was still New when your ready signal reached the platform, so it was not applied: accept it"
        " first, then try again"
    )
    late = {**moved, "to": "PREPARING"}
    assert "was already Ready" in explain(late, action="order.preparing", target="ord_7")
    wrong = {"code": "wrong_code", "current_status": "READY_FOR_PICKUP", "order_number": 7}
    assert explain(wrong, action="order.handoff", target="ord_7").endswith("did not match")  # an older server
    assert explain({**wrong, "tries_left": 2}, action="order.handoff", target="ord_7").endswith(
        "did not match (2 more wrong codes lock it)"
    )
    assert explain({**wrong, "tries_left": 1}, action="order.handoff", target="ord_7").endswith(
        "(one more wrong code locks it)"
    )
    locking = {**wrong, "tries_left": 0, "locked_until": "2026-12-07T04:40:00Z", "timezone": "Asia/Shanghai"}
    locked = explain(locking, action="order.handoff", target="ord_7")
    assert "too many wrong codes locked it until 12:40" in locked
    store = {"code": "validation", "field": "extra_minutes", "message": "bad"}
    assert explain(store, action="store.status", target="st_1") == (
        "the store status: the platform did not accept the extra_minutes of your status change"
    )
    odd = {"code": "teapot", "message": "short and stout"}  # no sentence of its own: its code, not the English
    assert explain(odd, action="delivery.accept", target="dl_123456789") == (
        "delivery dl_12345: the platform refused your accept (reason code teapot)"
    )


def test_a_refusal_with_a_code_of_its_own_is_said_in_the_language_not_in_the_platforms_english() -> None:
    from o2o_tui.client.errors import Conflict
    from o2o_tui.i18n import set_language

    full = Conflict("the courier carries all it can", status=409, code="courier_full")
    other = Conflict("something new the console has no words for", status=409, code="conflict")
    try:
        set_language("zh")
        assert full.i18n_message() == "该骑手已满载：请选择其他骑手，或等其送完。"
        assert "something new" in other.i18n_message()  # no sentence of its own: the platform's words
        queued = {"code": "courier_full", "order_number": 3}
        assert "满载" in explain(queued, action="order.assign", target="ord_3")
        set_language("en")
        assert full.i18n_message().startswith("The courier carries all they can")
    finally:
        set_language(None)


def test_a_wrong_code_said_by_the_client_counts_the_tries_left_or_the_lock() -> None:
    """What `o2o` commands print for a 409 `wrong_code` (the courier's scripts): the tries the platform says are
    left, the lock this try made on its store's clock, or the plain words from a server that says neither."""
    from o2o_tui.client.errors import WrongCode
    from o2o_tui.domain.errors import ErrorDetail
    from o2o_tui.redeem import refusal_text

    def said(**fields: object) -> str:
        detail = ErrorDetail(code="wrong_code", **fields)  # type: ignore[arg-type]
        return WrongCode("the code does not match", status=409, detail=detail).i18n_message()

    set_language("en")
    try:
        assert said() == "The code does not match."
        assert said(tries_left=3) == "The code does not match: 3 more wrong codes lock it."
        assert said(tries_left=1) == "The code does not match: one more wrong code locks it."
        until = datetime(2026, 12, 7, 4, 40, tzinfo=UTC)
        assert said(tries_left=0, locked_until=until, timezone="Asia/Shanghai").endswith("locked it until 12:40.")
        # a voucher's wrong code that locked its store's codes is said as the lock, not as an unknown code
        assert refusal_text({"code": "wrong_code", "tries_left": 4}) == "UNKNOWN CODE"
        zone = "Asia/Shanghai"
        locking = {"code": "wrong_code", "tries_left": 0, "locked_until": "2026-12-07T04:40:00Z", "timezone": zone}
        assert refusal_text(locking) == "TOO MANY WRONG CODES: try again at 12:40"
        set_language("zh")
        assert said(tries_left=3) == "输入的码不对：再错 3 次将锁定。"
    finally:
        set_language(None)
