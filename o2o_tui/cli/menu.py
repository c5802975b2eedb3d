"""`o2o menu`: show, export and import (JSON, CSV), publish the draft, and an item's availability or visibility
(an option's: o2o_tui/cli/menu_option.py).

The menu comes from the offline cache (pulled first when a changing command finds none). `import` applies a file to
the local draft (o2o_tui/menu_draft.py, kept in offline_cache/drafts.py) and publishes it; `--dry-run` prints what
would change and changes nothing. Availability (`item status`) and visibility (`item hide|show`) go through the
outbox at once as one item PATCH, never through the draft. `o2o menu edit` (the editor) registers itself on
`menu_app` from o2o_tui/cli/menu_edit.py.

The draft has one editor at a time: `import`, `publish` and `discard` hold its lock for their change and stop (exit
7, naming the editor) while the menu editor has it open; one of them holding it for its change is waited for
(`draft_claimed`); an import never publishes edits a person made in the editor
and did not publish, nor the rows an earlier import left in the draft that the platform refused (exit 2 for both;
`--discard-draft` drops them). An import that sends nothing and queues nothing (`--online` with the platform out of
reach) puts the draft back as it found it.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import UTC, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any, NamedTuple

import typer

from o2o_tui.cli.cache_errors import cache_errors
from o2o_tui.cli.common import JsonOption, ProfileOption, fill_new_cache, handle_errors
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.menu_option import AllowWarningsOption, showing
from o2o_tui.cli.menu_sheet_order import sheet_category_order_differs
from o2o_tui.cli.output import emit_error, emit_json, fail, json_wanted, say, warn
from o2o_tui.cli.sync import OnlineOption, cli_cache, report_outcome
from o2o_tui.i18n import t

AVAILABILITY_CHOICES = ("available", "sold-out", "unavailable")
ItemArgument = typer.Argument(..., help=t("menu_cli.arg.item"))

# the `o2o menu` group of the app built last (`register`); o2o_tui/cli/menu_edit.py adds `edit` to it
menu_app = typer.Typer()


# --- pure helpers (tested directly) -----------------------------------------------------------------------------


def find_item(menu: Any, text: str) -> Any:
    """The item `text` names: its id, else the one item with that name (either language, any case), else the one
    item whose name contains it ("mapo" for "麻婆豆腐 Mapo Tofu"). Raises LookupError(candidates): none ([]) or
    several (a name or a part that more than one item has)."""
    wanted = text.strip()
    items = [item for category in menu.categories for item in category.items]
    for item in items:
        if item.id == wanted:
            return item
    folded = wanted.casefold()
    if not folded:
        raise LookupError([])

    def names(item: Any) -> list[str]:
        return [n.casefold() for n in (item.name, item.names.zh, item.names.en) if n]

    exact = [item for item in items if folded in names(item)]
    found = exact or [item for item in items if any(folded in name for name in names(item))]
    if len(found) != 1:
        raise LookupError(found)
    return found[0]


def _zone(store: Any) -> tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(store.timezone) if store is not None else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def sold_out_until(until: str | None, now: datetime, store: Any) -> datetime:
    """When a sell-out ends, as an aware UTC time. `until` is "HH:MM" in store time (a time already past today
    means tomorrow's); None: the end of the store's day (when its opening hours next close, if it is open by
    them now, else the next midnight). Raises ValueError on a time that is not HH:MM. What a Chinese input method
    types ("１４：００") reads as the ASCII it stands for."""
    from o2o_tui.domain.hours import clock_minutes, day_end
    from o2o_tui.typed_text import ascii_typed

    zone = _zone(store)
    local = now.astimezone(zone)
    start = now.astimezone(UTC).replace(microsecond=0)
    if until is not None:
        text = ascii_typed(until).strip()
        minutes = clock_minutes("0" + text if len(text) == 4 else text)
        if minutes is None:
            raise ValueError(text)
        moment = (
            datetime.combine(local.date(), time(), tzinfo=zone) + timedelta(minutes=minutes)
        ).astimezone(UTC)
        if moment <= start:
            tomorrow = datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=zone)
            moment = (tomorrow + timedelta(minutes=minutes)).astimezone(UTC)
        return moment
    weekly = getattr(store, "opening_hours", [])
    exceptions = getattr(store, "hours_exceptions", [])
    return day_end(now, zone, weekly, exceptions).astimezone(UTC)


def change_lines(changes: list[Any], *menus: Any) -> list[str]:
    """One line per change of a draft's diff, in the current language; `menus` (the newer first, as `diff` takes
    them the other way round): the entities and the categories a move left and reached named in that language,
    as the editor's tree and diff name them (a change's own words are the single stored text)."""
    from o2o_tui.menu_draft import field_label, value_words
    from o2o_tui.menu_shown_names import change_name, group_words, moved_words, shown_names
    from o2o_tui.safe_text import safe_text

    names = shown_names(*menus)
    lines = []
    for change in changes:
        moved = moved_words(change, names) or group_words(change, names)  # already made safe (groups by name)
        words = moved or value_words(change)  # a hidden item: "hidden" / "已隐藏", not yes/no
        before, after = moved or tuple(safe_text(word, one_line=True) for word in words)
        values = {
            "entity": t(f"menu_cli.entity.{change.entity}"),
            "id": change.id,
            "name": change_name(change, names),
            "fields": t("menu_publish.list_sep").join(field_label(field) for field in change.fields),
            "before": before,
            "after": after,
        }
        lines.append(t(f"menu_cli.change.{change.kind}", **values))
    return lines


def availability_changes(before: Any, after: Any) -> list[tuple[str, str, Any]]:
    """("item" or "option", its id, the imported one) for each item or option both menus have whose availability
    the file changes (an option offered in several groups counts once: the platform patches it everywhere)."""

    def items(menu: Any) -> dict[str, Any]:
        return {item.id: item for category in menu.categories for item in category.items}

    def options(menu: Any) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for group in menu.option_groups:
            for option in group.options:
                found.setdefault(option.id, option)
        return found

    changed = []
    for kind, entities in (("item", items), ("option", options)):
        old = entities(before)
        for entity_id, entity in entities(after).items():
            was = old.get(entity_id)
            if was is not None and (entity.status, entity.snooze_until) != (was.status, was.snooze_until):
                changed.append((kind, entity_id, entity))
    return changed


AS_WRITTEN = -1  # `availability_to_send`'s `held` of a sheet that is no export: its cells are a person's own


class KeptAvailability(NamedTuple):
    """An availability the file would change that the import leaves as the live menu has it: the menu changed
    after the file was exported (`held`: the version the file was taken from, None: it does not say)."""

    kind: str  # "item" or "option"
    entity_id: str
    live: Any  # the published item or option
    sheet: Any  # the file's
    held: int | None
    queued: bool = False  # changed by this device since that version, the change not sent yet (offline)


def availability_to_send(
    published: Any,
    imported: Any,
    held: dict[tuple[str, str], int],
    now: datetime,
    *,
    take_file: bool = False,
    queued: Collection[tuple[str, str]] = (),
) -> tuple[list[tuple[str, str, Any]], list[KeptAvailability]]:
    """`availability_changes`, split into what the import sends and what it keeps as it is. A file's availability
    is what the menu had when it was exported (`held`: (kind, id) -> that menu's version): where the menu is still
    at that version, a cell unlike the menu is a person's change, and is sent. Where the menu has moved on since
    (a dish sold out after the export), or the file does not say its version (an older sheet, a new row, a
    hand-written file), the live availability is kept and said (`KeptAvailability`), unless `take_file`; a
    difference no customer sees (a sell-out whose time has passed, written as "available") is neither. A sheet
    that is no export (`AS_WRITTEN`: `item_id,availability` written to sell dishes out) is sent as written.
    `queued`: (kind, id) of the availability changes this device has queued and not sent (a sold-out offline,
    `menu_service.queued_availability`): `published` shows them at the version it had before them, so a cell
    unlike them is kept too (the sheet may be older than the change)."""
    live: dict[tuple[str, str], Any] = {("item", i.id): i for c in published.categories for i in c.items}
    for group in published.option_groups:
        for option in group.options:
            live.setdefault(("option", option.id), option)
    send: list[tuple[str, str, Any]] = []
    kept: list[KeptAvailability] = []
    for kind, entity_id, entity in availability_changes(published, imported):
        version = held.get((kind, entity_id))
        mine = (kind, entity_id) in queued
        if take_file or version == AS_WRITTEN or (version == published.version and not mine):
            send.append((kind, entity_id, entity))
            continue
        was = live[(kind, entity_id)]
        if effective_status(entity, now) != effective_status(was, now):
            kept.append(KeptAvailability(kind, entity_id, was, entity, version, queued=mine))
    return send, kept


# an item's cells a sheet row sets, besides its availability (`menu_draft.diff`'s field names): what an import
# compares with the menu the row was exported from (`cells_to_keep`)
CELL_FIELDS = (
    "names.zh",
    "names.en",
    "descriptions.zh",
    "descriptions.en",
    "price",
    "prep_minutes",
    "hidden",
    "option_group_ids",
)


class KeptCell(NamedTuple):
    """A cell of a file the import leaves as the menu has it now: the file's is what the menu had when it was
    exported, and the item has changed since (`held`: the version the file was taken from)."""

    item_id: str
    field: str  # one of CELL_FIELDS
    live: Any  # the value kept
    sheet: Any  # the file's
    held: int
    queued: bool  # changed by this device since that version, the change not sent yet (offline)


def _cell(item: Any, field: str) -> Any:
    """An item's value of one of CELL_FIELDS (a text per language: its own, else an older menu's single one)."""
    head, _, lang = field.partition(".")
    if not lang:
        return getattr(item, field)
    texts = getattr(item, head)
    single = item.name if head == "names" else item.description
    if lang == "zh":
        return texts.zh or ("" if texts.en else single)
    return texts.en


def _with_cells(item: Any, values: dict[str, Any]) -> Any:
    """`item` with the cells `values` (field -> value) put back; a name's or description's single text follows."""
    import msgspec

    from o2o_tui.domain.menu import Names

    changed: dict[str, Any] = {f: v for f, v in values.items() if "." not in f}
    for head, single in (("names", "name"), ("descriptions", "description")):
        if not any(f.startswith(head + ".") for f in values):
            continue
        zh = values.get(f"{head}.zh", _cell(item, f"{head}.zh"))
        en = values.get(f"{head}.en", _cell(item, f"{head}.en"))
        changed[head] = Names(zh=zh, en=en)
        changed[single] = zh or en or getattr(item, single)
    return msgspec.structs.replace(item, **changed)


def cells_to_keep(
    published: Any,
    current: Any,
    imported: Any,
    held: dict[tuple[str, str], int],
    *,
    take_file: bool = False,
    queued_hides: Collection[tuple[str, str]] = (),
    exports: Mapping[int, Any] | None = None,
) -> tuple[Any, list[KeptCell]]:
    """`imported` (the file applied to `current`: the cached menu with this device's queued publishes and the
    draft) with each cell kept as `current` has it where the file's would silently undo a newer change, and the
    cells kept. A row's cells are what the menu had at the version it was exported from (`held`: ("item", id) ->
    that version). Where the published menu's content is still that version's (its `content_version` not after
    it), the export's cells are known: a cell equal to the export's, on an item `current` changed since (this
    device's queued publish, an earlier import queued offline), keeps `current`'s; a cell unlike the export's is
    the person's change, and goes. So where this device kept the menu it exported (`exports`: version -> that
    menu, `menu_service.exported_menu`), whatever changed since. Where neither says what the export held (the
    content moved on since, a publish or a hide, and the file was exported elsewhere): a cell unlike the menu is
    kept as the menu has it, as an availability cell is (`availability_to_send`). A row that does not say its version (an older sheet, a row a person added, a
    hand-written file) and `take_file` (`--sheet-cells`) take the file's as it is; so does a sheet that is no
    export (`AS_WRITTEN`). `queued_hides`: a hide or show this device queued, which the cached menu shows at the
    version it had before (the `hidden` cell of that version may be older)."""
    import msgspec

    if take_file:
        return imported, []
    content_since = published.content_version or published.version
    before = {i.id: i for c in published.categories for i in c.items}
    now = {i.id: i for c in current.categories for i in c.items}
    kept: list[KeptCell] = []
    categories = []
    for category in imported.categories:
        items = []
        for item in category.items:
            version = held.get(("item", item.id))
            mine, exported = now.get(item.id), before.get(item.id)
            if version is None or version == AS_WRITTEN or mine is None or version > published.version:
                items.append(item)
                continue
            kept_menu = (exports or {}).get(version)
            if kept_menu is not None:
                exported = next((i for c in kept_menu.categories for i in c.items if i.id == item.id), None)
            elif content_since > version:
                exported = None  # not known
            back: dict[str, Any] = {}
            for field in CELL_FIELDS:
                value, live = _cell(item, field), _cell(mine, field)
                if value == live:
                    continue
                unsure = field == "hidden" and ("item", item.id) in queued_hides
                queued = unsure
                if exported is not None and not unsure:
                    was = _cell(exported, field)
                    if value != was or live == was:  # the person's change (or no newer one): it goes
                        continue
                    last = before.get(item.id)  # the platform's still as exported: the change is this device's
                    queued = last is not None and _cell(last, field) == was
                back[field] = live
                kept.append(KeptCell(item.id, field, live, value, version, queued=queued))
            items.append(_with_cells(item, back) if back else item)
        categories.append(msgspec.structs.replace(category, items=items))
    if not kept:
        return imported, []
    return msgspec.structs.replace(imported, categories=categories), kept


# --- reading the cache ------------------------------------------------------------------------------------------


def store_id_of(profile: Any) -> str:
    if profile.role == "courier":
        raise fail(t("menu_cli.error.courier", profile=profile.name), Exit.USAGE)
    if not profile.store_id:
        raise fail(t("menu_cli.error.no_store", profile=profile.name), Exit.USAGE)
    return str(profile.store_id)


def cached_menu(profile: Any, cache: Any, *, pull: bool) -> tuple[Any, Any]:
    """The store's menu and store from the cache (pulled first when `pull` and no menu is cached)."""
    import asyncio
    import contextlib

    from o2o_tui.client.errors import PlatformError
    from o2o_tui.sync.read_model import ReadModel

    store_id = store_id_of(profile)
    menu = ReadModel(cache).menu(store_id)
    if menu is None and pull:
        from o2o_tui.sync.perform import refresh

        with contextlib.suppress(PlatformError):
            asyncio.run(refresh(profile, cache))
        menu = ReadModel(cache).menu(store_id)
    if menu is None:
        raise fail(t("menu_cli.error.not_cached"), Exit.NOT_FOUND)
    return menu, ReadModel(cache).store(store_id)


def _item_line(item: Any, store: Any, lang: str, *, menu: Any = None) -> str:
    """An item as `o2o menu show` lists it; `menu`: with the option groups it offers, by their names in `lang` as
    the menu's Options list names them (`options: 辣度、米饭`; an id where a name is not one group's alone)."""
    from o2o_tui.domain.menu import localized
    from o2o_tui.domain.money import format_money
    from o2o_tui.menu_edits import group_list_text
    from o2o_tui.safe_text import safe_text

    line = t(
        "menu_cli.show.item",
        id=item.id,
        name=safe_text(localized(item.name, item.names, lang), one_line=True),
        price=format_money(item.price),
    )
    if menu is not None and item.option_group_ids:
        separator = t("menu_cli.show.item_options_separator")
        groups = group_list_text(menu, item.option_group_ids, lang, separator)
        line += "  " + t("menu_cli.show.item_options", groups=safe_text(groups, one_line=True))
    return line + badges(item, store)


def group_rule(least: int, most: int) -> str:
    """How many options of a group a customer picks, in words: "choose 1" (as many as at most), "optional, up
    to 2" (none needed), else "choose 1-3"."""
    if least == most:
        return t("menu_cli.show.rule.exactly", count=most)
    if least <= 0:
        return t("menu_cli.show.rule.up_to", most=most)
    return t("menu_cli.show.rule.range", least=least, most=most)


def effective_status(entity: Any, now: datetime) -> str:
    """What an item or option is for a customer at `now`, as the text's badges and the CSV export say it:
    "UNAVAILABLE" (switched off), "SOLD_OUT" (sold out until a time still to come), else "AVAILABLE". `status`
    alone says AVAILABLE for a sold-out one (a sell-out is a `snooze_until` on an available item)."""
    from o2o_tui.domain.limits import as_utc
    from o2o_tui.domain.menu import Availability

    if entity.status is Availability.UNAVAILABLE:
        return "UNAVAILABLE"
    if entity.snooze_until is not None and as_utc(entity.snooze_until) > now:
        return "SOLD_OUT"
    return "AVAILABLE"


def shown_json(menu: Any, now: datetime) -> dict[str, Any]:
    """`o2o menu show --json`: the cached menu as it is stored (lossless), each item and option with its
    `effective_status` at `now` added."""
    import msgspec

    data: dict[str, Any] = msgspec.to_builtins(menu)
    items = {item.id: item for category in menu.categories for item in category.items}
    options = {option.id: option for group in menu.option_groups for option in group.options}
    for category in data.get("categories", []):
        for item in category.get("items", []):
            item["effective_status"] = effective_status(items[item["id"]], now)
    for group in data.get("option_groups", []):
        for option in group.get("options", []):
            option["effective_status"] = effective_status(options[option["id"]], now)
    return data


def badges(entity: Any, store: Any) -> str:
    """An item's or option's availability and visibility as `  [sold out until 18:00]  [hidden]` ("" if none)."""
    from o2o_tui.cli.store import until_text
    from o2o_tui.domain.limits import as_utc
    from o2o_tui.domain.menu import Availability

    shown = ""
    if entity.status is Availability.UNAVAILABLE:
        shown += "  " + t("menu_cli.badge.unavailable")
    if entity.snooze_until is not None and as_utc(entity.snooze_until) > datetime.now(UTC):
        shown += "  " + t("menu_cli.badge.sold_out", until=until_text(entity.snooze_until, _zone(store)))
    if entity.hidden:
        shown += "  " + t("menu_cli.badge.hidden")
    return shown


# --- files ------------------------------------------------------------------------------------------------------


def _format_of(path: Path | None, chosen: str | None) -> str:
    if chosen:
        return chosen
    return "csv" if path is not None and path.suffix.lower() in (".csv", ".txt") else "json"


def _read_file(path: Path) -> bytes:
    from o2o_tui import menu_io

    try:
        size = path.stat().st_size
        if size > menu_io.MAX_BYTES:  # refused before it is read
            raise fail(
                t("menu_cli.error.too_big", size=size, limit=menu_io.MAX_BYTES // (1024 * 1024)), Exit.USAGE
            )
        return path.read_bytes()
    except OSError as error:
        raise fail(
            t("menu_cli.error.read", path=str(path), reason=error.strerror or str(error)), Exit.USAGE
        ) from None


def _imported(
    data: bytes, kind: str, base: Any, currency: str, partial: bool = False, allow_empty: bool = False
) -> tuple[Any, dict[str, int], dict[tuple[str, str], int]]:
    """`base` with the file's content, the CSV line of each item a row named and the menu version each item's
    and option's availability was exported from (`_parsed`), or exit 2 listing every problem (line and column)."""
    from o2o_tui import menu_io

    try:
        menu, lines, held = _parsed(data, kind, base, currency, partial, allow_empty)
    except menu_io.MenuImportError as error:
        raise _refused_file(error.problems) from None
    for entity_id, name, printed in menu_io.unreadable_on_tickets(menu):  # taken, but the kitchen is told
        warn(t("menu_cli.import.unprintable", id=entity_id, name=name, printed=printed), "unprintable_on_tickets")
    return menu, lines, held


def _parsed(
    data: bytes, kind: str, base: Any, currency: str, partial: bool, allow_empty: bool = False
) -> tuple[Any, dict[str, int], dict[tuple[str, str], int]]:
    """`base` with the file's content, the CSV line of each item a row named, and ((kind, id) -> version) the
    menu version the file says each item's (and a JSON file's option's) availability is from: a sheet's row's
    `menu_version`, a JSON file's `version` (0, a hand-written file's: none); raises MenuImportError (a sheet
    with no rows too, unless `allow_empty`: an export that failed would empty the menu)."""
    import msgspec

    from o2o_tui import menu_io

    if kind == "csv":
        sheet = menu_io.read_csv(data, base, currency, partial=partial, allow_empty=allow_empty)
        if sheet.as_written:  # a few columns a person wrote (`item_id,availability`): meant as they say
            return sheet.menu, sheet.lines, dict.fromkeys((("item", item_id) for item_id in sheet.lines), AS_WRITTEN)
        return sheet.menu, sheet.lines, {("item", item_id): version for item_id, version in sheet.held.items()}
    whole = menu_io.import_json(data, currency)
    held: dict[tuple[str, str], int] = {}
    if whole.version > 0:
        held.update({("item", i.id): whole.version for c in whole.categories for i in c.items})
        held.update({("option", o.id): whole.version for g in whole.option_groups for o in g.options})
    return msgspec.structs.replace(base, categories=whole.categories, option_groups=whole.option_groups), {}, held


def _left_over(
    cache: Any, draft: Any, published: Any, imported: Any, applied_to: Callable[[Any], Any]
) -> list[Any]:
    """What publishing `imported` (the file applied to `draft`) would send of an earlier import's rows the
    platform did not take (kept in the draft to publish again): the changes it makes beyond the file applied to
    the published menu alone (`applied_to(menu)`). [] when the draft holds no such rows, or the file sets each of
    them itself (the same file imported again, a whole menu)."""
    from o2o_tui import menu_io
    from o2o_tui.domain.menu_rules import normalize
    from o2o_tui.menu_draft import diff
    from o2o_tui.menu_service import fresh_draft, unsent_import

    left = unsent_import(cache, draft, published)
    if not left:
        return []
    try:
        alone = applied_to(fresh_draft(cache, published).menu)
    except menu_io.MenuImportError:  # the file needs the earlier rows (an item only they add, say)
        return left
    return diff(normalize(alone), normalize(imported))


def _refused_file(problems: list[Any]) -> typer.Exit:
    """Exit 2 for a file that cannot be applied: for a person every problem (the first 50) on a line of its own,
    then the count; with `--json` stdout stays empty and the JSON error lists them all (`errors`: row, line,
    column, field, message; a sheet's problem has its `row` as a spreadsheet numbers it, and `line` the same number,
    kept for the scripts that read it; a JSON file's has `row` null and `line` its text line)."""
    from o2o_tui import menu_io

    if json_wanted():
        message = t("menu_cli.import.refused", count=len(problems))
        errors = [
            {
                "row": p.line if p.row else None,
                "line": p.line,
                "column": p.column,
                "field": p.field,
                "message": p.message,
            }
            for p in problems
        ]
        emit_error(message, Exit.USAGE, errors=errors)
        return typer.Exit(int(Exit.USAGE))
    shown = problems[:50]
    for problem in shown:
        say(menu_io.describe(problem))
    more = len(problems) - len(shown)
    key = "menu_cli.import.refused_more" if more else "menu_cli.import.refused"
    return fail(t(key, count=len(problems), more=more), Exit.USAGE)


# --- draft and publish ------------------------------------------------------------------------------------------


def _drafts(cache: Any) -> Any:
    """The profile's drafts; exit 8 (as for a damaged outbox) when the drafts file cannot be read: it is left as
    it is, it may hold edits never published."""
    import o2o_tui.menu_draft  # noqa: F401  (registers the menu draft's codec with the store)
    from offline_cache.drafts import CorruptDraftsError, DraftStore

    try:
        return DraftStore(cache)
    except CorruptDraftsError as error:
        from o2o_tui.menu_service import corrupt_drafts_text

        raise fail(corrupt_drafts_text(error), Exit.CORRUPT) from None


def _save_draft(drafts: Any, draft: Any) -> None:
    """`drafts.save(draft)`, saying where an unreadable draft it replaced was copied first."""
    drafts.save(draft)
    _say_copied(drafts)


def _discard_draft(drafts: Any, store_id: str) -> bool:
    """`drafts.discard(store_id)`, saying where an unreadable draft it dropped was copied first."""
    dropped = bool(drafts.discard(store_id))
    _say_copied(drafts)
    return dropped


def _say_copied(drafts: Any) -> None:
    """A saved draft that no longer decoded (written by another version) was copied aside before this command
    replaced or dropped it (offline_cache/drafts.py): where it is now, once (stderr; a JSON warning line)."""
    copy = getattr(drafts, "copied", None)
    if copy is not None:
        drafts.copied = None
        warn(t("menu_cli.draft_copied", path=str(copy)), "draft_copied")


@contextlib.contextmanager
def draft_claimed(cache: Any, store_id: str, *, looking: bool = False) -> Iterator[None]:
    """Hold the store's draft lock for this command's change of the draft; exit 7 naming the editor that has it
    open. Another `o2o menu import|publish|discard` (or an item's hide/show) changing the draft is waited for, up
    to `O2O_CACHE_LOCK_WAIT` seconds as the cache's write lock waits, and this one goes on after it; exit 7 naming
    that command only when it still holds the draft then. `looking` (`menu import --dry-run`, which changes
    nothing): the same wait, so the draft is read before or after another import, never halfway through it (its
    rows saved, their publish not yet sent or queued: they would read as refused or never sent); an editor holding
    it is no refusal then: the look goes on without the lock."""
    from o2o_tui import menu_service
    from o2o_tui.sync.session import lock_wait_from_env

    try:
        with menu_service.claimed_draft(cache, store_id, wait=lock_wait_from_env(), past_an_editor=looking):
            yield
    except menu_service.DraftHeld as held:
        raise fail(_held_text(cache, store_id, held), Exit.LOCKED) from None


def _held_text(cache: Any, store_id: str, held: Any) -> str:
    """Why the draft could not be had: an editor has it open, or another command still holds it after the wait."""
    from o2o_tui.sync.session import lock_wait_from_env

    holder = _holder_text(cache, store_id, held.holder)
    if held.command is None:
        return t("menu_draft.held", holder=holder)
    what = t(f"menu_cli.held_by.{held.command}")
    return t("menu_cli.draft_busy", what=what, holder=holder, seconds=f"{lock_wait_from_env():g}")


def _holder_text(cache: Any, store_id: str, holder: dict[str, object]) -> str:
    """Who holds the draft, the time on the store's clock."""
    from o2o_tui.menu_service import holder_text
    from o2o_tui.sync.read_model import ReadModel

    return holder_text(holder, _zone(ReadModel(cache).store(store_id)))


def _refuse_unpublished(draft: Any) -> Any:
    """Exit 2: the saved draft holds a person's unpublished edits an import would publish with its rows."""
    from o2o_tui.menu_draft import diff
    from o2o_tui.menu_shown_names import change_name, shown_names

    changes = diff(draft.base, draft.menu)
    shown = shown_names(draft.menu, draft.base)  # in the console's language, as the editor names them
    names = ", ".join(dict.fromkeys(change_name(c, shown) for c in changes[:5]))
    return fail(t("menu_draft.unpublished", count=len(changes), names=names), Exit.USAGE)


def _refuse_unsent(changes: list[Any]) -> Any:
    """Exit 2: the saved draft holds rows of an earlier import the platform did not take (refused, or never
    sent), which this import would publish with its own."""
    from o2o_tui.safe_text import safe_text

    names = ", ".join(dict.fromkeys(safe_text(c.name or c.id, one_line=True) for c in changes[:5]))
    return fail(t("menu_cli.import.unsent", count=len(changes), names=names), Exit.USAGE)


def _put_back(cache: Any, store_id: str, before: Any) -> None:
    """The draft as this import found it (`before`; None: there was none), unless its publish is in the outbox
    after all: an import that queued nothing leaves nothing behind."""
    from o2o_tui.menu_service import queued_content

    drafts = _drafts(cache)
    now = drafts.load(store_id)
    if now is not None and queued_content(cache, now):
        return
    if before is None:
        _discard_draft(drafts, store_id)
    else:
        _save_draft(drafts, before)


def _working_draft(cache: Any, published: Any, *, save: bool) -> Any:
    """The saved draft (a new one when there is none), moved onto `published` when that is newer than the menu
    the draft started from: a draft `published` already holds (its own publish, queued offline and sent since)
    starts again; any other is rebased, and one whose edits collide with the newer menu's stops the command (exit
    4) with what to do. `save`: keep the moved draft."""
    from o2o_tui.menu_draft import catch_up
    from o2o_tui.menu_service import fresh_draft
    from o2o_tui.safe_text import safe_text

    drafts = _drafts(cache)
    saved = drafts.load(published.store_id)
    if saved is None:
        return fresh_draft(cache, published)
    moved = catch_up(saved, published)
    if moved is None:
        return saved
    if moved.conflicts:
        names = ", ".join(safe_text(c.name or c.id, one_line=True) for c in moved.conflicts[:5])
        raise fail(
            t("menu_cli.draft.conflicts", version=published.version, count=len(moved.conflicts), names=names),
            Exit.REJECTED,
        )
    if save:
        _save_draft(drafts, moved.draft)
    return moved.draft


class _Sent(NamedTuple):
    """A publish that went out (or was queued): what became of it, what it changes, and the versions."""

    result: Any  # perform's ActionResult
    changes: list[Any]
    base_version: int  # the version it was edited from (its If-Match)
    version: int  # the menu version the cache held right after it
    currency: str  # the menu's, for the prices of `changes` in JSON


def _send_publish(profile: Any, cache: Any, draft: Any, *, online: bool, again: bool = True) -> _Sent | None:
    """Publish `draft` through the outbox (If-Match: the version it started from); None: nothing to publish (the
    draft is dropped). A 412 from a menu this cache had not seen yet: the draft is moved onto it and sent once
    more (`again`) when its edits and the newer menu's do not collide."""
    import asyncio

    from o2o_tui.menu_draft import catch_up, diff, is_dirty, publish_menu
    from o2o_tui.sync.perform import Outcome, perform
    from o2o_tui.sync.read_model import ReadModel

    store_id = draft.store_id
    if not is_dirty(draft):
        _discard_draft(_drafts(cache), store_id)
        return None
    _check_size(draft)  # before anything is queued: the platform would answer 413 whatever is tried
    changes = diff(draft.base, draft.menu)
    body = publish_menu(draft)
    result = asyncio.run(
        perform(
            profile, cache, "menu.publish", store_id, body, online=online, base_version=draft.base.version
        )
    )
    if result.outcome is Outcome.DONE:
        _discard_draft(_drafts(cache), store_id)
    after = ReadModel(cache).menu(store_id)
    stale = result.outcome is Outcome.REJECTED and (result.reason or {}).get("code") == "stale_version"
    moved = catch_up(draft, after) if stale and again and after is not None else None
    if moved is not None and not moved.conflicts and result.key is not None:
        cache.outbox.dismiss(result.key)  # the same edits go again, on top of the menu that refused them
        _save_draft(_drafts(cache), moved.draft)
        return _send_publish(profile, cache, moved.draft, online=online, again=False)
    version = after.version if after is not None else draft.base.version
    return _Sent(result, changes, draft.base.version, version, draft.menu.currency)


def _check_size(draft: Any) -> None:
    """Exit 2, nothing queued, the draft as it is, when the draft's publish is larger than the platform takes."""
    from o2o_tui.menu_service import MenuTooBig, check_publish_size

    try:
        check_publish_size(draft)
    except MenuTooBig as too_big:
        raise fail(too_big.message(), Exit.USAGE) from None


def _report_publish(sent: _Sent | None, *, online: bool, as_json: bool, extra: dict[str, Any]) -> None:
    """Say what became of a publish, and exit with its code when it did not go through (or is queued with
    --online)."""
    from o2o_tui.sync.perform import Outcome

    if sent is None:
        if as_json:
            emit_json({"outcome": "unchanged", "changes": [], **extra})
        else:
            say(t("menu_cli.publish.nothing"))
        return
    result, changes = sent.result, sent.changes
    data = {
        "changes": [_change_json(change, sent.currency) for change in changes],
        "version": sent.version,
        **extra,
    }
    if result.outcome is Outcome.REJECTED and not as_json:
        reason = result.reason or {}
        if reason.get("code") == "stale_version":
            say(t("menu_cli.publish.stale", version=reason.get("current_version", "?")))
    report_outcome(
        result,
        as_json=as_json,
        online=online,
        done_message=t("menu_cli.publish.done", version=sent.version, count=len(changes)),
        extra=data,
    )


def _publish(
    profile: Any, cache: Any, draft: Any, *, online: bool, as_json: bool, extra: dict[str, Any]
) -> None:
    sent = _send_publish(profile, cache, draft, online=online)
    _report_publish(sent, online=online, as_json=as_json, extra=extra)


def _change_json(change: Any, currency: str) -> dict[str, Any]:
    """A change of the diff for a script: a price's before and after as the money object every other `--json`
    gives (`{"amount": 2600, "currency": "CNY"}`, in `currency`, the menu's), not the text the diff prints: a
    changed price, and the price an added or removed item or option is summed up by (`Change` keeps "26.00")."""
    import msgspec

    data: dict[str, Any] = msgspec.to_builtins(change)
    summed = change.kind in ("added", "removed") and change.entity in ("item", "option")
    if change.fields == ["price"] or summed:
        for side in ("before", "after"):
            data[side] = _money_json(data.get(side), currency)
    return data


def _money_json(text: str | None, currency: str) -> Any:
    """A price as `price_text` writes it ("26.00") as `{"amount", "currency"}`; None or any other text as it is."""
    import decimal

    from o2o_tui.domain.money import minor_digits

    if not text:
        return text
    try:
        value = decimal.Decimal(text)
    except decimal.InvalidOperation:
        return text
    if not value.is_finite():
        return text
    amount = value.scaleb(minor_digits(currency))
    if amount != amount.to_integral_value():
        return text
    return {"amount": int(amount), "currency": currency}


def _patch_item(profile: Any, cache: Any, item: Any, body: Any, *, online: bool, as_json: bool) -> None:
    patch_now(
        profile,
        cache,
        item,
        body,
        op="menu.item.patch",
        find=find_item,
        line=_item_line,
        key="item",
        online=online,
        as_json=as_json,
    )


def patch_now(
    profile: Any,
    cache: Any,
    entity: Any,
    body: Any,
    *,
    op: str,
    find: Callable[[Any, str], Any],
    line: Callable[[Any, Any, str], str],
    key: str,
    online: bool,
    as_json: bool,
) -> None:
    """One item or option PATCH (`op`) through the outbox at once, said as `line` says the line as it stands after
    (`find` finds it in the cached menu; the JSON answer holds it under `key`)."""
    import asyncio

    import msgspec

    from o2o_tui.i18n import current_language
    from o2o_tui.sync.perform import perform
    from o2o_tui.sync.read_model import ReadModel

    store_id = store_id_of(profile)
    result = asyncio.run(perform(profile, cache, op, f"{store_id}/{entity.id}", body, online=online))
    read = ReadModel(cache)
    menu = read.menu(store_id)
    shown = entity
    if menu is not None:
        with contextlib.suppress(LookupError):
            shown = find(menu, entity.id)
    report_outcome(
        result,
        as_json=as_json,
        online=online,
        done_message=line(shown, read.store(store_id), current_language()),
        extra={key: msgspec.to_builtins(shown)} if as_json else None,
    )


def _resolve(menu: Any, text: str) -> Any:
    return resolve_one(find_item, menu, text, "menu_cli.error.no_item", "menu_cli.error.ambiguous", "item")


def resolve_one(
    find: Callable[[Any, str], Any], menu: Any, text: str, missing_key: str, ambiguous_key: str, kind: str
) -> Any:
    """The item or option (`kind`) `find` finds for `text`: none is NOT_FOUND saying `missing_key`, several exit 2
    saying `ambiguous_key` with the first ten of them."""
    from o2o_tui.safe_text import safe_text

    try:
        return find(menu, text)
    except LookupError as error:
        candidates = error.args[0]
        if not candidates:
            raise fail(t(missing_key, **{kind: text}), Exit.NOT_FOUND) from None
        names = ", ".join(f"{c.id} ({safe_text(c.name, one_line=True)})" for c in candidates[:10])
        raise fail(t(ambiguous_key, **{kind: text}, candidates=names), Exit.USAGE) from None


def keep_hidden_in_draft(cache: Any, store_id: str, kind: str, entity_id: str, hidden: bool) -> None:
    """A draft must not undo a hide/show made at once: the change goes into its base and its menu, as published.
    `kind`: "item" or "option"."""
    import contextlib

    import msgspec

    from o2o_tui import menu_service
    from o2o_tui.menu_edits import EditError, Kind, update
    from o2o_tui.sync.session import lock_wait_from_env

    entity_kind: Kind = "item" if kind == "item" else "option"
    try:
        with menu_service.claimed_draft(cache, store_id, wait=lock_wait_from_env()):
            drafts = _drafts(cache)
            draft = drafts.load(store_id)
            if draft is None:
                return
            changed = {}
            for side in ("base", "menu"):
                with contextlib.suppress(EditError):  # not in that menu (deleted in the draft, say): nothing to keep
                    changed[side] = update(getattr(draft, side), entity_kind, entity_id, hidden=hidden)
            if changed:
                _save_draft(drafts, msgspec.structs.replace(draft, **changed))
    except menu_service.DraftHeld as held:  # the editor's draft is its own: said, never written under it
        holder = _holder_text(cache, store_id, held.holder)
        if held.command is None:
            warn(t("menu_draft.hidden_not_in_draft", holder=holder), "draft_held")
            return
        # another `o2o menu import|publish|...` still holds it after O2O_CACHE_LOCK_WAIT: no editor is open
        what = t(f"menu_cli.held_by.{held.command}")
        seconds = f"{lock_wait_from_env():g}"
        warn(t("menu_draft.hidden_not_in_draft_busy", what=what, holder=holder, seconds=seconds), "draft_held")


# --- the commands -----------------------------------------------------------------------------------------------

FormatOption = typer.Option(None, "--format", help=t("menu_cli.option.format"), case_sensitive=False)


def show(profile: str | None = ProfileOption, as_json: bool = JsonOption) -> None:
    from o2o_tui.domain.menu import localized
    from o2o_tui.i18n import current_language
    from o2o_tui.safe_text import safe_text

    fill_new_cache(profile, say_answered_errors=True)  # a profile just logged in: its menu, not "run sync"
    with handle_errors(), cache_errors(), cli_cache(profile, read_only=True) as (chosen, cache):
        menu, store = cached_menu(chosen, cache, pull=False)
    if as_json:
        emit_json(shown_json(menu, datetime.now(UTC)))
        return
    lang = current_language()
    say(t("menu_cli.show.header", version=menu.version, currency=menu.currency))
    for category in menu.categories:
        say(safe_text(localized(category.name, category.names, lang), one_line=True))
        for item in category.items:
            say(_item_line(item, store, lang, menu=menu))
    if not menu.categories:
        say(t("menu_cli.show.empty"))
    if menu.option_groups:
        from o2o_tui.cli.menu_option import option_line

        say(t("menu_cli.show.options"))
        for group in menu.option_groups:
            name = safe_text(localized(group.name, group.names, lang), one_line=True)
            say(t("menu_cli.show.group", id=group.id, name=name, rule=group_rule(group.min, group.max)))
            for option in group.options:
                say(option_line(option, store, lang))


def export(
    file_format: str | None = FormatOption,
    output: Path | None = typer.Option(
        None, "--output", "-o", help=t("menu_cli.option.output"), dir_okay=False
    ),
    profile: str | None = ProfileOption,
) -> None:
    from o2o_tui import menu_io

    kind = _format_of(output, file_format.lower() if file_format else None)
    if kind not in ("json", "csv"):
        raise fail(t("menu_cli.error.format", format=kind), Exit.USAGE)
    fill_new_cache(profile, say_answered_errors=True)
    with handle_errors(), cache_errors(), cli_cache(profile, read_only=True) as (chosen, cache):
        menu, _store = cached_menu(chosen, cache, pull=False)
        from o2o_tui.menu_service import keep_export

        keep_export(cache, menu)  # what each cell said: an import of the file tells a person's change from it
    from o2o_tui.store_effect import store_zone

    # snooze_until on the store's clock with its offset, as the import's example writes it (not the stored UTC)
    data = menu_io.export_csv(menu, store_zone(_store)) if kind == "csv" else menu_io.export_json(menu)
    if output is None:
        import sys

        from o2o_tui.cli.output import written

        def write() -> None:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.flush()

        written(write)  # a reader that left (`| head -c 10`) or stdout closed: dropped, still exit 0
        return
    try:
        output.write_bytes(data)
    except OSError as error:
        raise fail(
            t("menu_cli.error.write", path=str(output), reason=error.strerror or str(error)), Exit.ERROR
        ) from None
    say(t("menu_cli.export.done", path=str(output), count=sum(len(c.items) for c in menu.categories)))


def import_file(
    file: Path = typer.Argument(..., help=t("menu_cli.arg.file"), dir_okay=False),
    file_format: str | None = FormatOption,
    dry_run: bool = typer.Option(False, "--dry-run", help=t("menu_cli.option.dry_run")),
    partial: bool = typer.Option(False, "--partial", help=t("menu_cli.option.partial")),
    discard_draft: bool = typer.Option(False, "--discard-draft", help=t("menu_draft.option.discard_draft")),
    allow_warnings: bool = typer.Option(False, "--allow-warnings", help=t("menu.import.option.allow_warnings")),
    allow_empty: bool = typer.Option(False, "--allow-empty", help=t("menu_cli.option.allow_empty")),
    sheet_availability: bool = typer.Option(
        False, "--sheet-availability", help=t("menu_cli.option.sheet_availability")
    ),
    sheet_cells: bool = typer.Option(False, "--sheet-cells", help=t("menu_cli.option.sheet_cells")),
    online: bool = OnlineOption,
    profile: str | None = ProfileOption,
    as_json: bool = JsonOption,
) -> None:
    import msgspec

    from o2o_tui import menu_io
    from o2o_tui.menu_draft import apply, diff
    from o2o_tui.menu_service import (
        IMPORT,
        MenuTooBig,
        check_publish_size,
        exported_menu,
        fresh_draft,
        queued_availability,
        queued_hides,
        unpublished_edits,
        with_queued_availability,
    )
    from o2o_tui.sync.perform import Outcome

    kind = _format_of(file, file_format.lower() if file_format else None)
    if kind not in ("json", "csv"):
        raise fail(t("menu_cli.error.format", format=kind), Exit.USAGE)
    if partial and kind != "csv":
        raise fail(t("menu_cli.error.partial_json"), Exit.USAGE)
    data = _read_file(file)
    if dry_run:  # read only below: a profile just logged in gets its menu first (a real import pulls itself)
        fill_new_cache(profile, say_answered_errors=True)
    with (
        handle_errors(),
        cache_errors(),
        cli_cache(profile, read_only=dry_run) as (chosen, cache),
        contextlib.ExitStack() as claim,
    ):
        # the draft first, the menu after: an import, publish or discard that held it meanwhile has changed both
        claim.enter_context(draft_claimed(cache, store_id_of(chosen), looking=dry_run))
        published, store = cached_menu(chosen, cache, pull=not dry_run)
        saved = _drafts(cache).load(published.store_id)
        if discard_draft:  # a person's unpublished edits are dropped on purpose, the file goes on the menu
            if saved is not None and not dry_run:
                _discard_draft(_drafts(cache), published.store_id)
            draft = fresh_draft(cache, published)
        elif unpublished_edits(cache, saved):
            raise _refuse_unpublished(saved)
        else:
            draft = _working_draft(cache, published, save=False)
        # a sold-out queued since the saved draft was made (between two imports queued offline) is in it, as a hide
        draft = with_queued_availability(cache, draft)
        currency = store.currency if store is not None else published.currency
        imported, lines, held = _imported(data, kind, draft.menu, currency, partial, allow_empty)
        # a cell as the file was exported never silently undoes a newer change of its item (this device's queued
        # import, or the platform's): kept and said, as an availability is below
        hides = queued_hides(cache, published.store_id)
        exports = {v: exported_menu(cache, published.store_id, v) for v in set(held.values()) if v > 0}
        exports = {v: menu for v, menu in exports.items() if menu is not None}

        def newer_kept(applied: Any, current: Any) -> tuple[Any, list[KeptCell]]:
            return cells_to_keep(
                published, current, applied, held, take_file=sheet_cells, queued_hides=hides, exports=exports
            )

        imported, kept_cells = newer_kept(imported, draft.menu)
        if kind == "csv" and sheet_category_order_differs(imported, lines):  # said once: the sheet cannot do it
            warn(t("menu_cli.import.category_order"), "category_order")
        # an earlier import's rows the platform refused are kept to publish again, never with another file
        left = _left_over(
            cache,
            draft,
            published,
            imported,
            lambda base: newer_kept(_parsed(data, kind, base, currency, partial, allow_empty)[0], base)[0],
        )
        if left:
            raise _refuse_unsent(left)
        # what the editor's publish asks about (a line on sale at 0, or still "New item"): said per line, and not
        # put on sale without --allow-warnings (exit 2, nothing applied, as a bad row)
        warned = menu_io.sale_warnings(published, imported, lines)
        for warning in warned:
            warn(menu_io.describe_warning(warning), "sale_warning")
        if warned and not allow_warnings and not dry_run:
            raise fail(t("menu.import.warned", count=len(warned)), Exit.USAGE)
        changes = diff(published, imported)
        # a sold-out (or a return to sale) made after the file was exported is kept and said, never undone
        availability, kept = availability_to_send(
            published,
            imported,
            held,
            datetime.now(UTC),
            take_file=sheet_availability,
            queued=queued_availability(cache, published.store_id),
        )

        def say_kept() -> None:  # after the lines of what goes, where a person reads on from them
            for cell in kept_cells:
                warn(_kept_cell_text(cell, published, imported), "cell_kept")
            for held_back in kept:
                warn(_kept_text(held_back, published, store), "availability_kept")

        extra = {
            "availability": [entity_id for kind, entity_id, _ in availability if kind == "item"],
            "option_availability": [entity_id for kind, entity_id, _ in availability if kind == "option"],
            "kept": [_kept_json(held_back, published) for held_back in kept],
            "kept_cells": [_kept_cell_json(cell, published, imported) for cell in kept_cells],
        }
        if dry_run:
            # what would stop the import (exit 2, nothing applied): said, the diff printed, and the dry run exits
            # as the import would, so that a check run before the import catches it
            stops: list[dict[str, Any]] = []
            if warned and not allow_warnings:
                stops.append(
                    {"code": "sale_warning", "message": t("menu.import.warned_dry_run", count=len(warned))}
                )
            try:
                check_publish_size(apply(draft, imported))
            except MenuTooBig as too_big:
                warn(too_big.message(), "menu_too_big")
                stops.append({"code": "menu_too_big", "message": too_big.message()})
            if as_json:
                say_kept()
                emit_json(
                    {
                        "would_import": not stops,
                        "stops": stops,
                        "changes": [_change_json(change, imported.currency) for change in changes],
                        **extra,
                    }
                )
                if stops:
                    emit_error(t("menu_cli.import.dry_run_stops"), Exit.USAGE)
                    raise typer.Exit(int(Exit.USAGE))
                return
            for line in change_lines(changes, imported, published):
                say(line)
            for line in _availability_lines(availability, imported, store):
                say(line)
            say_kept()
            if warned and not allow_warnings:
                say(t("menu.import.warned_dry_run", count=len(warned)))
            say(t("menu_cli.import.dry_run", count=len(changes), availability=len(availability)))
            if stops:
                raise fail(t("menu_cli.import.dry_run_stops"), Exit.USAGE)
            return
        drafts = _drafts(cache)
        draft = msgspec.structs.replace(apply(draft, imported), changed_by=IMPORT)
        _check_size(draft)  # the draft stays as it was: nothing of a file the platform cannot take is kept
        _save_draft(drafts, draft)
        if not as_json:
            for line in change_lines(changes, imported, published):
                say(line)
            for line in _availability_lines(availability, imported, store):
                say(line)
        say_kept()
        try:
            sent = _send_publish(chosen, cache, draft, online=online)
        except BaseException:  # (the platform's 5xx or a refused token, met by --online before anything is queued)
            _put_back(cache, published.store_id, saved)
            raise
        if sent is not None and sent.result.outcome is Outcome.NOT_QUEUED:
            _put_back(cache, published.store_id, saved)
        queued = sent is not None and sent.result.outcome is Outcome.QUEUED
        only_availability = sent is None and bool(availability)  # said once it is sent, not "nothing to publish"
        if not queued and not only_availability:  # published, or refused (then nothing of the file goes: exit 4)
            _report_publish(sent, online=online, as_json=as_json, extra=extra)
        # The availability goes with the publish: while that is queued, each change rides with it (sent only if
        # it goes through: o2o_tui/sync/linked.py), and is queued before the publish's outcome is said (which
        # may end the command); once the file's content is published, its availability is queued whatever
        # --online says, so the import is never left half done.
        outcomes = _apply_availability(
            chosen,
            cache,
            availability,
            imported,
            online=online and sent is None,
            as_json=as_json,
            riding=sent.base_version if sent is not None and queued else None,
        )
        if only_availability:
            if as_json:
                emit_json({"outcome": "unchanged", "changes": [], **extra})
            else:
                _say_availability_only(outcomes)
        if queued:
            _report_publish(sent, online=online, as_json=as_json, extra=extra)


def _availability_word(item: Any, store: Any) -> str:
    """An item's or option's availability in words: "sold out until 22:00", "available", "unavailable"."""
    from o2o_tui.cli.store import until_text
    from o2o_tui.domain.menu import Availability

    if item.status is Availability.UNAVAILABLE:
        return t("menu_cli.availability.unavailable")
    if item.snooze_until is not None:
        return t("menu_cli.availability.sold_out", until=until_text(item.snooze_until, _zone(store)))
    return t("menu_cli.availability.available")


def _entity_name(kind: str, entity_id: str, *menus: Any) -> str:
    """An item's or option's name in the console's language (made safe), from the first of `menus` having it."""
    from o2o_tui.menu_shown_names import shown_names

    return shown_names(*menus).get((kind, entity_id)) or entity_id


def _availability_lines(availability: list[tuple[str, str, Any]], menu: Any, store: Any) -> list[str]:
    """`! item Yeung Chow Fried Rice (item-3771f220): sold out until 22:00`, one per availability change sent."""
    from o2o_tui.menu_shown_names import shown_names

    names = shown_names(menu)
    return [
        t(
            "menu_cli.change.availability",
            entity=t(f"menu_cli.entity.{kind}"),
            id=entity_id,
            name=names.get((kind, entity_id)) or entity_id,
            availability=_availability_word(entity, store),
        )
        for kind, entity_id, entity in availability
    ]


def _kept_text(kept: KeptAvailability, published: Any, store: Any) -> str:
    """What the import left as it is and why, by name, and the command that makes it what the file says."""
    from o2o_tui.cli.store import until_text
    from o2o_tui.domain.menu import Availability

    sheet = kept.sheet
    key = "menu_cli.import.kept"
    if sheet.status is Availability.UNAVAILABLE:
        word = "unavailable"
    elif effective_status(sheet, datetime.now(UTC)) == "SOLD_OUT":
        until = until_text(sheet.snooze_until, _zone(store))
        word = f"sold-out --until {until}"
        if " " in until:  # another day: `--until` takes a time of today or tomorrow only
            key = "menu_cli.import.kept_flag"
    else:
        word, key = "available", "menu_cli.import.kept_put_back"
    if kept.queued and kept.held is not None:
        why = t("menu_cli.import.kept_queued", held=kept.held)
    elif kept.held is None:
        why = t("menu_cli.import.kept_unknown")
    else:
        why = t("menu_cli.import.kept_changed", held=kept.held, now=published.version)
    return t(
        key,
        entity=t(f"menu_cli.entity.{kept.kind}"),
        id=kept.entity_id,
        name=_entity_name(kept.kind, kept.entity_id, published),
        live=_availability_word(kept.live, store),
        sheet=_availability_word(sheet, store),
        why=why,
        command=f"o2o menu {kept.kind} status {kept.entity_id} {word}",
    )


def _cell_words(field: str, value: Any, *menus: Any) -> str:
    """A cell's value as a person reads it: a price with its decimals, hidden as the menu says it, option groups
    by their names, a text as it is (made safe; "" shown as "-")."""
    from o2o_tui.menu_draft import hidden_word
    from o2o_tui.menu_edits import price_text
    from o2o_tui.menu_shown_names import shown_names
    from o2o_tui.safe_text import safe_text

    if field == "price":
        return price_text(value)
    if field == "hidden":
        return hidden_word(bool(value))
    if field == "option_group_ids":
        names = shown_names(*menus)
        shown = [names.get(("group", group_id)) or safe_text(group_id, one_line=True) for group_id in value]
        return t("menu_publish.list_sep").join(shown) or "-"
    return safe_text("" if value is None else str(value), one_line=True) or "-"


def _kept_cell_text(cell: KeptCell, published: Any, imported: Any) -> str:
    """A cell the import left as the menu has it and why, by name, and how to take the file's."""
    from o2o_tui.menu_draft import field_label

    if cell.queued:
        why = t("menu_cli.import.kept_queued", held=cell.held)
    else:
        why = t("menu_cli.import.kept_changed", held=cell.held, now=published.version)
    return t(
        "menu_cli.import.kept_cell",
        field=field_label(cell.field),
        live=_cell_words(cell.field, cell.live, imported, published),
        sheet=_cell_words(cell.field, cell.sheet, imported, published),
        entity=t("menu_cli.entity.item"),
        id=cell.item_id,
        name=_entity_name("item", cell.item_id, imported, published),
        why=why,
    )


def _kept_cell_json(cell: KeptCell, published: Any, imported: Any) -> dict[str, Any]:
    """`kept_cells` of an import's --json: the item, the field, the value kept and the file's."""

    def value(raw: Any) -> Any:
        if cell.field == "price":
            return {"amount": raw.amount, "currency": raw.currency}
        return list(raw) if isinstance(raw, list) else raw

    return {
        "kind": "item",
        "id": cell.item_id,
        "name": _entity_name("item", cell.item_id, imported, published),
        "field": cell.field,
        "kept": value(cell.live),
        "file": value(cell.sheet),
        "exported_version": cell.held,
        "menu_version": published.version,
        "queued": cell.queued,
    }


def _kept_json(kept: KeptAvailability, published: Any) -> dict[str, Any]:
    """`kept` of an import's --json: the item or option, what it stays and what the file said."""

    def state(entity: Any) -> dict[str, Any]:
        until = entity.snooze_until
        return {
            "effective_status": effective_status(entity, datetime.now(UTC)),
            "status": str(entity.status),
            "snooze_until": None if until is None else until.isoformat(),
        }

    return {
        "kind": kept.kind,
        "id": kept.entity_id,
        "name": _entity_name(kept.kind, kept.entity_id, published),
        "kept": state(kept.live),
        "file": state(kept.sheet),
        "exported_version": kept.held,
        "menu_version": published.version,
        "queued": kept.queued,  # this device's own change, not sent yet (offline), is what is kept
    }


def _availability_body(item: Any) -> Any:
    from o2o_tui.domain.menu import Availability
    from o2o_tui.domain.requests import ItemPatchBody

    if item.status is Availability.UNAVAILABLE:
        return ItemPatchBody(status=Availability.UNAVAILABLE, clear_snooze=True)
    if item.snooze_until is not None:
        return ItemPatchBody(status=Availability.AVAILABLE, snooze_until=item.snooze_until)
    return ItemPatchBody(status=Availability.AVAILABLE, clear_snooze=True)


def _apply_availability(
    profile: Any,
    cache: Any,
    changes: list[tuple[str, str, Any]],
    menu: Any,
    *,
    online: bool,
    as_json: bool,
    riding: int | None = None,
) -> list[Any]:
    """The file's availability of items and options the menu already had: one PATCH each, through the outbox (a
    publish keeps the current availability). `riding`: the base version of the import's publish, still queued,
    that they ride with (o2o_tui/sync/linked.py: they go only if it does). The outcome of each."""
    import asyncio

    from o2o_tui.menu_service import PATCH_ACTION
    from o2o_tui.sync.perform import Outcome, perform

    store_id = store_id_of(profile)
    outcomes = []
    for kind, entity_id, entity in changes:
        result = asyncio.run(
            perform(
                profile,
                cache,
                PATCH_ACTION[kind],
                f"{store_id}/{entity_id}",
                _availability_body(entity),
                online=online,
                base_version=riding,
            )
        )
        if not as_json and result.outcome is not Outcome.DONE:
            say(
                t(
                    "menu_cli.import.availability_not_done",
                    entity=t(f"menu_cli.entity.{kind}"),
                    id=entity_id,
                    name=_entity_name(kind, entity_id, menu),
                    outcome=str(result.outcome),
                )
            )
        outcomes.append(result.outcome)
    return outcomes


def _say_availability_only(outcomes: list[Any]) -> None:
    """An import whose menu content is the published one but whose availability is not: what was sent (and
    queued, offline), not "nothing to publish"."""
    from o2o_tui.sync.perform import Outcome

    sent = sum(1 for outcome in outcomes if outcome is Outcome.DONE)
    queued = sum(1 for outcome in outcomes if outcome is Outcome.QUEUED)
    say(t("menu_cli.import.availability_only", count=sent))
    if queued:
        say(t("menu_cli.import.availability_only_queued", count=queued))


def publish(
    online: bool = OnlineOption, profile: str | None = ProfileOption, as_json: bool = JsonOption
) -> None:
    with (
        handle_errors(),
        cache_errors(),
        cli_cache(profile) as (chosen, cache),
        draft_claimed(cache, store_id_of(chosen)),
    ):
        draft = _drafts(cache).load(store_id_of(chosen))
        if draft is not None:
            published, _ = cached_menu(chosen, cache, pull=True)
            draft = _working_draft(cache, published, save=True)
        if draft is None:
            if as_json:
                emit_json({"outcome": "unchanged", "changes": []})
                return
            say(t("menu_cli.publish.no_draft"))
            return
        _publish(chosen, cache, draft, online=online, as_json=as_json, extra={})


def discard(profile: str | None = ProfileOption, as_json: bool = JsonOption) -> None:
    from o2o_tui.menu_draft import diff
    from o2o_tui.menu_service import drop_queued_publishes
    from o2o_tui.sync.read_model import ReadModel

    with (
        handle_errors(),
        cache_errors(),
        cli_cache(profile) as (chosen, cache),
        draft_claimed(cache, store_id_of(chosen)),
    ):
        drafts = _drafts(cache)
        store_id = store_id_of(chosen)
        draft = drafts.load(store_id)
        # this device's publishes still waiting in the outbox are unpublished edits too: dropped with the draft
        dropped = drop_queued_publishes(cache, store_id)
        # the refused publishes of the draft (and the availability held with them) say the draft is kept: no more
        dismissed = _dismiss_draft_conflicts(cache, store_id)
        said = {"dropped_publishes": dropped or 0, "dismissed_conflicts": dismissed}
        # one that no longer decodes: copied aside (said where), then dropped
        unreadable = draft is None and store_id in drafts.keys() and _discard_draft(drafts, store_id)  # noqa: SIM118
        if draft is None:
            if as_json:
                emit_json({"discarded": unreadable, "changes": [], **said})
            elif not dropped and not unreadable:
                say(t("menu_cli.discard.none"))
        else:
            changes = diff(draft.base, draft.menu)
            _discard_draft(drafts, draft.store_id)
            menu = ReadModel(cache).menu(draft.store_id)
            version = menu.version if menu is not None else draft.base.version
            if as_json:
                emit_json(
                    {
                        "discarded": True,
                        "changes": [_change_json(c, draft.menu.currency) for c in changes],
                        "version": version,
                        **said,
                    }
                )
            else:
                say(t("menu_cli.discard.done", count=len(changes), version=version))
        if as_json:
            if dropped is None:
                warn(t("menu_cli.discard.publish_busy"), "publish_being_sent")
            return
        if dropped:
            say(t("menu_cli.discard.dropped_publish", count=dropped))
        if dismissed:
            say(t("menu_cli.discard.dismissed_conflicts", count=dismissed))
        elif dropped is None:
            warn(t("menu_cli.discard.publish_busy"), "publish_being_sent")


def _dismiss_draft_conflicts(cache: Any, store_id: str) -> int:
    """Dismiss the store's refused menu publishes from the conflicts list, with the availability changes held
    because their import's publish was refused (sync/linked.py): each says the draft is kept on this device and
    how to publish it again, which no longer holds once the draft is discarded. How many publishes went."""
    from o2o_tui.menu_service import PUBLISH
    from o2o_tui.sync.linked import HELD_CODE, rides

    refused = cache.outbox.conflicts()
    publishes = [e.key for e in refused if e.action == PUBLISH and e.target == store_id]
    held = [
        e.key
        for e in refused
        if rides(e) and e.target.partition("/")[0] == store_id and (e.rejection or {}).get("code") == HELD_CODE
    ]
    if publishes or held:
        cache.outbox.dismiss_many(publishes + held)
    return len(publishes)


def item_status(
    item: str = ItemArgument,
    availability: str = typer.Argument(..., help=t("menu_cli.arg.availability")),
    until: str | None = typer.Option(None, "--until", help=t("menu_cli.option.until")),
    online: bool = OnlineOption,
    profile: str | None = ProfileOption,
    as_json: bool = JsonOption,
) -> None:
    change_availability(item, availability, until, online, profile, as_json, resolve=_resolve, patch=_patch_item)


# how `o2o menu item` and `o2o menu option` find what they change, and send the change and print it
Resolve = Callable[[Any, str], Any]
Patch = Callable[..., None]


def change_availability(
    text: str, availability: str, until: str | None, online: bool, profile: str | None, as_json: bool,
    *, resolve: Resolve, patch: Patch,
) -> None:
    """One item's or option's availability, at once (`resolve` finds it in the menu, `patch` sends it)."""
    word = availability_word(availability, until)
    with handle_errors(), cache_errors(), cli_cache(profile) as (chosen, cache):
        menu, store = cached_menu(chosen, cache, pull=True)
        found = resolve(menu, text)
        patch(chosen, cache, found, availability_body(word, until, store), online=online, as_json=as_json)


def hide_or_show(
    kind: str, text: str, hidden: bool, online: bool, profile: str | None, as_json: bool,
    *, resolve: Resolve, patch: Patch,
) -> None:
    """Hide or show one item or option (`kind`) at once; a saved draft takes the change too, so publishing it keeps
    it."""
    from o2o_tui.domain.requests import ItemPatchBody

    with handle_errors(), cache_errors(), cli_cache(profile) as (chosen, cache):
        menu, _store = cached_menu(chosen, cache, pull=True)
        found = resolve(menu, text)
        keep_hidden_in_draft(cache, menu.store_id, kind, found.id, hidden)
        patch(chosen, cache, found, ItemPatchBody(hidden=hidden), online=online, as_json=as_json)


def availability_word(availability: str, until: str | None) -> str:
    """`availability` as one of AVAILABILITY_CHOICES (`sold_out`, `Sold-Out`, the catalog's words as a sheet takes
    them: `停售` too), or exit 2 saying why."""
    from o2o_tui.menu_io import accepted_words, availability_code

    word = availability_code(availability) or ""
    if word not in AVAILABILITY_CHOICES:
        raise fail(
            t("menu_cli.error.availability", word=availability, allowed=accepted_words(AVAILABILITY_CHOICES)),
            Exit.USAGE,
        )
    if until is not None and word != "sold-out":
        raise fail(t("menu_cli.error.until_only_sold_out"), Exit.USAGE)
    return word


def availability_body(word: str, until: str | None, store: Any) -> Any:
    """The PATCH body (items and options alike) for a checked `availability_word`; a bad --until exits 2."""
    from o2o_tui.domain.menu import Availability
    from o2o_tui.domain.requests import ItemPatchBody

    if word == "available":
        return ItemPatchBody(status=Availability.AVAILABLE, clear_snooze=True)
    if word == "unavailable":
        return ItemPatchBody(status=Availability.UNAVAILABLE, clear_snooze=True)
    if until is not None and not until.strip():  # `--until ""`: said as empty, not as "Not a time: ."
        raise fail(t("menu_cli.error.until_empty"), Exit.USAGE)
    try:
        moment = sold_out_until(until, datetime.now(UTC), store)
    except ValueError:
        raise fail(t("menu_cli.error.until", text=(until or "").strip()), Exit.USAGE) from None
    return ItemPatchBody(status=Availability.AVAILABLE, snooze_until=moment)


def item_hide(
    item: str = ItemArgument,
    online: bool = OnlineOption,
    profile: str | None = ProfileOption,
    as_json: bool = JsonOption,
) -> None:
    hide_or_show("item", item, True, online, profile, as_json, resolve=_resolve, patch=_patch_item)


def item_show(
    item: str = ItemArgument,
    allow_warnings: bool = AllowWarningsOption,
    online: bool = OnlineOption,
    profile: str | None = ProfileOption,
    as_json: bool = JsonOption,
) -> None:
    # shown, a free or still unnamed item would go on sale: said, and not done without --allow-warnings
    resolve = showing(_resolve, allow_warnings)
    hide_or_show("item", item, False, online, profile, as_json, resolve=resolve, patch=_patch_item)


def _build() -> typer.Typer:
    """The `o2o menu` group, its texts in the current language."""
    from o2o_tui.cli.menu_option import option_app

    menu_app = typer.Typer(help=t("menu_cli.help"), no_args_is_help=True)
    item_app = typer.Typer(help=t("menu_cli.item.help"), no_args_is_help=True)
    menu_app.add_typer(item_app, name="item")
    menu_app.add_typer(option_app(), name="option")
    menu_app.command("show", help=t("menu_cli.show.help"))(show)
    menu_app.command("export", help=t("menu_cli.export.help"))(export)
    menu_app.command("import", help=t("menu_cli.import.help"))(import_file)
    menu_app.command("publish", help=t("menu_cli.publish.help"))(publish)
    menu_app.command("discard", help=t("menu_cli.discard.help"))(discard)
    item_app.command("status", help=t("menu_cli.item.status.help"))(item_status)
    item_app.command("hide", help=t("menu_cli.item.hide.help"))(item_hide)
    item_app.command("show", help=t("menu_cli.item.show.help"))(item_show)
    return menu_app


def register(app: typer.Typer) -> None:
    """Add `o2o menu` to the root app, with `o2o menu edit` when the editor's module provides it."""
    global menu_app
    menu_app = _build()
    try:
        editor = importlib.import_module("o2o_tui.cli.menu_edit")
    except ModuleNotFoundError as error:
        if error.name != "o2o_tui.cli.menu_edit":
            raise
    else:
        register_edit = getattr(editor, "register_edit", None)
        if register_edit is not None:
            register_edit(menu_app)
    app.add_typer(menu_app, name="menu")
