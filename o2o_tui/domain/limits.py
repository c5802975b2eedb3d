"""Bounds and code lists that the server, the CLI and the console must agree on, stated once.

- the preparation time a merchant may promise when accepting an order (`ConfirmBody.preparation_minutes`);
- the reason codes a merchant may give when rejecting a new order (`ReasonBody.reason_code` of `reject`);
- the reason code a merchant's "deny" of a customer's cancellation request carries;
- the bounds of every request body (text lengths, list lengths, quantities, positions, client-chosen ids, times).
  The request types in `o2o_tui.domain.requests` carry them as `msgspec.Meta` constraints (the aliases below), so
  the server refuses a body that breaks one with a 422 naming the field, and the OpenAPI states them too;
  docs/api.md ("Limits") lists them. Answers carry no bounds: rows stored before a bound existed stay readable.
"""

from __future__ import annotations

import enum
import types
import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Union, get_args, get_origin

import msgspec
from msgspec import Meta

# --- request bounds ----------------------------------------------------------------------------------------------

ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$"  # every id a client chooses or names in a body (not path ids on reads)
NAME_MAX = 100  # a customer's name; menu category, item, option group and option names
PHONE_MAX = 32
ADDRESS_MAX = 300  # an address's text
NOTE_MAX = 500  # an order's note, a courier's problem note, a customer's cancellation reason
LINE_NOTE_MAX = 200  # the note on one order line
STATUS_REASON_MAX = 200  # why a store pauses
DESCRIPTION_MAX = 1000  # a menu item's description
REASON_CODE_MAX = 64
CODE_MAX = 32  # a pickup, delivery or voucher code as typed or scanned
CURRENCY_PATTERN = "^[A-Z]{3}$"
LINES_MAX = 100  # lines of one order
QUANTITY_MAX = 99  # of one line; also an option's max_qty and an option group's max
OPTION_IDS_MAX = 50  # options chosen on one line
PROBLEMS_MAX = 20  # problems a courier may report on one delivery (the next one is a 409 too_many_problems)
EXTRA_MINUTES_MAX = 240  # a busy store's extra minutes
PRICE_MAX = 100_000_000  # minor units of one menu price
MENU_CATEGORIES_MAX = 100
MENU_ITEMS_MAX = 500  # per category
MENU_OPTION_GROUPS_MAX = 200
MENU_OPTIONS_MAX = 100  # per option group
ITEM_OPTION_GROUPS_MAX = 20  # option groups one item offers
HOURS_RANGES_MAX = 4  # opening ranges on one day
HOURS_EXCEPTIONS_MAX = 366  # dated exceptions (holidays) a store keeps
AUTO_ACCEPT_CAP_MAX = 10_000  # auto-accepted orders per local day (0: no cap)
DEVICE_NAME_MAX = 64  # a console's device name (the printing station)
VOUCHER_TITLE_MAX = 100  # a voucher's title ("Set meal for 2")
VOUCHERS_PER_CREATE_MAX = 1000  # vouchers one admin create makes
VOUCHER_CODE_DIGITS = 12  # a voucher's code: digits only, typed or scanned at the counter
LAT_MAX = 90.0
LON_MAX = 180.0
# bytes of one request body: the platform answers a larger one 413 `too_large` (o2o_tui/platform/admission.py; a
# server may set another with O2O_MAX_BODY_BYTES), and a menu publish larger than this is refused before it is
# queued (o2o_tui/menu_service.check_publish_size): only a menu can grow this big within the bounds above
REQUEST_BODY_MAX = 4 * 1024 * 1024
# every time in a body, header or query: aware (with its UTC offset) and within these years
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)

Id = Annotated[str, Meta(pattern=ID_PATTERN, description="letters, digits, '_' and '-'; 1 to 64 of them")]
Name = Annotated[str, Meta(max_length=NAME_MAX)]
AddressText = Annotated[str, Meta(max_length=ADDRESS_MAX)]
Note = Annotated[str, Meta(max_length=NOTE_MAX)]
LineNote = Annotated[str, Meta(max_length=LINE_NOTE_MAX)]
StatusReason = Annotated[str, Meta(max_length=STATUS_REASON_MAX)]
Description = Annotated[str, Meta(max_length=DESCRIPTION_MAX)]
# a code, not prose (the prose goes in `reason`): it is printed bare in reports, CSVs and other devices' screens
REASON_CODE_PATTERN = r"^ *[A-Za-z0-9_.:-]+ *$"
ReasonCode = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=REASON_CODE_MAX,
        pattern=REASON_CODE_PATTERN,
        description="a code: letters, digits, '_', '-', '.', ':' (surrounding spaces ignored)",
    ),
]
# an order's customer: the counter calls the name and the courier the phone, so neither may be left empty
_NOT_BLANK = "not only spaces or invisible characters"
CustomerName = Annotated[str, Meta(min_length=1, max_length=NAME_MAX, description=_NOT_BLANK)]
CustomerPhone = Annotated[str, Meta(min_length=1, max_length=PHONE_MAX, description=_NOT_BLANK)]
Code = Annotated[str, Meta(max_length=CODE_MAX)]
Currency = Annotated[str, Meta(pattern=CURRENCY_PATTERN)]
ClockTime = Annotated[str, Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$", description="HH:MM, 00:00-24:00")]
IsoDate = Annotated[str, Meta(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description="YYYY-MM-DD")]
Quantity = Annotated[int, Meta(ge=1, le=QUANTITY_MAX)]
Latitude = Annotated[float, Meta(ge=-LAT_MAX, le=LAT_MAX)]
Longitude = Annotated[float, Meta(ge=-LON_MAX, le=LON_MAX)]
# aware is checked while decoding; the years (EARLIEST..LATEST) by the server, with `time_in_range`
AwareTime = Annotated[datetime, Meta(tz=True, description="ISO-8601 with its UTC offset, years 2000 to 2099")]


TIME_RANGE_MESSAGE = "a time with its UTC offset, from 2000-01-01 up to (not including) 2100-01-01 UTC"

# letters that draw nothing (Hangul fillers, the blank Braille pattern), though not spaces nor format characters
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def blank(text: str) -> bool:
    """Whether `text` shows nothing: only spaces (any Unicode space) and invisible characters: format characters
    (Cf: zero-width space and joiners, BOM, soft hyphen, bidi marks) and blank fillers. A name, phone or required
    note made of them is as empty as "   ": the counter would call a name nobody can read."""
    return all(
        char.isspace() or char in _INVISIBLE_LETTERS or unicodedata.category(char) == "Cf" for char in text
    )


def time_in_range(moment: datetime) -> bool:
    """True for an aware time in [EARLIEST, LATEST). Never raises: `9999-12-31T23:59:59-14:00` is simply out
    (comparing aware times does not convert them, so the calendar's edge cannot overflow here)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return False
    return EARLIEST <= moment < LATEST


def as_utc(moment: datetime) -> datetime:
    """`moment`, a naive one read as UTC: rows written by older servers may hold naive times, and comparing a
    naive time with an aware one raises."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def in_utc(moment: datetime, *, naive_too: bool = True) -> datetime:
    """`moment` as UTC (answered with `Z`): an aware time converted, a naive one read as UTC (as `as_utc`) unless
    `naive_too` is False. Never raises: a time the conversion would take off the calendar (year 1 or 9999 with an
    offset) is kept as given, for the range check that names it."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC) if naive_too else moment
    if moment.tzinfo is UTC:
        return moment
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return moment


def times_in_utc(entity: msgspec.Struct, *, naive_too: bool = True) -> None:
    """For `__post_init__`: every time field of `entity` set to UTC (`in_utc`), so what is stored and answered
    ends in `Z` whatever offset a request gave (`+08:00`) or an older database holds. Lenient: never raises."""
    for name in _time_fields(type(entity)):
        value = getattr(entity, name)
        if value is not None:
            moved = in_utc(value, naive_too=naive_too)
            if moved is not value:
                msgspec.structs.force_setattr(entity, name, moved)


def require_times_in_range(entity: msgspec.Struct) -> None:
    """For `__post_init__` of the entities answers carry (orders, stores, deliveries, ...): every time field within
    the years 2000-2099 (a naive one read as UTC, as `as_utc` does). Raises ValueError, which msgspec reports as a
    ValidationError naming the entity: an answer holding such a time is refused where it is decoded, like any other
    that does not fit its type, instead of breaking the first screen or command that shows it in the store's zone
    (converting year 9999 to UTC+8 overflows)."""
    for name in _time_fields(type(entity)):  # one pass: every decode of a stored order comes through here
        value = getattr(entity, name)
        if value is None:
            continue
        moved = in_utc(value)  # converted as `times_in_utc` does
        if moved is not value:
            msgspec.structs.force_setattr(entity, name, moved)
        if not EARLIEST <= moved < LATEST:
            raise ValueError(f"{name} is {value.isoformat()}, not {TIME_RANGE_MESSAGE}")


_TIME_FIELDS: dict[type, tuple[str, ...]] = {}  # per entity type: its fields typed `datetime` or `datetime | None`


def _time_fields(kind: type) -> tuple[str, ...]:
    names = _TIME_FIELDS.get(kind)
    if names is None:
        names = _TIME_FIELDS[kind] = tuple(
            field.name for field in msgspec.structs.fields(kind) if _holds_time(field.type)
        )
    return names


def _holds_time(annotation: object) -> bool:
    """`datetime`, `AwareTime` (Annotated), or either `| None`."""
    if annotation is datetime:
        return True
    if get_origin(annotation) is Annotated:
        return _holds_time(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_holds_time(arg) for arg in get_args(annotation) if arg is not type(None))
    return False


# --- merchant actions --------------------------------------------------------------------------------------------

PREP_MINUTES_MIN = 1
PREP_MINUTES_MAX = 240
# "need more time" after accepting (Uber Eats' Delay order, 美团's 延长出餐): one delay, and all of an order's delays
DELAY_MINUTES_MIN = 1
DELAY_MINUTES_MAX = 60
DELAY_TOTAL_MAX = 120
SCHEDULE_DAYS_MAX = 7  # how far ahead a customer may order for later (a scheduled order's window start)


class RejectReason(enum.StrEnum):
    """Why a merchant rejects a new order (the console's reject dialog, `o2o orders reject --reason`)."""

    OUT_OF_STOCK = "OUT_OF_STOCK"
    STORE_BUSY = "STORE_BUSY"
    CLOSING_SOON = "CLOSING_SOON"
    OTHER = "OTHER"


REJECT_REASONS: tuple[RejectReason, ...] = tuple(RejectReason)
DENY_REASON = "MERCHANT_DENIED"


def prep_minutes_ok(minutes: int) -> bool:
    return PREP_MINUTES_MIN <= minutes <= PREP_MINUTES_MAX


def reject_reason(text: str) -> RejectReason | None:
    """The reject reason `text` names (any case, `-` for `_`), or None."""
    wanted = text.strip().upper().replace("-", "_")
    return RejectReason.__members__.get(wanted)
