"""Vouchers: issued by an admin, bought by a customer, redeemed once at the store's counter by their code (核销).

The code (12 digits) is made when a customer buys the voucher and is in that answer only: the table keeps its
HMAC with the server's secret (to find the voucher; server_secret.py) and the voucher its last four digits. Rows
bought before schema 7 hold a bare sha256: a code is looked up by its keyed hash, then by the bare one, and such a
row is re-keyed when its code is given (`_find`). Redeeming takes the store's merchant; a code
that names no voucher, or another store's, counts as a wrong try against the store (`CodeSubject.VOUCHER`, the
store-wide limit of `code_attempts.py`) and is committed with the refusal; an empty code (nothing but spaces and
dashes) is a slip, a 422 on `code` that counts nothing. A voucher redeemed before, expired or not active is refused
with its own code (`VoucherRefusal`), and says when it was redeemed.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Connection, Row, bindparam, select, update

from o2o_tui.domain.errors import ErrorDetail
from o2o_tui.domain.identity import Role
from o2o_tui.domain.limits import TIME_RANGE_MESSAGE, VOUCHER_CODE_DIGITS, time_in_range
from o2o_tui.domain.money import Money
from o2o_tui.domain.voucher import (
    Voucher,
    VoucherBuyBody,
    VoucherCreateBody,
    VoucherRefusal,
    VoucherStatus,
    effective_status,
    looks_like_voucher_code,
    normalize_code,
)
from o2o_tui.platform import code_attempts, db, server_secret, stores
from o2o_tui.platform.auth import require_role
from o2o_tui.platform.code_attempts import CodeSubject
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.errors import ApiError, conflict, not_found, validation

LIST_MAX = 500

_table = db.vouchers
_decode = msgspec.json.Decoder(Voucher).decode
_encode = msgspec.json.Encoder().encode
_SAVE = (
    update(_table)
    .where(_table.c.id == bindparam("b_id"), _table.c.version == bindparam("b_version"))
    .values(
        status=bindparam("status"),
        customer_id=bindparam("customer_id"),
        code_hash=bindparam("code_hash"),
        version=bindparam("version"),
        updated_at=bindparam("updated_at"),
        doc=bindparam("doc"),
    )
)


def legacy_code_hash(code: str) -> str:
    """The bare sha256 that rows bought before schema 7 keep (reversible by trying every code: re-keyed on use)."""
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def _find(ctx: Ctx, code: str) -> tuple[Row[Any] | None, bool]:
    """The row whose code is `code`, and whether it was found by its bare hash (then re-keyed in this
    transaction)."""
    keyed = server_secret.of(ctx.settings).code_hash(code)
    row = ctx.conn.execute(select(_table.c.doc).where(_table.c.code_hash == keyed)).first()
    if row is not None:
        return row, False
    legacy = legacy_code_hash(code)
    row = ctx.conn.execute(select(_table.c.doc).where(_table.c.code_hash == legacy)).first()
    if row is None:
        return None, False
    ctx.conn.execute(update(_table).where(_table.c.code_hash == legacy).values(code_hash=keyed))
    return row, True


def load(conn: Connection, voucher_id: str) -> Voucher | None:
    row = conn.execute(select(_table.c.doc).where(_table.c.id == voucher_id)).first()
    return None if row is None else _decode(row.doc)


def _shown(voucher: Voucher, ctx: Ctx) -> Voucher:
    """As read: EXPIRED past its expiry, and never the code (only the purchase's answer carries it)."""
    return msgspec.structs.replace(voucher, status=effective_status(voucher, ctx.now), code=None)


def _save(ctx: Ctx, before: Voucher, after: Voucher, *, hashed: str | None = None) -> Voucher:
    after = msgspec.structs.replace(after, version=before.version + 1, updated_at=ctx.now, code=None)
    params = {
        "b_id": before.id,
        "b_version": before.version,
        "status": after.status.value,
        "customer_id": after.bought_by,
        "version": after.version,
        "updated_at": db.iso(ctx.now),
        "doc": _encode(after),
    }
    statement = _SAVE if hashed is not None else _SAVE.values(code_hash=_table.c.code_hash)
    if hashed is not None:
        params["code_hash"] = hashed
    if ctx.conn.execute(statement, params).rowcount != 1:
        raise conflict("the voucher changed at the same time; retry")
    return after


# --- admin: issue ----------------------------------------------------------------------------------------------


def create(ctx: Ctx, body: VoucherCreateBody) -> tuple[list[Voucher], bool]:
    """`body.count` vouchers for sale; (the vouchers, whether they are new). A replay of the same id answers the
    vouchers made then."""
    require_role(ctx.caller, (Role.ADMIN,))
    store = stores.load(ctx.conn, body.store_id)
    if store is None:
        raise validation("store_id", "no such store")
    if body.value.currency != store.currency:  # sold and redeemed at that store, in its money (as menu prices)
        raise validation("value.currency", f"a voucher's value is in the store's currency {store.currency}")
    if not time_in_range(body.expires_at):
        raise validation("expires_at", TIME_RANGE_MESSAGE)
    if body.expires_at <= ctx.now:
        raise validation("expires_at", "a time in the future")
    ids = [f"{body.id}-{n}" for n in range(1, body.count + 1)]
    if len(ids[-1]) > 64:
        raise validation("id", "too long for the voucher ids it makes")
    value = Money(body.value.amount, body.value.currency)
    if load(ctx.conn, ids[0]) is not None:
        return [_shown(v, ctx) for v in _replayed(ctx, body, ids, value)], False
    made = []
    for voucher_id in ids:
        voucher = Voucher(
            id=voucher_id,
            store_id=body.store_id,
            title=body.title,
            value=value,
            expires_at=body.expires_at,
            status=VoucherStatus.FOR_SALE,
            version=1,
            created_at=ctx.now,
            updated_at=ctx.now,
        )
        ctx.conn.execute(
            _table.insert(),
            {
                "id": voucher.id,
                "store_id": voucher.store_id,
                "status": voucher.status.value,
                "customer_id": None,
                "code_hash": None,
                "expires_at": db.iso(voucher.expires_at),
                "version": 1,
                "updated_at": db.iso(ctx.now),
                "doc": _encode(voucher),
            },
        )
        made.append(voucher)
    ctx.record("voucher", body.id, f"create:{body.count}")
    return [_shown(v, ctx) for v in made], True


def _replayed(ctx: Ctx, body: VoucherCreateBody, ids: list[str], value: Money) -> list[Voucher]:
    """The vouchers a create with this batch `id` made before, when `body` asks for the same batch again (a retry
    after a lost answer); a 409 `conflict` naming the id when it asks for another (store, title, value, expiry or
    count): the id is taken, and nothing new is made under it."""
    made = [v for v in (load(ctx.conn, i) for i in ids) if v is not None]
    same = (
        len(made) == len(ids)
        and load(ctx.conn, f"{body.id}-{len(ids) + 1}") is None  # not a bigger batch
        and all(
            (v.store_id, v.title, v.value, v.expires_at) == (body.store_id, body.title, value, body.expires_at)
            for v in made
        )
    )
    if not same:
        message = f"voucher batch id {body.id} was issued before with another store, title, value, expiry or count"
        raise ApiError(409, ErrorDetail(code="conflict", message=message, field="id"))
    return made


# --- reading -----------------------------------------------------------------------------------------------------


def list_vouchers(ctx: Ctx, *, store_id: str | None, for_sale: bool) -> list[Voucher]:
    """A customer: its own vouchers, or with `for_sale` those it can buy (at `store_id`); a merchant: its store's;
    an admin: all (at `store_id`)."""
    caller = ctx.caller
    require_role(caller, (Role.CUSTOMER, Role.MERCHANT, Role.ADMIN))
    query = select(_table.c.doc).order_by(_table.c.updated_at.desc(), _table.c.id).limit(LIST_MAX)
    if for_sale:
        query = query.where(
            _table.c.status == VoucherStatus.FOR_SALE.value, _table.c.expires_at > db.iso(ctx.now)
        )
    if caller.role is Role.CUSTOMER and not for_sale:
        query = query.where(_table.c.customer_id == caller.user_id)
    if caller.role is Role.MERCHANT:
        if store_id is not None and store_id != caller.store_id:
            raise not_found("store")
        store_id = caller.store_id
    if store_id is not None:
        query = query.where(_table.c.store_id == store_id)
    return [_shown(_decode(row.doc), ctx) for row in ctx.conn.execute(query)]


# --- customer: buy ---------------------------------------------------------------------------------------------


def _new_code(ctx: Ctx) -> tuple[str, str]:
    """A code no voucher has (by its keyed hash, or its bare one in rows from before schema 7), and its hash."""
    secret = server_secret.of(ctx.settings)
    while True:
        code = f"{secrets.randbelow(10**VOUCHER_CODE_DIGITS):0{VOUCHER_CODE_DIGITS}d}"
        hashed = secret.code_hash(code)
        taken = select(_table.c.id).where(_table.c.code_hash.in_([hashed, legacy_code_hash(code)]))
        if ctx.conn.execute(taken).first() is None:
            return code, hashed


def buy(ctx: Ctx, voucher_id: str, body: VoucherBuyBody) -> Voucher:
    """The voucher, bought by the caller, with its code (the only answer that shows it). Buying one already
    bought by the caller under the same `purchase_id` answers it again (without the code: it was shown then)."""
    require_role(ctx.caller, (Role.CUSTOMER,))
    voucher = load(ctx.conn, voucher_id)
    if voucher is None:
        raise not_found("voucher")
    if voucher.bought_by == ctx.caller.user_id and voucher.purchase_id == body.purchase_id:
        return _shown(voucher, ctx)
    status = effective_status(voucher, ctx.now)
    if status is VoucherStatus.EXPIRED:
        raise _refusal(VoucherRefusal.EXPIRED, "the voucher has expired")
    if status is not VoucherStatus.FOR_SALE:
        raise conflict("the voucher is sold", code="voucher_sold")
    code, hashed = _new_code(ctx)
    bought = msgspec.structs.replace(
        voucher,
        status=VoucherStatus.ACTIVE,
        bought_by=ctx.caller.user_id,
        bought_at=ctx.now,
        purchase_id=body.purchase_id,
        code_tail=code[-4:],
    )
    saved = _save(ctx, voucher, bought, hashed=hashed)
    ctx.record("voucher", voucher.id, "buy")
    return msgspec.structs.replace(saved, code=code)


# --- merchant: redeem at the counter ---------------------------------------------------------------------------


def _refusal(
    reason: VoucherRefusal, message: str, *, at: datetime | None = None, timezone: str | None = None
) -> ApiError:
    """409 with the refusal's code; `at` (when it was redeemed) comes with the store's `timezone`."""
    return ApiError(409, ErrorDetail(code=reason.value, message=message, at=at, timezone=timezone))


def _refused(voucher: Voucher, status: VoucherStatus, timezone: str) -> ApiError | None:
    if status is VoucherStatus.REDEEMED:
        at = voucher.redeemed_at
        return _refusal(VoucherRefusal.REDEEMED, "the voucher was redeemed before", at=at, timezone=timezone)
    if status is VoucherStatus.EXPIRED:
        return _refusal(VoucherRefusal.EXPIRED, "the voucher has expired")
    if status is not VoucherStatus.ACTIVE:
        return _refusal(VoucherRefusal.NOT_ACTIVE, f"the voucher is {status.value.lower()}")
    return None


def redeem(ctx: Ctx, store_id: str, given: str) -> Voucher:
    """Redeem the voucher whose code is `given` at the caller's store: once, while active and not expired."""
    require_role(ctx.caller, (Role.MERCHANT,))
    store = stores.visible_store(ctx.conn, ctx.caller, store_id, staff_roles=(Role.MERCHANT,))
    if not normalize_code(given):  # a slip (an unset variable, a stray Enter), not a guess: not counted
        raise validation("code", "the voucher's 12 digits, not empty")
    code_attempts.ensure_unlocked(ctx, CodeSubject.VOUCHER, store_id, store_id=store_id)
    row, rekeyed = _find(ctx, given) if looks_like_voucher_code(given) else (None, False)
    voucher = None if row is None else _decode(row.doc)
    if voucher is None or voucher.store_id != store_id:
        failure = code_attempts.count_failure(ctx, CodeSubject.VOUCHER, store_id)  # committed with the refusal
        if voucher is None:
            raise code_attempts.wrong_try(ctx, failure, store_id=store_id)
        error = _refusal(VoucherRefusal.OTHER_STORE, "the voucher is for another store")
        error.keep_changes = True
        raise error
    refusal = _refused(voucher, effective_status(voucher, ctx.now), store.timezone)
    if refusal is not None:
        refusal.keep_changes = rekeyed  # the re-keyed hash commits with the refusal
        raise refusal
    redeemed = msgspec.structs.replace(
        voucher, status=VoucherStatus.REDEEMED, redeemed_at=ctx.now, redeemed_by=ctx.caller.user_id
    )
    saved = _save(ctx, voucher, redeemed)
    ctx.record("voucher", voucher.id, "redeem")
    return _shown(saved, ctx)
