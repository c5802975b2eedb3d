"""`o2o orders list --status` still takes the status words the previous release showed and took (ON THE WAY,
CONCLUDED, 备餐中, 已出餐; since renamed OUT, CLOSED, 制作中, 待取餐): shop scripts filter on them. Any case, as the
current words; not offered in the help or the refusal's choices. Real server on loopback, real cache."""

from __future__ import annotations

from pathlib import Path

from o2o_tui.cli.exits import Exit
from o2o_tui.cli.orders import parse_status, status_choices
from o2o_tui.i18n import catalog
from tests.support.platform import RunningPlatform
from tests.test_cli_orders import Cli, cli, running  # noqa: F401
from tests.test_sync_engine import place_orders

PREVIOUS = {
    "ON THE WAY": "DISPATCHED",
    "on the way": "DISPATCHED",
    "On_The-Way": "DISPATCHED",
    "CONCLUDED": "CONCLUDED",
    "concluded": "CONCLUDED",
    "备餐中": "PREPARING",
    "已出餐": "READY_FOR_PICKUP",
}


def test_the_previous_words_name_their_status_and_the_current_ones_still_do() -> None:
    for word, status in PREVIOUS.items():
        assert parse_status(word) == status, word
    now = {"OUT": "DISPATCHED", "CLOSED": "CONCLUDED", "制作中": "PREPARING", "待取餐": "READY_FOR_PICKUP"}
    for word, status in now.items():
        assert parse_status(word) == status, word
    # the current words were the ones renamed (else the aliases would be no news)
    assert catalog("en")["orders.status.dispatched"] == "OUT" and catalog("zh")["orders.status.preparing"] == "制作中"


def test_scripts_filtering_on_the_previous_words_get_the_orders(running: RunningPlatform, cli: Cli) -> None:  # noqa: F811
    cooking, ready = place_orders(running.url, running.seed, 2)
    cli("sync", "--once")
    for order_id in (cooking, ready):
        cli("orders", "accept", order_id, "--prep", "10")
        cli("orders", "preparing", order_id)
    cli("orders", "ready", ready)
    assert [row["id"] for row in cli.json("orders", "list", "--status", "备餐中")] == [cooking]
    assert [row["id"] for row in cli.json("orders", "list", "--status", "已出餐")] == [ready]
    assert cli.json("orders", "list", "--status", "ON THE WAY") == []
    assert cli.json("orders", "list", "--status", "on the way") == []
    assert cli.json("orders", "list", "--status", "CONCLUDED") == []
    # not offered: the help and the refusal list the words shown now
    refused = cli("orders", "list", "--status", "ON THE ROAD", code=Exit.USAGE)
    assert "DISPATCHED (OUT)" in refused.stderr and "ON THE WAY" not in refused.stderr.replace('"ON THE ROAD"', "")
    assert "ON THE WAY" not in cli("orders", "list", "--help").stdout


def test_unknown_words_are_still_refused(tmp_path: Path) -> None:
    for word in ("ON THE", "备餐", "WAY", "CONCLUDE"):
        assert word.casefold() not in status_choices(), word
