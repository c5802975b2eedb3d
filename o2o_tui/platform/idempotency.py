"""Stored first answers of mutating requests, per user and `Idempotency-Key`, so a replay changes nothing."""

from __future__ import annotations

import hashlib
from datetime import datetime

import msgspec
from sqlalchemy import Connection, bindparam, delete, select

from o2o_tui.platform import db
from o2o_tui.platform.errors import validation

MAX_KEY_LENGTH = 200


class StoredAnswer(msgspec.Struct, frozen=True):
    fingerprint: str
    status: int
    body: bytes


def check_key(key: str | None) -> str:
    if key is None or not key.strip():
        raise validation("Idempotency-Key", "every change needs an Idempotency-Key header")
    if len(key) > MAX_KEY_LENGTH:
        raise validation("Idempotency-Key", f"at most {MAX_KEY_LENGTH} characters")
    return key


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(f"{method} {path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


_table = db.idempotency
_LOOKUP = select(_table.c.fingerprint, _table.c.status, _table.c.body).where(
    _table.c.user_id == bindparam("b_user"), _table.c.key == bindparam("b_key")
)
_INSERT = _table.insert()


def lookup(conn: Connection, user_id: str, key: str) -> StoredAnswer | None:
    row = conn.execute(_LOOKUP, {"b_user": user_id, "b_key": key}).first()
    return None if row is None else StoredAnswer(row.fingerprint, row.status, bytes(row.body))


def remember(conn: Connection, user_id: str, key: str, answer: StoredAnswer, now: datetime) -> None:
    conn.execute(
        _INSERT,
        {
            "user_id": user_id,
            "key": key,
            "fingerprint": answer.fingerprint,
            "status": answer.status,
            "body": answer.body,
            "created_at": db.iso(now),
        },
    )


def purge(conn: Connection, older_than: datetime) -> int:
    return conn.execute(
        delete(db.idempotency).where(db.idempotency.c.created_at < db.iso(older_than))
    ).rowcount
