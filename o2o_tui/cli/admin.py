"""`o2o admin`: stores, users and demo data, written straight into the server's database (runs before the server).

Tokens are printed once, here, and never again: the database keeps only their hash.
"""

from __future__ import annotations

from typing import Any

import typer

from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import emit_json, fail, say
from o2o_tui.i18n import t

DbOption = typer.Option(None, "--db", envvar="O2O_DB", help=t("admin.option.db"))
JsonOption = typer.Option(False, "--json", help=t("admin.option.json"))

admin_app = typer.Typer(name="admin", help=t("admin.help"), no_args_is_help=True)


def _open(db: str | None) -> Any:
    from o2o_tui.platform.db import SchemaTooNew, default_db_url, open_database

    try:
        return open_database(db or default_db_url())
    except SchemaTooNew as error:
        raise fail(t("server.schema_too_new", detail=str(error)), Exit.ERROR) from None
    except Exception as error:  # a bad URL or an unreachable database: say which, without a traceback
        raise fail(t("admin.error.database", detail=str(error).splitlines()[0]), Exit.ERROR) from None


NAME_MAX = 200  # the users.name column; PostgreSQL enforces it, SQLite would not


def _check_name(name: str) -> None:
    if len(name) > NAME_MAX:
        raise fail(t("admin.error.name_too_long", limit=str(NAME_MAX)), Exit.USAGE)


@admin_app.command("create-store", help=t("admin.create_store.help"))
def create_store(
    name: str = typer.Option(..., "--name", help=t("admin.option.name")),
    address: str = typer.Option("", "--address", help=t("admin.option.address")),
    lat: float | None = typer.Option(None, "--lat", help=t("admin.option.lat")),
    lon: float | None = typer.Option(None, "--lon", help=t("admin.option.lon")),
    currency: str = typer.Option("CNY", "--currency", help=t("admin.option.currency")),
    timezone: str = typer.Option("Asia/Shanghai", "--timezone", help=t("admin.option.timezone")),
    own_fleet: bool = typer.Option(True, "--own-fleet/--no-own-fleet", help=t("admin.option.own_fleet")),
    accept_timeout: int = typer.Option(300, "--accept-timeout", help=t("admin.option.accept_timeout")),
    demo_menu: bool = typer.Option(False, "--demo-menu", help=t("admin.option.demo_menu")),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from o2o_tui.domain.geo import Address, Position
    from o2o_tui.platform import seed

    _check_name(name)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(t("admin.error.timezone", timezone=timezone), Exit.USAGE) from None
    if (lat is None) != (lon is None):
        raise fail(t("admin.error.lat_lon"), Exit.USAGE)
    position = Position(lat=lat, lon=lon) if lat is not None and lon is not None else None
    menu = None
    if demo_menu:
        menu = seed.demo_menu()
        if currency != "CNY":
            raise fail(t("admin.error.demo_menu_currency"), Exit.USAGE)
    engine = _open(db)
    try:
        with engine.begin() as conn:
            store = seed.create_store(
                conn,
                name=name,
                address=Address(text=address, position=position),
                currency=currency.upper(),
                timezone=timezone,
                own_fleet=own_fleet,
                accept_timeout_seconds=accept_timeout,
                menu=menu,
            )
    finally:
        engine.dispose()
    if as_json:
        emit_json({"store_id": store.id, "name": store.name})
    else:
        say(t("admin.store_created", store_id=store.id, name=store.name))


@admin_app.command("create-user", help=t("admin.create_user.help"))
def create_user(
    role: str = typer.Option(..., "--role", help=t("admin.option.role")),
    name: str = typer.Option("", "--name", help=t("admin.option.user_name")),
    store: str | None = typer.Option(None, "--store", help=t("admin.option.store")),
    courier: str | None = typer.Option(None, "--courier", help=t("admin.option.courier")),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    from o2o_tui.domain.identity import Role
    from o2o_tui.platform import seed

    _check_name(name)
    try:
        chosen = Role(role.lower())
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise fail(t("admin.error.role", role=role, roles=roles), Exit.USAGE) from None
    engine = _open(db)
    try:
        with engine.begin() as conn:
            user = seed.create_user(
                conn, role=chosen, name=name or chosen.value, store_id=store, courier_id=courier
            )
    except seed.AdminError as error:
        raise fail(t(error.key, **error.values), Exit.USAGE) from None
    finally:
        engine.dispose()
    if as_json:
        emit_json(
            {
                "user_id": user.user_id,
                "role": user.role.value,
                "token": user.token,
                "store_id": user.store_id,
                "courier_id": user.courier_id,
            },
            allow_secrets=True,
        )
        return
    say(t("admin.user_created", user_id=user.user_id, role=user.role.value))
    if user.courier_id:
        say(t("admin.user_courier", courier_id=user.courier_id))
    say(t("admin.token_once", token=user.token))


@admin_app.command("seed-demo", help=t("admin.seed_demo.help"))
def seed_demo(db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    from o2o_tui.platform import seed

    engine = _open(db)
    try:
        result = seed.seed_engine(engine)
    finally:
        engine.dispose()
    if as_json:
        emit_json(result, allow_secrets=True)
        return
    say(t("admin.seeded", store_id=result.store_id, couriers=str(len(result.courier_ids))))
    for role in ("admin", "merchant", "dispatcher", "customer", "courier"):
        say(t("admin.seeded_token", role=role, token=result.tokens[role]))
    say(t("admin.tokens_warning"))


def register(app: typer.Typer) -> None:
    """Add `o2o admin ...` to the root app."""
    app.add_typer(admin_app, name="admin")
