"""Store hours carry a version (`store_hours.hours_tag`, sent as If-Match): a change edited on a device whose cached
hours are stale is refused (409 `stale_store_change`) even when it was tapped after the other device's change, online
and queued offline; the device says so, keeps the refused change in its conflicts list, and a redo applies. Two
devices (two profiles of the store's merchant) on the real server."""

from __future__ import annotations

from pathlib import Path

from o2o_tui.cli.exits import Exit
from o2o_tui.client import PlatformClient
from o2o_tui.domain.store import OpeningHours
from o2o_tui.store_hours import hours_tag
from tests.support.platform import RunningPlatform, api
from tests.test_cli_orders import Cli

_ALL_DAY = [OpeningHours(day, "00:00", "00:00") for day in range(7)]


def _device(platform: RunningPlatform, home: Path) -> Cli:
    assert platform.seed is not None
    device = Cli(home, platform.seed.tokens["merchant"])
    device("login", "--url", platform.url, "--token", device.token)
    device("sync", "--once")
    return device


def _hours(platform: RunningPlatform) -> list[OpeningHours]:
    assert platform.seed is not None
    with PlatformClient(platform.url, platform.seed.tokens["merchant"]) as merchant:
        return merchant.get_store(platform.seed.store_id).opening_hours


def test_a_change_edited_from_stale_hours_is_refused_online_and_kept(platform: RunningPlatform, tmp_path: Path) -> None:
    a, b = _device(platform, tmp_path / "a"), _device(platform, tmp_path / "b")
    b("store", "hours", "set", "mon", "10:00-14:00")  # B's change: A never pulled it
    refused = a.json("store", "hours", "set", "tue", "09:00-17:00", code=int(Exit.REJECTED))  # tapped after B's
    assert refused["outcome"] == "rejected" and refused["reason"]["code"] == "stale_store_change"
    assert "kept among the refused actions" in refused["explanation"]
    assert _hours(platform)[:2] == [OpeningHours(0, "10:00", "14:00"), _ALL_DAY[1]]  # B's change stands whole
    kept = a.json("conflicts", "list")
    assert [c["action"] for c in kept] == ["store.hours"]  # the refused edit, to redo
    assert "refused" in a("conflicts", "list").stdout
    redo = a.json("store", "hours", "set", "tue", "09:00-17:00")  # the refusal fetched the store: edited anew
    assert redo["outcome"] == "done"
    assert _hours(platform)[:2] == [OpeningHours(0, "10:00", "14:00"), OpeningHours(1, "09:00", "17:00")]


def test_a_change_queued_offline_from_stale_hours_is_refused_when_sent(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    a, b = _device(platform, tmp_path / "a"), _device(platform, tmp_path / "b")
    b("store", "hours", "set", "mon", "10:00-14:00")
    platform.stop()
    queued = a.json("store", "hours", "set", "tue", "09:00-17:00")  # offline, after B's change: queued
    assert queued["outcome"] == "queued"
    platform.restart()
    a("sync", "--once", code=int(Exit.REJECTED))
    kept = a.json("conflicts", "list")
    assert [c["action"] for c in kept] == ["store.hours"]
    assert kept[0]["reason"]["code"] == "stale_store_change"
    assert _hours(platform)[:2] == [OpeningHours(0, "10:00", "14:00"), _ALL_DAY[1]]


def test_two_changes_queued_on_one_device_both_apply(platform: RunningPlatform, tmp_path: Path) -> None:
    """The second change is edited from the first one's hours (the queued change shown): both go through."""
    a = _device(platform, tmp_path / "a")
    platform.stop()
    assert a.json("store", "hours", "set", "mon", "10:00-14:00")["outcome"] == "queued"
    assert a.json("store", "hours", "set", "tue", "09:00-17:00")["outcome"] == "queued"
    platform.restart()
    a("sync", "--once")
    assert a.json("conflicts", "list") == []
    assert _hours(platform)[:2] == [OpeningHours(0, "10:00", "14:00"), OpeningHours(1, "09:00", "17:00")]


def test_the_platform_checks_if_match_against_the_hours_now(platform: RunningPlatform) -> None:
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    path = f"/v1/stores/{platform.seed.store_id}"
    store = merchant.get(path).json()
    assert store["opening_hours"] == []
    monday = {"opening_hours": [{"weekday": 0, "opens": "10:00", "closes": "22:00"}], "exceptions": []}
    with PlatformClient(platform.url, platform.seed.tokens["merchant"]) as client:
        empty = hours_tag(client.get_store(platform.seed.store_id))
    bad = merchant.put(path + "/hours", monday, headers={"If-Match": "yesterday"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "If-Match"
    applied = merchant.put(path + "/hours", monday, headers={"If-Match": f'"{empty}"'})
    assert applied.status_code == 200, applied.text
    again = merchant.put(path + "/hours", {"opening_hours": [], "exceptions": []}, headers={"If-Match": str(empty)})
    assert again.status_code == 409 and again.json()["error"]["code"] == "stale_store_change"
    same = merchant.put(path + "/hours", monday, headers={"If-Match": str(empty)})  # already so: a success
    assert same.status_code == 200
    with PlatformClient(platform.url, platform.seed.tokens["merchant"]) as client:
        now = hours_tag(client.get_store(platform.seed.store_id))
    assert now != empty
    cleared = merchant.put(path + "/hours", {"opening_hours": [], "exceptions": []}, headers={"If-Match": str(now)})
    assert cleared.status_code == 200
