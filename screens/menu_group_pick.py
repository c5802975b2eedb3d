"""The menu editor's pick list of option groups (F2 in an item's option groups field): every group of the menu by
its name in the console's language and how many of it a customer picks, those the item offers ticked. Space ticks
or unticks the highlighted one, Enter takes the ticks, Esc leaves the field as it was. The answer keeps the order
of the groups the item offered and puts newly ticked ones after them, in the menu's order. Names are menu text:
shown as plain text (`Content`), never markup."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Label, SelectionList
from textual.widgets.selection_list import Selection

from o2o_tui.domain.menu import Menu, localized
from o2o_tui.i18n import current_language, t
from o2o_tui.safe_text import safe_text
from screens.dialogs import Dialog
from screens.keys import localize_bindings
from screens.menu_tree import pick_words


def picked_order(offered: Sequence[str], ticked: Sequence[str], menu: Menu) -> list[str]:
    """The groups ticked: those the item offered in their order, then the others in the menu's order."""
    chosen = set(ticked)
    kept = [group_id for group_id in offered if group_id in chosen]
    return kept + [group.id for group in menu.option_groups if group.id in chosen and group.id not in kept]


class GroupPick(Dialog[list[str] | None]):
    """Tick the option groups of an item: the ids ticked (`picked_order`), or None (Esc)."""

    DEFAULT_CSS = """
    GroupPick { align: center middle; }
    GroupPick SelectionList { height: auto; max-height: 12; }
    """
    BINDINGS = [
        Binding("enter", "take", "menu_editor.pick.take", id="menu.pick.take", priority=True),  # not a tick
        Binding("escape", "cancel", "ui.key.cancel", id="dialog.cancel"),
    ]

    def __init__(self, menu: Menu, offered: Sequence[str]) -> None:
        super().__init__()
        localize_bindings(self)
        self._menu = menu
        self._offered = list(offered)

    def compose(self) -> ComposeResult:
        lang = current_language()
        with Vertical(classes="dialog"):
            yield Label(Content(t("menu_editor.pick.title")), classes="title")
            yield SelectionList[str](
                *[
                    Selection(
                        Content.assemble(
                            safe_text(localized(group.name, group.names, lang), one_line=True),
                            ("  " + pick_words(group.min, group.max), "dim"),
                        ),
                        group.id,
                        group.id in self._offered,
                    )
                    for group in self._menu.option_groups
                ],
                id="group-pick",
            )
            yield Label(Content(t("menu_editor.pick.hint")), classes="hint")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_take(self) -> None:
        ticked = self.query_one(SelectionList).selected
        self.dismiss(picked_order(self._offered, ticked, self._menu))

    def action_cancel(self) -> None:
        self.dismiss(None)
