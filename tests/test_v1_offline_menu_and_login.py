"""Offline menu and login leftovers (helper v1):

- a sold-out queued offline between two queued menu imports stays sold out: the second import builds on the
  queued sold-out as it does on a queued hide (o2o_tui/menu_service.py `with_queued_availability`), and the sheet
  rule keeps it (this device changed it after the menu the sheet was exported from, not sent yet);
- `o2o sync` as a service takes a new login of its account by the console's rule (`config.saved_login`: the
  platform's id, also while OFFLINE, moving to the login's URL);
- a console without the cache (`o2o console --no-cache`) says a new login without "queued actions are being sent"
  (nothing is queued there).

Real server on loopback, real cache."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.config import load_profile, save_profile
from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import set_language, t
from screens.app import MerchantApp
from screens.launch import open_source
from screens.source import LinkState
from tests.support.platform import RunningPlatform
from tests.support.signals import killed_on_exit
from tests.test_cli_menu import Cli, cli, price_sheet, server_item  # noqa: F401
from tests.test_cli_orders import Cli as OrdersCli
from tests.test_cli_sync_service import Lines, admin, order_status, start_service, stop
from tests.test_console_token_resume import WAIT_S
from tests.test_f4_relogin import login_at
from tests.test_sync_engine import place_orders
from tests.test_ui_live import wait_until


def server_menu_cached(one: Cli) -> str:
    """The first category's id, from the cache (the platform is down)."""
    return str(one.json("menu", "show")["categories"][0]["id"])


def _sold_out(entity: dict[str, Any]) -> bool:
    """Sold out until a time (AVAILABLE with a snooze) or switched off."""
    return entity["status"] != "AVAILABLE" or entity.get("snooze_until") is not None


def _export_with_price(export: bytes, path: Path, item_id: str, price: str) -> Path:
    """A CSV export (`o2o menu export --format csv`) with one item's price changed: what a shop imports."""
    rows = list(csv.reader(io.StringIO(export.decode("utf-8-sig"), newline="")))
    header = rows[0]
    for row in rows[1:]:
        if row[header.index("item_id")] == item_id:
            row[header.index("price")] = price
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
    return path


def _back(platform: RunningPlatform, one: Cli) -> None:
    platform.restart()
    one("login", "--url", platform.url, "--token", one.token)  # the port may have moved


def test_a_sold_out_between_two_queued_imports_stays_sold_out(
    platform: RunningPlatform, cli: Cli, tmp_path: Path  # noqa: F811
) -> None:
    cli("sync", "--once")
    export = cli("menu", "export", "--format", "csv").stdout_bytes
    platform.stop()
    a = _export_with_price(export, tmp_path / "a.csv", "mapo-tofu", "27.00")
    assert cli.json("menu", "import", str(a))["outcome"] == "queued"
    assert cli.json("menu", "item", "status", "herbal-tea", "sold-out")["outcome"] == "queued"
    b = _export_with_price(export, tmp_path / "b.csv", "kung-pao-chicken", "39.00")
    said = cli("menu", "import", str(b), "--json")
    second = json.loads(said.stdout)
    assert second["outcome"] == "queued"
    assert "herbal-tea" not in second["availability"]  # nothing queued to put it back on sale
    assert [(k["id"], k["queued"]) for k in second["kept"]] == [("herbal-tea", True)]
    assert "has not sent the change yet" in said.stderr  # said why, by name
    # a price sheet without availability (an earlier import's draft under it) has nothing to keep or say
    category = server_menu_cached(cli)
    third = cli.json("menu", "import", str(price_sheet(tmp_path / "c.csv", category, [("mapo-tofu", "27.50")])), "--partial")
    assert third["outcome"] == "queued" and third["availability"] == [] and third["kept"] == []
    _back(platform, cli)
    cli("sync", "--once")
    assert cli.json("conflicts", "list") == []
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == 2750
    assert server_item(platform, "kung-pao-chicken")["price"]["amount"] == 3900
    assert _sold_out(server_item(platform, "herbal-tea"))


# -- `o2o sync` as a service takes a new login by the console's rule (config.saved_login) --------------------------


def test_an_offline_sync_service_moves_to_the_server_the_person_logs_in_at(
    platform: RunningPlatform, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The platform's server is gone (OFFLINE, not refused): the person logs in at its other server (the same
    platform id, another URL, the same token). The running service takes that login, as the console does
    (o2o_tui/cli/sync_service.py `_new_login`), and the queue goes there, once, with no restart."""
    seed = platform.seed
    assert seed is not None
    runner = OrdersCli(tmp_path / "home", seed.tokens["merchant"])
    runner("login", "--url", platform.url, "--token", runner.token)
    [order_id] = place_orders(platform.url, seed, 1)
    runner("sync", "--once")
    with killed_on_exit(start_service(runner)) as service:
        assert service.stderr is not None
        said = Lines(service.stderr)
        said.wait_for(lambda line: line.startswith("ONLINE"), service)
        platform.stop()
        said.wait_for(lambda line: line.startswith("OFFLINE"), service)
        runner("orders", "accept", order_id, "--prep", "12")  # queued
        said.wait_for(lambda line: line.startswith("OFFLINE") and "| queued 1 |" in line, service)
        second = platform.another_process(tmp_path / "second.log")
        request.addfinalizer(second.stop)
        login_at(f"http://localhost:{second.port}", runner.home, seed.tokens["merchant"])
        said.wait_for(lambda line: line.startswith("ONLINE | queued 0"), service)
        assert order_status(second, order_id) is OrderStatus.CONFIRMED
        assert service.poll() is None  # the same process, never restarted
        stop(service)
        lines = said.drain()
    assert any("new login" in line.lower() and "default" in line for line in lines), lines


# -- a console without the cache says a new login without a queue -------------------------------------------------


async def test_a_console_without_the_cache_says_the_new_login_without_a_queue(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = platform.seed
    assert seed is not None
    set_language("en")
    home = tmp_path / "home"
    monkeypatch.setenv("O2O_HOME", str(home))
    monkeypatch.delenv("O2O_PROFILE", raising=False)
    login_at(platform.url, home, seed.tokens["merchant"])
    profile = load_profile()
    app = MerchantApp(open_source(profile, offline_cache=False), profile=profile)
    said: list[str] = []
    app.say = lambda message, **_: said.append(message)  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: app.source.link().state is LinkState.ONLINE, WAIT_S)
            rotated = await asyncio.to_thread(
                admin, platform, tmp_path, "rotate-token", seed.user_ids["merchant"], "--json"
            )
            await wait_until(pilot, lambda: app.source.link().state is LinkState.UNAUTHORIZED, WAIT_S)
            await asyncio.to_thread(login_at, platform.url, home, json.loads(rotated.stdout)["token"])
            await wait_until(pilot, lambda: t("ui.link.logged_in_again_no_cache") in said, WAIT_S)
            assert t("ui.link.logged_in_again") not in said
            assert not any("queue" in line.lower() for line in said if line.startswith("Logged in again")), said
    finally:
        set_language(None)


def test_the_new_login_without_the_cache_names_no_queue_in_either_language() -> None:
    try:
        for lang, queue_words in (("en", ("queue",)), ("zh", ("待发送", "队列"))):
            set_language(lang)
            with_queue, without = t("ui.link.logged_in_again"), t("ui.link.logged_in_again_no_cache")
            assert without != "ui.link.logged_in_again_no_cache" and without != with_queue
            assert any(word in with_queue for word in queue_words)
            assert not any(word in without for word in queue_words), without
    finally:
        set_language(None)


def test_a_sync_service_does_not_take_someone_elses_login_and_says_so_once(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = platform.seed
    assert seed is not None
    runner = OrdersCli(tmp_path / "home", seed.tokens["merchant"])
    runner("login", "--url", platform.url, "--token", runner.token)
    runner("sync", "--once")
    with killed_on_exit(start_service(runner)) as service:
        assert service.stderr is not None
        said = Lines(service.stderr)
        said.wait_for(lambda line: line.startswith("ONLINE"), service)
        admin(platform, tmp_path, "revoke-token", seed.user_ids["merchant"])
        said.wait_for(lambda line: line.startswith("LOG IN AGAIN"), service)
        # the profile file now holds another account's login (edited by hand: `o2o login` refuses it)
        monkeypatch.setenv("O2O_HOME", str(runner.home))
        merchant = load_profile()
        save_profile(
            merchant.name,
            url=merchant.url,
            token=seed.tokens["dispatcher"],
            role="dispatcher",
            user_id=seed.user_ids["dispatcher"],
            store_id=merchant.store_id,
            platform_id=merchant.platform_id,
        )
        said.wait_for(lambda line: "another account's or platform's login" in line, service)
        time.sleep(5)  # more checks of the profile: said once
        assert service.poll() is None
        stop(service)
        lines = said.drain()
    assert sum("another account's or platform's login" in line for line in lines) == 1, lines
    assert not any(line.startswith("New login of profile") for line in lines), lines
