"""What a refused action says, against the real platform on loopback with a real profile and cache: a cancelled
order names who cancelled it and why as the order records it ("not accepted in time" only for the platform's
accept deadline); an accept refused because this device's own accept already stood says so, not "another
counter"; the same accept of this profile's on an order that moved on succeeds without sending; and the command
line's confirmations say the order's status in words (codes only in --json)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from o2o_tui.i18n import set_language
from o2o_tui.sync.explain import explain
from tests.support.platform import RunningPlatform, api
from tests.test_cli_orders import Cli
from tests.test_sync_engine import place_orders


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _device(running: RunningPlatform, home: Path) -> Cli:
    assert running.seed is not None
    device = Cli(home, running.seed.tokens["merchant"])
    device("login", "--url", running.url, "--token", device.token)
    return device


def _post(running: RunningPlatform, role: str, path: str, body: object = None) -> Any:
    client = api(running, role)
    try:
        answer = client.post(path, body)
    finally:
        client.close()
    assert answer.status_code == 200, answer.text
    return answer.json()


def _zh(device: Cli, *args: str, code: int = 0) -> Any:
    env = {"O2O_HOME": str(device.home), "O2O_LANG": "zh", "NO_COLOR": "1", "COLUMNS": "200"}
    env |= {"O2O_PROFILE": None, "O2O_TOKEN": None}
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    return result


# --- 1. who cancelled, and why ----------------------------------------------------------------------------------


def test_a_platform_cancellation_says_the_platforms_reason_not_a_timeout(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    assert shared_platform.seed is not None
    device = _device(shared_platform, tmp_path / "counter")
    by_platform, by_customer = place_orders(shared_platform.url, shared_platform.seed, 2)
    device("sync", "--once")  # the cache holds both as new
    _post(shared_platform, "admin", f"/v1/orders/{by_platform}/cancel", {"reason_code": "FRAUD_SUSPECTED"})
    _post(shared_platform, "customer", f"/v1/orders/{by_customer}/cancel", {"reason_code": "CUSTOMER_CHANGED_MIND"})
    refused = device("orders", "accept", by_platform, "--prep", "15", code=Exit.REJECTED)
    assert "was cancelled by the platform (Suspected fraud) before your accept reached it" in refused.stderr
    assert "not accepted in time" not in refused.stderr
    refused = device("orders", "accept", by_customer, "--prep", "15", code=Exit.REJECTED)
    assert "was cancelled by the customer before your accept" in refused.stderr
    conflicts = {row["target"]: row for row in device.json("conflicts", "list")}
    platform_row = conflicts[by_platform]
    assert platform_row["reason"]["cancelled_by"] == "PLATFORM"
    assert platform_row["reason"]["cancel_reason_code"] == "FRAUD_SUSPECTED"
    assert "(Suspected fraud)" in platform_row["explanation"]  # the code in words
    assert "by the customer" in conflicts[by_customer]["explanation"]
    listed = device("conflicts", "list").stdout
    assert "cancelled by the platform (Suspected fraud)" in listed and "not accepted in time" not in listed
    zh = _zh(device, "conflicts", "list").stdout
    assert "已被平台取消（疑似欺诈）" in zh and "未及时接单" not in zh


def test_not_accepted_in_time_only_when_the_accept_deadline_ended_it() -> None:
    reason = {"code": "illegal_transition", "current_status": "CANCELLED", "order_number": 5}
    platform = {**reason, "cancelled_by": "PLATFORM"}
    timed_out = explain({**platform, "cancel_reason_code": "ACCEPT_TIMEOUT"}, action="order.confirm", target="o")
    assert timed_out == "order #0005 was cancelled by the platform (not accepted in time) before your accept reached it"
    # a platform cancellation whose reason is not recorded: never guessed as a timeout
    unknown = explain(platform, action="order.confirm", target="o")
    assert unknown == "order #0005 was cancelled by the platform before your accept reached it"
    store = explain({**reason, "cancelled_by": "MERCHANT"}, action="order.ready", target="o")
    assert "another device of this store" in store and "in time" not in store
    set_language("zh")
    said = explain({**platform, "cancel_reason_code": "ACCEPT_TIMEOUT"}, action="order.confirm", target="o")
    assert said == "在您的“接单”送达平台之前，订单 #0005 已被平台取消（未及时接单）"
    said = explain({**platform, "cancel_reason_code": "CUSTOMER_CHANGED_MIND"}, action="order.confirm", target="o")
    assert said == "在您的“接单”送达平台之前，订单 #0005 已被平台取消（顾客改变主意）"


# --- 2. this counter's own accept -------------------------------------------------------------------------------


def test_a_refused_accept_whose_stood_accept_was_this_devices_says_so(
    shared_platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The console's accept goes through (the outbox forgets its key), then another accept of this device with
    other minutes is refused: the conflict says this counter's accept stood, not another counter's."""
    from o2o_tui.cli.sync import cli_cache
    from o2o_tui.domain.requests import ConfirmBody
    from o2o_tui.sync.perform import Outcome, perform

    assert shared_platform.seed is not None
    device = _device(shared_platform, tmp_path / "counter")
    other = _device(shared_platform, tmp_path / "other")
    mine, theirs = place_orders(shared_platform.url, shared_platform.seed, 2)
    device("sync", "--once")
    other("orders", "accept", theirs, "--prep", "20")  # another counter's accept stands on the second
    monkeypatch.setenv("O2O_HOME", str(device.home))
    monkeypatch.delenv("O2O_PROFILE", raising=False)
    monkeypatch.delenv("O2O_TOKEN", raising=False)
    with cli_cache(None) as (profile, cache):  # as the console sends: the engine, no command-line record
        first = asyncio.run(perform(profile, cache, "order.confirm", mine, ConfirmBody(preparation_minutes=15)))
        assert first.outcome is Outcome.DONE
        assert cache.outbox.get(first.key) is None  # the outbox forgot it
        again = asyncio.run(perform(profile, cache, "order.confirm", mine, ConfirmBody(preparation_minutes=25)))
        assert again.outcome is Outcome.REJECTED and again.reason is not None
        assert again.reason["accepted_here"] is True
        beaten = asyncio.run(perform(profile, cache, "order.confirm", theirs, ConfirmBody(preparation_minutes=25)))
        assert beaten.outcome is Outcome.REJECTED and beaten.reason is not None
        assert beaten.reason["accepted_here"] is False
    conflicts = {row["target"]: row["explanation"] for row in device.json("conflicts", "list")}
    assert "was already accepted here, at this counter: ready " in conflicts[mine]
    assert "(15 min)" in conflicts[mine] and "another counter" not in conflicts[mine]
    assert "was already accepted at another counter: ready " in conflicts[theirs] and "(20 min)" in conflicts[theirs]
    listed = device("conflicts", "list").stdout
    assert "already accepted here, at this counter" in listed
    assert "已在本机接单" in _zh(device, "conflicts", "list").stdout


def test_the_same_accept_of_this_profile_on_an_order_that_moved_on_exits_0(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    assert shared_platform.seed is not None
    device = _device(shared_platform, tmp_path / "counter")
    [order_id] = place_orders(shared_platform.url, shared_platform.seed, 1)
    device("orders", "accept", order_id, "--prep", "15")
    device("orders", "preparing", order_id)
    before = len(device.json("conflicts", "list"))
    again = device("orders", "accept", order_id, "--prep", "15")  # a script run again: exit 0
    assert "was already accepted here at " in again.stdout and "Nothing was sent" in again.stdout
    answer = device.json("orders", "accept", order_id, "--prep", "15")
    assert answer["outcome"] == "done" and answer["order"]["status"] == "PREPARING"
    other = device("orders", "accept", order_id, "--prep", "25", code=Exit.REJECTED)  # other minutes: refused
    assert "was already accepted here at " in other.stderr
    assert len(device.json("conflicts", "list")) == before  # nothing was sent, nothing refused


# --- 3. the status in words -------------------------------------------------------------------------------------


def test_confirmations_say_the_status_in_words_and_json_keeps_codes(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    assert shared_platform.seed is not None
    device = _device(shared_platform, tmp_path / "counter")
    first, second = place_orders(shared_platform.url, shared_platform.seed, 2)
    accepted = device("orders", "accept", first, "--prep", "15").stdout
    assert "accepted: ready " in accepted and "CONFIRMED" not in accepted and "(ACCEPTED)" not in accepted
    as_json = device.json("orders", "preparing", first)
    assert as_json["order"]["status"] == "PREPARING"  # --json keeps the codes
    ready = _zh(device, "orders", "ready", first).stdout
    assert "已出餐（待取餐）。" in ready and "READY_FOR_PICKUP" not in ready
    english = device("orders", "ready", first).stdout  # again: done, nothing changes
    assert "is ready (READY)." in english and "READY_FOR_PICKUP" not in english
    rejected = _zh(device, "orders", "reject", second, "--reason", "STORE_BUSY").stdout
    assert "已拒单。" in rejected and "CANCELLED" not in rejected
