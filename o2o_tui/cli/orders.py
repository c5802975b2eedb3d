"""`o2o orders`: list and show from the offline cache; accept, reject, preparing, ready, handoff, cancel and
answering cancellation requests through the outbox (pushed at once, queued when offline).

Kept light: the read commands import only the cache and the read model (no engine, no Textual).
"""

from __future__ import annotations

from typing import Any

import typer

from o2o_tui.cli.common import JsonOption, ProfileOption, handle_errors
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import emit_json, fail, say
from o2o_tui.cli.sync import OnlineOption, cache_errors, cli_cache, report_outcome
from o2o_tui.i18n import t

IdArgument = typer.Argument(..., help=t("orders.arg.id"))


def _summary(view: Any) -> str:
    from o2o_tui.domain.money import format_money
    from o2o_tui.safe_text import safe_text

    order = view.order
    line = t(
        "orders.row",
        number=order.display_number,
        status=t("orders.status." + str(order.status).lower()),
        type=t("orders.type." + str(order.type).lower()),
        total=format_money(order.totals.total),
        customer=safe_text(order.customer.name, one_line=True),
    )
    if order.cancellation is not None:
        line += "  " + t("orders.cancellation_requested")
    if view.is_pending:
        line += "  " + t("orders.pending", actions=", ".join(view.pending))
    return line


def _not_for_couriers(profile: Any) -> None:
    """A courier sees deliveries, not the store's orders: say so instead of an empty list or "not found"."""
    if profile.role == "courier":
        raise fail(t("orders.error.courier", profile=profile.name), Exit.USAGE)


def _lookup(cache: Any, reference: str) -> Any:
    """The order's view, or None; an ambiguous id prefix is a usage error."""
    from o2o_tui.sync.read_model import AmbiguousReference, ReadModel

    try:
        return ReadModel(cache).order(reference)
    except AmbiguousReference as error:
        message = t("orders.error.ambiguous", ref=reference, count=len(error.candidates))
        raise fail(message, Exit.USAGE) from None


def _find(cache: Any, reference: str) -> Any:
    view = _lookup(cache, reference)
    if view is None:
        raise fail(t("orders.error.not_found", ref=reference), Exit.NOT_FOUND)
    return view


def _show_lines(view: Any, zone: Any) -> list[str]:
    """The order for a person; times in the store's time zone."""
    from o2o_tui.domain.money import format_money
    from o2o_tui.safe_text import safe_text

    order = view.order
    lines = [_summary(view), t("orders.show.id", id=order.id)]
    lines.append(t("orders.show.created", at=order.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")))
    for line in order.lines:
        lines.append(
            t(
                "orders.show.line",
                qty=line.quantity,
                name=safe_text(line.name, one_line=True),
                price=format_money(line.total or line.unit_price.times(line.quantity)),
            )
        )
        if line.note:
            lines.append("    " + safe_text(line.note, one_line=True))
    if order.note:
        lines.append(t("orders.show.note", note=safe_text(order.note, one_line=True)))
    lines.append(t("orders.show.phone", phone=safe_text(order.customer.phone, one_line=True)))
    if order.customer.address is not None:
        lines.append(t("orders.show.address", address=safe_text(order.customer.address.text, one_line=True)))
    if order.promised_ready_at is not None:
        lines.append(t("orders.show.promised", at=order.promised_ready_at.astimezone(zone).strftime("%H:%M")))
    return lines


def _store_zone(cache: Any) -> Any:
    from datetime import UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from o2o_tui.sync.read_model import ReadModel

    store = ReadModel(cache).store()
    try:
        return ZoneInfo(store.timezone) if store is not None else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _write_rows(rows: list[dict[str, Any]]) -> None:
    """Order rows as one JSON document. Written directly rather than through `emit_json`, whose secret scrub
    walks every nested dict (0.35 s for 5,000 orders): order documents have no secret-bearing field."""
    import sys

    import msgspec

    sys.stdout.buffer.write(msgspec.json.encode(rows) + b"\n")
    sys.stdout.flush()


def _act(
    profile_name: str | None,
    reference: str,
    action: str,
    body_factory: Any,
    *,
    online: bool,
    as_json: bool,
    done_key: str,
) -> None:
    import asyncio

    from o2o_tui.sync.perform import Outcome, perform, refresh
    from o2o_tui.sync.read_model import ReadModel

    with handle_errors(), cache_errors(), cli_cache(profile_name) as (profile, cache):
        _not_for_couriers(profile)
        if (
            _lookup(cache, reference) is None
        ):  # not cached yet (a fresh profile, a brand-new order): pull first
            asyncio.run(refresh(profile, cache))
        view = _find(cache, reference)
        body = body_factory(cache)
        result = asyncio.run(perform(profile, cache, action, view.order.id, body, online=online))
        after = ReadModel(cache).order(view.order.id)
    shown = after or view
    extra = {"order": shown.to_json()} if as_json else None
    message = t(done_key, number=shown.order.display_number, status=str(shown.order.status))
    if result.outcome is Outcome.REJECTED and not as_json:
        say(_summary(shown))
    report_outcome(result, as_json=as_json, online=online, done_message=message, extra=extra)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    orders = typer.Typer(help=t("orders.help"), no_args_is_help=True)
    cancellation = typer.Typer(help=t("orders.cancellation.help"), no_args_is_help=True)
    app.add_typer(orders, name="orders")
    orders.add_typer(cancellation, name="cancellation")

    @orders.command("list", help=t("orders.list.help"))
    def list_orders(
        status: str | None = typer.Option(None, "--status", help=t("orders.option.status")),
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        from o2o_tui.sync.read_model import ReadModel

        wanted = status.strip().upper() if status else None
        with handle_errors(), cache_errors(), cli_cache(profile, read_only=True) as (chosen, cache):
            _not_for_couriers(chosen)
            if as_json:
                _write_rows(ReadModel(cache).order_rows(wanted))
                return
            views = ReadModel(cache).orders(wanted)
        if not views:
            say(t("orders.list.empty"))
        for view in views:
            say(_summary(view))

    @orders.command("show", help=t("orders.show.help"))
    def show(
        order_id: str = IdArgument, profile: str | None = ProfileOption, as_json: bool = JsonOption
    ) -> None:

        with handle_errors(), cache_errors(), cli_cache(profile, read_only=True) as (chosen, cache):
            _not_for_couriers(chosen)
            view = _find(cache, order_id)
            zone = _store_zone(cache)
        if as_json:
            emit_json(view.to_json())
            return
        for line in _show_lines(view, zone):
            say(line)

    @orders.command("accept", help=t("orders.accept.help"))
    def accept(
        order_id: str = IdArgument,
        prep: int | None = typer.Option(None, "--prep", min=1, max=600, help=t("orders.option.prep")),
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        from o2o_tui.domain.requests import ConfirmBody
        from o2o_tui.sync.read_model import ReadModel

        def body(cache: Any) -> ConfirmBody:
            minutes = prep
            if minutes is None:
                store = ReadModel(cache).store()
                minutes = store.default_prep_minutes if store is not None else 15
            return ConfirmBody(preparation_minutes=minutes)

        _act(
            profile,
            order_id,
            "order.confirm",
            body,
            online=online,
            as_json=as_json,
            done_key="orders.done.accept",
        )

    def with_reason(name: str, action: str) -> None:
        @orders.command(name, help=t(f"orders.{name}.help"))
        def command(
            order_id: str = IdArgument,
            reason: str = typer.Option(..., "--reason", help=t("orders.option.reason")),
            online: bool = OnlineOption,
            profile: str | None = ProfileOption,
            as_json: bool = JsonOption,
        ) -> None:
            from o2o_tui.domain.requests import ReasonBody

            _act(
                profile,
                order_id,
                action,
                lambda _: ReasonBody(reason_code=reason),
                online=online,
                as_json=as_json,
                done_key=f"orders.done.{name}",
            )

    with_reason("reject", "order.reject")
    with_reason("cancel", "order.cancel")

    def simple(name: str, action: str) -> None:
        @orders.command(name, help=t(f"orders.{name}.help"))
        def command(
            order_id: str = IdArgument,
            online: bool = OnlineOption,
            profile: str | None = ProfileOption,
            as_json: bool = JsonOption,
        ) -> None:
            from o2o_tui.domain.requests import EmptyBody

            _act(
                profile,
                order_id,
                action,
                lambda _: EmptyBody(),
                online=online,
                as_json=as_json,
                done_key=f"orders.done.{name}",
            )

    simple("preparing", "order.preparing")
    simple("ready", "order.ready")

    @orders.command("handoff", help=t("orders.handoff.help"))
    def handoff(
        order_id: str = IdArgument,
        code: str = typer.Option(..., "--code", help=t("orders.option.code")),
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        from o2o_tui.domain.requests import CodeBody

        _act(
            profile,
            order_id,
            "order.handoff",
            lambda _: CodeBody(code=code.strip()),
            online=online,
            as_json=as_json,
            done_key="orders.done.handoff",
        )

    @cancellation.command("accept", help=t("orders.cancellation.accept.help"))
    def cancellation_accept(
        order_id: str = IdArgument,
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        from o2o_tui.domain.requests import EmptyBody

        _act(
            profile,
            order_id,
            "order.cancellation.accept",
            lambda _: EmptyBody(),
            online=online,
            as_json=as_json,
            done_key="orders.done.cancellation_accept",
        )

    @cancellation.command("deny", help=t("orders.cancellation.deny.help"))
    def cancellation_deny(
        order_id: str = IdArgument,
        reason: str = typer.Option("MERCHANT_DENIED", "--reason", help=t("orders.option.reason")),
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        from o2o_tui.domain.requests import ReasonBody

        _act(
            profile,
            order_id,
            "order.cancellation.deny",
            lambda _: ReasonBody(reason_code=reason),
            online=online,
            as_json=as_json,
            done_key="orders.done.cancellation_deny",
        )
