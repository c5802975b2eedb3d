"""Offboarding against the real platform: `o2o admin disable-user` / `enable-user` (and `POST /v1/users/{id}/disable`)
refuse the user's token with 401 `user_disabled`; a disabled courier goes off duty at once, gives back its offers and
what it accepted but has not picked up (food picked up stays with it), is never suggested nor assigned, and cannot be
put back on duty; `o2o admin users` says "(disabled)". `revoke-token` of a courier stands it down the same way."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from o2o_tui.client import PlatformClient
from o2o_tui.domain.requests import AssignBody, CodeBody, EmptyBody
from o2o_tui.platform import auth
from tests.support.platform import Api, RunningPlatform, start_platform
from tests.support.purge import wait_for
from tests.test_cli_dispatch import Cli, place_ready_orders


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[RunningPlatform]:
    running = start_platform(tmp_path / "platform")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def cli(platform: RunningPlatform, tmp_path: Path) -> Cli:
    runner = Cli(tmp_path / "home")
    runner("login", "--url", platform.url, "--token", platform.seed.tokens["dispatcher"])
    return runner


def _me(platform: RunningPlatform, token: str) -> httpx.Response:
    time.sleep(auth.CACHE_SECONDS + 0.1)  # a token looked up a moment ago is trusted that long
    return httpx.get(f"{platform.url}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def _courier(platform: RunningPlatform, courier_id: str) -> Any:
    return Api(platform.url, platform.seed.tokens["admin"]).get(f"/v1/couriers/{courier_id}").json()


def _order(platform: RunningPlatform, order_id: str) -> Any:
    with PlatformClient(platform.url, platform.seed.tokens["dispatcher"]) as client:
        return client.get_order(order_id)


def test_a_disabled_courier_goes_off_duty_gives_back_what_it_cannot_carry_and_is_never_planned(
    platform: RunningPlatform, cli: Cli
) -> None:
    seed = platform.seed
    courier_id, user_id, token = seed.courier_ids[0], seed.user_ids["courier"], seed.tokens["courier"]
    offered, accepted, picked = place_ready_orders(platform, [(300.0, 0.0), (0.0, 300.0), (-300.0, 0.0)])
    with PlatformClient(platform.url, seed.tokens["dispatcher"]) as dispatcher:
        deliveries = {o.id: dispatcher.act("order.assign", o.id, AssignBody(courier_id=courier_id)) for o in (offered, accepted, picked)}
    with PlatformClient(platform.url, token) as courier:
        courier.act("delivery.accept", deliveries[accepted.id].id, EmptyBody())
        courier.act("delivery.accept", deliveries[picked.id].id, EmptyBody())
        courier.act("delivery.arrived_at_merchant", deliveries[picked.id].id, EmptyBody())
        courier.act("delivery.picked_up", deliveries[picked.id].id, CodeBody(code=picked.pickup_code))

    state = cli.json("admin", "disable-user", user_id, "--db", platform.db_url)
    assert state["disabled"] and state["changed"] and state["courier_id"] == courier_id
    assert state["offers_returned"] == [offered.id]
    assert state["orders_released"] == [accepted.id]
    assert state["orders_kept"] == [picked.id]

    refused = _me(platform, token)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "user_disabled"
    assert _courier(platform, courier_id)["status"] == "OFFLINE"
    assert _order(platform, offered.id).courier_id is None
    assert _order(platform, accepted.id).courier_id is None  # back to dispatch for another courier
    assert _order(platform, picked.id).courier_id == courier_id  # the food stays with it

    # never suggested, never assigned, never put back on duty (the simulator acts for couriers as admin)
    plan = cli.json("dispatch", "suggest")
    assert {s["order_id"] for s in plan["suggestions"]} >= {offered.id, accepted.id}
    assert courier_id not in {s["courier_id"] for s in plan["suggestions"]}
    admin = Api(platform.url, seed.tokens["admin"])
    assigned = admin.post(f"/v1/orders/{accepted.id}/assign", {"courier_id": courier_id})
    assert assigned.status_code == 409 and assigned.json()["error"]["code"] == "courier_offline"
    back = admin.put(f"/v1/couriers/{courier_id}/state", {"status": "IDLE"})
    assert back.status_code == 409 and back.json()["error"]["code"] == "courier_disabled"

    listed = cli("admin", "users", "--db", platform.db_url).stdout
    assert [line for line in listed.splitlines() if line.startswith(user_id)][0].endswith("(disabled)")
    assert next(u for u in cli.json("admin", "users", "--db", platform.db_url)["users"] if u["id"] == user_id)["disabled"]
    again = cli("admin", "disable-user", user_id, "--db", platform.db_url).stdout
    assert "already disabled" in again

    enabled = cli.json("admin", "enable-user", user_id, "--db", platform.db_url)
    assert not enabled["disabled"] and enabled["changed"]
    assert _me(platform, token).status_code == 200  # the same token works again
    assert _courier(platform, courier_id)["status"] == "OFFLINE"  # until it goes on duty itself
    with PlatformClient(platform.url, token) as courier:
        from o2o_tui.domain.fleet import CourierStatus
        from o2o_tui.domain.requests import CourierStateBody

        courier.act("courier.state", courier_id, CourierStateBody(status=CourierStatus.IDLE))
    assert _courier(platform, courier_id)["status"] != "OFFLINE"
    assert "(disabled)" not in cli("admin", "users", "--db", platform.db_url).stdout


def test_a_disabled_staff_member_cannot_log_in_and_only_an_admin_disables_over_the_api(
    platform: RunningPlatform, cli: Cli, tmp_path: Path
) -> None:
    seed = platform.seed
    merchant = seed.user_ids["merchant"]
    admin = Api(platform.url, seed.tokens["admin"])
    dispatcher = Api(platform.url, seed.tokens["dispatcher"])
    assert dispatcher.post(f"/v1/users/{merchant}/disable", {}).status_code == 403
    assert admin.post("/v1/users/u_nobody/disable", {}).status_code == 404
    own = admin.post(f"/v1/users/{seed.user_ids['admin']}/disable", {})
    assert own.status_code == 409 and own.json()["error"]["code"] == "self_disable"

    done = admin.post(f"/v1/users/{merchant}/disable", {})
    assert done.status_code == 200 and done.json()["disabled"] and done.json()["courier_id"] is None
    refused = _me(platform, seed.tokens["merchant"])
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "user_disabled"
    staff = Cli(tmp_path / "staff")
    staff("login", "--url", platform.url, "--token", seed.tokens["merchant"], code=5)

    assert admin.post(f"/v1/users/{merchant}/enable", {}).json()["disabled"] is False
    assert _me(platform, seed.tokens["merchant"]).status_code == 200


def test_revoking_a_courier_token_takes_it_off_duty_until_a_new_token(platform: RunningPlatform, cli: Cli) -> None:
    seed = platform.seed
    courier_id, user_id = seed.courier_ids[0], seed.user_ids["courier"]
    [order] = place_ready_orders(platform, [(300.0, 0.0)])
    with PlatformClient(platform.url, seed.tokens["dispatcher"]) as dispatcher:
        dispatcher.act("order.assign", order.id, AssignBody(courier_id=courier_id))

    revoked = cli.json("admin", "revoke-token", user_id, "--db", platform.db_url)
    assert revoked["revoked"] and revoked["offers_returned"] == [order.id]
    assert _courier(platform, courier_id)["status"] == "OFFLINE"
    assert _order(platform, order.id).courier_id is None
    admin = Api(platform.url, seed.tokens["admin"])
    assert admin.put(f"/v1/couriers/{courier_id}/state", {"status": "IDLE"}).status_code == 409
    assert "(token revoked)" in cli("admin", "users", "--db", platform.db_url).stdout

    cli("admin", "rotate-token", user_id, "--db", platform.db_url)
    assert admin.put(f"/v1/couriers/{courier_id}/state", {"status": "IDLE"}).status_code == 200


def test_what_a_courier_stood_down_gave_back_is_said_by_day_number(platform: RunningPlatform, cli: Cli) -> None:
    """A person reads "#0042 (ord_5f3a…)", the number the board shows, not a bare id; `--json` keeps the ids."""
    seed = platform.seed
    courier_id = seed.courier_ids[1]
    users = cli.json("admin", "users", "--db", platform.db_url)["users"]
    user_id = next(user["id"] for user in users if user.get("courier_id") == courier_id)
    [order] = place_ready_orders(platform, [(0.0, -300.0)])
    with PlatformClient(platform.url, seed.tokens["dispatcher"]) as dispatcher:
        dispatcher.act("order.assign", order.id, AssignBody(courier_id=courier_id))
    said = cli("admin", "revoke-token", user_id, "--db", platform.db_url).stdout
    line = next(line for line in said.splitlines() if line.startswith("Offers given back: "))
    assert line.startswith(f"Offers given back: #{order.number:04d} ({order.id[:12]}"), said
    assert order.id not in said or len(order.id) <= 12


def test_the_only_admin_that_can_act_is_not_disabled_from_the_command_line(platform: RunningPlatform, cli: Cli) -> None:
    """`o2o admin disable-user` on the platform's only working administrator would leave nobody to administer it
    over the API: refused (exit 4, nothing changed); with another administrator made first, it goes through.
    Revoking its token is not refused (a leaked token must always be revocable), but says what that leaves and the
    way back (`rotate-token`)."""
    admin_id, admin_token = platform.seed.user_ids["admin"], platform.seed.tokens["admin"]
    refused = cli("admin", "disable-user", admin_id, "--db", platform.db_url, code=4)
    assert "only administrator that can still act" in refused.stderr and "create-user --role admin" in refused.stderr
    as_json = json.loads(cli("admin", "disable-user", admin_id, "--db", platform.db_url, "--json", code=4).stderr)
    assert as_json["error"]["reason"] == {"code": "last_admin"}
    assert _me(platform, admin_token).status_code == 200  # still works

    revoked = cli("admin", "revoke-token", admin_id, "--db", platform.db_url)
    assert "Revoked the token" in revoked.stdout
    assert "only administrator that could still act" in revoked.stderr, revoked.stderr
    assert f"o2o admin rotate-token {admin_id}" in revoked.stderr, revoked.stderr
    again = cli("admin", "revoke-token", admin_id, "--db", platform.db_url, "--json")
    assert json.loads(again.stderr)["warning"] == "last_admin" and json.loads(again.stdout)["revoked"] is True
    assert wait_for(lambda: _me(platform, admin_token).status_code == 401, 5)
    admin_token = cli.json("admin", "rotate-token", admin_id, "--db", platform.db_url)["token"]
    assert _me(platform, admin_token).status_code == 200  # the way back
    second = cli.json("admin", "create-user", "--role", "admin", "--name", "other admin", "--db", platform.db_url)
    quiet = cli("admin", "revoke-token", second["user_id"], "--db", platform.db_url)
    assert "administrator" not in quiet.stderr, quiet.stderr  # another one can still act: nothing to warn of
    cli("admin", "create-user", "--role", "admin", "--name", "second admin", "--db", platform.db_url)
    assert cli.json("admin", "disable-user", admin_id, "--db", platform.db_url)["disabled"]
    assert _me(platform, admin_token).status_code == 401
    cli("admin", "enable-user", admin_id, "--db", platform.db_url)  # as the other tests found it
