"""An action refused because the order was cancelled by the store says who: "cancelled here, on this device"
when this device's own cancel (or reject) is the one the platform took, "another device of this store" when
another device's was. Real `o2o` commands against the real platform; the refused action is one this device had
queued before (written to its outbox, as a console queues it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.client.errors import PlatformError
from o2o_tui.sync.explain import explain
from o2o_tui.sync.rejection import rejection_reason
from offline_cache import open_profile_cache
from tests.support.platform import RunningPlatform, api, order_body, start_platform
from tests.test_cli_orders import Cli


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path_factory.mktemp("platform"))
    try:
        yield platform
    finally:
        platform.stop()


def _device(running: RunningPlatform, home: Path) -> Cli:
    assert running.seed is not None
    cli = Cli(home, running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    return cli


def _accepted_order(running: RunningPlatform) -> dict[str, Any]:
    assert running.seed is not None
    created = api(running, "customer").post("/v1/orders", order_body(running.seed.store_id))
    assert created.status_code == 201, created.text
    order = dict(created.json())
    confirmed = api(running, "merchant").post(
        f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10}
    )
    assert confirmed.status_code == 200, confirmed.text
    return order


def _queue_preparing(cli: Cli, order_id: str) -> None:
    """What a console of this device queued before the cancel, still in its outbox."""
    with open_profile_cache(cli.home / "cache" / "profiles" / "default") as cache:
        cache.outbox.append("order.preparing", order_id, "{}")


def _refusal(cli: Cli) -> str:
    cli("sync", "--once", code=Exit.REJECTED)
    conflicts = cli.json("conflicts", "list")
    return str(conflicts[-1]["explanation"])


def test_this_devices_cancel_is_said_as_its_own(running: RunningPlatform, tmp_path: Path) -> None:
    here = _device(running, tmp_path / "here")
    order = _accepted_order(running)
    here("sync", "--once")
    here("orders", "cancel", order["id"], "--reason", "OUT_OF_STOCK")
    _queue_preparing(here, order["id"])
    said = _refusal(here)
    assert "cancelled here, on this device" in said and "another device" not in said, said


def test_another_devices_cancel_is_said_as_another(running: RunningPlatform, tmp_path: Path) -> None:
    here, there = _device(running, tmp_path / "here"), _device(running, tmp_path / "there")
    order = _accepted_order(running)
    here("sync", "--once")
    there("sync", "--once")
    there("orders", "cancel", order["id"], "--reason", "OUT_OF_STOCK")
    _queue_preparing(here, order["id"])
    said = _refusal(here)
    assert "another device of this store" in said and "on this device" not in said, said


def test_in_chinese() -> None:
    from o2o_tui.i18n import set_language

    error = PlatformError("order is CANCELLED", status=409, code="illegal_transition")
    order = {"id": "o1", "number": "0042", "status": "CANCELLED", "cancelled_by": "MERCHANT"}
    set_language("zh")
    try:
        mine = explain(
            rejection_reason(error, order, None, own_cancels={"o1"}), action="order.ready", target="o1"
        )
        other = explain(
            rejection_reason(error, order, None, own_cancels={"o2"}), action="order.ready", target="o1"
        )
    finally:
        set_language("en")
    assert "已在本机取消" in mine and "另一台设备" in other
