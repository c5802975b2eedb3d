"""CLI input that must be refused, and the one place each bound comes from (issue 10, defect 6): the `o2o`
commands run for real (typer's runner, as in test_cli_orders.py) against the real platform on loopback.

- `orders list --status` takes the API names and the words the list prints (both languages), refuses others;
- `orders cancellation deny` without a pending request says so (exit 4), it does not print "denied";
- `orders reject --reason` takes one of the domain's reject codes (listed in --help); the platform answers
  any other with a 422 naming `reason_code`;
- the preparation time has one range (o2o_tui.domain.limits) in the CLI, the console's dialog and the server;
- `store status` shows the pause end in the store's time;
- `dispatch assign` of an order the store has not accepted is refused by the platform (409 `not_accepted`);
- `simulate` without `--store` simulates the platform's only store, and names the stores when there are several.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from o2o_tui.client import PlatformClient
from o2o_tui.domain.limits import PREP_MINUTES_MAX, REJECT_REASONS
from o2o_tui.domain.order import OrderStatus
from o2o_tui.domain.requests import ConfirmBody, ReasonBody
from tests.support.platform import Api, RunningPlatform, order_body
from tests.test_sync_engine import place_orders

ROOT = Path(__file__).resolve().parent.parent


class Cli:
    def __init__(self, home: Path, lang: str = "en") -> None:
        self.home = home
        self.lang = lang

    def __call__(self, *args: str, code: int = 0) -> Any:
        env = {"O2O_HOME": str(self.home), "O2O_LANG": self.lang, "NO_COLOR": "1", "COLUMNS": "200"}
        env |= {"O2O_PROFILE": None, "O2O_TOKEN": None}
        result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
        return result

    def json(self, *args: str, code: int = 0) -> Any:
        return json.loads(self(*args, "--json", code=code).stdout)


@pytest.fixture
def cli(shared_platform: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    assert shared_platform.seed is not None
    runner = Cli(tmp_path / "home")
    runner("login", "--url", shared_platform.url, "--token", shared_platform.seed.tokens["merchant"])
    yield runner


def _merchant(platform: RunningPlatform) -> PlatformClient:
    assert platform.seed is not None
    return PlatformClient(platform.url, platform.seed.tokens["merchant"])


def test_status_filter_takes_api_names_and_printed_words_and_refuses_the_rest(
    shared_platform: RunningPlatform, cli: Cli
) -> None:
    new, accepted = place_orders(shared_platform.url, shared_platform.seed, 2)
    with _merchant(shared_platform) as merchant:
        merchant.act("order.confirm", accepted, ConfirmBody(preparation_minutes=10))
    cli("sync", "--once")

    def ids(word: str) -> set[str]:
        return {row["id"] for row in cli.json("orders", "list", "--status", word)}

    for word in ("CREATED", "created", "NEW", "new", "新订单"):  # the API name and the printed words
        assert new in ids(word) and accepted not in ids(word), word
    for word in ("CONFIRMED", "Accepted", "已接单"):
        assert accepted in ids(word) and new not in ids(word), word
    assert ids("ready_for_pickup") == ids("READY") == ids("ready for pickup") == ids("待取餐")
    assert ids("out") == ids("DISPATCHED")
    # the console's words too, short or long (the queue's status column), in both languages
    for word in ("OK", "已接", "Accepted"):
        assert accepted in ids(word) and new not in ids(word), word
    for word in ("新单", "New"):
        assert new in ids(word) and accepted not in ids(word), word
    assert ids("制作中") == ids("制作") == ids("PREP") == ids("preparing")
    assert ids("待取") == ids("RDY") == ids("READY")

    refused = cli("orders", "list", "--status", "bogus", code=Exit.USAGE)
    assert 'Unknown status "bogus"' in refused.stderr
    assert "CREATED (NEW)" in refused.stderr and "READY_FOR_PICKUP (READY)" in refused.stderr
    cli("orders", "list", "--status", "NEWS", "--json", code=Exit.USAGE)  # no prefix guessing, in JSON too
    chinese = Cli(cli.home, lang="zh")("orders", "list", "--status", "bogus", code=Exit.USAGE)
    assert "CREATED (新订单)" in chinese.stderr


def test_deny_without_a_request_says_there_is_none(shared_platform: RunningPlatform, cli: Cli) -> None:
    seed = shared_platform.seed
    assert seed is not None
    [order_id] = place_orders(shared_platform.url, seed, 1)
    cli("sync", "--once")

    refused = cli("orders", "cancellation", "deny", order_id, code=Exit.REJECTED)
    assert "no pending cancellation request" in refused.stderr and "denied" not in refused.stdout
    status = cli.json("sync", "status")
    assert status["pending"] == 0 and status["conflicts"] == 0  # nothing queued, nothing to dismiss

    # the customer asks after this profile last synced: the command pulls before it says no
    with PlatformClient(shared_platform.url, seed.tokens["customer"]) as customer:
        customer.act("order.cancellation.request", order_id, ReasonBody(reason_code="TAKING_TOO_LONG"))
    denied = cli("orders", "cancellation", "deny", order_id)
    assert "denied" in denied.stdout
    with _merchant(shared_platform) as merchant:
        after = merchant.get_order(order_id)
    assert after.cancellation is None and after.status is OrderStatus.CREATED


def test_reject_takes_only_the_reject_codes_listed_in_help(
    shared_platform: RunningPlatform, cli: Cli
) -> None:
    seed = shared_platform.seed
    assert seed is not None
    first, second = place_orders(shared_platform.url, seed, 2)
    cli("sync", "--once")

    helped = cli("orders", "reject", "--help")
    assert all(code.value in helped.stdout for code in REJECT_REASONS)
    refused = cli("orders", "reject", first, "--reason", "BUSY", code=Exit.USAGE)
    assert 'Unknown reject reason "BUSY"' in refused.stderr and "OUT_OF_STOCK" in refused.stderr
    assert cli.json("sync", "status")["pending"] == 0

    cli("orders", "reject", first, "--reason", "out-of-stock")
    with _merchant(shared_platform) as merchant:
        assert merchant.get_order(first).cancel_reason_code == "OUT_OF_STOCK"
    # the platform itself refuses any other code, naming the field (a script that skips the CLI)
    answer = Api(shared_platform.url, seed.tokens["merchant"]).post(
        f"/v1/orders/{second}/reject", {"reason_code": "I_FEEL_LIKE_IT"}
    )
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "reason_code"


def test_one_preparation_range_for_cli_console_and_server(shared_platform: RunningPlatform, cli: Cli) -> None:
    seed = shared_platform.seed
    assert seed is not None
    first, second = place_orders(shared_platform.url, seed, 2)
    cli("sync", "--once")

    too_long = cli("orders", "accept", first, "--prep", str(PREP_MINUTES_MAX + 1), code=Exit.USAGE)
    assert f"{PREP_MINUTES_MAX}" in too_long.stderr
    cli("orders", "accept", "--help")  # the range shows in the help
    assert f"1<=x<={PREP_MINUTES_MAX}" in cli("orders", "accept", "--help").stdout
    cli("orders", "accept", first, "--prep", str(PREP_MINUTES_MAX))
    answer = Api(shared_platform.url, seed.tokens["merchant"]).post(
        f"/v1/orders/{second}/confirm", {"preparation_minutes": PREP_MINUTES_MAX + 1}
    )
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "preparation_minutes"


async def test_the_console_accept_dialog_has_the_same_range() -> None:
    from o2o_tui.domain.limits import PREP_MINUTES_MIN
    from o2o_tui.i18n import set_language
    from screens.app import MerchantApp
    from screens.dialogs import NumberPrompt
    from screens.memory_source import MemoryOrderSource
    from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_store

    set_language("en")
    source = MemoryOrderSource(sample_entries(), store=sample_store())
    console = MerchantApp(source, clock=lambda: FROZEN_NOW)
    try:
        async with console.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("a")
            await pilot.pause()
            prompt = console.screen
            assert isinstance(prompt, NumberPrompt)
            assert (prompt._minimum, prompt._maximum) == (PREP_MINUTES_MIN, PREP_MINUTES_MAX)
            await pilot.press(*str(PREP_MINUTES_MAX + 1), "enter")
            await pilot.pause()
            assert source.submitted == [] and console.screen is prompt  # refused, the dialog stays
            await pilot.press("backspace", "backspace", "backspace", *str(PREP_MINUTES_MAX), "enter")
            await pilot.pause()
            assert source.submitted == [
                ("order.confirm", "ord-0042", ConfirmBody(preparation_minutes=PREP_MINUTES_MAX))
            ]
    finally:
        set_language(None)


def test_store_status_shows_the_pause_end_in_store_time(shared_platform: RunningPlatform, cli: Cli) -> None:
    try:
        cli("store", "pause", "--minutes", "90", "--reason", "inventory")
        store = cli.json("store", "status")
        until = datetime.fromisoformat(store["status"]["until"])
        shown = cli("store", "status").stdout
        local = until.astimezone(ZoneInfo(store["timezone"]))
        assert store["timezone"] == "Asia/Shanghai"
        assert local.strftime("%H:%M") in shown, shown
        assert until.astimezone(UTC).strftime("%H:%M") not in shown and "+00:00" not in shown
    finally:
        cli("store", "resume")


def test_store_until_text_names_the_day_when_it_is_not_today() -> None:
    from o2o_tui.cli.store import until_text

    zone = ZoneInfo("Asia/Shanghai")
    now = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    assert until_text(now + timedelta(minutes=30), zone, now) == "23:30"
    assert until_text(now + timedelta(hours=2), zone, now) == "2026-03-03 01:00"


def test_assign_refuses_an_order_the_store_has_not_accepted(
    shared_platform: RunningPlatform, cli: Cli
) -> None:
    seed = shared_platform.seed
    assert seed is not None
    customer = Api(shared_platform.url, seed.tokens["customer"])
    new, accepted = (customer.post("/v1/orders", order_body(seed.store_id)).json()["id"] for _ in range(2))
    courier = seed.courier_ids[8]
    refused = cli("dispatch", "assign", new, courier, code=Exit.REJECTED)
    assert "not accepted yet" in refused.stderr and "o2o orders accept" in refused.stderr
    answer = Api(shared_platform.url, seed.tokens["dispatcher"]).post(
        f"/v1/orders/{new}/assign", {"courier_id": courier}
    )
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "not_accepted"
    with _merchant(shared_platform) as merchant:
        assert merchant.get_order(new).courier_id is None
        merchant.act("order.confirm", accepted, ConfirmBody(preparation_minutes=10))
    cli("dispatch", "assign", accepted, courier)
    with _merchant(shared_platform) as merchant:
        assert merchant.get_order(accepted).courier_id == courier


def _simulate(platform: RunningPlatform, *args: str) -> subprocess.CompletedProcess[str]:
    """`o2o simulate --url URL --token ADMIN ...` as the README writes it: no --store."""
    assert platform.seed is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2O_")}
    return subprocess.run(
        [sys.executable, "-c", "from o2o_tui.cli import main; main()", "simulate", "--url", platform.url,
         "--token", platform.seed.tokens["admin"], *args],
        capture_output=True, text=True, cwd=ROOT, env={**env, "O2O_LANG": "en"}, timeout=60,
    )  # fmt: skip


def test_simulate_without_store_takes_the_only_store_and_names_several(platform: RunningPlatform) -> None:
    from o2o_tui.domain.geo import Address
    from o2o_tui.platform import db, seed

    run = _simulate(platform, "--count", "1", "--no-couriers", "--json", "--timeout", "5")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["placed"] == 1

    engine = db.open_database(platform.db_url)
    try:
        with engine.begin() as conn:  # a second store, with one order placed there
            other = seed.create_store(
                conn,
                name="隔壁面馆 Noodle shop",
                address=Address(text="南京东路 102 号"),
                menu=seed.demo_menu(),
            ).id
    finally:
        engine.dispose()
    run = _simulate(platform, "--store", other, "--count", "1", "--no-couriers", "--json", "--timeout", "5")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["placed"] == 1
    run = _simulate(platform, "--count", "1", "--json")
    assert run.returncode == Exit.USAGE, run.stderr
    assert platform.seed is not None
    assert platform.seed.store_id in run.stderr and other in run.stderr and "--store" in run.stderr
