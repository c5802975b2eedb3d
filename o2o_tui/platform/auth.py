"""Bearer tokens and roles. Only a sha256 of a token is stored; the token itself is shown once, at creation.

A token revoked or rotated (`o2o admin revoke-token` / `rotate-token`, which write straight into the database)
stops working on every server process within `CACHE_SECONDS`: a process keeps a looked-up token that long only,
then asks the database again. Nothing needs to reach the other processes, so it holds for any number of them.
A disabled user (`o2o admin disable-user`) is refused the same way, with its own code (`user_disabled`).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterable
from typing import Any

import msgspec
from sqlalchemy import Connection, func, literal, select, update

from o2o_tui.domain.errors import ErrorDetail
from o2o_tui.domain.identity import Me, Role
from o2o_tui.platform import db
from o2o_tui.platform.errors import ApiError, forbidden, unauthorized

TOKEN_PREFIX = "o2o_"
# how long a process trusts a token it looked up: the bound on how late a revocation takes effect (< 1 s). One
# indexed users lookup per token per half second (about 0.1 ms on SQLite; see docs/api.md, "Tokens").
CACHE_SECONDS = 0.5
# a revoked user's token_hash: never the hex sha256 of any token (":" is not hex), unique like every hash
_REVOKED_PREFIX = "revoked:"
# a disabled user has a `meta` row under this prefix and its id (value: when it was disabled, ISO 8601 UTC): a row
# of its own rather than a users column, so no schema upgrade; `enable-user` deletes it and the same token works again
DISABLED_PREFIX = "user_disabled:"


def disabled_key(user_id: str) -> str:
    return DISABLED_PREFIX + user_id


def _disabled_row() -> Any:
    """The `meta` table joined on a user's disabled row (null columns when the user is not disabled)."""
    return db.meta.c.key == literal(DISABLED_PREFIX) + db.users.c.id


def user_disabled() -> ApiError:
    message = "this user is disabled: an administrator must enable it again"
    return ApiError(401, ErrorDetail(code="user_disabled", message=message))


class Caller(msgspec.Struct, frozen=True):
    user_id: str
    name: str
    role: Role
    store_id: str | None = None
    courier_id: str | None = None

    def me(self) -> Me:
        return Me(
            user_id=self.user_id,
            name=self.name,
            role=self.role,
            store_id=self.store_id,
            courier_id=self.courier_id,
        )


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenCache:
    """Remembers token hashes already looked up for a short while: most requests then skip the users query."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Caller]] = {}

    def get(self, token_hash: str) -> Caller | None:
        entry = self._entries.get(token_hash)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, token_hash: str, caller: Caller) -> None:
        if len(self._entries) > 10_000:
            self._entries.clear()
        self._entries[token_hash] = (time.monotonic() + CACHE_SECONDS, caller)


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise unauthorized()
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized()
    return token.strip()


def cached_caller(authorization: str | None, cache: TokenCache) -> Caller | None:
    """The caller if its token was looked up a moment ago (no database round trip); 401 for a malformed header."""
    return cache.get(hash_token(bearer_token(authorization)))


def authenticate(conn: Connection, authorization: str | None, cache: TokenCache) -> Caller:
    token_hash = hash_token(bearer_token(authorization))
    cached = cache.get(token_hash)
    if cached is not None:
        return cached
    row = conn.execute(
        select(
            db.users.c.id,
            db.users.c.name,
            db.users.c.role,
            db.users.c.store_id,
            db.users.c.courier_id,
            db.meta.c.value.label("disabled_at"),
        )
        .select_from(db.users.outerjoin(db.meta, _disabled_row()))
        .where(db.users.c.token_hash == token_hash)
    ).first()
    if row is None:
        raise unauthorized()
    if row.disabled_at is not None:
        raise user_disabled()
    caller = Caller(
        user_id=row.id, name=row.name, role=Role(row.role), store_id=row.store_id, courier_id=row.courier_id
    )
    cache.put(token_hash, caller)
    return caller


# --- administration (`o2o admin users`, `revoke-token`, `rotate-token`) --------------------------------------------


class UserRow(msgspec.Struct, frozen=True):
    """What `o2o admin users` shows of a user: never its token nor the token's hash."""

    id: str
    name: str
    role: str
    store_id: str | None
    courier_id: str | None
    created_at: str
    revoked: bool
    disabled: bool = False


def list_users(conn: Connection) -> list[UserRow]:
    table = db.users
    # a courier user's store is its courier's (a store's own fleet); a platform courier has none
    rows = conn.execute(
        select(
            table.c.id,
            table.c.name,
            table.c.role,
            func.coalesce(table.c.store_id, db.couriers.c.store_id).label("store_id"),
            table.c.courier_id,
            table.c.created_at,
            table.c.token_hash,
            db.meta.c.value.label("disabled_at"),
        )
        .select_from(
            table.outerjoin(db.couriers, db.couriers.c.id == table.c.courier_id).outerjoin(db.meta, _disabled_row())
        )
        .order_by(table.c.created_at, table.c.id)
    ).all()
    return [
        UserRow(
            id=row.id,
            name=row.name,
            role=row.role,
            store_id=row.store_id,
            courier_id=row.courier_id,
            created_at=row.created_at,
            revoked=row.token_hash.startswith(_REVOKED_PREFIX),
            disabled=row.disabled_at is not None,
        )
        for row in rows
    ]


def _set_token_hash(conn: Connection, user_id: str, token_hash: str) -> bool:
    result = conn.execute(update(db.users).where(db.users.c.id == user_id).values(token_hash=token_hash))
    return result.rowcount == 1


def revoke_token(conn: Connection, user_id: str) -> bool:
    """The user's token stops working (within `CACHE_SECONDS` on every process); False when there is no such user."""
    return _set_token_hash(conn, user_id, _REVOKED_PREFIX + secrets.token_hex(24))


def find_user(conn: Connection, user_id: str) -> Caller | None:
    """The user `user_id` as it would call (None: no such user)."""
    table = db.users
    row = conn.execute(
        select(table.c.id, table.c.name, table.c.role, table.c.store_id, table.c.courier_id).where(
            table.c.id == user_id
        )
    ).first()
    if row is None:
        return None
    return Caller(
        user_id=row.id, name=row.name, role=Role(row.role), store_id=row.store_id, courier_id=row.courier_id
    )


def is_disabled(conn: Connection, user_id: str) -> bool:
    return db.get_meta(conn, disabled_key(user_id)) is not None


def set_disabled(conn: Connection, user_id: str, disabled: bool, at: str) -> bool:
    """Disable the user (its token is refused with `user_disabled` within `CACHE_SECONDS` on every process) or
    enable it again (the same token works again); True when that changed anything. In a writing transaction."""
    if disabled == is_disabled(conn, user_id):
        return False
    if disabled:
        db.set_meta(conn, disabled_key(user_id), at)
    else:
        conn.execute(db.meta.delete().where(db.meta.c.key == disabled_key(user_id)))
    return True


def courier_locked_out(conn: Connection, courier_id: str) -> bool:
    """True when the courier has users and none of them can act any more (each disabled or its token revoked): it
    is kept off duty, so dispatch never plans it. A courier with no user at all (the simulator's) is not."""
    table = db.users
    rows = conn.execute(
        select(table.c.token_hash, db.meta.c.value.label("disabled_at"))
        .select_from(table.outerjoin(db.meta, _disabled_row()))
        .where(table.c.courier_id == courier_id)
    ).all()
    return bool(rows) and all(
        row.disabled_at is not None or row.token_hash.startswith(_REVOKED_PREFIX) for row in rows
    )


def rotate_token(conn: Connection, user_id: str) -> str | None:
    """A new token for the user (shown once by the caller); the old one stops working as a revoked one does."""
    token = new_token()
    return token if _set_token_hash(conn, user_id, hash_token(token)) else None


def require_role(caller: Caller, allowed: Iterable[Role]) -> None:
    if caller.role not in allowed:
        raise forbidden()


STAFF = (Role.MERCHANT, Role.DISPATCHER)
