"""A store's status or hours change queued on one counter and replayed after another counter's later change is
refused as stale (the last tap wins, not the last to reach the platform), on the real server; a fresh one applies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.platform import RunningPlatform, api


def _at(moment: datetime) -> dict[str, str]:
    return {"X-Occurred-At": moment.isoformat()}


def test_a_status_tapped_before_the_last_applied_one_is_refused(platform: RunningPlatform) -> None:
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    path = f"/v1/stores/{platform.seed.store_id}/status"
    now = datetime.now(UTC)
    busy_early = {"state": "BUSY", "extra_minutes": 10}
    assert merchant.put(path, {"state": "ONLINE"}, headers=_at(now - timedelta(minutes=9))).status_code == 200
    resumed = merchant.put(path, {"state": "PAUSED", "reason": "B"}, headers=_at(now - timedelta(minutes=2)))
    assert resumed.status_code == 200, resumed.text
    stale = merchant.put(path, busy_early, headers=_at(now - timedelta(minutes=5)))  # A's, queued offline
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_store_change"
    assert merchant.get(f"/v1/stores/{platform.seed.store_id}").json()["status"]["state"] == "PAUSED"
    fresh = merchant.put(path, {"state": "ONLINE"}, headers=_at(now))
    assert fresh.status_code == 200 and fresh.json()["status"]["state"] == "ONLINE"
    assert merchant.put(path, {"state": "ONLINE"}).status_code == 200  # no header: now, the newest


def test_hours_tapped_before_the_last_applied_ones_are_refused(platform: RunningPlatform) -> None:
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    store = f"/v1/stores/{platform.seed.store_id}"
    now = datetime.now(UTC)
    monday = {"opening_hours": [{"weekday": 0, "opens": "10:00", "closes": "22:00"}], "exceptions": []}
    holiday = {"opening_hours": [], "exceptions": [{"date": "2099-12-25", "hours": [], "note": "A"}]}
    assert merchant.put(store + "/hours", monday, headers=_at(now - timedelta(minutes=1))).status_code == 200
    stale = merchant.put(store + "/hours", holiday, headers=_at(now - timedelta(minutes=4)))
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_store_change"
    kept = merchant.get(store).json()
    assert [h["weekday"] for h in kept["opening_hours"]] == [0] and kept["hours_exceptions"] == []
    assert merchant.put(store + "/hours", holiday, headers=_at(now)).status_code == 200
    assert merchant.put(store + "/hours", {"opening_hours": [], "exceptions": []}).status_code == 200
