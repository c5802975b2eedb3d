"""`o2o admin`: stores, users and demo data, written straight into the server's database (runs before the server).

Tokens are printed once, here, and never again: the database keeps only their hash.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer

from o2o_tui.cli.admin_stores import register as admin_stores_register
from o2o_tui.cli.admin_users import register as admin_users_register
from o2o_tui.cli.admin_voucher import voucher_app
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import emit_json, fail, json_wanted, say, zoned_time
from o2o_tui.domain.money import CURRENCIES as FORMATTED_CURRENCIES
from o2o_tui.i18n import t

DbOption = typer.Option(None, "--db", envvar="O2O_DB", help=t("admin.option.db"))
JsonOption = typer.Option(False, "--json", help=t("admin.option.json"))
# the commands that hand out a token print it in their JSON too (once, as in words)
JsonTokenOption = typer.Option(False, "--json", help=t("admin.option.json_token"))

_USED = "o2o_admin_database"  # the context's meta: the database the command opened, said once it is done


def _said_database(_result: object = None) -> None:
    """After an `o2o admin` command that opened the database went through: which one, on stderr (stdout stays
    the command's output), so a mistyped --db is seen; under --json the document carries it as `database`."""
    from o2o_tui.cli.output import warn

    context = _context()
    used = context.meta.pop(_USED, None) if context is not None else None
    if used is None:
        return
    database, created, as_json = used
    if as_json:
        return
    warn(t("admin.database_created" if created else "admin.database", database=database), "database", style="")


admin_app = typer.Typer(name="admin", help=t("admin.help"), no_args_is_help=True, result_callback=_said_database)


def _context() -> Any:
    import importlib

    try:  # Typer's own (vendored) Click holds the running command's context
        click_globals = importlib.import_module("typer._click.globals")
    except ModuleNotFoundError:  # a Typer on the Click package
        click_globals = importlib.import_module("click.globals")
    return click_globals.get_current_context(silent=True)


def database(db: str | None) -> str:
    """The database an `o2o admin` command uses, as its output names it (`database` under --json): a SQLite
    file's absolute path, or the URL with its password hidden."""
    from o2o_tui.platform.db import default_db_url, shown_database

    return shown_database(db or default_db_url())


def with_database(document: Any) -> Any:
    """A command's JSON document (a dict or a struct) with the database it used added as `database`."""
    import msgspec

    data = msgspec.to_builtins(document)
    context = _context()
    used = context.meta.get(_USED) if context is not None else None
    if used is not None and isinstance(data, dict):
        data["database"] = used[0]
    return data


def _open(db: str | None, *, reading: bool = False, create: bool = False) -> Any:
    """The engine on the platform's database. Only the commands that make a platform (`create`: seed-demo,
    create-store) make a SQLite file that is not there: any other refuses it (exit 2), naming the absolute path it
    looked at, as `sqlite:///x` (three slashes) names a file under the current directory, not /x."""
    from o2o_tui.platform.db import (
        BadDatabaseUrl,
        SchemaTooNew,
        check_db_url,
        default_db_url,
        open_database,
        sqlite_file,
    )

    url = db or default_db_url()
    try:
        check_db_url(url)  # not a database o2o keeps data in (an unknown dialect, SQLite in memory): exit 2
    except BadDatabaseUrl as error:
        raise fail(error.message(), Exit.USAGE) from None
    path = sqlite_file(url)
    missing = path is not None and not path.exists()
    if missing and not create:
        raise fail(_no_database(url, str(path)), Exit.USAGE)
    try:
        engine = open_database(url)
    except SchemaTooNew as error:
        raise fail(t("server.schema_too_new", detail=str(error)), Exit.ERROR) from None
    except Exception as error:  # an unreachable database, one that refuses the schema's writes, a missing driver
        said = storage_problem(error, reading=reading)
        if said is not None:
            raise fail(said, Exit.OFFLINE) from None
        raise fail(t("admin.error.database", detail=str(error).splitlines()[0]), Exit.ERROR) from None
    context = _context()
    if context is not None:
        context.meta[_USED] = (database(url), missing, json_wanted())  # the command's context: its --json
    return engine


def _no_database(url: str, path: str) -> str:
    """Why a SQLite file that is not there is refused, with four slashes for a URL that has three."""
    from o2o_tui.platform.db import shown_url

    shown = shown_url(url)
    scheme, _, rest = shown.partition(":///")
    if rest and not rest.startswith("/"):
        fixed = f"{scheme}:////{rest}"
        return t("admin.error.no_database_relative", path=path, url=shown, fixed=fixed)
    return t("admin.error.no_database", path=path)


def storage_problem(error: BaseException, *, reading: bool = False) -> str | None:
    """One line for a database that refuses to store a change (its disk full, read-only, failing, locked), or a
    read (`reading`: SQLite cannot make its -shm on a full disk), or cannot be reached, naming the driver's reason
    (its first line: no SQL, no values); None for anything else."""
    from o2o_tui.platform.write_failures import kind_of, refused_write, unreachable

    if not refused_write(error):
        return None
    if unreachable(error):
        return t("admin.error.storage_unreachable", detail=kind_of(error))
    return t("admin.error.storage_unreadable" if reading else "admin.error.storage_refused", detail=kind_of(error))


@contextmanager
def storage_refusals(*, reading: bool = False) -> Iterator[None]:
    """Around an `o2o admin` command's work on the database: the database refusing a write or out of reach is one
    line and exit 3 (README, exit codes), nothing changed (the transaction rolled back), not a traceback."""
    from o2o_tui.platform.write_failures import REFUSED_WRITES

    try:
        yield
    except REFUSED_WRITES as error:
        said = storage_problem(error, reading=reading)
        if said is None:  # "no such table", a syntax error: a bug, with its traceback
            raise
        raise fail(said, Exit.OFFLINE) from None


NAME_MAX = 200  # the users.name column; PostgreSQL enforces it, SQLite would not


def _check_name(name: str) -> None:
    if len(name) > NAME_MAX:
        raise fail(t("admin.error.name_too_long", limit=str(NAME_MAX)), Exit.USAGE)


ACCEPT_TIMEOUT_SECONDS = (10, 86_400)  # a new order rings at least this long, and at most a day, before it is cancelled
# the ISO 4217 codes o2o formats (o2o_tui/domain/money.py: a symbol or its minor digits); any other three letters
# would be shown as a bare code, and a made-up one ("ABC") stored for good
CURRENCIES = tuple(FORMATTED_CURRENCIES)
CURRENCY_ALIASES = {"RMB": "CNY", "CNH": "CNY", "YEN": "JPY", "NTD": "TWD"}  # what people type for them, not ISO 4217 codes


def _currency_problem(currency: str) -> str | None:
    code = currency.strip().upper()
    if code in CURRENCIES:
        return None
    if code in CURRENCY_ALIASES:
        return t("admin.error.currency_did_you_mean", currency=currency, code=CURRENCY_ALIASES[code])
    return t("admin.error.currency_known", currency=currency, known=", ".join(CURRENCIES))


def _store_problem(
    name: str,
    address: str,
    lat: float | None,
    lon: float | None,
    currency: str,
    accept_timeout: int,
    prep_minutes: int = 15,
) -> str | None:
    """What is wrong with a new store's fields, in words (None: nothing); the bounds are the API's own."""
    import math
    import re

    from o2o_tui.domain.limits import ADDRESS_MAX, CURRENCY_PATTERN, LAT_MAX, LON_MAX, blank
    from o2o_tui.domain.requests import STORE_PREP_MINUTES_MAX, STORE_PREP_MINUTES_MIN

    if blank(name):
        return t("admin.error.store_name_empty")
    if len(address) > ADDRESS_MAX:
        return t("admin.error.address_too_long", limit=str(ADDRESS_MAX))
    if (lat is None) != (lon is None):
        return t("admin.error.lat_lon")
    on_the_globe = lat is None or lon is None or (
        math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= LAT_MAX and abs(lon) <= LON_MAX
    )
    if not on_the_globe:
        return t("admin.error.lat_lon_range")
    if not re.fullmatch(CURRENCY_PATTERN, currency.strip().upper()):
        return t("admin.error.currency", currency=currency)
    unknown = _currency_problem(currency)
    if unknown:
        return unknown
    low, high = ACCEPT_TIMEOUT_SECONDS
    if not low <= accept_timeout <= high:
        return t("admin.error.accept_timeout", low=str(low), high=str(high))
    if not STORE_PREP_MINUTES_MIN <= prep_minutes <= STORE_PREP_MINUTES_MAX:
        return t("admin.error.prep_minutes", low=str(STORE_PREP_MINUTES_MIN), high=str(STORE_PREP_MINUTES_MAX))
    return None


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
    prep_minutes: int = typer.Option(15, "--prep-minutes", help=t("admin.option.prep_minutes")),
    demo_menu: bool = typer.Option(False, "--demo-menu", help=t("admin.option.demo_menu")),
    allow_duplicate: bool = typer.Option(False, "--allow-duplicate", help=t("admin.option.allow_duplicate")),
    if_missing: bool = typer.Option(False, "--if-missing", help=t("admin.option.if_missing")),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from o2o_tui.cli import admin_stores
    from o2o_tui.domain.geo import Address, Position
    from o2o_tui.platform import seed
    from o2o_tui.platform.db import writing

    _check_name(name)
    problem = _store_problem(name, address, lat, lon, currency, accept_timeout, prep_minutes)
    if problem:
        raise fail(problem, Exit.USAGE)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(t("admin.error.timezone", timezone=timezone), Exit.USAGE) from None
    position = Position(lat=lat, lon=lon) if lat is not None and lon is not None else None
    menu = None
    if demo_menu:
        menu = seed.demo_menu()
        if currency.strip().upper() != "CNY":
            raise fail(t("admin.error.demo_menu_currency"), Exit.USAGE)
    if allow_duplicate and if_missing:
        raise fail(t("admin.error.duplicate_or_missing"), Exit.USAGE)
    engine = _open(db, create=True)
    try:
        # a store already under this name (case, width and spaces aside): not again
        with storage_refusals(), writing(engine) as conn:
            admin_stores.check_new_name(conn, name, allow_duplicate=allow_duplicate)
            store = seed.create_store(
                conn,
                name=name,
                address=Address(text=address, position=position),
                currency=currency.strip().upper(),
                timezone=timezone,
                own_fleet=own_fleet,
                accept_timeout_seconds=accept_timeout,
                default_prep_minutes=prep_minutes,
                menu=menu,
            )
    except admin_stores.SameName as same:
        admin_stores.said_same_name(same.store, if_missing)
        return
    finally:
        engine.dispose()
    if as_json:
        emit_json(with_database({"store_id": store.id, "name": store.name, "created": True}))
    else:
        say(t("admin.store_created", store_id=store.id, name=store.name))


# the refusals of `create-user` that name something the database does not have: exit 6, as every `o2o admin`
# command that meets an unknown store, courier or user (README, exit codes); the others are bad arguments (2)
NOT_FOUND_KEYS = frozenset({"admin.error.no_store", "admin.error.no_courier"})


@admin_app.command("create-user", help=t("admin.create_user.help"))
def create_user(
    role: str = typer.Option(..., "--role", help=t("admin.option.role")),
    name: str = typer.Option("", "--name", help=t("admin.option.user_name")),
    store: str | None = typer.Option(None, "--store", help=t("admin.option.store")),
    courier: str | None = typer.Option(None, "--courier", help=t("admin.option.courier")),
    db: str | None = DbOption,
    as_json: bool = JsonTokenOption,
) -> None:
    from o2o_tui.domain.identity import Role
    from o2o_tui.platform import seed
    from o2o_tui.platform.db import writing

    _check_name(name)
    try:
        chosen = Role(role.lower())
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise fail(t("admin.error.role", role=role, roles=roles), Exit.USAGE) from None
    engine = _open(db)
    try:
        with storage_refusals(), writing(engine) as conn:
            user = seed.create_user(
                conn, role=chosen, name=name or chosen.value, store_id=store, courier_id=courier
            )
    except seed.AdminError as error:
        from o2o_tui.cli.deliveries import role_label

        values = {**error.values, **({"role": role_label(error.values["role"])} if "role" in error.values else {})}
        raise fail(t(error.key, **values), Exit.NOT_FOUND if error.key in NOT_FOUND_KEYS else Exit.USAGE) from None
    finally:
        engine.dispose()
    if as_json:  # the store the user really acts for (its courier's for a courier user), never just --store
        emit_json(
            with_database(
                {
                    "user_id": user.user_id,
                    "role": user.role.value,
                    "token": user.token,
                    "store_id": user.store_id,
                    "courier_id": user.courier_id,
                }
            ),
            allow_secrets=True,
        )
        return
    from o2o_tui.cli.deliveries import role_label

    say(t("admin.user_created", user_id=user.user_id, role=role_label(user.role.value)))
    if user.store_id:
        say(t("admin.user_store", store_id=user.store_id))
    if user.courier_id:
        say(t("admin.user_courier", courier_id=user.courier_id))
    say(t("admin.token_once", token=user.token))


@admin_app.command("users", help=t("admin.users.help"))
def users(db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    import msgspec

    from o2o_tui.cli.admin_stores import store_cell, store_names
    from o2o_tui.cli.admin_users import row_key
    from o2o_tui.cli.deliveries import role_label
    from o2o_tui.platform.auth import list_users

    engine = _open(db, reading=True)
    try:
        with storage_refusals(reading=True), engine.connect() as conn:
            rows = list_users(conn)
            zones = _store_zones(conn, {row.store_id for row in rows if row.store_id})
            names = store_names(conn, {row.store_id for row in rows if row.store_id})
    finally:
        engine.dispose()
    if as_json:  # times stay as stored (UTC, ISO 8601); a store's name as the plain list shows it (None: no store)
        listed = [{**msgspec.structs.asdict(row), "store_name": names.get(row.store_id or "")} for row in rows]
        emit_json(with_database({"users": listed}))
        return
    if not rows:
        say(t("admin.users.empty"))
        return
    for row in rows:
        say(
            t(
                row_key(row),
                user_id=row.id,
                name=row.name,
                role=role_label(row.role),
                store=store_cell(row.store_id, names),
                courier=row.courier_id or "-",
                created=zoned_time(row.created_at, zones.get(row.store_id or "")),
            )
        )


def _store_zones(conn: Any, store_ids: set[str]) -> dict[str, Any]:
    """Each store's zone (a store whose zone is unknown is left out)."""
    from o2o_tui.domain.clock import zone_named
    from o2o_tui.platform import stores

    zones = {}
    for store_id in store_ids:
        store = stores.load(conn, store_id)
        zone = zone_named(store.timezone) if store is not None else None
        if zone is not None:
            zones[store_id] = zone
    return zones


UserArgument = typer.Argument(..., metavar="USER", help=t("admin.option.user_id"))


@admin_app.command("revoke-token", help=t("admin.revoke_token.help"))
def revoke_token(user_id: str = UserArgument, db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    from o2o_tui.cli import admin_users

    admin_users.revoke_token(user_id, db, as_json)  # a courier is taken off duty too (admin_users.py)


admin_users_register(admin_app, UserArgument, DbOption, JsonOption)  # disable-user, enable-user
admin_stores_register(admin_app, DbOption, JsonOption)  # stores: every store, a store nobody works at too


@admin_app.command("rotate-token", help=t("admin.rotate_token.help"))
def rotate_token(user_id: str = UserArgument, db: str | None = DbOption, as_json: bool = JsonTokenOption) -> None:
    from o2o_tui.platform import auth
    from o2o_tui.platform.db import writing

    engine = _open(db)
    try:
        with storage_refusals(), writing(engine) as conn:
            token = auth.rotate_token(conn, user_id)
    finally:
        engine.dispose()
    if token is None:
        raise fail(t("admin.error.no_user", user=user_id), Exit.NOT_FOUND)
    if as_json:
        emit_json(with_database({"user_id": user_id, "token": token}), allow_secrets=True)
        return
    say(t("admin.token_rotated", user_id=user_id, seconds=str(auth.CACHE_SECONDS)))
    say(t("admin.token_once", token=token))


@admin_app.command("seed-demo", help=t("admin.seed_demo.help"))
def seed_demo(
    allow_duplicate: bool = typer.Option(False, "--allow-duplicate", help=t("admin.seed_demo.option.allow_duplicate")),
    db: str | None = DbOption,
    as_json: bool = JsonTokenOption,
) -> None:
    from o2o_tui.cli import admin_stores
    from o2o_tui.platform import seed
    from o2o_tui.platform.db import writing

    engine = _open(db, create=True)
    try:
        # run twice on one database, it made a second demo store with its own staff and couriers: not again
        with storage_refusals(), writing(engine) as conn:
            admin_stores.check_new_name(conn, seed.DEMO_STORE_NAME, allow_duplicate=allow_duplicate)
            result = seed.seed_into(conn)
    except admin_stores.SameName as same:
        message = t("admin.error.demo_exists", store_id=same.store.id)
        raise fail(message, Exit.REJECTED, store_id=same.store.id) from None  # --json: the error object
    finally:
        engine.dispose()
    if as_json:
        emit_json(with_database(result), allow_secrets=True)
        return
    say(t("admin.seeded", store_id=result.store_id, couriers=str(len(result.courier_ids))))
    for role in ("admin", "merchant", "dispatcher", "customer", "courier"):
        say(t("admin.seeded_token", role=role, token=result.tokens[role]))
    say(t("admin.tokens_warning"))


courier_key_app = typer.Typer(name="courier-key", help=t("admin.courier_key.help"), no_args_is_help=True)
admin_app.add_typer(courier_key_app, name="courier-key")
admin_app.add_typer(voucher_app, name="voucher")
AuthorizedKeysOption = typer.Option(
    None, "--authorized-keys", help=t("admin.courier_key.option.authorized_keys")
)


def _keys_path(value: str | None) -> Any:
    from pathlib import Path

    from o2o_tui.authorized_keys import default_path

    return Path(value).expanduser() if value else default_path()


def _read_key(value: str) -> Any:
    from o2o_tui.authorized_keys import KeyLineError, read_public_key

    try:
        return read_public_key(value)
    except KeyLineError as error:
        raise fail(t(error.key, **error.values), Exit.USAGE) from None


def _check_profile_owner(courier_id: str, profile: str | None) -> None:
    """Refuse a profile this account has saved for another courier (the gate refuses it at login as well); one
    it does not have (root adding for the couriers' account) is left to the gate."""
    from o2o_tui.config import ConfigError, load_profiles
    from o2o_tui.ssh_gate import Refused, check_profile_owner, default_profile, valid_courier_id

    if not valid_courier_id(courier_id):
        return  # said by add_key
    chosen = profile or default_profile(courier_id)
    try:
        known = load_profiles()
    except (ConfigError, OSError):
        return
    try:
        check_profile_owner(courier_id, chosen, known)
    except Refused:
        owner = known[chosen].courier_id or "-"
        said = t("ssh.key.error.profile_courier", profile=chosen, owner=owner, courier_id=courier_id)
        raise fail(said, Exit.USAGE) from None


@courier_key_app.command("add", help=t("admin.courier_key.add.help"))
def courier_key_add(
    courier_id: str = typer.Argument(..., metavar="ID", help=t("admin.courier_key.option.id")),
    key: str = typer.Option(..., "--key", help=t("admin.courier_key.option.key")),
    profile: str | None = typer.Option(None, "--profile", help=t("admin.courier_key.option.profile")),
    authorized_keys: str | None = AuthorizedKeysOption,
    gate_command: str | None = typer.Option(
        None, "--gate-command", help=t("admin.courier_key.option.gate_command")
    ),
) -> None:
    import shlex

    from o2o_tui.authorized_keys import KeyLineError, add_key
    from o2o_tui.ssh_gate import o2o_program, running_as_root

    # root's own file: the courier's key would log in as root
    if authorized_keys is None and running_as_root():
        raise fail(t("ssh.key.error.root", path=str(_keys_path(None))), Exit.AUTH)
    public_key = _read_key(key)
    _check_profile_owner(courier_id, profile)
    path = _keys_path(authorized_keys)
    try:
        added = add_key(path, courier_id, public_key, gate_command or shlex.quote(o2o_program()), profile)
    except KeyLineError as error:
        raise fail(t(error.key, **error.values), Exit.USAGE) from None
    except OSError as error:
        raise fail(
            t("ssh.key.error.io", path=str(path), detail=error.strerror or str(error)), Exit.ERROR
        ) from None
    message = "admin.courier_key.added" if added else "admin.courier_key.replaced"
    say(t(message, courier_id=courier_id, fingerprint=public_key.fingerprint(), path=str(path)))


@courier_key_app.command("remove", help=t("admin.courier_key.remove.help"))
def courier_key_remove(
    courier_id: str = typer.Argument(..., metavar="ID", help=t("admin.courier_key.option.id")),
    key: str | None = typer.Option(None, "--key", help=t("admin.courier_key.option.remove_key")),
    authorized_keys: str | None = AuthorizedKeysOption,
) -> None:
    from o2o_tui.authorized_keys import remove_keys

    public_key = _read_key(key) if key else None
    path = _keys_path(authorized_keys)
    try:
        removed = remove_keys(path, courier_id, public_key)
    except OSError as error:
        raise fail(
            t("ssh.key.error.io", path=str(path), detail=error.strerror or str(error)), Exit.ERROR
        ) from None
    if not removed:
        raise fail(t("admin.courier_key.none_removed", courier_id=courier_id, path=str(path)), Exit.NOT_FOUND)
    say(t("admin.courier_key.removed", courier_id=courier_id, count=removed, path=str(path)))


@courier_key_app.command("list", help=t("admin.courier_key.list.help"))
def courier_key_list(authorized_keys: str | None = AuthorizedKeysOption, as_json: bool = JsonOption) -> None:
    from o2o_tui.authorized_keys import list_keys
    from o2o_tui.ssh_gate import default_profile

    path = _keys_path(authorized_keys)
    try:
        keys = list_keys(path)
    except OSError as error:
        raise fail(
            t("ssh.key.error.io", path=str(path), detail=error.strerror or str(error)), Exit.ERROR
        ) from None
    rows = [
        {
            "courier_id": k.courier_id,
            "profile": k.profile or default_profile(k.courier_id),
            "type": k.key.kind,
            "fingerprint": k.key.fingerprint(),
        }
        for k in keys
    ]
    if as_json:
        emit_json({"authorized_keys": str(path), "keys": rows})
        return
    if not rows:
        say(t("admin.courier_key.empty", path=str(path)))
        return
    for row in rows:
        say(t("admin.courier_key.row", **row))


def register(app: typer.Typer) -> None:
    """Add `o2o admin ...` to the root app."""
    app.add_typer(admin_app, name="admin")
