"""Wrong-try rows that no longer count are dropped by the platform's prune job (one row per code ever typed wrong
stayed forever)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from o2o_tui.platform import code_attempts, db


def test_rows_outside_the_window_and_not_locked_are_purged(tmp_path: Path) -> None:
    engine = db.open_database(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    now = db.utcnow()
    window = timedelta(minutes=10)
    rows = {  # subject id: (first wrong try, locked until)
        "recent": (now - timedelta(minutes=2), None),  # still counting
        "old": (now - timedelta(hours=3), None),  # dead
        "old-lock-over": (now - timedelta(hours=3), now - timedelta(minutes=1)),  # dead
        "old-but-locked": (now - timedelta(minutes=15), now + timedelta(minutes=5)),  # a lock in force: kept
    }
    try:
        with db.writing(engine) as conn:
            for subject_id, (first, until) in rows.items():
                conn.execute(
                    db.code_attempts.insert(),
                    {
                        "subject": "pickup",
                        "subject_id": subject_id,
                        "failures": 1,
                        "first_failure_at": db.iso(first),
                        "locked_until": db.iso(until) if until else None,
                    },
                )
        with db.writing(engine) as conn:
            assert code_attempts.purge(conn, now, window) == 2
        with engine.connect() as conn:
            kept = sorted(conn.execute(select(db.code_attempts.c.subject_id)).scalars())
        assert kept == ["old-but-locked", "recent"]
    finally:
        engine.dispose()
