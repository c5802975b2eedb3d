"""Stored first answers of mutating requests, per user and `Idempotency-Key`, so a replay changes nothing.

Each stored answer names what it carries (schema 7): `entity` `order` or `delivery` and its id, so the
personal-data purge blanks the customer's name, phone, address and notes in the stored answers too when it blanks
the order or delivery (`blank_personal`); `voucher` for the answer to a purchase, whose code is stored sealed with
the server's secret (server_secret.py) and unsealed for the replay; `courier` for a courier's record (the answer to
a change of its state, by the courier or by an admin), so the purge that makes a courier forget a customer's door
(`blank_courier_position`) finds every stored answer that still puts it there, whoever's key it is under; "" for
anything else. Answers stored before schema 7 have none until `file_earlier_answers` (run at start) files them.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Connection, bindparam, delete, or_, select, update

from o2o_tui.domain.fleet import Courier, Delivery
from o2o_tui.domain.geo import Position
from o2o_tui.domain.identity import Role
from o2o_tui.domain.order import ENDED_STATUSES, Order
from o2o_tui.domain.transitions import DELIVERY_ENDED
from o2o_tui.domain.voucher import Voucher
from o2o_tui.platform import db, personal
from o2o_tui.platform.errors import validation
from o2o_tui.platform.server_secret import SealBroken, ServerSecret, is_sealed
from o2o_tui.platform.settings import IDEMPOTENCY_MIN_DAYS

log = logging.getLogger("o2o.platform.idempotency")

MAX_KEY_LENGTH = 200
ORDER = "order"
DELIVERY = "delivery"
VOUCHER = "voucher"
COURIER = "courier"  # no schema change: older answers with a courier's record are "" (blank_courier_position)
NOTHING = ""  # carries no order, delivery or voucher code
_BATCH = 500


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


def kept_days(setting: float) -> float:
    """The retention in force: never under the week a device may stay offline with its actions queued."""
    return max(setting, IDEMPOTENCY_MIN_DAYS)


_table = db.idempotency
_LOOKUP = select(_table.c.fingerprint, _table.c.status, _table.c.body, _table.c.entity).where(
    _table.c.user_id == bindparam("b_user"), _table.c.key == bindparam("b_key")
)
_INSERT = _table.insert()
_KEYED = (_table.c.user_id == bindparam("b_user"), _table.c.key == bindparam("b_key"))
_REWRITE = update(_table).where(*_KEYED).values(body=bindparam("body"))
_FILE = (
    update(_table)
    .where(*_KEYED)
    .values(body=bindparam("body"), entity=bindparam("entity"), entity_id=bindparam("entity_id"))
)
_encode = msgspec.json.Encoder().encode
_decode_order = msgspec.json.Decoder(Order).decode
_decode_delivery = msgspec.json.Decoder(Delivery).decode
_decode_voucher = msgspec.json.Decoder(Voucher).decode
_decode_courier = msgspec.json.Decoder(Courier).decode


def _context(user_id: str, key: str) -> str:
    """What a sealed code is bound to: its own stored answer (it cannot be moved to another row)."""
    return f"idempotency\x00{user_id}\x00{key}"


def lookup(conn: Connection, user_id: str, key: str, secret: ServerSecret) -> StoredAnswer | None:
    row = conn.execute(_LOOKUP, {"b_user": user_id, "b_key": key}).first()
    if row is None:
        return None
    body = bytes(row.body)
    if row.entity == VOUCHER:
        body = _unsealed(body, secret, _context(user_id, key))
    return StoredAnswer(row.fingerprint, row.status, body)


def _unsealed(body: bytes, secret: ServerSecret, context: str) -> bytes:
    voucher = _decode_voucher(body)
    if voucher.code is None or not is_sealed(voucher.code):
        return body
    try:
        code: str | None = secret.unseal(voucher.code, context)
    except SealBroken:  # open_checked refuses another secret at start: only an altered row gets here
        log.warning("a stored purchase answer's code does not unseal; replayed without it")
        code = None
    return _encode(msgspec.structs.replace(voucher, code=code))


def _filed(
    payload: object, body: bytes, secret: ServerSecret | None, context: str
) -> tuple[str, str | None, bytes]:
    """(entity, its id, the body to store) of an answer."""
    if isinstance(payload, Order):
        return ORDER, payload.id, body
    if isinstance(payload, Delivery):
        return DELIVERY, payload.id, body
    if isinstance(payload, Courier):
        return COURIER, payload.id, body
    if isinstance(payload, Voucher) and payload.code is not None:
        if secret is None:
            raise ValueError("a voucher code is stored only sealed: pass the server's secret")
        sealed = msgspec.structs.replace(payload, code=secret.seal(payload.code, context))
        return VOUCHER, payload.id, _encode(sealed)
    return NOTHING, None, body


def remember(
    conn: Connection,
    user_id: str,
    key: str,
    answer: StoredAnswer,
    now: datetime,
    *,
    payload: object = None,
    secret: ServerSecret | None = None,
) -> None:
    """Store the first answer; `payload` (what `answer.body` encodes) says what it carries, and a voucher's code
    is stored sealed with `secret`."""
    entity, entity_id, body = _filed(payload, answer.body, secret, _context(user_id, key))
    conn.execute(
        _INSERT,
        {
            "user_id": user_id,
            "key": key,
            "fingerprint": answer.fingerprint,
            "status": answer.status,
            "body": body,
            "created_at": db.iso(now),
            "entity": entity,
            "entity_id": entity_id,
        },
    )


def purge(conn: Connection, older_than: datetime) -> int:
    return conn.execute(
        delete(db.idempotency).where(db.idempotency.c.created_at < db.iso(older_than))
    ).rowcount


# --- the personal-data purge ----------------------------------------------------------------------------------------


def _blanked_order(body: bytes) -> bytes:
    return _encode(personal.without_personal_order(_decode_order(body)))


def _blanked_delivery(body: bytes) -> bytes:
    return _encode(personal.without_personal_delivery(_decode_delivery(body)))


_BLANKERS: dict[str, Callable[[bytes], bytes]] = {ORDER: _blanked_order, DELIVERY: _blanked_delivery}


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), _BATCH):
        yield ids[start : start + _BATCH]


def blank_personal(conn: Connection, entity: str, ids: Sequence[str]) -> int:
    """Blank the personal fields in the stored answers that carry these orders or deliveries (as the purge blanks
    the entities themselves): a replay answers the same shape, blanked. Answers how many it rewrote."""
    blank = _BLANKERS[entity]
    rewritten = 0
    for chunk in _chunks(ids):
        rows = conn.execute(
            select(_table.c.user_id, _table.c.key, _table.c.body).where(
                _table.c.entity == entity, _table.c.entity_id.in_(chunk)
            )
        ).all()
        for row in rows:
            body = bytes(row.body)
            blanked = blank(body)
            if blanked != body:
                conn.execute(_REWRITE, {"b_user": row.user_id, "b_key": row.key, "body": blanked})
                rewritten += 1
    return rewritten


def blank_courier_position(conn: Connection, courier_id: str, door: Position, since: datetime | None) -> int:
    """The stored answers since `since` whose body is the courier's record still at `door`, a place the purge
    made it forget (fleet.forget_door), answer without a position: those of its own state changes and of an
    admin's change of its state (under the admin's key). Answers how many it rewrote."""
    # answers stored before couriers' records were filed as `courier` are "": those of the users who may change
    # a courier's state (fleet.set_courier_state: the courier, an admin) are read to find them
    users = select(db.users.c.id).where(
        or_(db.users.c.courier_id == courier_id, db.users.c.role == Role.ADMIN.value)
    )
    query = select(_table.c.user_id, _table.c.key, _table.c.body).where(
        _table.c.status.in_((200, 201)),
        or_(
            (_table.c.entity == COURIER) & (_table.c.entity_id == courier_id),
            _table.c.user_id.in_(users) & or_(_table.c.entity == NOTHING, _table.c.entity.is_(None)),
        ),
    )
    if since is not None:
        query = query.where(_table.c.created_at >= db.iso(since))
    rewritten = 0
    for row in conn.execute(query).all():
        try:
            answer = _decode_courier(bytes(row.body))
        except (msgspec.ValidationError, msgspec.DecodeError):
            continue
        if answer.id == courier_id and answer.position == door:
            blanked = _encode(msgspec.structs.replace(answer, position=None))
            conn.execute(_REWRITE, {"b_user": row.user_id, "b_key": row.key, "body": blanked})
            rewritten += 1
    return rewritten


# --- answers stored before schema 7 ---------------------------------------------------------------------------------


def _classified(status: int, body: bytes) -> tuple[str, str | None, object]:
    """What an answer stored before schema 7 carries, read from its body (the payload's type is not stored)."""
    if status not in (200, 201):
        return NOTHING, None, None
    for entity, decode in ((ORDER, _decode_order), (DELIVERY, _decode_delivery), (VOUCHER, _decode_voucher)):
        try:
            payload = decode(body)
        except (msgspec.ValidationError, msgspec.DecodeError):
            continue
        return entity, getattr(payload, "id", None), payload
    return NOTHING, None, None


def _ended_before(conn: Connection, entity: str, ids: Sequence[str], moment: str) -> set[str]:
    """Which of these orders or deliveries ended before `moment` (the purge blanked them already)."""
    if not ids or not moment:
        return set()
    if entity == ORDER:
        orders = db.orders
        query = select(orders.c.id).where(
            orders.c.id.in_(ids),
            orders.c.status.in_([status.value for status in ENDED_STATUSES]),
            orders.c.ended_at < moment,
        )
    else:
        deliveries = db.deliveries
        query = select(deliveries.c.id).where(
            deliveries.c.id.in_(ids),
            deliveries.c.status.in_([status.value for status in DELIVERY_ENDED]),
            deliveries.c.updated_at < moment,
        )
    return set(conn.execute(query).scalars())


def _ids_of(found: list[tuple[Any, str, str | None, object]], entity: str) -> list[str]:
    return [entity_id for _, kind, entity_id, _ in found if kind == entity and entity_id]


def file_earlier_answers(conn: Connection, secret: ServerSecret, purged_through: str) -> int:
    """File the answers stored before schema 7 (entity still NULL): name what each carries, blank those whose
    order or delivery the purge blanked already (it ended before `purged_through`), and seal the voucher codes
    they hold. Runs at start, once: filed rows are not NULL any more. Answers how many it filed."""
    filed = 0
    while True:
        rows = conn.execute(
            select(_table.c.user_id, _table.c.key, _table.c.status, _table.c.body)
            .where(_table.c.entity.is_(None))
            .limit(_BATCH)
        ).all()
        if not rows:
            return filed
        found = [(row, *_classified(row.status, bytes(row.body))) for row in rows]
        purged = {
            entity: _ended_before(conn, entity, _ids_of(found, entity), purged_through)
            for entity in (ORDER, DELIVERY)
        }
        for row, entity, entity_id, payload in found:
            body = bytes(row.body)
            if entity in purged and entity_id in purged[entity]:
                body = _BLANKERS[entity](body)
            elif entity == VOUCHER:
                code = getattr(payload, "code", None)
                if code is None:
                    entity, entity_id = NOTHING, None
                elif not is_sealed(code):
                    _, _, body = _filed(payload, body, secret, _context(row.user_id, row.key))
            params = {"b_user": row.user_id, "b_key": row.key, "body": body, "entity": entity}
            conn.execute(_FILE, params | {"entity_id": entity_id})
            filed += 1
