"""After a refused publish (412: someone published meanwhile): each conflict of the rebased draft, both sides.

`MenuRebaseScreen(rebase)` shows the first conflict left: my version and theirs side by side (stacked below 60
columns), each field marked where it differs from the version both started from. `m` takes mine, `t` theirs
(`menu_draft.resolve`), `n`/`p` look at the next/previous one; Enter, once none is left, dismisses the resolved
`Rebase` (the editor saves it and publishes again); Esc dismisses None (the draft stays as it was).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

import msgspec
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from o2o_tui.domain.menu import Names, localized
from o2o_tui.domain.money import Money, format_money
from o2o_tui.i18n import current_language, t
from o2o_tui.menu_draft import Conflict, Rebase, fields_text, hidden_word, resolve
from o2o_tui.safe_text import safe_text
from screens.keys import localize_bindings
from screens.menu_diff import CSS_PATH
from screens.terminal import Glyphs, active_glyphs, glyphs_of
from screens.widgets.footer import KeyFooter

# Not shown: availability is not part of a draft, and nested lists are conflicts of their own.
HIDDEN_FIELDS = frozenset({"status", "snooze_until", "items", "options"})
PARENT_FIELD = {"item": "category", "option": "group"}
DASH = "–"  # a value nobody gave; "-" where the terminal lacks "–" (`Glyphs.dash`)


def _empty(dash: str) -> frozenset[str]:
    return frozenset({dash, f"{dash} / {dash}"})


def _value_text(value: object, dash: str = DASH) -> str:
    if value is None:
        return dash
    if isinstance(value, Money):
        return safe_text(format_money(value), one_line=True)  # the currency is the menu's text
    if isinstance(value, Names):
        return " / ".join(safe_text(text, one_line=True) or dash for text in (value.zh, value.en))
    if isinstance(value, bool):
        return hidden_word(value)  # the only flag of a menu entity: "已隐藏" / "显示", not yes/no
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(each, dash) for each in value) or dash
    return safe_text(value, one_line=True)


def fields_of(value: object, dash: str = DASH) -> list[tuple[str, str]]:
    """(field, text) for each shown field of an item, category, group or option; [] when absent. `dash` stands
    for a value nobody gave."""
    if value is None or not isinstance(value, msgspec.Struct):
        return []
    return [
        (name, _value_text(getattr(value, name), dash))
        for name in value.__struct_fields__
        if name not in HIDDEN_FIELDS
    ]


def _with_parent(fields: list[tuple[str, str]], entity: str, parent: str | None) -> list[tuple[str, str]]:
    if parent is None or entity not in PARENT_FIELD:
        return fields
    return [*fields, (PARENT_FIELD[entity], safe_text(parent, one_line=True))]


def side_content(
    conflict: Conflict, side: Literal["mine", "theirs"], glyphs: Glyphs | None = None
) -> Content:
    """One side of a conflict: every field, `*` where it differs from the base, bold where the sides differ;
    the parent (category, group) when the sides place it apart; or "deleted". `glyphs`: the terminal's set
    (default: the running app's, `active_glyphs`)."""
    dash = (glyphs or active_glyphs()).dash
    empty = _empty(dash)
    other_side = "theirs" if side == "mine" else "mine"
    value, other, base = getattr(conflict, side), getattr(conflict, other_side), conflict.base
    if value is None:
        absent = t("menu_publish.rebase.deleted") if base is not None else t("menu_publish.rebase.absent")
        return Content.styled(absent, "italic $text-error")
    parents = {conflict.base_parent, conflict.mine_parent, conflict.theirs_parent} - {None}
    moved = len(parents) > 1
    own = fields_of(value, dash)
    base_fields, other_fields = dict(fields_of(base, dash)), dict(fields_of(other, dash))
    if moved:
        own = _with_parent(own, conflict.entity, getattr(conflict, f"{side}_parent"))
        base_fields = dict(_with_parent(list(base_fields.items()), conflict.entity, conflict.base_parent))
        other_fields = dict(
            _with_parent(
                list(other_fields.items()), conflict.entity, getattr(conflict, f"{other_side}_parent")
            )
        )
    lines: list[Content] = []
    for name, text in own:
        if text in empty and base_fields.get(name, text) in empty and other_fields.get(name, text) in empty:
            continue  # nobody gave it (an older menu's per-language names): nothing to choose
        changed = base is None or base_fields.get(name) != text
        differs = other_fields.get(name) != text
        mark = "*" if changed else " "
        style = "bold" if changed and differs else ("" if not differs else "$text-muted")
        lines.append(Content.assemble(f"{mark} {fields_text([name])}", (text, style)))
    return Content("\n").join(lines)



def _shown_name(conflict: Conflict) -> str:
    """The entity's name in the console's language, as the editor's tree shows it (mine, else theirs, else the
    published one's), else the conflict's own single name."""
    for side in (conflict.mine, conflict.theirs, conflict.base):
        name, names = getattr(side, "name", None), getattr(side, "names", None)
        if isinstance(name, str) and isinstance(names, Names):
            shown = localized(name, names, current_language())
            if shown:
                return safe_text(shown, one_line=True)
    return safe_text(conflict.name or conflict.id, one_line=True)

class MenuRebaseScreen(Screen[Rebase | None]):
    CSS_PATH = CSS_PATH
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (60, "-normal")]
    BINDINGS = [
        Binding("m", "take('mine')", "menu_publish.key.mine", id="menu_rebase.mine"),
        Binding("t", "take('theirs')", "menu_publish.key.theirs", id="menu_rebase.theirs"),
        Binding("n,right", "step(1)", "menu_publish.key.next", id="menu_rebase.next"),
        Binding("p,left", "step(-1)", "menu_publish.key.previous", show=False, id="menu_rebase.previous"),
        Binding("enter", "finish", "menu_publish.key.finish", id="menu_rebase.finish"),
        Binding("escape", "cancel", "menu_publish.key.cancel", id="menu_rebase.cancel"),
    ]

    def __init__(self, rebase: Rebase) -> None:
        super().__init__()
        localize_bindings(self)
        self.rebase = rebase
        self.index = 0
        self.resolved = 0

    @property
    def conflicts(self) -> Sequence[Conflict]:
        return self.rebase.conflicts

    def compose(self) -> ComposeResult:
        yield Static("", id="rebase-title", classes="menu-title")
        with VerticalScroll(id="rebase-body"):
            with Horizontal(id="rebase-sides"):
                with Vertical(id="rebase-mine", classes="rebase-side"):
                    yield Static(Content(t("menu_publish.rebase.mine")), classes="side-title")
                    yield Static("", id="mine-text")
                with Vertical(id="rebase-theirs", classes="rebase-side"):
                    yield Static(Content(t("menu_publish.rebase.theirs")), classes="side-title")
                    yield Static("", id="theirs-text")
            yield Static("", id="rebase-done")
        yield Static("", id="rebase-error", classes="error")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#rebase-body").focus()
        self.show()

    def current(self) -> Conflict | None:
        if not self.conflicts:
            return None
        self.index %= len(self.conflicts)
        return self.conflicts[self.index]

    def show(self) -> None:
        conflict = self.current()
        title = self.query_one("#rebase-title", Static)
        sides = self.query_one("#rebase-sides")
        done = self.query_one("#rebase-done", Static)
        if conflict is None:
            title.update(Content(t("menu_publish.rebase.all_done", count=self.resolved)))
            sides.display = False
            done.display = True
            done.update(Content(t("menu_publish.rebase.publish_again")))
        else:
            entity = t(f"menu_publish.entity.{conflict.entity}")
            name = _shown_name(conflict)
            title.update(
                Content.assemble(
                    t("menu_publish.rebase.conflict", index=self.index + 1, count=len(self.conflicts)),
                    " ",
                    f"{entity} ",
                    (name, "bold"),
                )
            )
            sides.display = True
            done.display = False
            glyphs = glyphs_of(self)
            self.query_one("#mine-text", Static).update(side_content(conflict, "mine", glyphs))
            self.query_one("#theirs-text", Static).update(side_content(conflict, "theirs", glyphs))
        self.query_one("#rebase-error", Static).update("")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("take", "step"):
            return bool(self.conflicts)
        return True

    def action_take(self, take: str) -> None:
        conflict = self.current()
        if conflict is None:
            return
        self.rebase = resolve(
            self.rebase, conflict.entity, conflict.id, "mine" if take == "mine" else "theirs"
        )
        self.resolved += 1
        self.show()

    def action_step(self, delta: int) -> None:
        if self.conflicts:
            self.index = (self.index + delta) % len(self.conflicts)
            self.show()

    def action_finish(self) -> None:
        if self.conflicts:
            self.query_one("#rebase-error", Static).update(
                Content(t("menu_publish.rebase.left", count=len(self.conflicts)))
            )
            return
        self.dismiss(self.rebase)

    def action_cancel(self) -> None:
        self.dismiss(None)
