"""A script author's first day with `o2o` (an outside tester's findings): real `o2o` commands (typer's runner)
with O2O_HOME in tmp_path against the real platform on loopback.

- `orders list --status S` with no match names the status; only a truly empty cache says to sync;
- `store status`, `store hours`, `menu show`, `menu import --dry-run` and `report day` right after `o2o login`
  pull once instead of "run `o2o sync --once`" (exit 6);
- `menu import --partial` takes `item_id,price`: a row of an item the menu has needs only what it changes, a new
  item still needs a name and a category, a bad row is refused by line and nothing is applied;
- `orders show` gives the line options and a cancelled order's reason;
- `orders cancel --reason` takes the platform's merchant codes only (exit 2 listing them, nothing queued);
- with `--json` an error is a JSON object on stderr, with the documented exit code;
- a delay past the 120 minutes says the limit is reached, not "at most 0 more minutes".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform, api, free_port, order_body, start_platform
from tests.test_cli_orders import Cli


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path_factory.mktemp("platform"))
    try:
        yield platform
    finally:
        platform.stop()


def logged_in(running: RunningPlatform, home: Path) -> Cli:
    """A profile just logged in: nothing synced yet."""
    assert running.seed is not None
    cli = Cli(home, running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    return cli


@pytest.fixture
def cli(running: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    runner = logged_in(running, tmp_path / "home")
    yield runner
    assert all(runner.token not in text for text in runner.outputs)  # no output ever shows the token


def new_order(running: RunningPlatform) -> dict[str, Any]:
    """Two Kung Pao Chicken, mild, with white rice (the demo menu's options)."""
    assert running.seed is not None
    created = api(running, "customer").post("/v1/orders", order_body(running.seed.store_id))
    assert created.status_code == 201, created.text
    return dict(created.json())


def test_a_status_with_no_order_is_not_an_empty_cache(running: RunningPlatform, cli: Cli) -> None:
    assert "No orders in the cache. Run `o2o sync --once`" in cli("orders", "list").stdout  # nothing synced
    assert "No orders in the cache" in cli("orders", "list", "--status", "READY").stdout
    new_order(running)
    cli("sync", "--once")
    listed = cli("orders", "list", "--status", "READY").stdout
    assert listed.strip() == "No orders with status READY in the cache."
    assert "sync" not in listed
    assert "#" in cli("orders", "list", "--status", "NEW").stdout  # the filter still finds what is there


def test_store_and_menu_read_commands_pull_on_a_profile_just_logged_in(
    running: RunningPlatform, tmp_path: Path
) -> None:
    assert running.seed is not None
    status = logged_in(running, tmp_path / "a")("store", "status")
    assert "Lao Wang" in status.stdout and "sync --once" not in status.output
    assert logged_in(running, tmp_path / "b").json("store", "hours") is not None
    shown = logged_in(running, tmp_path / "c")("menu", "show")
    assert "kung-pao-chicken" in shown.stdout or "Kung Pao" in shown.stdout
    sheet = tmp_path / "prices.csv"
    sheet.write_text("item_id,price\nmapo-tofu,27.00\n", encoding="utf-8")
    dry = logged_in(running, tmp_path / "d")("menu", "import", str(sheet), "--partial", "--dry-run")
    assert "price: 26.00 -> 27.00" in dry.stdout
    titled = logged_in(running, tmp_path / "e")("report", "day").stdout
    assert "Lao Wang" in titled.splitlines()[0] and running.seed.store_id not in titled
    # the platform does not answer: the cache is read as it is, and says what it lacks
    offline = logged_in(running, tmp_path / "f")
    profiles = next(offline.home.rglob("profiles.json"))
    gone = f"http://127.0.0.1:{free_port()}"
    profiles.write_text(profiles.read_text(encoding="utf-8").replace(running.url, gone), encoding="utf-8")
    assert "o2o sync --once" in offline("store", "status", code=Exit.NOT_FOUND).stderr
    assert "o2o sync --once" in offline("menu", "show", code=Exit.NOT_FOUND).stderr


def test_a_partial_sheet_of_prices_changes_only_those_and_a_bad_row_applies_nothing(
    running: RunningPlatform, cli: Cli, tmp_path: Path
) -> None:
    cli("sync", "--once")
    before = cli.json("menu", "show")
    bad = tmp_path / "bad.csv"
    bad.write_text("item_id,price\nmapo-tofu,27.00\n,12.00\nno-such-item,9.00\n", encoding="utf-8")
    refused = cli("menu", "import", str(bad), "--partial", code=Exit.USAGE)
    assert "missing columns" not in refused.output
    for line in (3, 4):  # new items: they need a name and a category, said on their own lines
        assert f"row {line}: this row names no item the menu has" in refused.output
        assert "name_zh / name_en, category_id / category_name_zh / category_name_en" in refused.output
    assert "row 2" not in refused.output
    assert cli.json("menu", "show") == before  # nothing half applied
    prices = tmp_path / "prices.csv"
    prices.write_text("item_id,price\nmapo-tofu,27.00\nkung-pao-chicken,39.50\n", encoding="utf-8")
    cli("menu", "import", str(prices), "--partial")
    after = cli.json("menu", "show")
    assert after["version"] == before["version"] + 1
    items = {item["id"]: item for category in after["categories"] for item in category["items"]}
    old = {item["id"]: item for category in before["categories"] for item in category["items"]}
    assert items["mapo-tofu"]["price"]["amount"] == 2700 and items["kung-pao-chicken"]["price"]["amount"] == 3950
    assert items.keys() == old.keys()  # every other item stays
    assert items["mapo-tofu"]["names"] == old["mapo-tofu"]["names"]  # and what the sheet leaves out too
    whole = tmp_path / "whole.csv"  # a whole sheet still needs its name and category columns
    whole.write_text("item_id,price\nmapo-tofu,28.00\n", encoding="utf-8")
    assert "missing columns" in cli("menu", "import", str(whole), "--dry-run", code=Exit.USAGE).output


def test_show_gives_line_options_and_why_an_order_was_cancelled(running: RunningPlatform, cli: Cli) -> None:
    order = new_order(running)
    cli("sync", "--once")
    shown = cli("orders", "show", order["id"]).stdout
    assert "+ 微辣 Mild" in shown and "+ 白米饭" in shown, shown
    assert "cancelled" not in shown
    asked = {"reason_code": "CUSTOMER_CHANGED_MIND", "reason": "too slow"}
    assert api(running, "customer").post(f"/v1/orders/{order['id']}/cancellation", asked).status_code == 200
    cli("sync", "--once")
    assert "cancellation requested by the customer: Customer changed their mind · too slow" in cli("orders", "show", order["id"]).stdout
    cli("orders", "cancel", order["id"], "--reason", "store-busy")
    cancelled = cli("orders", "show", order["id"]).stdout
    assert "cancelled: Too busy (by the store)" in cancelled, cancelled
    chinese = Cli(cli.home, cli.token)
    result = chinese("--lang", "zh", "orders", "show", order["id"])
    assert "已取消：太忙（商家取消）" in result.stdout


def test_cancel_takes_the_platforms_codes_only(running: RunningPlatform, cli: Cli) -> None:
    codes = "OUT_OF_STOCK (Items sold out), STORE_BUSY (Too busy), CLOSING_SOON (Closing soon), OTHER (Other)"
    assert codes in " ".join(cli("orders", "cancel", "--help").stdout.replace("│", " ").split())
    order = new_order(running)
    cli("sync", "--once")
    refused = cli("orders", "cancel", order["id"], "--reason", "CUSTOMER_NO_SHOW", code=Exit.USAGE)
    assert 'Unknown cancel reason "CUSTOMER_NO_SHOW"' in refused.stderr
    assert codes in refused.stderr
    assert cli.json("sync", "status")["pending"] == 0  # nothing queued
    assert cli.json("orders", "show", order["id"])["status"] == "CREATED"


def json_error(result: Any, code: Exit) -> dict[str, Any]:
    assert result.stdout == ""  # stdout keeps only data
    error = json.loads(result.stderr)["error"]
    assert error["exit"] == int(code) and error["code"] == code.name.lower()
    return dict(error)


def test_json_errors_are_json_on_stderr(running: RunningPlatform, cli: Cli) -> None:
    missing = json_error(cli("orders", "show", "999", "--json", code=Exit.NOT_FOUND), Exit.NOT_FOUND)
    assert missing["message"] == "No order 999 in the cache."
    usage = json_error(cli("orders", "cancel", "1", "--json", code=Exit.USAGE), Exit.USAGE)  # Click's own
    assert "--reason" in usage["message"]
    bad = json_error(cli("orders", "list", "--status", "bogus", "--json", code=Exit.USAGE), Exit.USAGE)
    assert 'Unknown status "bogus"' in bad["message"]
    order = new_order(running)  # a delivery: its courier collects it, so a handoff is refused at once
    cli("sync", "--once")
    handoff = ("orders", "handoff", order["id"], "--code", "1234", "--json")
    assert json_error(cli(*handoff, code=Exit.REJECTED), Exit.REJECTED)["message"]
    plain = cli("orders", "show", "999", code=Exit.NOT_FOUND)  # without --json: words for a person
    assert plain.stderr.strip() == "No order 999 in the cache."


def test_a_delay_past_the_limit_says_the_limit_is_reached(running: RunningPlatform, cli: Cli) -> None:
    order = new_order(running)
    cli("sync", "--once")
    cli("orders", "accept", order["id"])
    cli("orders", "delay", order["id"], "--minutes", "60")
    cli("orders", "delay", order["id"], "--minutes", "50")
    some_left = cli("orders", "delay", order["id"], "--minutes", "20", code=Exit.REJECTED)
    assert "at most 10 more minutes" in some_left.stderr
    cli("orders", "delay", order["id"], "--minutes", "10")
    none_left = cli("orders", "delay", order["id"], "--minutes", "1", code=Exit.REJECTED)
    assert "at most 0" not in none_left.stderr
    assert "delayed 120 minutes already, the most an order may be" in none_left.stderr
