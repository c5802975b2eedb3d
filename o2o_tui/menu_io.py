"""A menu as a file: JSON (lossless, the whole `Menu`) and CSV (the sheet a merchant edits in a spreadsheet).

JSON is the menu exactly as the platform answers it (`export_json`), read back strictly (`import_json`: the publish
body's rules, unknown fields refused, every problem named by its path).

CSV is one row per item, the columns of `CSV_COLUMNS` (the README lists them), written as UTF-8 with a byte-order
mark (what a spreadsheet needs to open UTF-8 rather than guess a legacy code page) and CRLF line ends. Read as
UTF-8 with or without the mark, else GB18030 (what a Chinese spreadsheet saves) when the whole file reads as it and
looks like it: a file partly UTF-8 (a row pasted from a GB18030 sheet) or in a Western code page (Latin-1) is
refused where it stops being one encoding (`decode_sheet`). A sheet read back needs a price, a
name and a category column (`_REQUIRED_COLUMNS`), in any order; a column it leaves out keeps what the `base` menu
has. The sheet is the whole item list of the menu (unless `partial`: then the items no row names stay): an item
left out of the sheet is deleted; a row with an empty `item_id` is the base item of its names in its category (one
no row names by id), else a new item, so a file imported twice is the same menu; without an `item_id` column a
row is the base item of the same names (if just one; of several, the one in the row's category); where names say
which item a row is, the same names twice in one category are refused like an id twice. Names found by one of
them (the Chinese name, or the English one, where the row and the menu both have it; just one item or category
with it, and no other row naming that item by all its names) are that item or category renamed: an English column
added to a Chinese sheet, or a typo in one language, keeps the ids (a category's rows whose names then differ are
refused). A new item's or category's id is made from its names (`_Sheet._new_id`), never counted from the ids the
menu has now: a dish a sheet deleted does not lend its id, with its orders, to the next new one. A whole sheet with
no rows under its header (an export that failed) is refused unless `allow_empty`: it would delete every item. A whole sheet's new id on
a row with the names of an item of its category the sheet deletes is a mistyped id, refused. Problems are placed
at the row as a spreadsheet numbers it (`ImportProblem.row`), not the text line (a cell may hold line breaks);
empty columns after the header's last name (Excel, WPS) are ignored.
A row's category is named by id or found by its names; names the menu does not have add a category (a new id needs
names of its own, so a mistyped id of an existing category is refused). Option groups are edited in the editor or
in JSON; a row's `option_group_ids` names them by id or by name (`menu_edits.groups_named`: a whole name, case and
width aside; one no group has or two share is refused), and an export writes their ids. A cell the sheet did not
change leaves the item exactly as it was, and each language's column changes only that language. An older
menu's text with one `name` (the demo's) is written as the Chinese one and the English cell left empty, as the
editor shows it; a new Chinese text keeps it one `name` (so the import's preview shows the
old one), an English one adds per-language names. A cell that a spreadsheet would run as a formula (one starting with
`= + - @`, a tab or a carriage return) is written with a leading `'`, and so is one that starts with `'`; import
strips one leading `'`: the round trip is exact and a spreadsheet runs nothing.

Either import refuses a file over `MAX_BYTES`, and collects every problem (`ImportProblem(line, column, message)`)
before raising `MenuImportError`: nothing is applied when any row is bad. What is allowed but rarely meant (a line
put on sale at 0 or under the editor's "New item", which the editor's publish preview asks about) is no problem:
`sale_warnings` names each such line by its sheet row (`read_csv` says which row made which item), for the import
to say. Each exported row says in `menu_version` the version of the menu it was taken from (`SheetImport.held`):
an availability cell is what the menu had then, so the import can tell a cell a person changed from one the menu
has changed since (a dish sold out after the export is not put back on sale by a price sheet: cli/menu.py).
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import hashlib
import io
import json
import re
from datetime import datetime, tzinfo
from typing import Any

import msgspec

from o2o_tui.domain.limits import CURRENCY_PATTERN, ID_PATTERN, QUANTITY_MAX, blank
from o2o_tui.domain.menu import Availability, Category, Item, Menu, Names, Option, localized
from o2o_tui.domain.menu_rules import Problem, item_problems, menu_problems, problem_text
from o2o_tui.domain.money import Money, format_money
from o2o_tui.domain.requests import MenuIn, menu_of
from o2o_tui.i18n import t
from o2o_tui.menu_edits import EditError, groups_named, price_from_text, price_text
from o2o_tui.safe_text import safe_text

MAX_BYTES = 10 * 1024 * 1024
BOM = b"\xef\xbb\xbf"
CSV_COLUMNS = (
    "category_id",
    "category_name_zh",
    "category_name_en",
    "item_id",
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "price",
    "prep_minutes",
    "availability",
    "snooze_until",
    "hidden",
    "option_group_ids",
    "menu_version",
)
AVAILABILITY_WORDS = ("available", "sold-out", "unavailable")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
_PRICE_UNIT = re.compile(r"\s*[元块塊圆]\s*$")  # "39.50元", "５块": the unit written after a price
_TRUE = frozenset({"yes", "y", "true", "1", "是"})
_FALSE = frozenset({"no", "n", "false", "0", "", "否"})
# the catalog's words a sheet may write for an availability or for hidden, in either language (the export writes
# the English codes): `menu_cli.csv.<key>` lists them, separated by `,` or `、`
_WORDS_OF = {
    "available": "available",
    "sold-out": "sold_out",
    "unavailable": "unavailable",
    "yes": "hidden_yes",
    "no": "hidden_no",
}
_WORD_SEPARATORS = re.compile(r"\s*[,，、]\s*")


def _sheet_word(text: str) -> str:
    """A cell's word as it is compared: full-width forms as plain ones, case folded, `_` and spaces as `-`."""
    import unicodedata

    return re.sub(r"[\s_]+", "-", unicodedata.normalize("NFKC", text).strip().casefold())


def _catalog_words(code: str, lang: str | None = None) -> list[str]:
    """The words of `code` in `lang`'s catalog (every language's when None), the code first."""
    from o2o_tui.i18n import catalog

    key = f"menu_cli.csv.{_WORDS_OF[code]}"
    words = [code]
    for language in (lang,) if lang else ("en", "zh"):
        words += [word for word in _WORD_SEPARATORS.split(catalog(language).get(key, "")) if word]
    return list(dict.fromkeys(words))


def availability_code(text: str) -> str | None:
    """`available`, `sold-out` or `unavailable` for a sheet's (or a command's) word in either language ("停售",
    "Sold out", "sold_out"), else None."""
    word = _sheet_word(text)
    for code in AVAILABILITY_WORDS:
        if word in {_sheet_word(w) for w in _catalog_words(code)}:
            return code
    return None


def hidden_value(text: str) -> bool | None:
    """True or False for a sheet's hidden cell ("yes", "是", "隐藏"; "no", "否", empty), else None."""
    word = _sheet_word(text)
    if word in _TRUE or word in {_sheet_word(w) for w in _catalog_words("yes")}:
        return True
    if word in _FALSE or word in {_sheet_word(w) for w in _catalog_words("no")}:
        return False
    return None


def accepted_words(codes: tuple[str, ...]) -> str:
    """What a sheet may write for each of `codes`, as an error says it: the words of the console's language, the
    code beside them where they differ ("在售、有货（available）；售罄（sold-out）")."""
    from o2o_tui.i18n import current_language

    lang = current_language()
    shown = []
    for code in codes:
        words = [word for word in _catalog_words(code, lang) if _sheet_word(word) != _sheet_word(code)]
        joined = t("menu_cli.show.item_options_separator").join(words)
        shown.append(t("menu_cli.csv.code_words", code=code, words=joined) if words else code)
    return t("menu_cli.csv.choice_sep").join(shown)


class ImportProblem(msgspec.Struct, frozen=True):
    """One thing wrong with an imported file. `line` and `column` count from 1 (0: the file as a whole, or the
    whole row); `field` is the CSV column's name or, for JSON, the path of the value (`categories[0].items[2]`)."""

    line: int
    column: int
    message: str
    field: str = ""
    row: bool = False  # `line` is a sheet's row as a spreadsheet numbers it (a cell may hold line breaks)


CsvError = ImportProblem  # the contract's name for it


class MenuImportError(Exception):
    """The file cannot be applied; `problems` lists every reason found, in file order."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__("; ".join(describe(problem) for problem in problems[:5]))
        self.problems = problems


def describe(problem: ImportProblem) -> str:
    """`line 3, column 9 (price): a price cannot be negative` (a sheet's: `row 3, ...`), in the current
    language."""
    at = "menu_cli.at.row_" if problem.row else "menu_cli.at."
    if problem.line and problem.column and problem.field:
        where = t(at + "cell", line=problem.line, column=problem.column, field=problem.field)
    elif problem.line and problem.column:
        where = t(at + "position", line=problem.line, column=problem.column)
    elif problem.line:
        where = t(at + "line", line=problem.line)
    elif problem.field:
        where = t("menu_cli.at.field", field=problem.field)
    else:
        return problem.message
    return f"{where}: {problem.message}"


# --- JSON ----------------------------------------------------------------------------------------------------------

_JSON_IN = msgspec.json.Decoder(MenuIn)


def export_json(menu: Menu) -> bytes:
    """The whole menu (availability, version and all), indented, UTF-8."""
    return msgspec.json.format(msgspec.json.encode(menu), indent=2) + b"\n"


def _too_big(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise MenuImportError(
            [
                ImportProblem(
                    0, 0, t("menu_cli.error.too_big", size=len(data), limit=MAX_BYTES // (1024 * 1024))
                )
            ]
        )


def _line_column(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    line = before.count(b"\n") + 1
    column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1
    return line, column


def import_json(data: bytes, currency: str | None = None) -> Menu:
    """The menu in `data` (as `export_json` writes it), checked like a publish (`menu_rules`, in `currency` when
    given, else the menu's own); raises `MenuImportError` naming every problem at its text line and column."""
    _too_big(data)
    original = data.removeprefix(BOM)
    data = _without_shown_status(original)
    try:
        body = _JSON_IN.decode(data)
    except msgspec.ValidationError:
        raise MenuImportError(_json_problems(original, data, currency)) from None
    except msgspec.DecodeError as error:
        found = re.search(r"\(byte (\d+)\)", str(error))
        line, column = _line_column(data, int(found.group(1))) if found else (0, 0)
        raise MenuImportError([ImportProblem(line, column, str(error))]) from None
    menu = _typed_texts(menu_of(body))
    problems = menu_problems(menu, currency or menu.currency)
    if problems:
        where = _JsonPlaces(original)
        raise MenuImportError(
            _in_text_order([where.problem(p.field, _rule_text(p), _rule_path(p, menu)) for p in problems])
        )
    return menu


def _without_shown_status(data: bytes) -> bytes:
    """`data` without the `effective_status` that `o2o menu show --json` adds to each item and option (what it is
    for a customer now, worked out from `status` and `snooze_until`): a file saved from it imports as an export."""
    if b'"effective_status"' not in data:
        return data
    try:
        body = msgspec.json.decode(data)
    except msgspec.DecodeError:
        return data  # the decoder below says where
    if not isinstance(body, dict):
        return data
    for key, inner in (("categories", "items"), ("option_groups", "options")):
        for outer in body.get(key) or []:
            for entry in (outer.get(inner) or []) if isinstance(outer, dict) else []:
                if isinstance(entry, dict):
                    entry.pop("effective_status", None)
    return msgspec.json.encode(body)


def _kept(single: str, texts: Names) -> Names:
    """`texts` (an entity's `names` or `descriptions`) such that a publish, which makes the single text (`name`,
    `description`) the first non-empty of zh, en, loses nothing the file says when it can: a single text that is
    neither of them becomes the Chinese one when there is none (`"name": "小料", "names": {"en": "Toppings"}`).
    Where `names.zh` is given, it is what is stored (an export with per-language names added keeps its old single
    text beside them); the dry run's diff shows what that is."""
    if texts == Names() or blank(single) or single.strip() in (texts.zh.strip(), texts.en.strip()):
        return texts  # one single text of an older menu, or one of the per-language texts: nothing is lost
    if blank(texts.zh):
        return Names(zh=single, en=texts.en)
    return texts


def _typed_texts(menu: Menu) -> Menu:
    """`menu` (a JSON file's) with each `name` and item `description` kept by `_kept`."""

    def item(entry: Item) -> Item:
        return msgspec.structs.replace(
            entry,
            names=_kept(entry.name, entry.names),
            descriptions=_kept(entry.description, entry.descriptions),
        )

    categories = [
        msgspec.structs.replace(category, names=_kept(category.name, category.names), items=[item(e) for e in category.items])
        for category in menu.categories
    ]
    groups = [
        msgspec.structs.replace(
            group,
            names=_kept(group.name, group.names),
            options=[msgspec.structs.replace(option, names=_kept(option.name, option.names)) for option in group.options],
        )
        for group in menu.option_groups
    ]
    return msgspec.structs.replace(menu, categories=categories, option_groups=groups)


_MENU_STAND_INS: dict[str, object] = {"store_id": "_", "version": 0, "currency": "CNY", "categories": []}
_STRUCT_KINDS = {"categories", "items", "option_groups", "options"}  # the lists of a menu's entities
_MSGSPEC_PATH = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def _json_problems(original: bytes, data: bytes, currency: str | None) -> list[ImportProblem]:
    """Every problem of a JSON file the strict decoder refuses: each refusal of the decoder (an unknown field, a
    value of the wrong type or out of bounds), the value set aside and the file read again (so one problem does
    not hide the next), then what the publish rules find in what reads; each at its text line."""
    where = _JsonPlaces(original)
    body = msgspec.json.decode(data)
    found, set_aside, read = _structure_problems(body)
    problems = [where.problem(path, text) for path, text in found]
    if read is not None:
        menu = _typed_texts(menu_of(read))
        for problem in menu_problems(menu, currency or menu.currency):
            path = problem.field
            if not any(path == aside or path.startswith((aside + ".", aside + "[")) for aside in set_aside):
                problems.append(where.problem(path, _rule_text(problem), _rule_path(problem, menu)))
    return _in_text_order(problems)


def _in_text_order(problems: list[ImportProblem]) -> list[ImportProblem]:
    """`problems` as the file is read, top to bottom (those placed nowhere, line 0, last)."""
    return sorted(problems, key=lambda problem: (problem.line == 0, problem.line, problem.column))


def _structure_problems(body: object) -> tuple[list[tuple[str, str]], list[str], MenuIn | None]:
    """The decoder's refusals of `body` (the file, decoded as plain JSON), each as (path, message in the current
    language), found one after the other: an unknown field is dropped, a bad optional value left out, an entity
    with a bad required value put aside (its id kept); then the paths put aside and the body as it finally reads
    (None: it never did)."""
    found: list[tuple[str, str]] = []
    set_aside: list[str] = []
    dropped: set[tuple[str, str]] = set()  # (object path, key) left out here: a "missing" after it is ours
    seen: set[tuple[str, str]] = set()
    for _ in range(200):
        try:
            return found, set_aside, _JSON_IN.decode(msgspec.json.encode(body))
        except msgspec.ValidationError as error:
            text = str(error)
        message, _, at = text.rpartition(" - at `$")
        if not message:
            found.append(("", _msgspec_text(text)))
            break
        path = at.rstrip("`").lstrip(".")
        if (path, message) in seen:
            break
        seen.add((path, message))
        steps: list[str | int] = [key if key else int(index) for key, index in _MSGSPEC_PATH.findall(at.rstrip("`"))]
        container = _at(body, steps)
        unknown = re.fullmatch(r"Object contains unknown field `(.*)`", message)
        missing = re.fullmatch(r"Object missing required field `(.*)`", message)
        if unknown and isinstance(container, dict):
            found.append((_join(path, unknown.group(1)), _msgspec_text(message)))
            container.pop(unknown.group(1), None)
            continue
        if missing and not steps and missing.group(1) in _MENU_STAND_INS and isinstance(body, dict):
            if ("", missing.group(1)) not in dropped:
                found.append((path, _msgspec_text(message)))
            body[missing.group(1)] = _MENU_STAND_INS[missing.group(1)]  # the menu's own: the rest is still read
            continue
        if missing and (path, missing.group(1)) not in dropped:
            found.append((path, _msgspec_text(message)))
        elif not missing:
            found.append((path, _msgspec_text(message)))
            parent = _at(body, steps[:-1])
            if steps and isinstance(steps[-1], str) and isinstance(parent, dict):
                parent.pop(steps[-1], None)  # an optional value left out reads as its default
                dropped.add((_path_of(steps[:-1]), steps[-1]))
                continue
        if missing and isinstance(container, dict):
            # a required value missing or unreadable (said above): a stand-in of its kind takes its place, so the
            # entity's other values are still checked in this go, not once this one is mended
            stand_in = _stand_in(body, steps, missing.group(1), len(set_aside))
            if stand_in is not None:
                container[missing.group(1)] = stand_in
                set_aside.append(_join(path, missing.group(1)))
                continue
        aside = _set_aside(body, steps)
        if aside is None:
            break
        set_aside.append(aside)
    return found, set_aside, None


def _at(body: object, steps: list[str | int]) -> object:
    for step in steps:
        if isinstance(step, int) and isinstance(body, list) and step < len(body):
            body = body[step]
        elif isinstance(step, str) and isinstance(body, dict):
            body = body.get(step)
        else:
            return None
    return body


def _path_of(steps: list[str | int]) -> str:
    path = ""
    for step in steps:
        path = f"{path}[{step}]" if isinstance(step, int) else _join(path, step)
    return path


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _set_aside(body: object, steps: list[str | int]) -> str | None:
    """Put the innermost entity (category, item, option group, option) holding `steps` aside: an empty one of the
    same id stands in for it, so the others are still read; its path, or None when no entity holds it."""
    for index in range(len(steps) - 1, 0, -1):
        kind, position = steps[index - 1], steps[index]
        holder = _at(body, steps[: index - 1])
        entities = holder.get(kind) if isinstance(holder, dict) and isinstance(kind, str) else None
        if kind in _STRUCT_KINDS and isinstance(position, int) and isinstance(entities, list):
            old = entities[position] if position < len(entities) else None
            old_id = old.get("id") if isinstance(old, dict) else None
            entity_id = old_id if isinstance(old_id, str) and re.fullmatch(ID_PATTERN, old_id) else f"_{position}"
            currency = body.get("currency") if isinstance(body, dict) else None
            money = {"amount": 0, "currency": currency if isinstance(currency, str) and _is_currency(currency) else "CNY"}
            stand_in: dict[str, object] = {"id": entity_id, "name": entity_id}
            stand_in.update(
                {"items": []}
                if kind == "categories"
                else {"min": 0, "max": 1, "options": []}
                if kind == "option_groups"
                else {"price": money}
            )
            entities[position] = stand_in
            return _path_of(steps[: index + 1])
    return None


def _stand_in(body: object, steps: list[str | int], key: str, count: int) -> object | None:
    """A value for the required `key` of the object at `steps` (an entity, or an entity's `price`) that reads and
    breaks no rule of its own (the rules at its path are not said: it is not the file's), or None (put the entity
    aside)."""
    currency = body.get("currency") if isinstance(body, dict) else None
    currency = currency if isinstance(currency, str) and _is_currency(currency) else "CNY"
    if steps and steps[-1] == "price":
        return {"amount": 0, "currency": currency}.get(key)
    if len(steps) < 2 or steps[-2] not in _STRUCT_KINDS or not isinstance(steps[-1], int):
        return None
    stand_ins: dict[str, object] = {
        "id": f"_set_aside_{count}",
        "name": "_",
        "price": {"amount": 0, "currency": currency},
        "items": [],
        "options": [],
        "min": 0,
        "max": QUANTITY_MAX,
    }
    return stand_ins.get(key)


def _is_currency(text: str) -> bool:
    return re.fullmatch(CURRENCY_PATTERN, text) is not None


class _JsonPlaces:
    """Where each value of a JSON text sits: a path (`categories[3].items[1].price`, as the decoder and the
    publish rules name them) to its text line and column (an object's member: its key's)."""

    def __init__(self, data: bytes) -> None:
        self.text = data.decode("utf-8", errors="replace")
        self.places: dict[str, int] = {}
        self.line_starts = [0] + [found.end() for found in re.finditer("\n", self.text)]
        with contextlib.suppress(IndexError, ValueError):  # not JSON after all: the places found so far stand
            self._scan()

    def problem(self, path: str, message: str, at: str | None = None) -> ImportProblem:
        """The problem of the value at `path`, placed where `at` (a value inside it) sits, else where it does."""
        line, column = self.place(at or path)
        return ImportProblem(line, column, message, path)

    def place(self, path: str) -> tuple[int, int]:
        """The line and column of `path`, else of the nearest value holding it (0, 0: not in the text)."""
        while path not in self.places and path:
            path = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", path) if re.search(r"[.\[]", path) else ""
        offset = self.places.get(path)
        if offset is None:
            return 0, 0
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def _scan(self) -> None:
        text, places = self.text, self.places
        stack: list[list[Any]] = []  # [is_object, path, count]
        i = _skip(text, 0)
        path = ""
        places[path] = i
        while True:
            # a value starts at i
            char = text[i]
            if char in "{[":
                stack.append([char == "{", path, 0])
                i = _skip(text, i + 1)
                if text[i] in "}]":
                    stack.pop()
                    i += 1
                else:
                    i, path = self._member(stack[-1], i)
                    continue
            else:
                found = (_JSON_STRING if char == '"' else _JSON_SCALAR).match(text, i)
                if found is None:
                    return
                i = found.end()
            # after a value: the next member, or the end of its container
            while True:
                if not stack:
                    return
                i = _skip(text, i)
                if text[i] == ",":
                    stack[-1][2] += 1
                    i, path = self._member(stack[-1], _skip(text, i + 1))
                    break
                stack.pop()  # } or ]
                i += 1

    def _member(self, frame: list[Any], i: int) -> tuple[int, str]:
        """At `i` the next member of `frame`: where its value starts, and its path (its place noted)."""
        is_object, path, count = frame
        if not is_object:
            member = f"{path}[{count}]"
            self.places.setdefault(member, i)
            return i, member
        found = _JSON_STRING.match(self.text, i)
        if found is None:
            raise ValueError(i)
        member = _join(path, json.loads(found.group()))
        self.places.setdefault(member, i)
        i = _skip(self.text, found.end())
        return _skip(self.text, i + 1), member  # past the colon


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_JSON_SCALAR = re.compile(r"[^,\]}\s]+")


def _skip(text: str, i: int) -> int:
    while text[i] in " \t\r\n":
        i += 1
    return i


def _rule_path(problem: Problem, menu: Menu) -> str:
    """Where in `menu` a publish rule's problem sits: its path, down to the value when the rule names one (the
    option group id of an item that the menu does not have: the line of that id)."""
    named = re.fullmatch(r"no option group (.*)", problem.message)
    if problem.code == "unknown_option_group" and named:
        steps = [key if key else int(index) for key, index in _MSGSPEC_PATH.findall("." + problem.field)]
        ids = _at(msgspec.to_builtins(menu), steps)
        if isinstance(ids, list) and named.group(1) in ids:
            return f"{problem.field}[{ids.index(named.group(1))}]"
    return problem.field


def _rule_text(problem: Problem) -> str:
    """A publish rule's problem in the current language, naming the value where it helps."""
    if problem.code == "unknown_option_group":
        named = re.fullmatch(r"no option group (.*)", problem.message)
        if named:
            return t("menu_cli.json.unknown_option_group", id=safe_text(named.group(1), one_line=True))
    if problem.code == "duplicate_id":
        named = re.fullmatch(r"(?:category|item|option group|option) (.*) twice", problem.message)
        if named:
            return t("menu_cli.json.duplicate_id", id=safe_text(named.group(1), one_line=True))
    return problem_text(problem)


_TYPE_WORDS = ("int", "str", "float", "bool", "array", "object", "null", "datetime")


def _type_text(word: str) -> str:
    """A msgspec type name (`int`, `str`, `array`, ... , `int | null`) in the current language."""
    return t("menu_cli.json.or").join(
        t(f"menu_cli.json.type.{part}") if part in _TYPE_WORDS else f"`{part}`" for part in word.split(" | ")
    )


def _msgspec_text(message: str) -> str:
    """A msgspec validation message (English) in the current language: its few shapes map to catalog keys;
    another one is shown as it is."""
    shapes: tuple[tuple[str, str], ...] = (
        (r"Object contains unknown field `(?P<field>.*)`", "unknown_field"),
        (r"Object missing required field `(?P<field>.*)`", "missing_field"),
        (r"Expected `(?P<expected>[^`]*)`, got `(?P<got>[^`]*)`", "wrong_type"),
        (r"Expected `(?P<expected>[^`]*)` of length (?P<op>[<>]=?) (?P<limit>\d+)", "length"),
        (r"Expected `(?P<expected>[^`]*)` (?P<op>[<>]=?) (?P<limit>-?[\d.]+)", "bound"),
        (r"Expected `str` matching regex (?P<pattern>.*)", "pattern"),
        (r"Invalid enum value (?P<value>.*)", "enum_value"),
        (r"Invalid RFC3339 encoded datetime", "datetime"),
    )
    for shape, key in shapes:
        found = re.fullmatch(shape, message)
        if not found:
            continue
        fields = found.groupdict()
        if key == "pattern":
            if fields["pattern"].strip("'") == ID_PATTERN:
                return problem_text(Problem("", "invalid_id", ""))
            if fields["pattern"].strip("'") == CURRENCY_PATTERN:
                return t("menu_cli.json.currency_code")
        for name in ("expected", "got"):
            if name in fields:
                fields[name] = _type_text(fields[name])
        if "op" in fields:
            fields["op"] = t(f"menu_cli.json.op.{_OPS[fields['op']]}")
        if "value" in fields:
            fields["value"] = safe_text(fields["value"], one_line=True)
        if "field" in fields:
            fields["field"] = safe_text(fields["field"], one_line=True)
        return t(f"menu_cli.json.{key}", **fields)
    return message


_OPS = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge"}


# --- CSV: writing ----------------------------------------------------------------------------------------------------


def _escape(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _unescape(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


def _text_cells(single: str, names: Names) -> tuple[str, str]:
    """The zh and en cells of a text: its per-language texts, or an older menu's single text as the Chinese one
    (the English one empty: as the editor shows it, so a sheet says no more than the menu has)."""
    return (names.zh, names.en) if names != Names() else (single, "")


def _cells_name(zh: str | None, en: str | None, single: str, names: Names) -> bool:
    """Whether a row's zh and en cells (None: the sheet has no such column) are this text's, as exported or, for
    an older single text, in both columns (as sheets exported before had it)."""
    pairs = [_text_cells(single, names)] + ([(single, single)] if names == Names() else [])
    return any((zh is None or zh == have_zh) and (en is None or en == have_en) for have_zh, have_en in pairs)


def _one_names(single: str, names: Names) -> set[tuple[str, str]]:
    """("zh", text) and ("en", text) for each name a text has in a sheet's column (an older single text: in either,
    as sheets exported before had it in both)."""
    zh, en = _text_cells(single, names)
    found = {("zh", zh), ("en", en)}
    if names == Names():
        found.add(("en", single))
    return {(language, text) for language, text in found if not blank(text)}


def _merged(zh: str | None, en: str | None, old: tuple[str, Names] | None) -> tuple[str, Names]:
    """A text (its single `name` and per-language `names`) from its zh and en cells (None: no such column) over the
    menu's `old` one: each column changes only its language, and a column left out or as exported keeps it."""
    if old is None:
        zh, en = zh or "", en or ""
        return zh or en, Names(zh=zh, en=en)
    single, names = old
    if names == Names():  # an older menu's single text, the Chinese column's; it has no English of its own
        # English untouched: left out, empty as exported, or the text itself (sheets exported before had it there)
        if en is None or en in ("", single):
            # a new Chinese text stays the single one: what the import previews is `name`, from the old text
            return old if zh is None or zh == single else (zh, Names())
        zh = single if zh is None else zh
        return zh or en, Names(zh=zh, en=en)
    zh = names.zh if zh is None else zh
    en = names.en if en is None else en
    if (zh, en) == (names.zh, names.en):
        return old  # unchanged in the sheet: exactly as it was
    return zh or en, Names(zh=zh, en=en)


def _availability_word(item: Item, now: datetime | None = None) -> str:
    """What the item is for a customer at `now` (default: this moment), as `o2o menu show` says it
    (cli/menu.py `effective_status`): sold out only while `snooze_until` is still to come; one whose time has
    passed is available again, so a sheet imported back does not sell it out anew."""
    from datetime import UTC

    from o2o_tui.domain.limits import as_utc

    if item.status is Availability.UNAVAILABLE:
        return "unavailable"
    if item.snooze_until is None:
        return "available"
    return "sold-out" if as_utc(item.snooze_until) > (now or datetime.now(UTC)) else "available"


def _time_text(moment: datetime | None, zone: tzinfo | None = None) -> str:
    """ISO-8601 with its offset: in `zone` (the store's: `2026-12-06T17:30:00+08:00`, what a person there reads),
    else as stored (UTC as `Z`)."""
    if moment is None:
        return ""
    if zone is not None and moment.tzinfo is not None:
        return moment.astimezone(zone).isoformat()
    return moment.isoformat().replace("+00:00", "Z")


def _item_cells(category: Category, item: Item, zone: tzinfo | None = None) -> list[str]:
    return [
        category.id,
        *_text_cells(category.name, category.names),
        item.id,
        *_text_cells(item.name, item.names),
        *_text_cells(item.description, item.descriptions),
        price_text(item.price),
        "" if item.prep_minutes is None else str(item.prep_minutes),
        _availability_word(item),
        _time_text(item.snooze_until, zone),
        "yes" if item.hidden else "no",
        ";".join(item.option_group_ids),
    ]


def export_csv(menu: Menu, zone: tzinfo | None = None) -> bytes:
    """One row per item under a header row (`CSV_COLUMNS`): UTF-8 with a BOM, CRLF, RFC 4180 quoting; times in
    `zone` (the store's, `store_effect.store_zone`) with its offset, else UTC. Each row's `menu_version` is the
    version of the menu it was taken from (what its availability cell held then: `SheetImport.held`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for category in menu.categories:
        for item in category.items:
            writer.writerow([_escape(cell) for cell in [*_item_cells(category, item, zone), str(menu.version)]])
    return BOM + out.getvalue().encode("utf-8")


# --- CSV: reading ----------------------------------------------------------------------------------------------------


def decode_sheet(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without a BOM), else GB18030 when the whole file reads as it and
    looks like it; else `MenuImportError` naming where the file stops being one encoding: the first byte that is
    not UTF-8 of a file partly UTF-8 (one row pasted from a GB18030 sheet), or of one in a Western code page
    (Latin-1 "Crème brûlée", which GB18030 reads as Chinese nobody wrote), or that is neither."""
    _too_big(data)
    if data.startswith(BOM):
        data = data[len(BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        line, column = _line_column(data, utf8_error.start)
        byte = f"0x{data[utf8_error.start]:02X}"
        try:
            text = data.decode("gb18030").removeprefix("\ufeff")
        except UnicodeDecodeError:
            text = None
        if (utf8_line := _utf8_line(data)) is not None:
            message = t("menu_cli.error.encoding_mixed", byte=byte, utf8_line=utf8_line)
        elif text is None:
            message = t("menu_cli.error.encoding", byte=byte)
        elif _western_letters(data):
            message = t("menu_cli.error.encoding_western", byte=byte)
        else:
            return text
        raise MenuImportError([ImportProblem(line, column, message)]) from None


_GB18030_CHAR = re.compile(rb"[\x81-\xfe][\x30-\x39][\x81-\xfe][\x30-\x39]|[\x81-\xfe][\x40-\x7e\x80-\xfe]")


def _utf8_line(data: bytes) -> int | None:
    """A line of UTF-8 text (beyond ASCII) in a file that is not all UTF-8, when the file is mostly that: at least
    as many of its lines beyond ASCII read as UTF-8 as do not, two characters of three bytes at least (a GB18030
    line reads as UTF-8 by chance a few times in a hundred, and a file of such lines never mostly). None: the file
    is not UTF-8 in part."""
    good: list[int] = []
    bad = good_bytes = 0
    for number, text_line in enumerate(data.split(b"\n"), 1):
        beyond = sum(1 for byte in text_line if byte >= 0x80)
        if not beyond:
            continue
        try:
            text_line.decode("utf-8")
        except UnicodeDecodeError:
            bad += 1
        else:
            good.append(number)
            good_bytes += beyond
    return good[0] if good and len(good) >= bad and good_bytes >= 6 else None


def _western_letters(data: bytes) -> bool:
    """Whether every character GB18030 reads beyond ASCII is a byte of a Western code page's letters (0xC0 and
    up) before an ASCII one: "Crème" in Latin-1 reads as "Cr" and a rare ideograph, never as the two-byte
    characters a Chinese sheet is written in."""
    found = [match.group() for match in _GB18030_CHAR.finditer(data)]
    return bool(found) and all(len(char) == 2 and char[0] >= 0xC0 and char[1] < 0x80 for char in found)


class _Row(msgspec.Struct):
    line: int
    cells: dict[str, str]  # the file's columns only: a column the sheet leaves out is not here


# a sheet needs a price, a name and a category; any other column it leaves out keeps what the menu has
_REQUIRED_COLUMNS = (("price",), ("name_zh", "name_en"), ("category_id", "category_name_zh", "category_name_en"))
# a partial sheet needs only a way to name the item: a row of an item the menu has changes only its columns (a
# row of a new item still needs a name, a category and a price: `_Sheet.new_item_needs`)
_PARTIAL_COLUMNS = (("item_id", "name_zh", "name_en"),)


def _names_category(cells: dict[str, str]) -> bool:
    """Whether a row names a category (by id or by a name)."""
    return any(not blank(cells.get(name, "")) for name in ("category_id", "category_name_zh", "category_name_en"))


def _column_name(cell: str) -> str:
    """A header cell as a column name: "Name EN", "name-en" and "name_en" are the same column."""
    return _unescape(cell.strip()).strip().lower().replace(" ", "_").replace("-", "_")


def _header_problems(header: list[str], line: int, partial: bool = False) -> list[ImportProblem]:
    problems = []
    required = _PARTIAL_COLUMNS if partial else _REQUIRED_COLUMNS
    missing = [" / ".join(names) for names in required if not any(name in header for name in names)]
    if missing:
        problems.append(ImportProblem(line, 0, t("menu_cli.error.missing_columns", names=", ".join(missing))))
    for index, name in enumerate(header):
        if name not in CSV_COLUMNS:
            problems.append(ImportProblem(line, index + 1, t("menu_cli.error.unknown_column", name=name), name))
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice:
        problems.append(ImportProblem(line, 0, t("menu_cli.error.column_twice", names=", ".join(twice))))
    return problems


def _rows(text: str, problems: list[ImportProblem], partial: bool = False) -> tuple[list[str], list[_Row]]:
    """The header and the rows under it; a header with a problem yields no rows."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] = []
    rows: list[_Row] = []
    header_seen = False
    row = 0  # as a spreadsheet numbers the rows: a record is one row, whatever line breaks its cells hold
    try:
        for record in reader:
            row += 1
            start = row
            if not header_seen:
                header_seen = True
                header = [_column_name(cell) for cell in record]
                while header and not header[-1]:  # the empty columns a spreadsheet (Excel, WPS) leaves at the end
                    header.pop()
                found = _header_problems(header, start, partial)
                if found:
                    problems.extend(found)
                    return header, []
                continue
            if not any(cell.strip() for cell in record):
                continue  # a blank line (spreadsheets leave them at the end)
            beyond = [(index, cell) for index, cell in enumerate(record[len(header) :], len(header) + 1)]
            filled = [(index, cell) for index, cell in beyond if cell.strip()]
            for index, cell in filled:  # empty cells past the header's last column are a spreadsheet's, not data
                message = t("menu_cli.error.cell_without_column", text=cell.strip()[:40])
                problems.append(ImportProblem(start, index, message))
            if filled:
                continue
            record = record[: len(header)]
            if len(record) == len(header) - 1 and header[-1] == "menu_version":
                record = [*record, ""]  # a row typed in by hand without the export's last cell: no version
            if len(record) != len(header):
                problems.append(
                    ImportProblem(
                        start, 0, t("menu_cli.error.cell_count", expected=len(header), found=len(record))
                    )
                )
                continue
            rows.append(_Row(start, {name: _unescape(cell) for name, cell in zip(header, record, strict=True)}))
    except csv.Error as error:
        problems.append(ImportProblem(row + 1, 0, t("menu_cli.error.csv", reason=str(error))))
    if not header_seen:
        problems.extend(_header_problems([], 1, partial))
    return header, rows


class _Sheet:
    """Builds the menu from the rows, noting where every value came from (to name the cell of a rule broken)."""

    def __init__(self, base: Menu, problems: list[ImportProblem], header: list[str], partial: bool = False) -> None:
        self.base = base
        self.partial = partial
        self.problems = problems
        self.columns = {name: index + 1 for index, name in enumerate(header)}  # as the file has them
        self.categories = {category.id: category for category in base.categories}
        self.base_items = {item.id: item for category in base.categories for item in category.items}
        self.base_category = {item.id: category.id for category in base.categories for item in category.items}
        self.group_ids = {group.id for group in base.option_groups}
        self.currency = base.currency
        self.order = [category.id for category in base.categories]  # the built menu's categories
        self.items: dict[str, list[Item]] = {category.id: [] for category in base.categories}
        self.item_lines: dict[str, list[int]] = {category.id: [] for category in base.categories}
        # per category named on a row: the first such line and its zh and en cells (None: no such column)
        self.category_cells: dict[str, tuple[int, str | None, str | None]] = {}
        self.new_by_names: dict[tuple[str | None, str | None], str] = {}
        self.names_index: dict[tuple[str | None, str | None], list[str]] | None = None
        self.one_name_index: dict[tuple[str, str], list[str]] | None = None
        self.exactly_named: set[str] = set()  # the menu's items a row without an id names by all its names
        self.seen_ids: dict[str, int] = {}
        # (category, folded zh and en) -> the first line with them, and whether its names said which item it is
        self.seen_names: dict[tuple[str, tuple[str, str]], tuple[int, bool]] = {}
        self.named_ids: set[str] = set()  # the ids the sheet's item_id cells give
        self.taken = set(self.base_items)
        self.bad_cells: set[tuple[int, int]] = set()

    def column(self, field: str) -> int:
        return self.columns.get(field, 0)

    def problem(self, line: int, field: str, message: str) -> None:
        column = self.column(field)
        self.bad_cells.add((line, column))
        self.problems.append(ImportProblem(line, column, message, field))

    def _new_id(self, prefix: str, taken: set[str], zh: str | None, en: str | None) -> str:
        """A new item's or category's id, made from its names (`item-` and 8 hex digits of their hash; `-2`, `-3`
        after it while taken): never a number counted from the ids the menu has now, which gave a deleted item's
        id to the next new one, another dish under the id of orders already made (and the day report the two
        dishes as one). The same names make the same id, so a sheet read twice is the same menu."""
        names = "\x1f".join(" ".join((text or "").split()) for text in (zh, en))
        made = f"{prefix}-{hashlib.sha256(names.encode()).hexdigest()[:8]}"
        number = 1
        while (f"{made}-{number}" if number > 1 else made) in taken:
            number += 1
        made = f"{made}-{number}" if number > 1 else made
        taken.add(made)
        return made

    def add(self, row: _Row) -> None:
        cells, line = row.cells, row.line
        needs: list[tuple[str, ...]] = []  # what a partial sheet's new item lacks
        if self.partial and not _names_category(cells):  # the item stays in its category
            item_id = self._item_id(line, None, cells)
            category_id = self.base_category.get(item_id)
            if category_id is None:
                needs.append(_REQUIRED_COLUMNS[2])
        else:
            category_id = self._category(line, cells)
            item_id = self._item_id(line, category_id, cells)
        if item_id not in self.base_items:
            needs += [names for names in _REQUIRED_COLUMNS[:2] if not any(name in cells for name in names)]
        if needs:
            names = ", ".join(" / ".join(names) for names in sorted(needs, key=_REQUIRED_COLUMNS.index))
            self.problem(line, needs[0][0], t("menu_cli.error.new_item_needs", names=names))
        if item_id in self.seen_ids:
            self.problem(
                line, "item_id", t("menu_cli.error.item_twice", id=item_id, first=self.seen_ids[item_id])
            )
        self.seen_ids.setdefault(item_id, line)
        item = self._item(line, item_id, cells)
        if category_id is not None:
            self.items[category_id].append(item)
            self.item_lines[category_id].append(line)
            return
        # not placed in the menu: its own rules are checked here, or a second try would only then name them
        for rule in item_problems(item, self.base.currency, "item", self.group_ids):
            placed = self._placed(line, rule.field.removeprefix("item."), rule)
            if (placed.line, placed.column) not in self.bad_cells:
                self.problems.append(placed)

    def _item_id(self, line: int, category_id: str | None, cells: dict[str, str]) -> str:
        """The id of the row's item: its `item_id` cell, else the menu's item of its names. An empty `item_id` cell
        is the menu's item of the row's names in the row's category (one no row names by id), else a new item: the
        same file imported twice is the same menu, not its new rows twice."""
        if "item_id" in cells:
            given = cells["item_id"].strip()
            self._name_twice(line, category_id, cells, by_name=not given)
            if given:
                self._mistyped_id(line, category_id, given, cells)
                return given
            found = self._item_by_names(cells, category_id, same_category=True)
            return found or self._new_id("item", self.taken, cells.get("name_zh"), cells.get("name_en"))
        self._name_twice(line, category_id, cells)
        found = self._item_by_names(cells, category_id)
        return found or self._new_id("item", self.taken, cells.get("name_zh"), cells.get("name_en"))

    def _mistyped_id(self, line: int, category_id: str | None, given: str, cells: dict[str, str]) -> None:
        """A whole sheet's new id whose names are those of an item of the row's category that no row names by
        id (so the sheet deletes it): an id changed by mistake, which would delete the item (its availability with
        it) and add another of the same name; refused, naming both."""
        if self.partial or given in self.base_items or category_id is None:
            return
        for old_id in self._base_ids_named(cells):
            if old_id not in self.named_ids and self.base_category[old_id] == category_id:
                self.problem(line, "item_id", t("menu_cli.error.item_id_changed", id=given, old=old_id))
                return

    def _category(self, line: int, cells: dict[str, str]) -> str | None:
        """The id of the row's category: named by id, else found by its names; a category the menu does not have
        is added when the row names it (with the id given, or one made up)."""
        category_id = cells.get("category_id", "").strip()
        zh, en = cells.get("category_name_zh"), cells.get("category_name_en")
        named = not (blank(zh or "") and blank(en or ""))
        if not category_id:
            if not named:
                self.problem(line, "category_id", t("menu_cli.error.category_needed"))
                return None
            category_id = self._category_by_names(zh, en) or self.new_by_names.get((zh, en)) or ""
            if not category_id:
                # one name the menu has (an English column added to a Chinese sheet, a typo in one language): that
                # category, renamed; a new one of the sheet by one name is its rows' names differing (refused)
                found = self._categories_by_a_name(zh, en)
                if len(found) > 1:
                    ids = ", ".join(found)
                    self.problem(line, "category_name_zh", t("menu_cli.error.category_two_matches", ids=ids))
                    return None
                category_id = found[0] if found else ""
            if not category_id:
                category_id = self._new_id("category", set(self.order), zh, en)
                self.new_by_names[(zh, en)] = category_id
        elif category_id not in self.items and (not named or self._category_by_names(zh, en) is not None):
            # a new id needs names, and names of its own: the menu's own names under another id is a mistyped id
            self.problem(line, "category_id", t("menu_cli.error.unknown_category", id=category_id))
            return None
        if category_id not in self.items:
            self.order.append(category_id)
            self.items[category_id], self.item_lines[category_id] = [], []
        first = self.category_cells.setdefault(category_id, (line, zh, en))
        if (zh, en) != first[1:]:
            field = "category_name_zh" if zh != first[1] else "category_name_en"
            self.problem(line, field, t("menu_cli.error.category_names", id=category_id, first=first[0]))
        return category_id

    def _category_by_names(self, zh: str | None, en: str | None) -> str | None:
        for category in self.base.categories:
            if _cells_name(zh, en, category.name, category.names):
                return category.id
        return None

    def _categories_by_a_name(self, zh: str | None, en: str | None) -> list[str]:
        """The categories (of the menu, else new ones of the sheet) with the row's Chinese name or its English one,
        where the row gives it."""
        base = [(category.id, _one_names(category.name, category.names)) for category in self.base.categories]
        for texts in (base, [(new_id, {("zh", z), ("en", e)}) for (z, e), new_id in self.new_by_names.items()]):
            wanted = {("zh", zh), ("en", en)}
            found = [entity_id for entity_id, names in texts if wanted & {n for n in names if not blank(n[1] or "")}]
            if found:
                return list(dict.fromkeys(found))
        return []

    def _name_twice(self, line: int, category_id: str | None, cells: dict[str, str], by_name: bool = True) -> None:
        """Where a row's names say which item it is (no item_id column, or an empty item_id cell), the same names
        twice in one category (case and spacing aside) are one item on two lines, a row copied to correct it, say;
        refused like an id twice, naming both lines. Rows with ids of their own (`by_name` False) may share a name,
        but not with a row that has no id. (The same names in two categories are two items.)"""
        folded = tuple(" ".join(cells.get(f"name_{lang}", "").split()).casefold() for lang in ("zh", "en"))
        if category_id is None or not any(folded):
            return
        first, first_by_name = self.seen_names.setdefault((category_id, (folded[0], folded[1])), (line, by_name))
        if first != line and (by_name or first_by_name):
            field = "name_zh" if folded[0] else "name_en"
            name = " ".join(cells[field].split())
            key = "menu_cli.error.name_twice" if "item_id" not in cells else "menu_cli.error.name_twice_empty_id"
            self.problem(line, field, t(key, name=name, first=first))

    def _base_ids_named(self, cells: dict[str, str]) -> list[str]:
        """The menu's items with the row's names (as exported, or an older single name in both columns)."""
        if self.names_index is None:  # built once: a menu may have tens of thousands of items
            self.names_index = {}
            for item in self.base_items.values():
                pairs = [_text_cells(item.name, item.names)]
                if item.names == Names():  # as sheets exported before had it: in both columns
                    pairs.append((item.name, item.name))
                keys = {key for zh, en in pairs for key in ((zh, en), (zh, None), (None, en)) if any(key)}
                for indexed in keys:
                    self.names_index.setdefault(indexed, []).append(item.id)
        return self.names_index.get((cells.get("name_zh"), cells.get("name_en")), [])

    def _base_ids_by_a_name(self, cells: dict[str, str]) -> list[str]:
        """The menu's items with the row's Chinese name or its English one (where the row gives it)."""
        if self.one_name_index is None:
            self.one_name_index = {}
            for item in self.base_items.values():
                for key in _one_names(item.name, item.names):
                    self.one_name_index.setdefault(key, []).append(item.id)
        found = [
            item_id
            for language in ("zh", "en")
            if not blank(cells.get(f"name_{language}") or "")
            for item_id in self.one_name_index.get((language, cells[f"name_{language}"]), [])
        ]
        return list(dict.fromkeys(found))

    def _item_by_names(
        self, cells: dict[str, str], category_id: str | None, *, same_category: bool = False
    ) -> str | None:
        """The menu's one item with the row's names (not taken by an earlier row, nor named by id on any row); of
        several, or always with `same_category` (a row with an empty item_id), the one in the row's category."""
        named = self._base_ids_named(cells)
        if not named:
            # by one name the row and the item both have (an English column added to a Chinese sheet): the item,
            # renamed, when just one has it; not one another row names by both names
            named = [item_id for item_id in self._base_ids_by_a_name(cells) if item_id not in self.exactly_named]
        found = [item_id for item_id in named if item_id not in self.seen_ids and item_id not in self.named_ids]
        if len(found) > 1 or same_category:
            found = [item_id for item_id in found if self.base_category[item_id] == category_id]
        return found[0] if len(found) == 1 else None

    def _item(self, line: int, item_id: str, cells: dict[str, str]) -> Item:
        old = self.base_items.get(item_id)
        currency = self.base.currency
        old_name = None if old is None else (old.name, old.names)
        old_description = None if old is None else (old.description, old.descriptions)
        name, names = _merged(cells.get("name_zh"), cells.get("name_en"), old_name)
        description, descriptions = _merged(
            cells.get("description_zh"), cells.get("description_en"), old_description
        )
        if "price" not in cells:  # a partial sheet without prices (a new item's lack is said in `add`)
            price = Money(0, currency) if old is None else old.price
        elif blank(_PRICE_UNIT.sub("", cells["price"])):  # said as empty, never "not a price: ." quoting nothing
            self.problem(line, "price", t("menu_cli.error.price_empty"))
            price = Money(0, currency)
        else:
            try:
                price = price_from_text(_PRICE_UNIT.sub("", cells["price"]), currency)
            except EditError as error:
                self.problem(line, "price", error.text())
                price = Money(0, currency)
        if "availability" in cells:
            if "snooze_until" not in cells and old is not None:  # sold out until the time the menu has
                cells = {**cells, "snooze_until": _time_text(old.snooze_until)}
            status, snooze_until = self._status(line, cells), self._snooze(line, cells)
        else:
            status, snooze_until = (Availability.AVAILABLE, None) if old is None else (old.status, old.snooze_until)
        return Item(
            id=item_id,
            name=name,
            price=price,
            description=description,
            status=status,
            snooze_until=snooze_until,
            hidden=self._hidden(line, cells["hidden"]) if "hidden" in cells else old is not None and old.hidden,
            option_group_ids=(
                self._groups(line, cells["option_group_ids"])
                if "option_group_ids" in cells
                else ([] if old is None else old.option_group_ids)
            ),
            names=names,
            descriptions=descriptions,
            prep_minutes=(
                self._prep(line, cells["prep_minutes"])
                if "prep_minutes" in cells
                else (None if old is None else old.prep_minutes)
            ),
        )

    def _status(self, line: int, cells: dict[str, str]) -> Availability:
        word = availability_code(cells["availability"]) or cells["availability"].strip()
        if word not in AVAILABILITY_WORDS:
            allowed = accepted_words(AVAILABILITY_WORDS)
            self.problem(line, "availability", t("menu_cli.error.availability", word=word, allowed=allowed))
        elif word == "sold-out" and not cells.get("snooze_until", "").strip():
            self.problem(line, "snooze_until", t("menu_cli.error.sold_out_needs_time"))
        return Availability.UNAVAILABLE if word == "unavailable" else Availability.AVAILABLE

    def _snooze(self, line: int, cells: dict[str, str]) -> datetime | None:
        text = cells.get("snooze_until", "").strip()
        if not text:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            moment = None
        if availability_code(cells["availability"]) == "available":
            # a sell-out whose time has passed, as the export writes it (`_availability_word`), comes back as the
            # menu has it; a time still to come no longer holds: the sheet puts the item on sale
            from o2o_tui.domain.limits import time_in_range

            if moment is not None and time_in_range(moment) and moment <= datetime.now(moment.tzinfo):
                return moment
            return None
        if moment is None or moment.tzinfo is None:
            self.problem(line, "snooze_until", t("menu_cli.error.time", text=text))
            return None
        return moment

    def _hidden(self, line: int, text: str) -> bool:
        hidden = hidden_value(text)
        if hidden is None:
            allowed = accepted_words(("yes", "no"))
            self.problem(line, "hidden", t("menu_cli.error.hidden", text=text.strip(), allowed=allowed))
        return bool(hidden)

    def _groups(self, line: int, text: str) -> list[str]:
        # ids or the groups' names, with the separators the editor's field takes too
        ids, typos = groups_named(self.base, text)
        for typo in typos:
            if typo.candidates:
                found = ", ".join(typo.candidates)
                self.problem(line, "option_group_ids", t("menu_cli.error.ambiguous_group", name=typo.term, ids=found))
            else:
                self.problem(line, "option_group_ids", t("menu_cli.error.unknown_group", id=typo.term))
        return ids

    def _prep(self, line: int, text: str) -> int | None:
        cleaned = text.strip()
        if not cleaned:
            return None
        if not cleaned.isdigit():
            self.problem(line, "prep_minutes", t("menu_cli.error.minutes", text=cleaned))
            return None
        return int(cleaned)

    def _category_texts(self, category_id: str, old: tuple[str, Names] | None) -> tuple[str, Names]:
        found = self.category_cells.get(category_id)
        if found is None:
            assert old is not None, "a new category is named on a row"
            return old
        return _merged(found[1], found[2], old)

    def keep_unlisted(self) -> None:
        """A partial sheet: the base items no row names stay where they were (the listed ones in their place, as
        the rows have them; new ones after)."""
        listed = {item.id for items in self.items.values() for item in items}
        for category in self.base.categories:
            rows = dict(zip((i.id for i in self.items[category.id]),
                            zip(self.items[category.id], self.item_lines[category.id], strict=True), strict=True))
            kept = [
                rows.pop(item.id) if item.id in rows else (item, 0)  # line 0: not on the sheet
                for item in category.items
                if item.id in rows or item.id not in listed  # one the sheet moved elsewhere is not kept here
            ]
            pairs = kept + list(rows.values())
            self.items[category.id] = [item for item, _ in pairs]
            self.item_lines[category.id] = [line for _, line in pairs]

    def menu(self) -> Menu:
        categories = []
        for category_id in self.order:
            category = self.categories.get(category_id)
            old = None if category is None else (category.name, category.names)
            name, names = self._category_texts(category_id, old)
            if category is None:
                categories.append(Category(id=category_id, name=name, names=names, items=self.items[category_id]))
            else:
                categories.append(
                    msgspec.structs.replace(category, name=name, names=names, items=self.items[category_id])
                )
        return msgspec.structs.replace(self.base, categories=categories)

    def place(self, problem: Problem) -> ImportProblem:
        """The line and column of a rule broken in the built menu."""
        found = re.match(r"^categories\[(\d+)\](?:\.items\[(\d+)\])?\.?(.*)$", problem.field)
        message = problem_text(problem)
        if not found:
            return ImportProblem(0, 0, message, problem.field)
        category_id = self.order[int(found.group(1))]
        lines = self.item_lines[category_id]
        rest = found.group(3)
        if found.group(2) is not None:
            return self._placed(lines[int(found.group(2))], rest, problem)
        if rest == "items" and problem.code == "too_many" and problem.limit is not None:
            # said on the first row over the limit, naming the category (the category's own line may be far off)
            over = lines[problem.limit] if len(lines) > problem.limit else 0
            text = t("menu.import.too_many_items", category=category_id, limit=problem.limit)
            return ImportProblem(over, self.column("category_id") if over else 0, text, "category_id")
        line = self.category_cells.get(category_id, (0, None, None))[0]
        field = "category_id" if rest.startswith("id") else "category_name_zh"
        if rest.startswith(("names.en", "name.en")):
            field = "category_name_en"
        if not line:
            return ImportProblem(0, 0, message, problem.field)
        return ImportProblem(line, self.column(field), message, field)

    def _placed(self, line: int, rest: str, problem: Problem) -> ImportProblem:
        """A rule broken by the item on `line`; `rest` is the path inside the item (`price`, `names.en`)."""
        field = _ITEM_FIELDS.get(rest, "")
        if not field:
            field = next((column for prefix, column in _ITEM_PREFIXES if rest.startswith(prefix)), "")
        message = problem_text(problem)
        if problem.code == "price_too_high" and problem.limit is not None:  # as money, as the sheet writes prices
            limit = format_money(Money(problem.limit, self.currency))
            message = t("menu_cli.error.price_too_high", limit=limit)
        return ImportProblem(line, self.column(field) if field else 0, message, field)


_ITEM_FIELDS = {
    "id": "item_id",
    "name": "name_zh",
    "names.zh": "name_zh",
    "names.en": "name_en",
    "description": "description_zh",
    "descriptions.zh": "description_zh",
    "descriptions.en": "description_en",
    "price": "price",
    "prep_minutes": "prep_minutes",
    "snooze_until": "snooze_until",
    "option_group_ids": "option_group_ids",
}
_ITEM_PREFIXES = (("price", "price"), ("option_group_ids", "option_group_ids"))


class SheetImport(msgspec.Struct, frozen=True):
    """A sheet read onto a menu: the menu, and the line of the row of each item a row named."""

    menu: Menu
    lines: dict[str, int]  # item id -> its row's line (an item a partial sheet left alone is not here)
    # item id -> the menu version its row's `menu_version` says it was exported from: what its availability cell
    # held then. Not here: a row without one (an older sheet, a row a person added, the column deleted)
    held: dict[str, int] = {}
    # a sheet that is not an export (no `menu_version` column, nor every other column an export writes: a few
    # columns a person wrote to sell items out): its availability cells are what the person wants, as written
    as_written: bool = False


def import_csv(
    data: bytes, base: Menu, currency: str | None = None, *, partial: bool = False, allow_empty: bool = False
) -> Menu:
    """`base` with its items replaced by the sheet's rows (see the module docstring), checked like a publish in
    `currency` (default: the base menu's); raises `MenuImportError` listing every problem, line and column. With
    `partial` the rows change or add the items they name and every other item stays. A whole sheet with no rows
    under its header (an export that failed) is refused unless `allow_empty`: it would empty the menu."""
    return read_csv(data, base, currency, partial=partial, allow_empty=allow_empty).menu


def read_csv(
    data: bytes, base: Menu, currency: str | None = None, *, partial: bool = False, allow_empty: bool = False
) -> SheetImport:
    """`import_csv`, with the line each item came from (to name it in what the import says)."""
    problems: list[ImportProblem] = []
    text = decode_sheet(data)
    header, rows = _rows(text, problems, partial)
    if not rows and not problems and not partial and not allow_empty and any(c.items for c in base.categories):
        raise MenuImportError([ImportProblem(0, 0, t("menu_cli.error.no_rows"))])
    sheet = _Sheet(base, problems, header, partial)
    sheet.named_ids.update(row.cells.get("item_id", "").strip() for row in rows)
    sheet.named_ids.discard("")
    sheet.taken.update(sheet.named_ids)  # a new row's id must not take a later one
    for row in rows:  # an item a row names by all its names is that row's, never another's by one name
        if not row.cells.get("item_id", "").strip():
            sheet.exactly_named.update(sheet._base_ids_named(row.cells))
    row_versions: dict[int, int] = {}
    for row in rows:
        sheet.add(row)
        version = _menu_version(sheet, row)
        if version is not None:
            row_versions[row.line] = version
    if partial:
        sheet.keep_unlisted()
    menu = sheet.menu()
    if not any(p.line <= 1 for p in problems):  # the header was readable
        for rule in menu_problems(menu, currency or base.currency):
            placed = sheet.place(rule)
            if (placed.line, placed.column) not in sheet.bad_cells:
                problems.append(placed)
    if problems:
        # one cell can break one rule twice: a row's name_zh is both the item's `names.zh` and its `name`
        unique = list(dict.fromkeys(problems))
        unique.sort(key=lambda p: (p.line, p.column))
        raise MenuImportError([msgspec.structs.replace(p, row=True) for p in unique])
    lines = {
        item.id: line
        for category_id in sheet.order
        for item, line in zip(sheet.items[category_id], sheet.item_lines[category_id], strict=True)
        if line
    }
    held = {item_id: row_versions[line] for item_id, line in lines.items() if line in row_versions}
    exported = "menu_version" in header or set(CSV_COLUMNS[:-1]) <= set(header)  # an older export had no version
    return SheetImport(menu, lines, held, as_written=not exported)


def _menu_version(sheet: _Sheet, row: _Row) -> int | None:
    """The row's `menu_version` (the version of the menu its export was taken from), None where it has none; a
    cell that is not a whole number is a problem of its row."""
    text = row.cells.get("menu_version", "").strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) <= 12:
        return int(text)
    sheet.problem(row.line, "menu_version", t("menu_cli.error.menu_version", text=text))
    return None


# --- what an import would put on sale that is rarely meant ---------------------------------------------------------


class SaleWarning(msgspec.Struct, frozen=True):
    """An item or option an import would put on sale at 0 or under the editor's placeholder name ("New item"):
    the editor's publish asks about these (`menu_rules.added_warnings`); an import names them by their line."""

    line: int  # the CSV row, as a spreadsheet numbers it; 0: a JSON file, or an option (a sheet has none)
    field: str  # where in the publish body (`categories[0].items[2].price`), for a file without lines
    kind: str  # "item" or "option"
    entity_id: str
    name: str
    codes: tuple[str, ...]  # `menu_rules.WARNING_CODES`


def sale_warnings(published: Menu, imported: Menu, lines: dict[str, int] | None = None) -> list[SaleWarning]:
    """The lines `imported` puts on sale free or under a placeholder name that `published` does not have on sale
    so (a free item already on sale is not said at every import), one per line, in line order (`lines`: the CSV
    line of each item, from `read_csv`)."""
    from o2o_tui.domain.menu_rules import added_warnings
    from o2o_tui.i18n import current_language
    from o2o_tui.menu_edits import placeholder_names

    warnings = added_warnings(published, imported, placeholder_names())
    if not warnings:
        return []
    entities: dict[tuple[str, str], Item | Option] = {
        ("item", item.id): item for category in imported.categories for item in category.items
    }
    entities.update({("option", o.id): o for group in imported.option_groups for o in group.options})
    found: dict[tuple[str, str], SaleWarning] = {}
    for warning in warnings:
        key = (warning.kind, warning.entity_id)
        said = found.get(key)
        if said is not None:
            found[key] = msgspec.structs.replace(said, codes=(*said.codes, warning.code))
            continue
        entity = entities[key]
        name = localized(entity.name, entity.names, current_language()) or warning.entity_id
        line = (lines or {}).get(warning.entity_id, 0) if warning.kind == "item" else 0
        field = warning.field.rpartition(".")[0]
        found[key] = SaleWarning(line, field, warning.kind, warning.entity_id, name, (warning.code,))
    return sorted(found.values(), key=lambda w: (w.line == 0, w.line))


def describe_warning(warning: SaleWarning) -> str:
    """`line 4 (New item): Still has the name it got when added. On sale at 0: customers get it free.`, in the
    current language (the editor's publish preview says the same words)."""
    if warning.line:
        where = t("menu_cli.at.row_line", line=warning.line)
    else:
        where = t("menu_cli.at.field", field=warning.field)
    texts = " ".join(t(f"menu.warning.{code}") for code in warning.codes)
    name = safe_text(warning.name, one_line=True)
    return t("menu.import.warned_line", where=where, name=name, warnings=texts)


def unreadable_on_tickets(menu: Menu) -> list[tuple[str, str, str]]:
    """(id, name, as printed) of each item and option whose name no kitchen printer in its Chinese mode can print
    (Arabic, Thai, emoji only: "?????"): the cook could not tell it from another. Said on import, not refused."""
    from o2o_tui.domain.menu_rules import normalize
    from o2o_tui.printing.charset import printable, unreadable

    named = normalize(menu)  # the name an order line carries: the Chinese name, else the English one
    entities: list[Item | Option] = [item for category in named.categories for item in category.items]
    entities += [option for group in named.option_groups for option in group.options]
    return [(entity.id, entity.name, printable(entity.name)) for entity in entities if unreadable(entity.name)]

