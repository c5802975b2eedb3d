"""A shop's own offline changes queued before its menu import (o2o_tui/sync/linked.py `follow_confirmed`): any
number of them, sold-outs and hides mixed, are followed by the publish once the link is back (a sold-out moves the
menu's version but not its content version, and used to leave the publish two versions behind after two of this
device's own changes: refused as "changed by someone else"). A real change by someone else in between is still
refused with those words. Real server on loopback, real cache."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from o2o_tui.cli.exits import Exit
from o2o_tui.sync import linked
from offline_cache import open_profile_cache
from tests.support.platform import RunningPlatform
from tests.test_cli_menu import Cli, cli, price_sheet, server_item, server_menu, server_option  # noqa: F401


def _export_with_price(runner: Cli, path: Path, item_id: str, amount: int) -> Path:
    """A fresh `o2o menu export` (JSON) with one item's price changed: what the tester imported."""
    document = json.loads(runner("menu", "export").stdout)
    item = next(i for c in document["categories"] for i in c["items"] if i["id"] == item_id)
    item["price"]["amount"] = amount
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def _sold_out(entity: dict[str, Any]) -> bool:
    """Sold out until a time (AVAILABLE with a snooze) or switched off."""
    return entity["status"] != "AVAILABLE" or entity.get("snooze_until") is not None


def _back(platform: RunningPlatform, *clis: Cli) -> None:
    platform.restart()
    for one in clis:
        one("login", "--url", platform.url, "--token", one.token)  # the port may have moved


def test_sold_out_and_hide_then_a_full_import_all_land(
    platform: RunningPlatform, cli: Cli, tmp_path: Path  # noqa: F811
) -> None:
    """The tester's case: sold-out, hide, then an import of a fresh export with one price changed."""
    cli("sync", "--once")
    version = server_menu(platform)["version"]
    platform.stop()
    assert cli.json("menu", "item", "status", "herbal-tea", "sold-out")["outcome"] == "queued"
    assert cli.json("menu", "item", "hide", "dan-dan-noodles")["outcome"] == "queued"
    sheet = _export_with_price(cli, tmp_path / "cur2.json", "mapo-tofu", 2900)
    assert cli.json("menu", "import", str(sheet))["outcome"] == "queued"
    _back(platform, cli)
    said = cli("sync", "--once")
    assert "pushed 3, refused 0" in said.stdout and "someone else" not in said.stdout + said.stderr
    assert cli.json("conflicts", "list") == []
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == 2900
    assert _sold_out(server_item(platform, "herbal-tea"))
    assert server_item(platform, "dan-dan-noodles")["hidden"] is True
    assert server_menu(platform)["version"] == version + 3  # each once: sold-out, hide, publish
    cli("sync", "--once")
    assert server_menu(platform)["version"] == version + 3


def test_many_own_changes_of_mixed_kinds_before_two_imports_all_land(
    platform: RunningPlatform, cli: Cli, tmp_path: Path  # noqa: F811
) -> None:
    cli("sync", "--once")
    category = server_menu(platform)["categories"][0]["id"]
    version = server_menu(platform)["version"]
    platform.stop()
    queued = [
        cli.json("menu", "item", "status", "herbal-tea", "sold-out"),
        cli.json("menu", "item", "hide", "dan-dan-noodles"),
        cli.json("menu", "option", "status", "spice-hot", "sold-out"),
        cli.json("menu", "item", "status", "herbal-tea", "available"),
        cli.json("menu", "option", "hide", "rice-brown"),
        cli.json("menu", "item", "show", "dan-dan-noodles"),
        cli.json("menu", "item", "status", "cola", "sold-out"),
        cli.json("menu", "import", str(price_sheet(tmp_path / "a.csv", category, [("mapo-tofu", "27.00")])), "--partial"),
        cli.json("menu", "item", "hide", "kung-pao-chicken"),
        cli.json("menu", "import", str(price_sheet(tmp_path / "b.csv", category, [("mapo-tofu", "27.50")])), "--partial"),
    ]
    assert [one["outcome"] for one in queued] == ["queued"] * len(queued)
    _back(platform, cli)
    cli("sync", "--once")
    assert cli.json("conflicts", "list") == []
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == 2750  # b.csv last: in order
    assert not _sold_out(server_item(platform, "herbal-tea"))
    assert server_item(platform, "dan-dan-noodles")["hidden"] is False
    assert _sold_out(server_option(platform, "spice-hot"))
    assert server_option(platform, "rice-brown")["hidden"] is True
    assert _sold_out(server_item(platform, "cola"))
    assert server_item(platform, "kung-pao-chicken")["hidden"] is True
    assert server_menu(platform)["version"] == version + len(queued)  # each once


def test_someone_elses_publish_in_between_is_still_refused_as_theirs(
    platform: RunningPlatform, cli: Cli, tmp_path: Path  # noqa: F811
) -> None:
    cli("sync", "--once")
    category = server_menu(platform)["categories"][0]["id"]
    other = Cli(tmp_path / "other", cli.token)
    other("login", "--url", platform.url, "--token", other.token)
    other("sync", "--once")
    platform.stop()
    cli("menu", "item", "status", "herbal-tea", "sold-out")
    cli("menu", "item", "hide", "dan-dan-noodles")
    cli("menu", "option", "status", "spice-hot", "sold-out")
    cli("menu", "import", str(price_sheet(tmp_path / "m.csv", category, [("mapo-tofu", "27.00")])), "--partial")
    _back(platform, cli, other)
    # another device publishes a real change before this one's queue reaches the platform
    other("menu", "import", str(price_sheet(tmp_path / "k.csv", category, [("kung-pao-chicken", "39.00")])), "--partial")
    said = cli("sync", "--once", code=Exit.REJECTED)
    assert "pushed 3, refused 1" in said.stdout
    conflicts = cli.json("conflicts", "list")
    assert [entry["action"] for entry in conflicts] == ["menu.publish"]
    assert "changed by someone else" in json.dumps(conflicts)
    assert server_item(platform, "mapo-tofu")["price"]["amount"] != 2700  # not published over theirs
    assert server_item(platform, "kung-pao-chicken")["price"]["amount"] == 3900
    # this device's own plain changes went through all the same
    assert _sold_out(server_item(platform, "herbal-tea"))
    assert server_item(platform, "dan-dan-noodles")["hidden"] is True


def test_someone_elses_sold_out_in_between_does_not_make_the_publish_stale(
    platform: RunningPlatform, cli: Cli, tmp_path: Path  # noqa: F811
) -> None:
    """Availability someone else changed is no content change (the platform keeps it across a publish)."""
    cli("sync", "--once")
    category = server_menu(platform)["categories"][0]["id"]
    other = Cli(tmp_path / "other", cli.token)
    other("login", "--url", platform.url, "--token", other.token)
    other("sync", "--once")
    platform.stop()
    cli("menu", "item", "status", "herbal-tea", "sold-out")
    cli("menu", "item", "hide", "dan-dan-noodles")
    cli("menu", "import", str(price_sheet(tmp_path / "m.csv", category, [("mapo-tofu", "27.00")])), "--partial")
    _back(platform, cli, other)
    other("menu", "item", "status", "cola", "sold-out")
    cli("sync", "--once")
    assert cli.json("conflicts", "list") == []
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == 2700
    assert _sold_out(server_item(platform, "cola"))  # theirs kept


def _entry(outbox: Any, action: str, target: str, base: int | None = None) -> Any:
    return outbox.append(action, target, "{}", base_version=base)


def test_a_sold_out_that_went_through_moves_the_publishes_the_platform_still_takes(tmp_path: Path) -> None:
    cache = open_profile_cache(tmp_path / "profile")
    try:
        outbox = cache.outbox
        sold = _entry(outbox, "menu.item.patch", "s1/tea")
        on_top = _entry(outbox, "menu.publish", "s1", 4)
        rider = _entry(outbox, "menu.item.patch", "s1/mapo", 4)
        missed = _entry(outbox, "menu.publish", "s1", 3)  # edited before someone else's content change: stays
        elsewhere = _entry(outbox, "menu.publish", "s2", 4)  # another store's
        outbox.mark_done(sold.key)
        result = SimpleNamespace(version=6, content_version=4)  # availability only
        assert linked.follow_confirmed(outbox, sold, result) == [on_top.key, rider.key]
        bases = {entry.key: entry.base_version for entry in outbox.pending()}
        assert bases == {on_top.key: 6, rider.key: 6, missed.key: 3, elsewhere.key: 4}
        assert linked._publishes_of(outbox.pending())[rider.key].key == on_top.key
        older_server = SimpleNamespace(version=7, content_version=0)  # says no content version: nothing moves
        assert linked.follow_confirmed(outbox, sold, older_server) == []
    finally:
        cache.close()
