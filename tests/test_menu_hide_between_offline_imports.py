"""A hide queued offline between two queued imports (o2o_tui/sync/linked.py): once the link is back every
queued action lands, in order, exactly once, none refused as stale (the engine tells `linked` of every action
that went through, `linked.follow_confirmed`, not only of publishes)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from o2o_tui.sync import linked
from offline_cache import open_profile_cache
from tests.support.platform import RunningPlatform
from tests.test_cli_menu import Cli, cli, price_sheet, server_item, server_menu  # noqa: F401


def test_a_hide_between_two_offline_imports_lets_the_second_publish_land(
    platform: RunningPlatform, cli: Cli, tmp_path: Path  # noqa: F811
) -> None:
    cli("sync", "--once")
    category = server_menu(platform)["categories"][0]["id"]
    version = server_menu(platform)["version"]
    platform.stop()
    first = cli.json("menu", "import", str(price_sheet(tmp_path / "a.csv", category, [("mapo-tofu", "27.00")])), "--partial")
    assert first["outcome"] == "queued"
    hidden = cli.json("menu", "item", "hide", "kung-pao-chicken")
    assert hidden["outcome"] == "queued"
    second = cli.json("menu", "import", str(price_sheet(tmp_path / "b.csv", category, [("mapo-tofu", "27.50")])), "--partial")
    assert second["outcome"] == "queued"
    platform.restart()
    cli("login", "--url", platform.url, "--token", cli.token)  # the port may have moved
    cli("sync", "--once")
    assert cli.json("conflicts", "list") == []
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == 2750  # b.csv last: in order
    assert server_item(platform, "kung-pao-chicken")["hidden"] is True  # b.csv's draft kept the hide
    assert server_menu(platform)["version"] == version + 3  # each once: publish, hide, publish
    cli("sync", "--once")  # nothing left to send: nothing moves
    assert server_menu(platform)["version"] == version + 3


def test_a_hide_that_went_through_moves_the_publishes_queued_on_top_of_it(tmp_path: Path) -> None:
    cache = open_profile_cache(tmp_path / "profile")
    try:
        outbox = cache.outbox
        hide = outbox.append("menu.item.patch", "s1/kp", '{"hidden":true}')
        on_top = outbox.append("menu.publish", "s1", "{}", base_version=4)
        rider = outbox.append("menu.item.patch", "s1/mapo", "{}", base_version=4)  # rides with `on_top`
        older = outbox.append("menu.publish", "s1", "{}", base_version=3)  # missed a change elsewhere: stays stale
        elsewhere = outbox.append("menu.publish", "s2", "{}", base_version=4)  # another store's
        outbox.mark_done(hide.key)

        assert linked.follow_confirmed(outbox, hide, SimpleNamespace(version=5, content_version=5)) == [
            on_top.key,
            rider.key,
        ]
        bases = {entry.key: entry.base_version for entry in outbox.pending()}
        assert bases == {on_top.key: 5, rider.key: 5, older.key: 3, elsewhere.key: 4}
        assert linked.refused_publish(outbox, outbox.get(rider.key)) is None  # still rides with `on_top`
        assert linked._publishes_of(outbox.pending())[rider.key].key == on_top.key
    finally:
        cache.close()
