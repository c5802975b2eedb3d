"""`!` from the queue: actions the platform refused, with its reason in words, what it was about (the order, the
voucher, the menu or an item, the store) and when it was tapped.

Enter or `x` dismisses the one under the cursor, `X` all of them (after a yes), Esc goes back. Dismissing goes
through the source (for the sync engine: the outbox, as `o2o conflicts dismiss` does). The list follows the
source while open: a refusal arriving, or a conflict dismissed by a script beside the console, shows at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from o2o_tui.domain.clock import zone_named
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from o2o_tui.sync.explain import short_id
from screens.dialogs import Dialog
from screens.help_screen import HelpScreen
from screens.keys import localize_bindings
from screens.source import ConflictView, OrderSource, SourceChange
from screens.terminal import active_glyphs, decorated
from screens.widgets.folded_text import FoldedLabel, FoldedText
from screens.widgets.footer import KeyFooter


def tap_time(moment: datetime | None, zone: ZoneInfo | None) -> str:
    """When the key was pressed, in the store's time (`12:31`)."""
    if moment is None:
        return "?"
    local = moment.astimezone(zone) if zone is not None else moment
    return local.strftime("%H:%M")


def conflict_subject(conflict: ConflictView) -> str:
    """What the refused action was about: the order (by its id's start when its day number is not known), the
    voucher (by the end of its code), the menu, the item or option (by its name), the store."""
    if conflict.code_tail:
        return t("conflicts.voucher", tail=conflict.code_tail)
    if conflict.order_number is not None:
        return f"#{conflict.order_number:04d}"
    if conflict.order_id and conflict.action.startswith("order."):  # not (or no longer) in the cache
        return t("conflicts.order_id", id=short_id(conflict.order_id))
    if conflict.action == "menu.publish":
        return t("conflicts.menu")
    if conflict.action in ("menu.item.patch", "menu.option.patch"):
        kind = "conflicts.menu_item" if conflict.action == "menu.item.patch" else "conflicts.menu_option"
        return t(kind, name=conflict.menu_name or "?")
    if conflict.action.startswith("store."):
        return t("conflicts.store")
    return t("conflicts.no_order")


def conflict_prompt(conflict: ConflictView, zone: ZoneInfo | None) -> Content:
    """Two lines: what it was about (`conflict_subject`), what was tapped (or done by auto-accept, or run by an
    `o2o` command) and when; then the platform's reason (plain text, wraps). The head's " · " in the running
    app's set (`active_glyphs`: " | " on an ASCII terminal)."""
    subject = conflict_subject(conflict)
    row = "conflicts.row_auto" if conflict.automatic else "conflicts.row_script" if conflict.scripted else "conflicts.row"
    head = t(row, order=subject, action=conflict.action_label, time=tap_time(conflict.tapped_at, zone))
    head = decorated(safe_text(head, one_line=True), active_glyphs())
    return Content.assemble((head, "bold"), "\n", safe_text(conflict.explanation))


class ConfirmAll(Dialog[bool]):
    """`X`: dismiss every refused action? y / Enter yes, n / Esc no."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "conflicts.key.yes", id="conflicts.confirm.yes"),
        Binding("n,escape", "answer(False)", "conflicts.key.no", id="conflicts.confirm.no"),
    ]

    def __init__(self, count: int) -> None:
        super().__init__()
        localize_bindings(self)
        self._count = count

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield FoldedLabel(Content(t("conflicts.confirm_all", count=self._count)), classes="title")
            yield FoldedLabel(Content(t("conflicts.confirm_hint")), classes="hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ConflictsScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "ui.key.back", id="conflicts.back"),
        # over the list's own Enter (which picked the line, dismissing it too), so that `?` and the footer say it
        Binding("enter,x", "dismiss_one", "conflicts.key.dismiss", id="conflicts.dismiss", priority=True),
        Binding("X", "dismiss_all", "conflicts.key.dismiss_all", id="conflicts.dismiss_all"),
        Binding("question_mark", "help", "ui.key.help", id="conflicts.help"),
    ]
    HELP_NOTES = ("conflicts.help.note",)
    FOOTER_PRIORITY = ("conflicts.dismiss", "conflicts.back", "conflicts.dismiss_all")
    DEFAULT_CSS = """
    ConflictsScreen #conflicts-title { height: 1; text-style: bold; }
    /* the room for the scroll bar is kept even while it is hidden: the rows' heights are reckoned for the width
       the text gets, and Textual does not reckon them again when a bar appears (the list grows, or the terminal
       gets smaller), so a wrapped reason would lose its last line */
    ConflictsScreen #conflicts-list { height: 1fr; border: none; scrollbar-gutter: stable; }
    ConflictsScreen #conflicts-empty { height: 1fr; }
    """

    class Changed(Message):
        """The source has news (posted from any thread)."""

        def __init__(self, change: SourceChange) -> None:
            super().__init__()
            self.change = change

    def __init__(self, source: OrderSource | None = None) -> None:
        """`source`: whose conflicts; by default the app's (`app.source`)."""
        super().__init__()
        localize_bindings(self)
        self._source: OrderSource = source if source is not None else self.app.source  # type: ignore[attr-defined]
        self._shown: list[ConflictView] = []
        self._drawn = False  # the first `_show` draws even an empty list (its title, the list hidden)
        self._unsubscribe: Callable[[], None] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="conflicts-title")
        yield OptionList(id="conflicts-list")
        yield Static(FoldedText(Content(t("conflicts.none"))), id="conflicts-empty")
        yield KeyFooter()

    def on_mount(self) -> None:
        def tell(change: SourceChange) -> None:
            self.post_message(self.Changed(change))

        self._unsubscribe = self._source.subscribe(tell)
        self._show()
        self.query_one(OptionList).focus()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    @on(Changed)
    def _source_changed(self, message: Changed) -> None:
        if message.change.conflicts or message.change.link:
            self._show()

    def _zone(self) -> ZoneInfo | None:
        store = self._source.store()
        return zone_named(store.timezone) if store is not None else None

    def _show(self) -> None:
        conflicts = self._source.conflicts()
        if self._drawn and conflicts == self._shown and self.query_one(OptionList).option_count == len(conflicts):
            return
        if bool(conflicts) != bool(self._shown):
            self.refresh_bindings()  # Enter/x and X are offered only while there is something to dismiss
        self._shown, self._drawn = conflicts, True
        listing = self.query_one(OptionList)
        highlighted = listing.highlighted
        zone = self._zone()
        listing.set_options(  # broken into lines as Chinese is set (o2o_tui/text_fold.py), at the list's width
            Option(FoldedText(conflict_prompt(conflict, zone)), id=conflict.key) for conflict in conflicts
        )
        if conflicts:
            listing.highlighted = min(highlighted or 0, len(conflicts) - 1)
        listing.display = bool(conflicts)
        self.query_one("#conflicts-empty").display = not conflicts
        self.query_one("#conflicts-title", Static).update(Content(t("conflicts.title", count=len(conflicts))))

    def _cursor_key(self) -> str | None:
        listing = self.query_one(OptionList)
        if listing.highlighted is None or not self._shown:
            return None
        return listing.get_option_at_index(listing.highlighted).id

    # keys
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Dismiss and Dismiss all only while the list has a line: an empty list offers neither (footer, `?`)."""
        if action in ("dismiss_one", "dismiss_all"):
            return bool(self._shown)
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self))

    def action_dismiss_one(self) -> None:
        key = self._cursor_key()
        if key is not None:
            self._dismiss([key])

    def action_dismiss_all(self) -> None:
        if not self._shown:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._dismiss(None)

        self.app.push_screen(ConfirmAll(len(self._shown)), answered)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self._dismiss([event.option.id])

    @work(group="conflicts-dismiss")
    async def _dismiss(self, keys: list[str] | None) -> None:
        try:
            gone = await self._source.dismiss_conflicts(keys)
        except Exception as error:  # a cache that cannot write: nothing was dismissed; say so, keep the list
            self.notify(
                safe_text(t("conflicts.not_dismissed", error=str(error))), severity="error", markup=False
            )
            return
        self._show()
        if keys is None:
            self.notify(safe_text(t("conflicts.dismissed_all", count=gone)), markup=False)

    def conflicts_shown(self) -> list[ConflictView]:
        """What the list shows now (for tests and the help of the screen)."""
        return list(self._shown)
