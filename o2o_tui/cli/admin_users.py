"""`o2o admin disable-user` / `enable-user` (offboarding) and what `revoke-token` does to a courier, written straight
into the server's database as the other `o2o admin` commands are (o2o_tui/platform/offboarding.py does the work)."""

from __future__ import annotations

from typing import Any

import typer

from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import emit_json, fail, say, warn
from o2o_tui.i18n import t


def row_key(row: Any) -> str:
    """The `o2o admin users` line for a user: revoked, disabled, both or neither."""
    if row.disabled:
        return "admin.users.row_revoked_disabled" if row.revoked else "admin.users.row_disabled"
    return "admin.users.row_revoked" if row.revoked else "admin.users.row"


def _change(user_id: str, db: str | None, work: Any) -> tuple[Any, dict[str, str]]:
    """Run `work(ctx)` in one writing transaction as `o2o admin`; 404 (no such user) is exit 6 in words. With the
    state, the day numbers of the orders a courier stood down gave back or keeps (`_order_labels`)."""
    from o2o_tui.cli.admin import _open, storage_refusals
    from o2o_tui.platform import offboarding
    from o2o_tui.platform.db import writing
    from o2o_tui.platform.errors import ApiError

    engine = _open(db)
    try:
        with storage_refusals(), writing(engine) as conn:  # the disk full, read-only: one line, exit 3
            state = work(offboarding.cli_ctx(conn))
            labels = _order_labels(conn, state)
    except ApiError as error:
        if error.status == 404:
            raise fail(t("admin.error.no_user", user=user_id), Exit.NOT_FOUND) from None
        if error.detail.code == "last_admin":  # nothing changed: the transaction rolled back
            raise fail(t("admin.error.last_admin", user=user_id), Exit.REJECTED, reason={"code": "last_admin"}) from None
        raise
    finally:
        engine.dispose()
    if state is None:
        raise fail(t("admin.error.no_user", user=user_id), Exit.NOT_FOUND)
    return state, labels


def _order_labels(conn: Any, state: Any) -> dict[str, str]:
    """Order id -> "#0042 (ord_5f3a9c2e…)" for the orders in `state`: a person finds the day number on the board,
    and the id's start tells two stores' #0042 apart (`--json` keeps the ids)."""
    from sqlalchemy import select

    from o2o_tui.platform import db

    fields = ("offers_returned", "orders_released", "orders_kept")
    ids = [order_id for field in fields for order_id in getattr(state, field, None) or []]
    if not ids:
        return {}
    rows = conn.execute(select(db.orders.c.id, db.orders.c.number).where(db.orders.c.id.in_(ids)))
    return {order_id: f"#{number:04d} ({order_id[:12]}{'…' if len(order_id) > 12 else ''})" for order_id, number in rows}


def _say_stood_down(state: Any, labels: dict[str, str]) -> None:
    """What taking the courier off duty gave back, in words, its orders by day number."""
    if state.courier_id is None:
        return

    def orders(order_ids: list[str]) -> str:
        return ", ".join(labels.get(order_id, order_id) for order_id in order_ids)

    say(t("admin.offboard.off_duty", courier_id=state.courier_id))
    if state.offers_returned:
        say(t("admin.offboard.offers_returned", orders=orders(state.offers_returned)))
    if state.orders_released:
        say(t("admin.offboard.orders_released", orders=orders(state.orders_released)))
    if state.orders_kept:
        say(t("admin.offboard.orders_kept", orders=orders(state.orders_kept)))


def revoke_token(user_id: str, db: str | None, as_json: bool) -> None:
    """`o2o admin revoke-token`: the token stops working; a courier user is taken off duty as a disabled one is."""
    from o2o_tui.cli.admin import with_database
    from o2o_tui.platform import auth, offboarding

    alone: list[bool] = []

    def revoke(ctx: Any) -> Any:
        state = offboarding.revoke_token(ctx, user_id)
        # not refused, as disabling it is: a leaked token must always be revocable (rotate-token gives a new one)
        admin = state is not None and state.role == "admin"
        alone.append(admin and not offboarding.other_admin_can_act(ctx.conn, user_id))
        return state

    state, labels = _change(user_id, db, revoke)
    if alone[0]:
        warn(t("admin.revoke.last_admin", user_id=user_id), "last_admin")
    if as_json:
        emit_json(with_database({"user_id": user_id, "revoked": True, **_stood_down_json(state)}))
        return
    say(t("admin.token_revoked", user_id=user_id, seconds=str(auth.CACHE_SECONDS)))
    _say_stood_down(state, labels)


def _stood_down_json(state: Any) -> dict[str, Any]:
    return {
        "courier_id": state.courier_id,
        "offers_returned": state.offers_returned,
        "orders_released": state.orders_released,
        "orders_kept": state.orders_kept,
    }


def _set_disabled(user_id: str, disabled: bool, db: str | None, as_json: bool) -> None:
    from o2o_tui.cli.admin import with_database
    from o2o_tui.platform import auth, offboarding

    state, labels = _change(user_id, db, lambda ctx: offboarding.set_user_disabled(ctx, user_id, disabled))
    if as_json:
        emit_json(with_database(state))
        return
    seconds = str(auth.CACHE_SECONDS)
    if disabled:
        say(t("admin.user_disabled" if state.changed else "admin.user_already_disabled", user_id=user_id, seconds=seconds))
        _say_stood_down(state, labels)
    else:
        say(t("admin.user_enabled" if state.changed else "admin.user_already_enabled", user_id=user_id, seconds=seconds))
        if state.courier_id is not None and state.changed:
            say(t("admin.offboard.enabled_courier", courier_id=state.courier_id))


def register(admin_app: typer.Typer, user_argument: Any, db_option: Any, json_option: Any) -> None:
    """Add `disable-user` and `enable-user` to `o2o admin`."""

    @admin_app.command("disable-user", help=t("admin.disable_user.help"))
    def disable_user(user_id: str = user_argument, db: str | None = db_option, as_json: bool = json_option) -> None:
        _set_disabled(user_id, True, db, as_json)

    @admin_app.command("enable-user", help=t("admin.enable_user.help"))
    def enable_user(user_id: str = user_argument, db: str | None = db_option, as_json: bool = json_option) -> None:
        _set_disabled(user_id, False, db, as_json)
