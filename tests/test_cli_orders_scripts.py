"""`o2o orders` as a cron job or a poller uses it, against the real platform on loopback: an accept run again on an
order this profile accepted says "already accepted here" (never another counter's), `--fields` errors are JSON
like every `--json` error, new orders leave out the orders for later still held, and a profile just logged in
pulls once before listing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform, api
from tests.test_cli_orders import Cli, cli, running, server_order  # noqa: F401  (fixtures)
from tests.test_server_scheduled import _later
from tests.test_sync_engine import place_orders


def _errors(result: Any) -> list[dict[str, Any]]:
    """Every stderr line, each of which must be one JSON document."""
    return [json.loads(line) for line in result.stderr.splitlines() if line.strip()]


def test_an_accept_run_again_says_accepted_here_and_sends_nothing(running: RunningPlatform, cli: Cli) -> None:  # noqa: F811
    assert running.seed is not None
    [order_id] = place_orders(running.url, running.seed, 1)
    cli("sync", "--once")
    first = cli.json("orders", "accept", order_id, "--prep", "10")
    assert first["outcome"] == "done" and first["order"]["accept_key"] == first["key"]
    number = first["order"]["display_number"]
    again = cli.json("orders", "accept", order_id, "--prep", "10")  # the same accept: the platform says done
    assert again["outcome"] == "done" and again["order"]["accept_key"] == first["key"]
    cli("orders", "ready", order_id)
    version = server_order(running, order_id).version

    refused = cli("orders", "accept", order_id, code=Exit.REJECTED)  # a cron job's second run
    assert f"Order {number} was already accepted here at " in refused.stderr
    assert "(10 min). Nothing was sent" in refused.stderr and "another counter" not in refused.stderr
    [error] = _errors(cli("orders", "accept", order_id, "--prep", "20", "--json", code=Exit.REJECTED))
    assert error["error"]["code"] == "rejected" and "already accepted here" in error["error"]["message"]
    assert cli.json("conflicts", "list") == []  # nothing was sent, so nothing was refused
    assert server_order(running, order_id).version == version


def test_an_accept_that_stood_is_told_apart_from_one_this_profile_cannot_tell(
    running: RunningPlatform,  # noqa: F811
    cli: Cli,  # noqa: F811
    tmp_path: Path,
) -> None:
    assert running.seed is not None
    mine, theirs = place_orders(running.url, running.seed, 2)
    cli("sync", "--once")
    running.stop()
    assert "Queued" in cli("orders", "accept", mine, "--prep", "10").stdout
    running.restart()
    cli("login", "--url", running.url, "--token", cli.token)  # the port may have changed
    # the queued accept goes first and stands; this one, with other minutes, is refused: it was this profile's
    refused = cli("orders", "accept", mine, "--prep", "20", code=Exit.REJECTED)
    number = f"#{server_order(running, mine).number:04d}"
    assert f"order {number} was already accepted here at " in refused.stderr and "(10 min)" in refused.stderr

    other = Cli(tmp_path / "other", cli.token)  # another counter, or this profile's console: it cannot tell
    other("login", "--url", running.url, "--token", other.token)
    assert other.json("orders", "accept", theirs, "--prep", "15")["outcome"] == "done"
    said = cli("orders", "accept", theirs, "--prep", "25", code=Exit.REJECTED).stderr
    assert "by another counter or this profile's console" in said and "(15 min)" in said
    assert "accepted here" not in said
    assert server_order(running, theirs).preparation_minutes == 15


def test_fields_errors_are_json_like_every_json_error(running: RunningPlatform, cli: Cli) -> None:  # noqa: F811
    for args, code in (
        (("--fields", "number,bogus"), Exit.USAGE),
        (("--fields", "number", "--status", "FOO"), Exit.USAGE),
        (("--fields", "number", "--profile", "nope"), Exit.AUTH),
    ):
        result = cli("orders", "list", *args, code=code)
        [error] = _errors(result)
        assert error["error"]["exit"] == code and error["error"]["message"], args
        assert result.stdout == ""


def test_new_orders_leave_out_held_ones_and_a_fresh_profile_pulls_first(
    running: RunningPlatform,  # noqa: F811
    cli: Cli,  # noqa: F811
    tmp_path: Path,
) -> None:
    assert running.seed is not None
    [live] = place_orders(running.url, running.seed, 1)
    customer = api(running, "customer")
    try:
        later = customer.post("/v1/orders", _later(running.seed.store_id, datetime.now(UTC) + timedelta(hours=2)))
    finally:
        customer.close()
    held = later.json()
    assert held["held_until"] is not None

    # just logged in (never synced): the list pulls once first, as the other read commands do
    new = cli.json("orders", "list", "--status", "NEW")
    assert [row["id"] for row in new] == [live]  # the order for later is not one to accept yet
    assert [row["id"] for row in cli.json("orders", "list", "--status", "CREATED", "--fields", "id")] == [live]
    assert [row["id"] for row in cli.json("orders", "list", "--scheduled")] == [held["id"]]
    everything = cli.json("orders", "list")  # unfiltered, as scripts had it: both, the held one with held_until
    assert {row["id"]: row["held_until"] is not None for row in everything} == {live: False, held["id"]: True}
    listing = cli("orders", "list", "--status", "NEW").stdout
    assert listing.count("NEW") == 1 and "1 order for later is held until its prep start" in listing

    shown = Cli(tmp_path / "shown", cli.token)  # `orders show` right after login pulls first too
    shown("login", "--url", running.url, "--token", shown.token)
    assert shown.json("orders", "show", live)["id"] == live

    fresh = Cli(tmp_path / "fresh", cli.token)  # logged in while the platform answers, listed when it does not
    fresh("login", "--url", running.url, "--token", fresh.token)
    running.stop()
    result = fresh("orders", "list", "--json")
    assert json.loads(result.stdout) == []
    [warning] = _errors(result)  # not a silent "nothing to do"
    assert warning["warning"] == "never_synced" and "o2o sync --once" in warning["message"]
    assert "Nothing synced yet" in fresh("orders", "list").stdout


def test_an_accept_run_again_while_busy_says_the_busy_minutes_it_promised(running: RunningPlatform, cli: Cli) -> None:  # noqa: F811
    """The accept promised prep + the busy store's extra minutes: the second run says them as the accept did."""
    assert running.seed is not None
    [order_id] = place_orders(running.url, running.seed, 1)
    cli("store", "busy", "--extra", "10")
    cli("sync", "--once")
    cli.json("orders", "accept", order_id, "--prep", "15")
    cli("orders", "ready", order_id)
    again = cli("orders", "accept", order_id)  # the same minutes (the store's 15): done already, exit 0
    assert "(25 min: 15 to prepare + 10 because the store is busy). Nothing was sent" in again.stdout
    refused = cli("orders", "accept", order_id, "--prep", "20", code=Exit.REJECTED)
    assert "(25 min: 15 to prepare + 10 because the store is busy)" in refused.stderr
