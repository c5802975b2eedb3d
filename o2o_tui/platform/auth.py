"""Bearer tokens and roles. Only a sha256 of a token is stored; the token itself is shown once, at creation."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterable

import msgspec
from sqlalchemy import Connection, select

from o2o_tui.domain.identity import Me, Role
from o2o_tui.platform import db
from o2o_tui.platform.errors import forbidden, unauthorized

TOKEN_PREFIX = "o2o_"
_CACHE_SECONDS = 30.0


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
        self._entries[token_hash] = (time.monotonic() + _CACHE_SECONDS, caller)


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
            db.users.c.id, db.users.c.name, db.users.c.role, db.users.c.store_id, db.users.c.courier_id
        ).where(db.users.c.token_hash == token_hash)
    ).first()
    if row is None:
        raise unauthorized()
    caller = Caller(
        user_id=row.id, name=row.name, role=Role(row.role), store_id=row.store_id, courier_id=row.courier_id
    )
    cache.put(token_hash, caller)
    return caller


def require_role(caller: Caller, allowed: Iterable[Role]) -> None:
    if caller.role not in allowed:
        raise forbidden()


STAFF = (Role.MERCHANT, Role.DISPATCHER)
