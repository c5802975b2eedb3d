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
JsonOption = Annotated[bool, typer.Option("--json", help=t("admin.option.json"))]


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


def _admin_ctx(conn: Any) -> Any:
    from o2o_tui.domain.identity import Role
    from o2o_tui.platform.auth import Caller
    from o2o_tui.platform.context import Ctx
    from o2o_tui.platform.db import utcnow

    return Ctx(conn=conn, caller=Caller(user_id="o2o-admin", name="o2o admin", role=Role.ADMIN), now=utcnow())


def _row(voucher: Any) -> dict[str, Any]:
    from o2o_tui.domain.money import format_money

    return {
        "id": voucher.id,
        "status": voucher.status.value,
        "title": voucher.title,
        "value": format_money(voucher.value),
        "expires": voucher.expires_at.isoformat(timespec="minutes"),
        "tail": voucher.code_tail or "-",
    }


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
    from o2o_tui.cli.admin import _open
    from o2o_tui.domain.money import minor_digits
    from o2o_tui.domain.voucher import VoucherCreateBody
    from o2o_tui.platform import stores, vouchers
    from o2o_tui.platform.errors import ApiError

    engine = _open(db)
    try:
        with engine.begin() as conn:
            found = stores.load(conn, store)
            if found is None:
                raise fail(t("voucher.admin.no_store", store=store), Exit.NOT_FOUND)
            ctx = _admin_ctx(conn)
            try:
                amount = parse_value(value, minor_digits(found.currency))
                expires_at = parse_expiry(expires, ZoneInfo(found.timezone), ctx.now)
            except ValueError as error:
                raise fail(t("voucher.admin.bad_value", value=str(error)), Exit.USAGE) from None
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
        emit_json({"vouchers": [msgspec.to_builtins(v) for v in made]})
        return
    first = _row(made[0])
    say(
        t(
            "voucher.admin.created",
            count=str(len(made)),
            title=title,
            value=first["value"],
            expires=first["expires"],
        )
    )
    say(t("voucher.admin.created_ids", first=made[0].id, last=made[-1].id))


@voucher_app.command("list", help=t("voucher.admin.list.help"))
def list_(store: StoreOption, db: DbOption = None, as_json: JsonOption = False) -> None:
    from o2o_tui.cli.admin import _open
    from o2o_tui.platform import vouchers

    engine = _open(db)
    try:
        with engine.connect() as conn:
            found = vouchers.list_vouchers(_admin_ctx(conn), store_id=store, for_sale=False)
    finally:
        engine.dispose()
    if as_json:
        emit_json({"vouchers": [msgspec.to_builtins(v) for v in found]})
        return
    if not found:
        say(t("voucher.admin.empty", store=store))
        return
    for voucher in found:
        say(t("voucher.admin.row", **_row(voucher)))
