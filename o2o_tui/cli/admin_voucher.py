"""`o2o admin voucher create|list`: vouchers for sale at a store, written straight into the platform's database.

The codes are made when a customer buys a voucher (the customer API); the database keeps only their hash, so
`list` shows each voucher's last four digits, not its code.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import msgspec
import typer

from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import emit_json, fail, say
from o2o_tui.i18n import t

voucher_app = typer.Typer(name="voucher", help=t("voucher.admin.help"), no_args_is_help=True)

StoreOption = Annotated[str, typer.Option("--store", help=t("voucher.admin.option.store"))]
DbOption = Annotated[str | None, typer.Option("--db", envvar="O2O_DB", help=t("admin.option.db"))]
JsonOption = Annotated[bool, typer.Option("--json", help=t("voucher.admin.option.json"))]


def parse_value(text: str, digits: int) -> int:
    """ "38", "38.5", "38.00" in the store's currency -> minor units (3800); ValueError for anything else."""
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(text) from None
    minor = amount * (10**digits)
    if not amount.is_finite() or minor != minor.to_integral_value() or minor <= 0:
        raise ValueError(text)
    return int(minor)


def value_problem(text: str, currency: str) -> str:
    """The refusal of `--value text`, its examples in the currency's own minor units: "38 or 38.50" in CNY, "38"
    alone in JPY (no smaller unit), "38 or 38.500" in a currency of three decimals."""
    from o2o_tui.domain.money import minor_digits

    digits = minor_digits(currency)
    if digits == 0:
        return t("voucher.admin.error.value_whole", value=text, currency=currency, whole="38")
    fraction = "38." + "50".ljust(digits, "0")[:digits]
    return t("voucher.admin.error.value", value=text, currency=currency, whole="38", fraction=fraction)


def parse_expiry(text: str, zone: ZoneInfo, now: datetime) -> datetime:
    """ "30d" (days from now), "2027-01-31" (the end of that day at the store), or a time with its offset."""
    text = text.strip()
    if text.endswith("d") and text[:-1].isdigit():
        return now + timedelta(days=int(text[:-1]))
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d").date()
            return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(text) from None
    if moment.tzinfo is None:
        raise ValueError(text)
    return moment.astimezone(UTC)


def _zone(name: str) -> ZoneInfo:
    from o2o_tui.domain.clock import zone_named

    return zone_named(name) or ZoneInfo("UTC")


def _admin_ctx(conn: Any) -> Any:
    from o2o_tui.domain.identity import Role
    from o2o_tui.platform.auth import Caller
    from o2o_tui.platform.context import Ctx
    from o2o_tui.platform.db import utcnow

    return Ctx(conn=conn, caller=Caller(user_id="o2o-admin", name="o2o admin", role=Role.ADMIN), now=utcnow())


def _row(voucher: Any, zone: ZoneInfo) -> dict[str, Any]:
    """A voucher for a person: its expiry on the store's clock (as `--expires 2027-01-31` is read), the code's
    last digits once a customer has bought it."""
    from o2o_tui.domain.money import format_money
    from o2o_tui.safe_text import safe_text

    return {
        "id": voucher.id,
        "status": status_word(voucher.status.value),
        "title": safe_text(voucher.title, one_line=True),
        "value": format_money(voucher.value),
        "expires": f"{_store_time(voucher.expires_at, zone)} {zone.key}",
        "code": f"…{voucher.code_tail}" if voucher.code_tail else t("voucher.admin.no_code"),
    }


def status_word(status: str) -> str:
    """`FOR_SALE` -> "FOR SALE" / "在售" (a status this version does not know, as it came)."""
    key = f"voucher.admin.status.{status.lower()}"
    word = t(key)
    return status if word == key else word


def _store_time(moment: datetime, zone: ZoneInfo) -> str:
    """`moment` on the store's clock; a voucher valid to the end of a day reads "2027-01-31 24:00", the day
    `--expires 2027-01-31` named, not the next day's 00:00."""
    local = moment.astimezone(zone)
    if (local.hour, local.minute) == (0, 0):
        return f"{(local - timedelta(days=1)).strftime('%Y-%m-%d')} 24:00"
    return local.strftime("%Y-%m-%d %H:%M")


def _problem(title: str, count: int, expires_at: datetime, now: datetime) -> str | None:
    """What the platform would refuse in these options, said in the options' own terms."""
    from o2o_tui.domain.limits import VOUCHER_TITLE_MAX, VOUCHERS_PER_CREATE_MAX, blank

    if blank(title) or len(title) > VOUCHER_TITLE_MAX:
        return t("voucher.admin.error.title", limit=str(VOUCHER_TITLE_MAX))
    if count > VOUCHERS_PER_CREATE_MAX:
        return t("voucher.admin.error.count", limit=str(VOUCHERS_PER_CREATE_MAX))
    if expires_at <= now:
        return t("voucher.admin.error.expired")
    return None


@voucher_app.command("create", help=t("voucher.admin.create.help"))
def create(
    store: StoreOption,
    title: Annotated[str, typer.Option("--title", help=t("voucher.admin.option.title"))],
    value: Annotated[str, typer.Option("--value", help=t("voucher.admin.option.value"))],
    expires: Annotated[str, typer.Option("--expires", help=t("voucher.admin.option.expires"))],
    count: Annotated[int, typer.Option("--count", min=1, help=t("voucher.admin.option.count"))] = 1,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    from o2o_tui.cli.admin import _open, storage_refusals, with_database
    from o2o_tui.domain.money import minor_digits
    from o2o_tui.domain.voucher import VoucherCreateBody
    from o2o_tui.platform import stores, vouchers
    from o2o_tui.platform.db import writing
    from o2o_tui.platform.errors import ApiError

    engine = _open(db)
    try:
        with storage_refusals(), writing(engine) as conn:  # the disk full, read-only: one line, exit 3
            found = stores.load(conn, store)
            if found is None:
                raise fail(t("voucher.admin.no_store", store=store), Exit.NOT_FOUND)
            ctx = _admin_ctx(conn)
            zone = _zone(found.timezone)
            try:
                amount = parse_value(value, minor_digits(found.currency))
            except ValueError:
                raise fail(value_problem(value, found.currency), Exit.USAGE) from None
            try:
                expires_at = parse_expiry(expires, zone, ctx.now)
            except ValueError:
                raise fail(t("voucher.admin.error.expires", value=expires), Exit.USAGE) from None
            problem = _problem(title, count, expires_at, ctx.now)
            if problem:
                raise fail(problem, Exit.USAGE)
            raw = {
                "id": uuid.uuid4().hex[:16],
                "store_id": store,
                "title": title,
                "value": {"amount": amount, "currency": found.currency},
                "expires_at": expires_at.isoformat(),
                "count": count,
            }
            try:
                body = msgspec.convert(raw, VoucherCreateBody)
                made, _ = vouchers.create(ctx, body)
            except msgspec.ValidationError as error:
                raise fail(t("voucher.admin.bad_value", value=str(error)), Exit.USAGE) from None
            except ApiError as error:
                raise fail(t("voucher.admin.bad_value", value=error.detail.message), Exit.USAGE) from None
    finally:
        engine.dispose()
    if as_json:
        emit_json(with_database({"vouchers": [msgspec.to_builtins(v) for v in made]}))
        return
    first = _row(made[0], zone)
    say(
        t(
            "voucher.admin.created",
            count=str(len(made)),
            title=title,
            value=first["value"],
            expires=first["expires"],
        )
    )
    if len(made) == 1:
        say(t("voucher.admin.created_id", id=made[0].id))
    else:
        say(t("voucher.admin.created_ids", first=made[0].id, last=made[-1].id))


@voucher_app.command("list", help=t("voucher.admin.list.help"))
def list_(store: StoreOption, db: DbOption = None, as_json: JsonOption = False) -> None:
    from o2o_tui.cli.admin import _open, storage_refusals, with_database
    from o2o_tui.platform import stores, vouchers

    engine = _open(db, reading=True)
    try:
        with storage_refusals(reading=True), engine.connect() as conn:
            the_store = stores.load(conn, store)
            if the_store is None:  # a typo is not "no vouchers": exit 6, as `voucher create` says it
                raise fail(t("voucher.admin.no_store", store=store), Exit.NOT_FOUND)
            found = vouchers.list_vouchers(_admin_ctx(conn), store_id=store, for_sale=False)
    finally:
        engine.dispose()
    zone = _zone(the_store.timezone)
    if as_json:
        emit_json(with_database({"vouchers": [msgspec.to_builtins(v) for v in found]}))
        return
    if not found:
        say(t("voucher.admin.empty", store=store))
        return
    for voucher in found:
        say(t("voucher.admin.row", **_row(voucher, zone)))
