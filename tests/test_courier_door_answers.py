"""An admin's change of a courier's state is answered with the courier's record, stored under the admin's key for a
replay: while the courier stands at a customer's door, that answer holds the door. The purge that makes the courier
forget the door (fleet.forget_door) blanks it too, as it blanks the courier's own answers; also one stored before
courier answers were filed as such (entity ""). Real server on loopback, its own jobs, a window of seconds.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

from tests.support.platform import Api, api, start_platform
from tests.test_personal_purge_doors import (
    DOOR,
    WINDOW_SECONDS,
    _database_text,
    _delivered_to_the_door,
    _ok,
    _wait_until,
)


def _stored(db_url: str, key: str) -> tuple[str | None, str | None, bytes]:
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        row = conn.execute("SELECT entity, entity_id, body FROM idempotency WHERE key = ?", (key,)).fetchone()
    return row[0], row[1], bytes(row[2])


def _as_stored_before_filing(db_url: str, key: str) -> None:
    """The row as a server before couriers' records were filed stored it: entity "" and no id."""
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE idempotency SET entity = '', entity_id = NULL WHERE key = ?", (key,))


def test_an_admins_answers_with_the_courier_at_the_door_forget_it_too(tmp_path: Path) -> None:
    env = {"O2O_JOB_INTERVAL_SECONDS": "0.2", "O2O_PURGE_PERSONAL_HOURS": str(WINDOW_SECONDS / 3600)}
    running = start_platform(tmp_path / "platform", env=env)
    try:
        seeded = running.seed
        assert seeded is not None
        rider = seeded.courier_ids[0]
        _delivered_to_the_door(running, rider)
        admin = api(running, "admin")
        path = f"/v1/couriers/{rider}/state"
        off, again = str(uuid.uuid4()), str(uuid.uuid4())
        first = _ok(admin.put(path, {"status": "OFFLINE"}, key=off))  # the admin sends the rider off duty
        assert first["position"] == DOOR and first["status"] == "OFFLINE"
        assert _ok(admin.put(path, {"status": "OFFLINE"}, key=again))["position"] == DOOR  # no change: same
        assert _stored(running.db_url, off)[:2] == ("courier", rider)
        _as_stored_before_filing(running.db_url, again)
        door = str(DOOR["lat"]).encode()
        assert door in _stored(running.db_url, off)[2] and door in _stored(running.db_url, again)[2]

        assert _wait_until(
            lambda: str(DOOR["lat"]) not in _database_text(running.db_url), WINDOW_SECONDS + 20
        ), "an admin's stored answer kept the courier at the customer's door"
        for key in (off, again):  # a replay: the same answer, without the door
            replay = admin.put(path, {"status": "OFFLINE"}, key=key)
            assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
            answer = replay.json()
            assert answer["position"] is None
            assert {k: v for k, v in answer.items() if k != "position"} == {
                k: v for k, v in first.items() if k != "position"
            }
        dispatcher = Api(running.url, seeded.tokens["dispatcher"])
        assert _ok(dispatcher.get(f"/v1/couriers/{rider}"))["position"] is None
        dispatcher.close()
        admin.close()
    finally:
        running.stop()
