"""`o2o admin stores`: every store in the platform's database (a store nobody works at yet too), read straight from
the database as the other `o2o admin` commands are; and what `create-store` and `users` ask of the stores: the
stores already under a name (`create-store` refuses a second one) and each store's name beside its id (`users`)."""

from __future__ import annotations

from typing import Any

import typer

from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import emit_error, emit_json, fail, json_wanted, say
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text


def _state_label(state: Any) -> str:
    """A store's state in the UI language: open, paused, busy, closed (outside its hours)."""
    return t(f"admin.stores.state.{state.value.lower()}")


def _width(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def _table(rows: list[list[str]]) -> list[str]:
    """Rows as aligned columns (a CJK character is two cells wide); the last column, the name, is never padded."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [
        "  ".join([*(cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=False)), row[-1]])
        for row in rows
    ]


def list_stores(name: str | None, db: str | None, as_json: bool) -> None:
    """`o2o admin stores [--name TEXT] [--json]`."""
    from o2o_tui.cli.admin import _open, storage_refusals, with_database
    from o2o_tui.platform import db as platform_db
    from o2o_tui.platform import stores

    engine = _open(db, reading=True)
    try:
        with storage_refusals(reading=True), engine.connect() as conn:
            found, _ = stores.list_stores(conn, name=name or None)
            staff = stores.staff_counts(conn)
    finally:
        engine.dispose()
    now = platform_db.utcnow()
    found.sort(key=lambda store: (stores.name_key(store.name), store.id))  # stores of one name side by side
    shown = [(store, stores.effective_state(store, now)) for store in found]
    if as_json:
        emit_json(
            with_database(
                {
                    "stores": [
                        {
                            "id": store.id,
                            "name": store.name,
                            "state": state.value,
                            "status": store.status,
                            "own_fleet": store.own_fleet,
                            "staff": staff.get(store.id, 0),
                            "currency": store.currency,
                            "timezone": store.timezone,
                        }
                        for store, state in shown
                    ]
                }
            )
        )
        return
    if not shown:
        say(t("admin.stores.empty_named", name=name) if name else t("admin.stores.empty"))
        return
    header = [t(f"admin.stores.column.{column}") for column in ("id", "state", "fleet", "staff", "name")]
    rows = [
        [
            store.id,
            _state_label(state),
            t("admin.stores.fleet.own" if store.own_fleet else "admin.stores.fleet.platform"),
            str(staff.get(store.id, 0)),
            safe_text(store.name, one_line=True),  # a name holding a line break stays on its row
        ]
        for store, state in shown
    ]
    for line in _table([header, *rows]):
        say(line.rstrip())


def register(admin_app: typer.Typer, db_option: Any, json_option: Any) -> None:
    """Add `stores` to `o2o admin`."""

    @admin_app.command("stores", help=t("admin.stores.help"))
    def stores_command(
        name: str | None = typer.Option(None, "--name", help=t("admin.stores.option.name")),
        db: str | None = db_option,
        as_json: bool = json_option,
    ) -> None:
        list_stores(name, db, as_json)


# --- create-store: one store under a name -------------------------------------------------------------------------


class SameName(Exception):
    """A store already has the name `create-store` was given (as `stores.name_key` compares names)."""

    def __init__(self, store: Any) -> None:
        super().__init__(store.id)
        self.store = store


def check_new_name(conn: Any, name: str, *, allow_duplicate: bool) -> None:
    """Inside `create-store`'s writing transaction: raise `SameName` with the oldest store already so named,
    unless a duplicate is asked for."""
    if allow_duplicate:
        return
    from o2o_tui.platform import stores

    found = stores.same_name(conn, name)
    if found:
        raise SameName(found[0])


def said_same_name(store: Any, if_missing: bool) -> None:
    """What `create-store` says of a name already taken: the existing store's id, exit 0 with `--if-missing`,
    else refused (exit 4, nothing made)."""
    if if_missing:
        if json_wanted():
            from o2o_tui.cli.admin import with_database

            emit_json(with_database({"store_id": store.id, "name": store.name, "created": False}))
        else:
            say(t("admin.store_exists", store_id=store.id, name=store.name))
        return
    message = t("admin.error.store_name_taken", store_id=store.id, name=store.name)
    if json_wanted():
        emit_error(message, Exit.REJECTED, store_id=store.id, name=store.name)
        raise typer.Exit(int(Exit.REJECTED))
    raise fail(message, Exit.REJECTED)


# --- users: a store's name beside its id ---------------------------------------------------------------------------


def store_names(conn: Any, store_ids: set[str]) -> dict[str, str]:
    """Each store's name (one lookup per distinct store; a store gone from the database is left out)."""
    from o2o_tui.platform import stores

    names = {}
    for store_id in store_ids:
        store = stores.load(conn, store_id)
        if store is not None:
            names[store_id] = store.name
    return names


def store_cell(store_id: str | None, names: dict[str, str]) -> str:
    """A user's store in `o2o admin users`: "-", the id, or the id with the store's name."""
    if not store_id:
        return "-"
    name = names.get(store_id)
    return t("admin.users.store_named", store_id=store_id, name=safe_text(name, one_line=True)) if name else store_id

