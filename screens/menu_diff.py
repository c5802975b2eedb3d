"""The readable diff of a menu draft against the published menu (`o2o_tui.menu_draft.diff`), as a scrollable list.

Grouped by category (an item's changes under its category; option groups and options in a section of their own),
one line per change: `+` added, `-` removed, `~` changed (field: before → after), `↕` moved (`^`, `->` and `-`
for `↕`, `→` and `∅` where the terminal lacks them: `Glyphs`, screens/terminal.py). Menu text is untrusted (a
merchant may paste anything): it goes through `safe_text` and is shown as plain `Content`, never as markup. Used
by the editor's `D` (`MenuDiffScreen`) and by the publish dialog's confirm (`DiffView`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from o2o_tui.i18n import t
from o2o_tui.menu_draft import Change, fields_text, value_words
from o2o_tui.menu_shown_names import Names, change_name, group_words, moved_words, shown_names
from o2o_tui.safe_text import safe_text
from screens.keys import localize_bindings
from screens.terminal import Glyphs, active_glyphs, glyphs_of
from screens.widgets.footer import KeyFooter

CSS_PATH = "menu_publish.tcss"
KINDS = ("added", "removed", "changed", "moved")
MARKS = {"added": "+", "removed": "-", "changed": "~"}  # and "moved": the terminal's `Glyphs.moved` ("↕")
STYLES = {
    "added": "$text-success",
    "removed": "$text-error",
    "changed": "$text-warning",
    "moved": "$text-muted",
}
GROUPS_SECTION = "\0groups"  # the section of option groups and options (no category id can hold a NUL)
OTHER_SECTION = "\0other"  # an item no menu places in a category

# `Names` and `shown_names` (o2o_tui/menu_shown_names.py, shared with the CLI's diff lines): each entity by its name
# in the console's language, as the editor's tree shows it, and the category or group a move left

def names_below(screen: Screen[Any]) -> dict[tuple[str, str], str]:
    """`shown_names` of the draft of `screen` or the nearest screen below it that holds one (the editor's), else
    none."""
    stack = screen.app.screen_stack
    for below in reversed(stack[: stack.index(screen) + 1] if screen in stack else stack):
        draft = getattr(below, "draft", None)
        if draft is not None and hasattr(draft, "menu") and hasattr(draft, "base"):
            return shown_names(draft.menu, draft.base)
    return {}


@dataclass(frozen=True, slots=True)
class Section:
    key: str  # a category id, GROUPS_SECTION or OTHER_SECTION
    title: str
    changes: tuple[Change, ...]


def counts(changes: Iterable[Change]) -> dict[str, int]:
    """How many changes of each kind, in KINDS order (kinds with none included, as 0)."""
    found = dict.fromkeys(KINDS, 0)
    for change in changes:
        found[change.kind] = found.get(change.kind, 0) + 1
    return found


def summary_text(changes: Sequence[Change]) -> str:
    """ "3 added, 1 changed" (kinds with none left out), or "no changes"."""
    parts = [t(f"menu_publish.count.{kind}", count=n) for kind, n in counts(changes).items() if n]
    return t("menu_publish.list_sep").join(parts) if parts else t("menu_publish.no_changes")


def _section_key(change: Change, names: Names) -> tuple[str, str]:
    """(key, title) of the section a change is read in: its category, or the option groups."""
    if change.entity == "category":
        return change.id, names.get(("category", change.id)) or change.name
    if change.entity == "item":
        parent = change.parent_id or OTHER_SECTION
        return parent, names.get(("category", parent)) or change.parent_name
    return GROUPS_SECTION, ""


def sections(changes: Sequence[Change], names: Names | None = None) -> list[Section]:
    """The changes grouped for reading, in the diff's own order (the newer menu's tree): by category, then
    option groups and options (one section), then items no category holds."""
    grouped: dict[str, list[Change]] = {}
    titles: dict[str, str] = {}
    for change in changes:
        key, title = _section_key(change, names or {})
        grouped.setdefault(key, []).append(change)
        if title and key not in titles:
            titles[key] = safe_text(title, one_line=True)
    titles[GROUPS_SECTION] = t("menu_publish.section.groups")
    titles[OTHER_SECTION] = t("menu_publish.section.other")
    keys = [key for key in grouped if key != GROUPS_SECTION and key != OTHER_SECTION]
    keys += [key for key in (GROUPS_SECTION, OTHER_SECTION) if key in grouped]
    return [
        Section(key, titles.get(key) or safe_text(key, one_line=True), tuple(grouped[key])) for key in keys
    ]


def _values(change: Change, glyphs: Glyphs, names: Names | None = None) -> list[str | tuple[str, str]]:
    """`field: before → after` (or just `∅ → after` / `before`) of one change, as plain text parts; a move to
    another category or group names both in the console's language (`names`), as the tree does."""
    parts: list[str | tuple[str, str]] = []
    if change.kind in ("changed", "moved") and change.fields:
        parts.append(fields_text(change.fields))  # "价格：" in Chinese, "price: " in English
    moved = moved_words(change, names) or group_words(change, names)  # already made safe
    words = moved or value_words(change)  # a hidden item: "hidden" / "已隐藏", not yes/no
    before, after = moved or tuple(safe_text(word, one_line=True) if word else "" for word in words)
    if change.kind in ("changed", "moved"):
        parts += [(before or glyphs.empty, "$text-muted"), f" {glyphs.arrow} ", after or glyphs.empty]
    elif before or after:
        parts.append(before or after)
    return parts


def _mark(change: Change, glyphs: Glyphs) -> tuple[str, str]:
    mark = glyphs.moved if change.kind == "moved" else MARKS.get(change.kind, "?")
    return f"{mark} ", STYLES.get(change.kind, "")


def _name(change: Change, names: Names | None = None) -> str:
    """The entity's name as the tree shows it (`names`, from `shown_names`), else the change's own."""
    return change_name(change, names)


def change_lines(run: Sequence[Change], glyphs: Glyphs | None = None, names: Names | None = None) -> list[Content]:
    """The lines of one entity's changes (a run of the diff on one entity): one line for a single change; else
    the entity once, then one indented line per change. `glyphs`: the terminal's set (default: the running
    app's, `active_glyphs`); `names`: the entities' names in the console's language (`shown_names`)."""
    glyphs = glyphs or active_glyphs()
    first = run[0]
    entity = t(f"menu_publish.entity.{first.entity}")
    head: list[str | tuple[str, str]] = [f"{entity} ", (_name(first, names), "bold")]
    if len(run) == 1:
        values = _values(first, glyphs, names)
        return [Content.assemble("  ", _mark(first, glyphs), *head, *(["  ", *values] if values else []))]
    lines = [Content.assemble("  ", *head)]
    lines += [Content.assemble("    ", _mark(change, glyphs), *_values(change, glyphs, names)) for change in run]
    return lines


def runs(changes: Sequence[Change]) -> list[list[Change]]:
    """Consecutive changes of one entity, together."""
    found: list[list[Change]] = []
    for change in changes:
        if found and (found[-1][0].entity, found[-1][0].id) == (change.entity, change.id):
            found[-1].append(change)
        else:
            found.append([change])
    return found


def diff_content(changes: Sequence[Change], glyphs: Glyphs | None = None, names: Names | None = None) -> Content:
    """The whole diff: a summary line, then each section's title and its changes (`glyphs` and `names` as
    `change_lines`)."""
    glyphs = glyphs or active_glyphs()
    lines: list[Content] = [Content.styled(summary_text(changes), "bold")]
    for section in sections(changes, names):
        lines.append(Content(""))
        lines.append(Content.styled(section.title, "bold underline"))
        for run in runs(section.changes):
            lines.extend(change_lines(run, glyphs, names))
    return Content("\n").join(lines)


class DiffView(VerticalScroll, can_focus=True):
    """The diff as one scrollable block (arrows, PgUp/PgDn, Home/End scroll it)."""

    def __init__(self, changes: Sequence[Change], *, names: Names | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.changes = list(changes)
        self.names = names  # None: those of the draft of the screen below (`names_below`)

    def _names(self) -> Names:
        if self.names is None:
            self.names = names_below(self.screen)
        return self.names

    def compose(self) -> ComposeResult:
        yield Static(diff_content(self.changes, glyphs_of(self), self._names()), id="diff-text")

    def show(self, changes: Sequence[Change], names: Names | None = None) -> None:
        self.changes = list(changes)
        if names is not None:
            self.names = names
        self.query_one("#diff-text", Static).update(diff_content(self.changes, glyphs_of(self), self._names()))


class MenuDiffScreen(Screen[None]):
    """`D` in the editor: what publishing the draft would change (`menu_draft.diff(draft.base, draft.menu)`)."""

    CSS_PATH = CSS_PATH
    BINDINGS = [Binding("escape,q,D", "close", "menu_publish.key.close", id="menu_diff.close")]

    def __init__(self, changes: Sequence[Change]) -> None:
        super().__init__()
        localize_bindings(self)
        self.changes = list(changes)

    def compose(self) -> ComposeResult:
        yield Static(Content(t("menu_publish.diff.title")), id="diff-title", classes="menu-title")
        yield DiffView(self.changes, id="diff")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(DiffView).focus()

    def action_close(self) -> None:
        self.dismiss(None)
