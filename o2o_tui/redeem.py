"""One field for any code at the counter (核销): a takeout pickup code hands that order over, anything else is tried
as a voucher code. Shared by `o2o redeem` and the console's `v` field; no Textual here.

The code is classified against this device's cached orders: an open takeout or dine-in order of the store whose
pickup code it is gets `order.handoff` (exactly what `h` on that order queues); no match, and the code is
`voucher.redeem` at the store. Both go through the outbox, so they are queued offline and replay exactly once; a
voucher cannot be checked offline (the platform alone knows its codes), which is said plainly.

What a redeemed voucher was (its title and value) is the platform's answer to the redemption; the outbox keeps
no answers, so `voucher_answer` asks again with the entry's own Idempotency-Key and body: the platform answers
the first result again (the contract of every mutating call) and changes nothing.

A code scanned again while its first scan still waits in the outbox (offline) is not queued twice (`queued_before`):
the second would come back as "redeemed before, at 12:03", this very counter's own redemption, read as fraud.
`o2o redeem` sends that first scan then, under its own key, and reports its answer (the first answer again when a
timed-out try was applied after all).
A voucher `o2o redeem` queued without hearing the answer (offline, or the answer lost) is remembered by the hash
of its code and its entry's key (`remember_voucher_key`, for the platform's retention of keys). Once the entry
has left the outbox (confirmed: the sync service replayed it), a scan again asks the platform under that key
first, and a REDEEMED answer is this counter's own redemption standing (`redeemed_here_text`), not the "redeemed
before" a second redemption under a new key is refused with. Once an answer is heard the code is forgotten: a
voucher shown again after that is the platform's to judge, as right after a redemption heard at once.
Codes are read as typed by a Chinese input method too (full-width "１２３４", NFKC: `typed_code`).
A pickup code of a takeout this store handed over a moment ago (`handed_over_before`: a script's retry after a
timeout, the customer showing the code twice) is said as done, and nothing is sent: as a voucher it would be a
wrong code, counted toward the store's lock.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import msgspec

from o2o_tui.client.actions import encode_body
from o2o_tui.domain.clock import stored_clock
from o2o_tui.domain.money import format_money
from o2o_tui.domain.order import ENDED_STATUSES, Order, OrderStatus, OrderType
from o2o_tui.domain.requests import CodeBody
from o2o_tui.domain.transitions import OrderAction, applies_to_type
from o2o_tui.domain.voucher import Voucher, VoucherStatus, normalize_code
from o2o_tui.i18n import t
from o2o_tui.typed_text import ascii_typed

VOUCHER_ACTION = "voucher.redeem"
HANDOFF_ACTION = "order.handoff"
# how long a handed-over order's pickup code still names it at the counter: long enough for any retry, short
# enough that a code the platform has since freed and given to another order is not read as the old one
HANDED_OVER_WINDOW = timedelta(hours=1)
_HANDED_OVER = (OrderStatus.DELIVERED, OrderStatus.CONCLUDED)


# this counter's voucher redemptions (the hash of the code -> the entry's key and when): kept as long as the
# platform answers a key again (a week at least), and at most this many
VOUCHER_KEYS_META = "redeem.voucher_keys"
VOUCHER_KEYS_KEPT = timedelta(days=7)
VOUCHER_KEYS_MAX = 500


def typed_code(code: str) -> str:
    """A code as typed, as the platform reads it: full-width digits and letters an input method types as ASCII
    (NFKC, as the console's fields read them: `typed_text.ascii_typed`), without spaces and dashes."""
    return normalize_code(ascii_typed(code))


class CodeKind(enum.StrEnum):
    PICKUP = "pickup"  # an order's pickup code: hand the order over
    VOUCHER = "voucher"  # anything else: redeem a voucher


class Redemption(msgspec.Struct, frozen=True):
    """What a code means here: the outbox intent to queue and, for a pickup code, the order."""

    kind: CodeKind
    code: str
    action: str
    target: str  # the order id (handoff) or the store id (voucher)
    order_id: str | None = None
    number: str | None = None  # the order's "#0042"
    status: str | None = None  # the order's status and type as cached (a pickup code)
    order_type: str | None = None

    def body(self) -> CodeBody:
        return CodeBody(code=self.code)


class QueuedBefore(msgspec.Struct, frozen=True):
    """An earlier scan of the same code, still in the outbox waiting for the platform's answer."""

    kind: CodeKind
    key: str
    occurred_at: str  # when it was scanned (ISO 8601 UTC)
    number: str | None = None  # the order's "#0042" (a pickup code)
    target: str = ""  # the entry's: the order id (handoff) or the store id (voucher)
    code: str = ""

    def redemption(self) -> Redemption:
        """The earlier scan as a redemption, to report its answer as a fresh scan's."""
        if self.kind is CodeKind.VOUCHER:
            return Redemption(CodeKind.VOUCHER, self.code, VOUCHER_ACTION, self.target)
        return Redemption(
            CodeKind.PICKUP, self.code, HANDOFF_ACTION, self.target, order_id=self.target, number=self.number
        )


def _queued_code(body: str) -> str | None:
    try:
        decoded = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return None
    code = decoded.get("code") if isinstance(decoded, dict) else None
    return typed_code(code) if isinstance(code, str) else None


def queued_before(
    code: str, store_id: str, pending: Iterable[Any], orders: Iterable[Order]
) -> QueuedBefore | None:
    """The same code already queued at this store and not answered yet: a voucher redeem at the store, or the
    handoff of one of its orders with this pickup code. `pending`: the outbox's pending entries (any process's)."""
    typed = typed_code(code)
    store_orders = {order.id: order for order in orders if order.store_id == store_id}
    for entry in pending:
        if entry.action == VOUCHER_ACTION and entry.target == store_id:
            kind, number = CodeKind.VOUCHER, None
        elif entry.action == HANDOFF_ACTION and entry.target in store_orders:
            kind, number = CodeKind.PICKUP, store_orders[entry.target].display_number
        else:
            continue
        if _queued_code(entry.body) == typed:
            return QueuedBefore(kind, entry.key, entry.occurred_at, number=number, target=entry.target, code=typed)
    return None


def queued_before_text(found: QueuedBefore, timezone: str | None, *, not_storing: bool = False) -> str:
    """What a code scanned again while its first scan waits says; `not_storing`: the platform answers but cannot
    store changes now (NOT SAVING), so a voucher is checked once it can save again, not "when online"."""
    at = stored_clock(found.occurred_at, timezone)
    if found.kind is CodeKind.VOUCHER:
        if not_storing:
            return t("voucher.result.queued_before_voucher_not_storing", at=at)
        return t("voucher.result.queued_before_voucher", at=at)
    return t("voucher.result.queued_before_pickup", number=found.number or "?", at=at)


def classify(code: str, orders: Iterable[Order], store_id: str) -> Redemption:
    """A pickup code of an open order of the store that is handed over at the counter, else a voucher code."""
    typed = typed_code(code)
    for order in orders:
        if (
            order.pickup_code
            and order.store_id == store_id
            and order.status not in ENDED_STATUSES
            and applies_to_type(OrderAction.HANDOFF, order.type)
            and order.pickup_code == typed
        ):
            return Redemption(
                CodeKind.PICKUP,
                typed,
                HANDOFF_ACTION,
                order.id,
                order_id=order.id,
                number=order.display_number,
                status=order.status.value,
                order_type=order.type.value,
            )
    return Redemption(CodeKind.VOUCHER, typed, VOUCHER_ACTION, store_id)


def handed_over_before(code: str, orders: Iterable[Order], store_id: str, now: datetime) -> Order | None:
    """The store's takeout or dine-in order with this pickup code that was handed over within
    `HANDED_OVER_WINDOW` before `now` (the latest, should two be), or None. Asked only once no open order has
    the code (`classify`): an open order's code is that order's."""
    typed = typed_code(code)
    found: Order | None = None
    for order in orders:
        if (
            order.store_id == store_id
            and order.status in _HANDED_OVER
            and order.pickup_code == typed
            and applies_to_type(OrderAction.HANDOFF, order.type)
            and order.ended_at is not None
            and now - order.ended_at <= HANDED_OVER_WINDOW  # a platform clock ahead of ours: still recent
            and (found is None or found.ended_at is None or order.ended_at > found.ended_at)
        ):
            found = order
    return found


def handed_over_before_text(order: Order, timezone: str | None) -> str:
    return t(
        "voucher.result.handed_over_before",
        number=order.display_number,
        at=stored_clock(order.ended_at, timezone),
    )


def not_ready_text(redemption: Redemption) -> str | None:
    """Why a pickup code cannot hand its order over yet, with the fix (None when it can, or for a voucher): an
    order the cache knows is not ready is refused here, before anything is queued, rather than by the platform
    later as a conflict."""
    if redemption.kind is not CodeKind.PICKUP or redemption.status is None or redemption.order_type is None:
        return None
    from o2o_tui.sync.explain import too_early

    status, order_type = OrderStatus(redemption.status), OrderType(redemption.order_type)
    return too_early(OrderAction.HANDOFF, status, order_type, redemption.number or "?")


async def voucher_answer(client: Any, redemption: Redemption, key: str) -> Voucher | None:
    """The platform's first answer to this redemption (asked again under the same key; changes nothing), or None
    when it cannot be had now (the link dropped meanwhile)."""
    from o2o_tui.client.errors import PlatformError

    try:
        answer = await client.send(
            redemption.action, redemption.target, encode_body(redemption.action, redemption.body()), key=key
        )
    except PlatformError:
        return None
    return answer if isinstance(answer, Voucher) else None


def _code_hash(code: str) -> str:
    return hashlib.sha256(typed_code(code).encode()).hexdigest()


def remember_voucher_key(cache: Any, code: str, key: str, now: datetime) -> None:
    """Remember that this counter queued the voucher `code` under the outbox entry `key` and has not heard the
    answer: once the entry has left the outbox (another process sent it), a scan again asks the platform under
    that key (`remembered_voucher_key`). Only the code's hash is kept; the oldest go past `VOUCHER_KEYS_KEPT` or
    `VOUCHER_KEYS_MAX`."""
    kept = _kept_keys(cache, now)
    kept[_code_hash(code)] = {"key": key, "at": now.isoformat()}
    newest = sorted(kept.items(), key=lambda item: str(item[1]["at"]), reverse=True)[:VOUCHER_KEYS_MAX]
    cache.meta_set(VOUCHER_KEYS_META, dict(newest))


def forget_voucher_key(cache: Any, code: str, now: datetime) -> None:
    """This counter heard the platform's answer for `code`: a scan again is the platform's to judge (a voucher
    shown twice is "redeemed before", as right after a redemption heard at once)."""
    kept = _kept_keys(cache, now)
    if kept.pop(_code_hash(code), None) is not None:
        cache.meta_set(VOUCHER_KEYS_META, kept)


def remembered_voucher_key(cache: Any, code: str, now: datetime) -> str | None:
    """The outbox key under which this counter redeemed (or queued) the voucher `code` before, or None."""
    found = _kept_keys(cache, now).get(_code_hash(code))
    return str(found["key"]) if found is not None else None


def _kept_keys(cache: Any, now: datetime) -> dict[str, dict[str, str]]:
    stored = cache.meta_get(VOUCHER_KEYS_META, {})
    kept: dict[str, dict[str, str]] = {}
    for hashed, found in (stored if isinstance(stored, dict) else {}).items():
        try:
            at = datetime.fromisoformat(str(found["at"]))
            fresh = now - at <= VOUCHER_KEYS_KEPT and isinstance(found["key"], str)
        except (KeyError, TypeError, ValueError):  # a shape this version does not know: forgotten
            continue
        if fresh:
            kept[str(hashed)] = {"key": found["key"], "at": found["at"]}
    return kept


def redeemed_here(voucher: Voucher | None, redemption: Redemption, since: datetime) -> bool:
    """Whether the platform's answer under this counter's earlier key is that redemption standing: the voucher
    REDEEMED at this store before `since` (the scan now). A redemption at `since` or later is this very scan's
    (the platform no longer knew the key and redeemed it now)."""
    return (
        voucher is not None
        and voucher.status is VoucherStatus.REDEEMED
        and voucher.store_id == redemption.target
        and voucher.redeemed_at is not None
        and voucher.redeemed_at < since
    )


def redeemed_here_text(voucher: Voucher, timezone: str | None) -> str:
    """ "ALREADY REDEEMED HERE at 12:03 ¥38.00 Set meal for 2": this counter's own redemption (the title is
    untrusted: callers show it as plain text)."""
    return t(
        "voucher.result.redeemed_here_before",
        at=stored_clock(voucher.redeemed_at, timezone),
        value=format_money(voucher.value),
        title=voucher.title,
    )


def redeemed_text(voucher: Voucher | None) -> str:
    """ "REDEEMED ¥38.00 Set meal for 2" (the title is untrusted: callers show it as plain text)."""
    if voucher is None:
        return t("voucher.result.redeemed_unknown")
    return t("voucher.result.redeemed", value=format_money(voucher.value), title=voucher.title)


def handed_over_text(number: str) -> str:
    return t("voucher.result.handed_over", number=number)


def queued_text(redemption: Redemption) -> str:
    if redemption.kind is CodeKind.VOUCHER:
        return t("voucher.result.queued_voucher")
    return t("voucher.result.queued_pickup", number=redemption.number or "?")


def refusal_text(reason: dict[str, Any]) -> str:
    """A refused redemption in a few large words: "ALREADY REDEEMED at 12:03", "EXPIRED", ..."""
    code = str(reason.get("code") or "")
    if code == "voucher_redeemed":
        return t("voucher.refused.redeemed", at=stored_clock(reason.get("at"), reason.get("timezone")))
    if code == "voucher_expired":
        return t("voucher.refused.expired")
    if code == "voucher_other_store":
        return t("voucher.refused.other_store")
    if code == "voucher_not_active":
        return t("voucher.refused.not_active")
    if code == "wrong_code" and not reason.get("locked_until"):
        return t("voucher.refused.unknown")
    if code in ("code_locked", "wrong_code"):  # locked, or this wrong code locked the store's codes
        return t("voucher.refused.locked", until=stored_clock(reason.get("locked_until"), reason.get("timezone")))
    return t("voucher.refused.other", message=str(reason.get("message") or code))
