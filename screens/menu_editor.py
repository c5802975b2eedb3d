"""The menu editor (`m` from the merchant console, `o2o menu edit`): the menu as a tree beside a form.

Every edit goes into a local draft (`o2o_tui.menu_draft`), saved at once through the `MenuSource` (durable: a
crash or a quit loses nothing), and can be undone. `D` shows the diff against the published menu, `P` publishes it
(`screens/menu_publish.py`; a 412 opens `screens/menu_rebase.py`). Availability (`o`) is not part of the draft: it
is queued at once as one item/option PATCH and shown in the tree from the live menu. Below 60 columns the tree is
alone and Enter opens the form in its place. Menu text is untrusted: labels are plain `Text`/`Content`.

What the form holds and the draft does not yet (typed, not saved with Enter, Ctrl+S, Esc or a move) goes into the
draft when the app quits too: Ctrl+C asks the editor first (`keep_before_quit`: a value that does not go in stops
that quit once, and says so), and a signal (SIGHUP, SIGTERM) saves it as the screen closes (`on_prune`). The
terminal is then told what was saved, and how many changes wait unpublished in the draft.

One editor at a time changes the draft (screens/menu_source.py): an editor that finds it open elsewhere is read only,
says who has it, shows the draft as that one saves it, and takes it over by itself once that one closes (it asks
every `CLAIM_EVERY_S` seconds, reading the saved draft each time).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.messages import Prune
from textual.screen import Screen
from textual.widgets import Input, Label, Static, Tree

from o2o_tui import menu_draft
from o2o_tui import menu_edits as edits
from o2o_tui.domain.limits import as_utc
from o2o_tui.domain.menu import Category, Item, Menu, Names, Option, OptionGroup, localized
from o2o_tui.domain.menu_rules import line_warnings, menu_problems, problem_text
from o2o_tui.domain.money import Money
from o2o_tui.i18n import current_language, t
from o2o_tui.menu_edits import EditError, Kind
from o2o_tui.safe_text import safe_text
from o2o_tui.store_effect import sold_out
from o2o_tui.typed_text import ascii_typed
from screens.dialogs import ChoicePrompt, Dialog, SteadyAsciiInput
from screens.keys import localize_bindings
from screens.menu_form import FIELDS, MenuForm, Values, field_for, values_of
from screens.menu_source import (
    Availabilities,
    AvailabilityKind,
    MenuChange,
    MenuSource,
    end_of_store_day,
    source_for_profile,
    store_zone,
    until_clock,
    with_availability,
)
from screens.menu_tree import SECTION, MenuTree, NodeRef, items_in
from screens.source import LinkState
from screens.steady_keys import SteadyKeysApp
from screens.terminal import FULL, Glyphs, apply_glyphs, glyphs_of, key_display, theme_for
from screens.widgets.folded_text import FoldedLabel
from screens.widgets.footer import KeyFooter

CSS_FILE = Path(__file__).with_name("menu_editor.tcss")
CLAIM_EVERY_S = 2.0  # a read-only editor asks this often whether the draft is free
REDRAW_CHECK_S = 600.0  # the longest the redraw timer sleeps before it looks at the clock (`_arm_redraw`)
REDRAW_LATE_S = 0.05  # after the moment itself: a timer that fires a hair early would find it not come yet
DROPPED_VALUE_CELLS = 24  # the longest kept value a dropped form's toast quotes whole (`_drop_form`)
# the status line's style of an answer shown there (`MenuEditorScreen._answer`), by the toast's severity
ANSWER_STYLES = {"error": "$text-error", "warning": "$text-warning"}
TREE_ONLY = frozenset(
    {"add", "delete", "duplicate", "availability", "hide", "undo", "redo", "diff", "publish", "next_match"}
)
# keys a form field takes as typing (`/`, `?` go into the field): not acting there, so not in the footer either
NOT_IN_FIELD = frozenset({"search", "help"})
# the help's rows: keys as shown, the sentence, and the bindings each row stands for (a test checks that every
# binding of the editor and its tree has a row; Ctrl+S only says the draft is always saved)
ARROWS = "↑ ↓ ← →"  # "arrows" on an ASCII terminal (spelled out, the four names are too wide for the column)
HELP_KEYS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (ARROWS, "menu_editor.help.move", ("menu.expand", "menu.collapse")),
    ("Enter", "menu_editor.help.edit", ("menu.edit",)),
    ("F2", "menu_editor.help.pick_groups", ("menu.pick_groups",)),
    ("a", "menu_editor.help.add", ("menu.add",)),
    ("x Del", "menu_editor.help.delete", ("menu.delete",)),
    ("c", "menu_editor.help.duplicate", ("menu.duplicate",)),
    ("K J", "menu_editor.help.reorder", ("menu.move_up", "menu.move_down")),
    ("Space", "menu_editor.help.mark", ("menu.mark",)),
    ("o", "menu_editor.help.availability", ("menu.availability",)),
    ("h", "menu_editor.help.hide", ("menu.hide",)),
    ("/ n", "menu_editor.help.search", ("menu.search", "menu.next_match")),
    ("u ^Y", "menu_editor.help.undo", ("menu.undo", "menu.redo")),
    ("D", "menu_editor.help.diff", ("menu.diff",)),
    ("P", "menu_editor.help.publish", ("menu.publish",)),
    ("Esc", "menu_editor.help.back", ("menu.back",)),
    ("q", "menu_editor.help.quit_editor", ("menu.quit", "menu.quit_unsaved")),
    ("?", "menu_editor.help.help", ("menu.help",)),
)
HELP_LEFT_OUT = frozenset({"menu.save"})
ROOT_ONLY = frozenset({"menu.quit", "menu.quit_unsaved"})  # `o2o menu edit` alone: in the console q is not bound
# the app's keys (not the editor's own bindings): Ctrl+Q asks first (the console: as the queue's q; the editor
# alone: while the draft is not written), Ctrl+C quits, keeping what the form holds (`keep_before_quit`)
APP_HELP_KEYS: tuple[tuple[str, str, str], ...] = (
    ("^q", "menu_editor.help.ask_quit_console", "menu_editor.help.ask_quit_alone"),
    ("^c", "menu_editor.help.quit", "menu_editor.help.quit"),
)


def lines_text(targets: list[NodeRef]) -> str:
    """What an availability change is about: "1 item", "3 options", "4 items and options"."""
    kinds = {ref.kind for ref in targets}
    noun = "items" if kinds == {"item"} else "options" if kinds == {"option"} else "lines"
    return t(f"menu_editor.count.{noun}", count=len(targets))


def availability_said(state: LinkState) -> str:
    """The words for an availability change just queued, by the link (as the console's actions choose theirs,
    screens/order_actions.py `queued_key`): sent; queued until the link is back (offline, connecting, logged out);
    queued and retried while the platform answers but cannot store changes (NOT_STORING)."""
    if state in (LinkState.ONLINE, LinkState.RESYNCING):
        return "menu_editor.availability.sent"
    if state is LinkState.NOT_STORING:
        return "menu_editor.availability.queued_not_storing"
    return "menu_editor.availability.queued"


def _without_placeholder(names: Names | None) -> Names | None:
    """`names` without the editor's placeholder ("New item") when the other language has a real name; None when
    there is nothing to drop."""
    if names is None:
        return None
    placeholders = edits.placeholder_names()
    if names.zh in placeholders and names.en and names.en not in placeholders:
        return Names(zh="", en=names.en)
    if names.en in placeholders and names.zh and names.zh not in placeholders:
        return Names(zh=names.zh, en="")
    return None


def next_redraw(live: Menu | None, now: datetime, zone: ZoneInfo) -> datetime:
    """When what the editor says of time next changes: the store's next midnight ("tomorrow 10:00" becomes
    "10:00"), or the end of a sold-out of the published menu before it (its tag goes)."""
    local = now.astimezone(zone)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    ends = [midnight]
    if live is not None:
        lines: list[Item | Option] = [*items_in(live), *(o for g in live.option_groups for o in g.options)]
        ends += [as_utc(line.snooze_until) for line in lines if line.snooze_until is not None]
    return min(end for end in ends if end > now)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _group_names(menu: Menu, ids: Sequence[str]) -> str:
    """Option groups as a message lists them: each by its name in the console's language, with its id where
    another group has the same name; the first `GROUPS_NAMED_MAX`, then "..."."""
    groups = {group.id: group for group in menu.option_groups}
    lang = current_language()
    names = {
        gid: safe_text(localized(groups[gid].name, groups[gid].names, lang), one_line=True)
        for gid in ids
        if gid in groups
    }
    twice = {name for name in names.values() if list(names.values()).count(name) > 1}
    shown = [
        t("menu_editor.group_with_id", name=name, id=safe_text(gid, one_line=True)) if name in twice or not name else name
        for gid, name in names.items()
    ]
    if len(shown) > edits.GROUPS_NAMED_MAX:
        shown = [*shown[: edits.GROUPS_NAMED_MAX], "..."]
    return t("menu_publish.list_sep").join(shown)


def _group_typo_text(menu: Menu, typo: edits.GroupTypo) -> str:
    """What a typed option group that names no group, or several, could be."""
    term = safe_text(typo.term, one_line=True)
    if typo.candidates:
        return t("menu_editor.error.ambiguous_group", name=term, groups=_group_names(menu, typo.candidates))
    if not menu.option_groups:
        return t("menu_editor.error.no_groups", name=term)
    every = [group.id for group in menu.option_groups]
    return t("menu_editor.error.unknown_group", name=term, groups=_group_names(menu, every))


class FormEdit(NamedTuple):
    """The form's values as an edit of the draft (`MenuEditorScreen._form_edit`): the edited menu, the names the
    editor set (its placeholder dropped), whether a hidden new line goes on sale with it, and the problems it
    leaves (shown, none new)."""

    menu: Menu
    named: Names | None
    shown: bool
    problems: dict[str, str]
    general: str


class MenuNews(Message):
    """Posted (from any thread) when the menu source has news; the screen's handler owns the UI."""

    def __init__(self, change: MenuChange) -> None:
        super().__init__()
        self.change = change


class TimePrompt(Dialog[str | None]):
    """ "HH:MM" in store time (a time already past means tomorrow)."""

    BINDINGS = [  # Enter for the footer (`⏎ OK`): the field that has the focus applies it itself
        Binding("enter", "submit", "ui.key.ok", id="menu.time.ok"),
        Binding("escape", "cancel", "ui.key.cancel", id="menu.time.cancel"),
    ]

    def __init__(self, title: str) -> None:
        super().__init__()
        localize_bindings(self)
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield FoldedLabel(Content(self._title), classes="title")  # broken as Chinese is set, as other dialogs
            yield SteadyAsciiInput(  # a pasted or fast-typed time kept whole, in the order typed
                placeholder="14:30", restrict=r"[0-9:]*", max_length=5, id="answer", typed_by_screen=True
            )
            yield FoldedLabel("", id="error", classes="error")

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.cursor_blink = False
        field.focus()

    async def on_key(self, event: events.Key) -> None:
        """Every key to the field in the order typed, those typed before it had the focus too (`SteadyInput`)."""
        if await self.query_one("#answer", SteadyAsciiInput).type_key(event):
            event.stop()
            event.prevent_default()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = ascii_typed(event.value).strip()
        if not re.fullmatch(r"([01]?[0-9]|2[0-3]):[0-5][0-9]", text):
            self.query_one("#error", Label).update(Content(t("menu_editor.error.time")))
            return
        self.dismiss(text)

    async def action_submit(self) -> None:
        """Enter (the footer's `⏎`) while the field has not the focus: what the field's Enter does."""
        await self.query_one("#answer", Input).action_submit()

    def action_cancel(self) -> None:
        self.dismiss(None)


class MenuHelpScreen(Dialog[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "ui.key.close", id="menu.help.close")]
    DEFAULT_CSS = """
    MenuHelpScreen .help-title { margin-bottom: 1; }
    MenuHelpScreen .help-note { margin-top: 1; }
    """

    def __init__(self, *, alone: bool = False) -> None:
        """`alone`: the editor of `o2o menu edit` (q quits it; Ctrl+Q asks only for an unwritten draft)."""
        super().__init__()
        localize_bindings(self)
        self._alone = alone

    def compose(self) -> ComposeResult:
        from screens.help_screen import KeyRow, help_note

        with VerticalScroll(classes="dialog help"):
            yield Static(Content.styled(t("menu_editor.help.title"), "bold"), classes="help-title")
            glyphs = glyphs_of(self.app)  # arrows spelled out on an ASCII terminal ("Up", "Right")
            for key, text_key, ids in HELP_KEYS:  # the words hang beside the key, never under it
                if not self._alone and set(ids) <= ROOT_ONLY:
                    continue
                shown = key_display(key, glyphs)
                if glyphs.ascii and key == ARROWS:
                    shown = t("menu_editor.help.arrows_key")
                yield KeyRow(shown, key_display(t(text_key), glyphs), 9)
            for key, in_console, alone in APP_HELP_KEYS:
                yield KeyRow(key, key_display(t(alone if self._alone else in_console), glyphs), 9)
            yield help_note(t("menu_editor.help.draft"))

    def action_close(self) -> None:
        self.dismiss(None)


# a part of the menu editor's status line: its texts from the longest to the shortest, and its style
StatusPart = tuple[tuple[str, ...], str]


def status_pieces(parts: list[StatusPart], width: int, dot: str) -> list[str | tuple[str, str]]:
    """The status line's pieces for `width` cells: each part's long text when all fit on one line, else its short
    one; and a line that still does not fit is broken between parts, never inside one ("1 sold" / "out")."""
    separator = f" {dot} "
    texts = [variants[0] for variants, _ in parts]
    if width > 0 and cell_len(separator.join(texts)) > width:
        texts = [variants[-1] for variants, _ in parts]
    pieces: list[str | tuple[str, str]] = []
    used = 0
    for text, (_, style) in zip(texts, parts, strict=True):
        if pieces:
            if width > 0 and used + cell_len(separator) + cell_len(text) > width:
                pieces.append("\n")
                used = 0
            else:
                pieces.append(separator)
                used += cell_len(separator)
        pieces.append((text, style) if style else text)
        used += cell_len(text)
    return pieces


class MenuEditorScreen(Screen[None]):
    CSS_PATH = CSS_FILE
    # what a counter does most (sell out, publish the draft) before what the tree's own keys do (mark, reorder)
    FOOTER_PRIORITY = (
        "menu.pick_groups",  # shown only in an item's option groups field
        "menu.availability",
        "menu.publish",
        "menu.add",
        "menu.undo",
        "menu.quit",  # `o2o menu edit` alone, in the tree
        "menu.back",
        "menu.diff",
        "menu.hide",
        "menu.search",
        "menu.delete",
        "menu.duplicate",
    )
    BINDINGS = [
        Binding("enter", "edit", "menu_editor.key.edit", id="menu.edit", show=False),
        Binding("a", "add", "menu_editor.key.add", id="menu.add"),
        Binding("x,delete", "delete", "menu_editor.key.delete", id="menu.delete"),
        Binding("c", "duplicate", "menu_editor.key.duplicate", id="menu.duplicate"),
        Binding("o", "availability", "menu_editor.key.availability", id="menu.availability"),
        Binding("h", "hide", "menu_editor.key.hide", id="menu.hide"),
        Binding("slash", "search", "menu_editor.key.search", id="menu.search"),
        Binding("n", "next_match", "menu_editor.key.next", id="menu.next_match", show=False),
        Binding("u,ctrl+z", "undo", "menu_editor.key.undo", id="menu.undo"),
        Binding("ctrl+y", "redo", "menu_editor.key.redo", id="menu.redo", show=False),
        Binding("D", "diff", "menu_editor.key.diff", id="menu.diff"),
        Binding("P", "publish", "menu_editor.key.publish", id="menu.publish"),
        Binding("ctrl+s", "save", "menu_editor.key.save", id="menu.save", show=False),
        Binding("f2", "pick_groups", "menu_editor.key.pick_groups", id="menu.pick_groups"),
        Binding("question_mark", "help", "menu_editor.key.help", id="menu.help"),
        Binding("escape", "back", "menu_editor.key.back", id="menu.back"),
        # `o2o menu edit` alone, in the tree (check_action): q quits, as the queue's q; Esc there does nothing (as
        # on the queue) unless the draft on screen is not written: then it asks, as q does (`_ask_unsaved`)
        Binding("q", "quit_editor", "ui.key.quit", id="menu.quit"),
        Binding("escape", "quit_unsaved", "ui.key.quit", id="menu.quit_unsaved", show=False),
    ]

    def __init__(self, source: MenuSource, *, root: bool = False) -> None:
        super().__init__()
        localize_bindings(self)
        self.source = source
        self.menu_publisher = source  # what the publish dialog sends through (screens/menu_publish.py)
        self.is_root = root
        self.draft: menu_draft.MenuDraft | None = None
        self._matches: list[tuple[Kind, str]] = []
        self._match_index = 0
        self._unsubscribe: Callable[[], None] | None = None
        self.saved = True
        self._claim_timer: Any = None
        self._taken: menu_draft.MenuDraft | None = None  # the source's draft as this editor last took it
        # during P (publish dialog, then a rebase): the source's refusal texts, held rather than toasted over
        # those screens; the dialog says a refusal of the publish itself (screens/menu_publish.py)
        self._held_news: list[str] | None = None
        self._redraw_timer: Any = None  # the next redraw of the time-dependent words (`_arm_redraw`)
        self._redraw_at: datetime | None = None
        self._quit_refused: object = None  # the form's values the quit key last could not save (`keep_before_quit`)
        self._quit_notes: list[str] = []  # what the quit key saved, said once the app is gone
        self._not_saved_error = ""  # why the last save failed (`_save`), said on quitting while `saved` is False
        self._copied_note = ""  # the last `_say_draft_copied`, said again after quitting when the quit saved
        self._back_refused: object = None  # the form's values Esc last could not save (`action_back`)
        self._refusal_hint = ""  # what the next refusal's toast adds (Esc's: Esc again goes back without it)
        # the answer to a key pressed in a field, shown in the status line while its toast would cover the field or
        # wait for it to be left (`_answer`): (text, style), and the timer that ends it
        self._answered: tuple[str, str] | None = None
        self._answer_timer: Any = None
        self._toasted_answers: list[str] = []  # the last answers said as toasts (their whole safe text)

    # layout
    def compose(self) -> ComposeResult:
        yield Static(Content(t("menu_editor.title")), id="menu-title")
        yield Input(placeholder=t("menu_editor.search.placeholder"), id="menu-search")
        with Horizontal(id="menu-body"):
            yield MenuTree(id="menu-tree")
            yield MenuForm(id="menu-form")
        yield Static(Content(self._spelled(t("menu_editor.loading"))), id="menu-status")
        yield KeyFooter()

    @property
    def menu_tree(self) -> MenuTree:
        return self.query_one(MenuTree)

    @property
    def menu_form(self) -> MenuForm:
        return self.query_one(MenuForm)

    def now(self) -> datetime:
        clock = getattr(self.app, "now", None)
        return clock() if callable(clock) else _utcnow()

    def on_mount(self) -> None:
        search = self.query_one("#menu-search", Input)
        search.cursor_blink = False
        search.display = False
        self.menu_tree.cursor_moved = self._cursor_moved
        self.menu_form.groups_text = self._groups_text  # an item's option groups by their names
        self.menu_tree.focus()
        self._unsubscribe = self.source.subscribe(self._news)
        # read already? (`o2o menu edit` reads while Textual starts): then the first frame shows the menu
        ready = getattr(self.source, "load_ready", None)
        if callable(ready) and ready():
            self._loaded()
        else:
            self._load()

    class Opened(Message):
        """The editor showed what the cache holds (its first paint is done): time to connect and sync."""

    def _news(self, change: MenuChange) -> None:
        self.post_message(MenuNews(change))

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self.source.release_draft()  # another editor may have the draft now

    @work(exclusive=True, group="menu-load")
    async def _load(self) -> None:
        await self.source.load()
        self._loaded()

    def _loaded(self) -> None:
        self._take_draft()
        if self.menu_tree.cursor_line < 0 and self.draft is not None:
            self.menu_tree.move_cursor_to_line(0)
        self.call_after_refresh(self.post_message, self.Opened())
        if self._draft_error() is not None:  # the drafts file is left as it is: said, and nothing is changed
            self._say(self._draft_error_text(), severity="error", timeout=30)
        elif self.read_only:
            self._say(t("menu_editor.read_only.opened", holder=self._holder_text()), severity="warning", timeout=15)
            self._claim_timer = self.set_interval(CLAIM_EVERY_S, self._try_claim)
        self._say_draft_unreadable()

    def _say_draft_unreadable(self) -> None:
        """This store's saved draft no longer decodes (another version wrote it): the editor started afresh, and
        the first save copies the unreadable one aside before replacing it (offline_cache/drafts.py), said here."""
        unreadable = getattr(self.source, "draft_unreadable", None)
        if unreadable is not None and self._draft_error() is None:
            path = getattr(unreadable, "path", None)
            file = safe_text(path.name if path is not None else "drafts", one_line=True)
            self._say(t("menu_editor.draft_unreadable", file=file), severity="warning", timeout=30)

    def _say_draft_copied(self) -> None:
        """The save just made copied the unreadable draft aside first: where it is now."""
        copy = getattr(self.source, "draft_copy", None)
        if copy is not None:
            self.source.draft_copy = None  # type: ignore[attr-defined]  # said once
            self._copied_note = t("menu_editor.draft_copied", path=safe_text(str(copy), one_line=True))
            self._say(self._copied_note, severity="warning", timeout=30)

    def _take_draft(self) -> None:
        draft = self._taken = self.source.draft()
        live = self.source.menu()
        if live is not None and (draft is None or menu_draft.holds(live, draft)):
            draft = menu_draft.start(live)  # none yet, or its own publish was queued offline and sent since
        self.draft = draft
        self._show()

    # one editor at a time (screens/menu_source.py)
    @property
    def read_only(self) -> bool:
        return self.source.draft_holder() is not None

    def _draft_error(self) -> Exception | None:
        """The drafts file could not be read (left as it is, it may hold edits): nothing is changed then."""
        error = getattr(self.source, "draft_error", None)
        return error if isinstance(error, Exception) else None

    def _draft_error_text(self) -> str:
        from o2o_tui.menu_service import corrupt_drafts_text

        return t("menu_editor.drafts_unreadable", message=corrupt_drafts_text(self._draft_error()))

    def _holder_text(self) -> str:
        from o2o_tui.menu_service import holder_text

        return holder_text(self.source.draft_holder() or {}, store_zone(self.source.store()))

    async def _try_claim(self) -> None:
        if not await self.source.claim_draft():
            if self.source.draft() != self._taken:  # the holder saved (or published) since: show its draft
                self._take_draft()
            return
        if self._claim_timer is not None:
            self._claim_timer.stop()
            self._claim_timer = None
        self._take_draft()  # the saved draft as the other editor left it
        self._say(t("menu_editor.read_only.free"), timeout=5)

    def _editable(self) -> bool:
        """Whether this editor may change the draft; says who has it (or that the drafts file is unreadable) when
        not."""
        if self._draft_error() is not None:
            self._say(self._draft_error_text(), severity="error", timeout=15)
            return False
        if not self.read_only:
            return True
        self._answer(t("menu_editor.read_only.refused", holder=self._holder_text()), severity="warning", timeout=5)
        return False

    def _show(self) -> None:
        draft = self.draft
        if draft is None:
            self.query_one("#menu-status", Static).update(Content(t("menu_editor.no_menu")))
            return
        self.menu_tree.show(draft.menu, self.source.menu(), self.now(), store_zone(self.source.store()))
        self._show_status()
        self._show_form()
        self._arm_redraw()

    def _arm_redraw(self) -> None:
        """The tree's sold-out tags ("tomorrow 10:00") and the status line's count are worked out from the time
        they are drawn: draw them again at the store's next midnight (tomorrow's time becomes today's) or when the
        next sold-out ends, whichever comes first. The timer wakes at least every REDRAW_CHECK_S (a clock that
        jumped, a machine that slept) and draws only once that moment has come: an idle editor writes nothing."""
        now = self.now()
        self._redraw_at = next_redraw(self.source.menu(), now, store_zone(self.source.store()))
        if self._redraw_timer is not None:
            self._redraw_timer.stop()
        delay = min(max((self._redraw_at - now).total_seconds(), 0.0), REDRAW_CHECK_S)
        self._redraw_timer = self.set_timer(delay + REDRAW_LATE_S, self._redraw_due)

    def _redraw_due(self) -> None:
        self._redraw_timer = None
        if self._redraw_at is not None and self.now() >= self._redraw_at:
            self._show()  # arms the next one
        else:
            self._arm_redraw()

    def _show_status(self) -> None:
        draft = self.draft
        if draft is None:
            return
        if self._answered is not None:  # the answer to the key just pressed in a field, for its time
            self._show_answer(*self._answered)
            return
        # an untouched draft (the usual opening) has no diff to compute: 500 items cost ~20 ms
        changes = 0 if draft.menu == draft.base else len(menu_draft.diff(draft.base, draft.menu))
        base = (
            t("menu_editor.status.base", version=draft.base.version),
            t("menu_editor.status.base_short", version=draft.base.version),
        )
        parts: list[StatusPart] = [(base, "")]
        if self._draft_error() is not None:
            parts = [((t("menu_editor.status.drafts_unreadable"),), "$text-error"), *parts]
        holder = self.source.draft_holder()
        if holder is not None:  # first, as it is what matters most; who exactly: the toast, and each refused key
            said = t("menu_editor.status.read_only", pid=holder.get("pid", "?"))
            parts = [((said,), "$text-warning"), *parts]
        if changes:
            parts.append(((t("menu_editor.status.changes", count=changes),), "bold"))
        else:
            parts.append(((t("menu_editor.status.no_changes"),), ""))
        if changes and self.saved:
            parts.append(((t("menu_editor.status.saved"),), ""))
        elif not self.saved:  # the last edit is on screen only: Esc asks before it is lost
            parts.append(((t("menu_editor.status.not_saved"),), "$text-error"))
        live = self.source.menu()
        if live is not None and live.version > draft.base.version and changes:
            parts.append(((t("menu_editor.status.newer", version=live.version),), "$text-warning"))
        if live is not None:
            # counted as the queue's header line counts them (`store_effect.sold_out`): items and options a customer
            # cannot order, hidden ones left out; sold out (snoozed until a time) apart from unavailable (until put
            # back)
            found = sold_out(live, self.now())
            unavailable = sum(1 for entry in found if entry.unavailable)
            if len(found) > unavailable:
                said = t("menu_editor.status.sold_out", count=len(found) - unavailable)
                parts.append(((said,), "$text-warning"))
            if unavailable:
                parts.append(((t("menu_editor.status.unavailable", count=unavailable),), "$text-warning"))
        if self.menu_tree.marked:
            parts.append(((t("menu_editor.status.marked", count=len(self.menu_tree.marked)),), "bold"))
        status = self.query_one("#menu-status", Static)
        width = (status.size.width or self.app.size.width) - status.styles.padding.width
        dot = glyphs_of(self.app).dot  # "|" on an ASCII terminal (screens/terminal.py)
        status.update(Content.assemble(*status_pieces(parts, width, dot)))

    def on_resize(self) -> None:
        if self.draft is not None:
            self.call_after_refresh(self._show_status)  # the status line's short forms follow the width

    def _entity(self, ref: NodeRef | None) -> Category | Item | OptionGroup | Option | None:
        if ref is None or self.draft is None or ref.kind == SECTION:
            return None
        return edits.find(self.draft.menu, ref.kind, ref.id)  # type: ignore[arg-type]

    def _show_form(self) -> None:
        ref = self.menu_tree.cursor_ref
        if self.has_class("-form-open") and self._entity(self.menu_form.ref) is not None:
            # the line being edited: a rebuilt tree (an item given another option group) passes its cursor over
            # other lines before it finds that one again, and the form must not follow it there
            ref = self.menu_form.ref
        if self.menu_form.ref != ref or self.focused is None or self.focused is self.menu_tree:
            if not self.has_class("-form-open"):
                # a redraw (the menu's news) while a field typed in without Enter waits for the tree to move on:
                # what was typed is saved first, as a move does (`_cursor_moved`), not lost to the reload
                self._keep_typed()
            self.menu_form.load(ref, self._entity(ref))

    def _cursor_moved(self, ref: NodeRef | None) -> None:
        """The tree's cursor moved (called by the tree before it repaints): the form shows the new line in the
        same frame. Its values change in place (no relayout) when the kind stays the same; a kind with other
        fields relayouts the form, once."""
        if self.draft is not None and not self.has_class("-form-open") and ref != self.menu_form.ref:
            self._keep_typed()
            self.menu_form.load(ref, self._entity(ref))

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[NodeRef]) -> None:
        self._cursor_moved(event.node.data)  # normally done already, by `_cursor_moved`

    async def on_tree_node_selected(self, event: Tree.NodeSelected[NodeRef]) -> None:
        event.stop()
        await self.action_edit()

    async def on_menu_news(self, message: MenuNews) -> None:
        change = message.change
        if change.message and self._held_news is not None:
            self._held_news.append(change.message)
        elif change.message:
            self._say(change.message, severity="error", timeout=15)
        draft, live = self.draft, self.source.menu()
        if live is not None and (
            draft is None
            or (not self._dirty() and live.version != draft.base.version)
            or menu_draft.holds(live, draft)
        ):
            self.draft = menu_draft.start(live)  # an untouched or already published draft follows the menu
        self._show()

    def _dirty(self) -> bool:
        return self.draft is not None and menu_draft.is_dirty(self.draft)

    def _spelled(self, text: str) -> str:
        """`text` with "…" as "..." where the terminal has no such glyph (an ASCII terminal, the Linux console)."""
        return text if glyphs_of(self.app).full else text.replace("…", "...")

    def _say(self, text: str, *, severity: str = "information", timeout: float = 5) -> None:
        from screens.command_toasts import say_in  # a command in it bold, without its backticks

        say_in(self.app, text, severity=severity, timeout=timeout)

    def _answer(self, text: str, *, severity: str = "information", timeout: float = 5) -> None:
        """The editor's answer to the key just pressed (saved, nothing changed, why a value did not go in). While a
        toast of it would stand over the field that has the focus, or wait with the console's other toasts for
        the focus to leave it (`toast_holding.answer_would_wait`: said then, it answered nothing), it shows at
        once in the status line, for the toast's time, cut to its width (a refused value's problem stands under
        its field). Elsewhere, a toast as any."""
        from screens.toast_holding import answer_would_wait

        line = safe_text(text, one_line=True)
        if self.draft is None or not answer_would_wait(self.app, line):
            self._toasted_answers = [*self._toasted_answers[-7:], safe_text(text)]
            self._say(text, severity=severity, timeout=timeout)
            return
        if self._answer_timer is not None:
            self._answer_timer.stop()
        self._answered = (line, ANSWER_STYLES.get(severity, "bold"))
        self._answer_timer = self.set_timer(timeout, self._answer_over)
        hold = getattr(self.app, "hold_toasts_up", None)  # the console's toasts up wait: they stand over the line
        if callable(hold):
            hold(lambda toasted: toasted in self._toasted_answers)  # its earlier answers are over, not kept
        self._show_answer(*self._answered)

    def _show_answer(self, text: str, style: str) -> None:
        """`text` on the status line in place of its parts, cut to one line ("…"), left of the toasts up (the
        editor alone keeps them up)."""
        from screens.command_toasts import command_content
        from screens.toast_holding import toast_column

        status = self.query_one("#menu-status", Static)
        width = (status.size.width or self.app.size.width) - status.styles.padding.width
        if any(not n.has_expired for n in self.app._notifications) and toast_column(self.app.size.width):
            width = min(width, toast_column(self.app.size.width) - status.styles.padding.left - 1)
        line = command_content(text).stylize(style)
        if width > 0 and line.cell_length > width:
            mark = self._spelled("…")
            line = Content.assemble(line.truncate(max(0, width - cell_len(mark))), (mark, style))
        status.update(line)

    def _answer_over(self) -> None:
        self._answered, self._answer_timer = None, None
        self._show_status()

    # focus and the narrow layout
    def _in_tree(self) -> bool:
        return self.focused is None or self.focused is self.menu_tree

    def _at_top(self) -> bool:
        """In the tree, no search open: where Esc has nothing left to close."""
        return self._in_tree() and not self.query_one("#menu-search", Input).display

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick_groups":  # the pick list of an item's option groups field, only there
            return self.focused is not None and self.focused.id == "field-groups"
        if action == "back":  # the editor alone: Esc at the top leaves nothing (q quits)
            return not (self.is_root and self._at_top())
        if action == "quit_editor":
            return self.is_root and self._in_tree()
        if action == "quit_unsaved":
            return self.is_root and self._at_top() and not self.saved
        if action in NOT_IN_FIELD and not self._in_tree():
            return False
        return action not in TREE_ONLY or self._in_tree()

    def action_pick_groups(self) -> None:
        """F2 in an item's option groups field: the pick list of the menu's groups, those the field names ticked;
        what is ticked goes in the field by name and is saved as Enter saves it."""
        from screens.menu_group_pick import GroupPick

        form, draft = self.menu_form, self.draft
        ref = form.ref
        if draft is None or ref is None or ref.kind != "item":
            return
        if not draft.menu.option_groups:
            self._answer(t("menu_editor.pick.none"), timeout=6)
            return
        field = self.query_one("#field-groups", Input)
        offered, _ = edits.groups_from_text(draft.menu, field.value)  # what the field says now, typed or not

        def picked(chosen: list[str] | None) -> None:
            field.focus()
            if chosen is None or form.ref != ref or self.draft is None:
                return
            field.value = self._groups_text(chosen)
            field.cursor_position = len(field.value)
            self.call_after_refresh(field.action_submit)

        self.app.push_screen(GroupPick(draft.menu, offered), picked)

    async def action_edit(self) -> None:
        ref = self.menu_tree.cursor_ref
        if self.has_class("-form-open") and ref != self.menu_form.ref and not await self._commit_form():
            return  # the form of another line (a click in the tree) holds values that do not go in: it stays
        entity = self._entity(ref)
        if entity is None:
            if ref is not None and ref.kind == SECTION:
                node = self.menu_tree.cursor_node
                if node is not None:
                    node.toggle()
            return
        self.menu_form.load(ref, entity)
        self.add_class("-form-open")
        self.call_after_refresh(self.menu_form.focus_first)

    def _close_form(self) -> None:
        self.remove_class("-form-open")
        self.menu_tree.focus()
        self.menu_form.load(self.menu_tree.cursor_ref, self._entity(self.menu_tree.cursor_ref))

    async def action_back(self) -> None:
        search = self.query_one("#menu-search", Input)
        if search.display:
            search.value = ""
            search.display = False
            self.menu_tree.focus()
            return
        if not self._in_tree():
            # Esc leaves the form with what was typed saved, as Ctrl+S does: the draft is local and `u` undoes
            # it, so nothing typed is dropped and no question stands between the counter and the tree. A value
            # that does not go in keeps the form open once; Esc again, nothing typed since, goes back without
            # what the form holds (never a trap) and says what the draft kept
            pending = self._form_pending()
            if pending is not None and pending == self._back_refused:
                self._drop_form(pending)
                return
            self._refusal_hint = t("menu_editor.back.refused")  # said in the refusal's toast (`_refused`)
            try:
                committed = await self._commit_form()
            finally:
                hint, self._refusal_hint = self._refusal_hint, ""
            if committed:
                self._back_refused = None
                self._close_form()
            else:
                self._back_refused = self._form_pending()
                if hint:  # refused without a toast of `_refused` (a read-only editor said why already)
                    self._answer(hint, severity="warning", timeout=10)
            return
        if not self.saved and self.draft is not None:
            self._ask_unsaved()
            return
        self._leave()

    def _drop_form(self, pending: tuple[NodeRef, Values, frozenset[str], frozenset[str]]) -> None:
        """Back to the tree without what the form holds: the form shows the draft's values again, and a toast
        names each field typed in with the value the draft kept ("Price not changed: 38.00 kept")."""
        ref, _values, _changed, typed = pending
        self._back_refused = None
        entity = self._entity(ref)
        kept = values_of(str(ref.kind), entity, self._groups_text) if entity is not None else {}
        said = []
        for field in FIELDS.get(str(ref.kind), ()):
            if field not in typed:
                continue
            label = t(f"menu_editor.field.{field}")
            value = kept.get(field)
            if isinstance(value, bool) or value is None:
                said.append(t("menu_editor.back.dropped_plain", field=label))
            elif not value.strip():
                said.append(t("menu_editor.back.dropped_empty", field=label))
            else:
                text = safe_text(value, one_line=True)
                if cell_len(text) > DROPPED_VALUE_CELLS:
                    text = self._spelled(set_cell_size(text, DROPPED_VALUE_CELLS - 1).rstrip() + "…")
                said.append(t("menu_editor.back.dropped", field=label, value=text))
        self.menu_form.load(ref, entity)  # the draft's values, the problems gone
        self._close_form()
        if said:
            self._say(t("menu_editor.back.dropped_sep").join(said), timeout=8)

    async def action_quit_editor(self) -> None:
        """q in the tree of the editor alone: quits as Ctrl+C does (what the form holds kept), asking first while
        the draft on screen is not written (a full disk)."""
        if not self.saved and self.draft is not None:
            self._ask_unsaved()
            return
        quit_app = getattr(self.app, "action_quit", None)
        if callable(quit_app):
            await quit_app()
        else:
            self.app.exit()

    def action_quit_unsaved(self) -> None:
        """Esc at the top of the editor alone while the draft is not written: asked, never lost without a word."""
        self._ask_unsaved()

    def _leave(self) -> None:
        if self.is_root:
            self.app.exit()
        else:
            self.app.pop_screen()

    def _ask_unsaved(self) -> None:
        """Esc while the draft on screen is not written (a full disk): keep editing, save again (and leave once it
        is saved), or leave and lose what was not saved."""
        choices = [
            ("stay", t("menu_editor.unsaved.stay")),
            ("retry", t("menu_editor.unsaved.retry")),
            ("leave", t("menu_editor.unsaved.leave")),
        ]

        async def answered(answer: str | None) -> None:
            if answer == "leave":
                self._leave()
            elif answer == "retry" and self.draft is not None and await self._save():
                self._say(t("menu_editor.unsaved.saved"), timeout=4)
                self._leave()
            else:
                self._show_status()

        self.app.push_screen(ChoicePrompt(t("menu_editor.unsaved.title"), choices), answered)

    def action_help(self) -> None:
        self.app.push_screen(MenuHelpScreen(alone=self.is_root))

    async def action_save(self) -> None:
        if self._in_tree() or not self.menu_form.changed():
            self._answer(t("menu_editor.saved_always"), timeout=3)
            return
        await self._commit_form()  # every field typed in, as Enter saves one; the form stays open

    async def _commit_form(self) -> bool:
        """Save what the form holds that differs from the draft (each field typed in and left with Tab, say), as
        Enter in a field would, and say which fields went in. False, with the form kept open and the first bad
        field focused, when a value does not go in (nothing of the form is saved then)."""
        form = self.menu_form
        ref = form.ref
        changed = form.changed()
        if ref is None or ref.kind == SECTION or self.draft is None or not changed:
            return True
        if not self._editable():
            return False
        refusal = await self._apply_form(ref, form.values(), changed, said_fields=form.typed_in() or changed)
        return refusal is None or self._refused(*refusal)

    # quitting: Ctrl+C (the app's quit key) and a signal (SIGHUP, SIGTERM) lose nothing typed
    def _form_pending(self) -> tuple[NodeRef, Values, frozenset[str], frozenset[str]] | None:
        """The form's line, its values, the fields to save and those typed in, when it holds what the draft does
        not (None: nothing to save)."""
        form = self.menu_form
        ref = form.ref
        if ref is None or ref.kind == SECTION or self.draft is None:
            return None
        changed = form.changed()
        return (ref, form.values(), changed, form.typed_in() or changed) if changed else None

    async def keep_before_quit(self) -> bool:
        """Asked by the app before its quit key quits: what the form holds goes into the draft, as Esc saves it.
        False, once, when it cannot (a value that does not go in, a read-only editor): the form shows why and the
        app stays; the quit key again, nothing typed since, quits without it (never a trap)."""
        pending = self._form_pending()
        if pending is None or pending == self._quit_refused:
            return True
        self._copied_note = ""
        if await self._commit_form():
            ref, _values, _changed, typed = pending
            # said once the terminal is back; not written (a full disk): `_keep_on_close` says it was not kept
            self._quit_notes = [self._form_saved_note(ref, typed)] if self.saved else []
            if self._copied_note:  # this save replaced an unreadable draft: its toast goes with the app
                self._quit_notes.append(self._copied_note)
            return True
        self._quit_refused = self._form_pending()
        self._answer(t("menu_editor.quit.refused", key=self._quit_key()), severity="warning", timeout=10)
        return False

    def _quit_key(self) -> str:
        for active in self.active_bindings.values():
            if active.binding.id == "app.quit":
                return self.app.get_key_display(active.binding)
        return "Ctrl+C"

    async def on_prune(self, _: Prune) -> None:
        """Closing, its fields still there: popped (Esc saved the form first), or the app quits (Ctrl+C, which
        saved it first unless asked twice; SIGHUP, SIGTERM, which ask nobody). What the form holds goes into the
        draft when it can; on quitting, the terminal is then told what was kept and what was not."""
        notes = await self._keep_on_close()
        if notes and not self.app.is_running and not self.app._exit_renderables:
            self.app._exit_renderables.append(Text("\n".join(notes)))

    def _line_name(self, ref: NodeRef) -> str:
        entity = self._entity(ref)
        return safe_text((entity.names.get(current_language()) or entity.name) if entity else ref.id, one_line=True)

    def _form_saved_note(self, ref: NodeRef, typed: frozenset[str]) -> str:
        saved = [field for field in FIELDS.get(str(ref.kind), ()) if field in typed]
        fields = t("menu_publish.list_sep").join(t(f"menu_editor.field.{field}") for field in saved)
        return t("menu_editor.quit.form_saved", name=self._line_name(ref), fields=fields)

    async def _keep_on_close(self) -> list[str]:
        notes, self._quit_notes = self._quit_notes, []
        pending, draft = self._form_pending(), self.draft
        if pending is not None and draft is not None:
            ref, values, changed, typed = pending
            name = self._line_name(ref)
            edit = (
                self._form_edit(draft, ref, values, changed)
                if not self.read_only
                else ({}, t("menu_editor.read_only.refused", holder=self._holder_text()), None)
            )
            if isinstance(edit, FormEdit):
                try:
                    kept = menu_draft.apply(draft, edit.menu)
                    await self.source.save_draft(kept)
                except Exception as error:  # a cache that cannot write (closed already, a full disk)
                    notes.append(t("menu_editor.quit.form_lost", name=name, problem=str(error)))
                else:
                    self.draft, self.saved = kept, True  # the whole draft written, earlier unsaved edits with it
                    notes.append(self._form_saved_note(ref, typed))
                    copy = getattr(self.source, "draft_copy", None)
                    if copy is not None:  # it replaced an unreadable draft, copied aside first: where to
                        self.source.draft_copy = None  # type: ignore[attr-defined]
                        notes.append(t("menu_editor.draft_copied", path=str(copy)))
            else:
                problems, general, _focus = edit
                problem = " ".join(part for part in (*problems.values(), general) if part)
                notes.append(t("menu_editor.quit.form_lost", name=name, problem=problem))
        draft = self.draft
        if draft is not None and not self.read_only and self._dirty() and self.saved:  # never kept when unwritten
            count = len(menu_draft.diff(draft.base, draft.menu))
            notes.append(t("menu_editor.quit.draft_kept", count=count))
        elif draft is not None and not self.read_only and not self.saved:  # the draft could not be written
            notes.append(t("menu_editor.quit.not_kept", error=self._not_saved_error))
        return [safe_text(note) for note in notes]

    def _keep_typed(self) -> None:
        """The form is about to show another line while it was not open (wide: a click into a field, typing, then
        a click in the tree): what was typed for its line is saved just after, or, refused, that line comes back
        with the form open on what was typed and the problems (`_save_left`)."""
        form = self.menu_form
        ref = form.ref
        if ref is None or ref.kind == SECTION or self.draft is None:
            return
        changed = form.changed()
        if changed:
            self.call_later(self._save_left, ref, form.values(), changed, form.typed_in() or changed)

    async def _save_left(
        self, ref: NodeRef, values: Values, changed: frozenset[str], typed: frozenset[str]
    ) -> None:
        refusal = (
            await self._apply_form(ref, values, changed, said_fields=typed, in_form=False)
            if self._editable()
            else ({}, t("menu_editor.read_only.refused", holder=self._holder_text()), None)
        )
        if refusal is None or self._entity(ref) is None:
            return
        self.add_class("-form-open")
        self.menu_tree.select_ref(ref)
        self.menu_form.load(ref, self._entity(ref))
        self.menu_form.restore(values)
        self._refused(*refusal)

    # the draft
    async def _apply(self, edited: Menu, *, select: NodeRef | None = None) -> bool:
        """`edited` as the draft, saved; False when this editor may not change the draft (said)."""
        assert self.draft is not None
        if edited == self.draft.menu:
            return True
        if not self._editable():
            return False
        self.draft = menu_draft.apply(self.draft, edited)
        await self._save()
        self._show()
        if select is not None:
            self.menu_tree.select_ref(select)
        return True

    async def _save(self) -> bool:
        """The draft written; False (said, and `saved` stays False until a save succeeds) when it could not be."""
        assert self.draft is not None
        self.saved = False
        try:
            await self.source.save_draft(self.draft)
        except Exception as error:  # a cache that cannot write: the edit is on screen but not kept
            self._not_saved_error = str(error)
            self._answer(t("menu_editor.error.not_saved", error=str(error)), severity="error", timeout=15)
            self.refresh_bindings()  # the editor alone: Esc at the top now asks (`quit_unsaved`)
            return False
        self.saved = True
        self.refresh_bindings()
        self._say_draft_copied()
        return True

    def _groups_text(self, ids: Sequence[str]) -> str:
        """An item's option groups as its form shows them: by their names (an id where a name is not one group's
        alone), as they are typed back."""
        menu = self.draft.menu if self.draft is not None else None
        if menu is None:
            return ", ".join(ids)
        return edits.group_list_text(menu, ids, current_language(), t("menu_cli.show.item_options_separator"))

    def _currency(self) -> str:
        store = self.source.store()
        return store.currency if store else (self.draft.menu.currency if self.draft else "CNY")

    def _path(self, menu: Menu, ref: NodeRef) -> str | None:
        if ref.kind == "category":
            index = next((i for i, c in enumerate(menu.categories) if c.id == ref.id), None)
            return None if index is None else f"categories[{index}]"
        if ref.kind == "item":
            for ci, category in enumerate(menu.categories):
                for ii, item in enumerate(category.items):
                    if item.id == ref.id:
                        return f"categories[{ci}].items[{ii}]"
            return None
        for gi, group in enumerate(menu.option_groups):
            if ref.kind == "group" and group.id == ref.id:
                return f"option_groups[{gi}]"
            for oi, option in enumerate(group.options):
                if ref.kind == "option" and option.id == ref.id:
                    return f"option_groups[{gi}].options[{oi}]"
        return None

    def _fields(
        self, kind: str, values: Values, changed: frozenset[str], menu: Menu | None = None
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """The typed fields the person changed (`changed`: the form's; a field left as it was keeps what is
        stored), and the messages of the fields that do not parse."""
        errors: dict[str, str] = {}
        fields: dict[str, Any] = {}

        def number(name: str) -> int | None:
            text = ascii_typed(str(values[name])).strip()
            if not text.isdigit():
                errors[name] = t("menu_editor.error.number")
                return None
            return int(text)

        if changed & {"name_zh", "name_en"}:
            names = Names(zh=str(values["name_zh"]).strip(), en=str(values["name_en"]).strip())
            fields |= {"names": names, "name": names.zh or names.en}
        if "price" in changed:
            price = ascii_typed(str(values["price"])).strip()
            if not price:  # never "not a price: ." quoting nothing
                errors["price"] = t("menu_editor.error.no_price")
            else:
                try:
                    fields["price"] = edits.price_from_text(price, self._currency())
                except EditError as error:
                    errors["price"] = error.text()
        if kind == "item":
            if changed & {"desc_zh", "desc_en"}:
                descriptions = Names(zh=str(values["desc_zh"]).strip(), en=str(values["desc_en"]).strip())
                fields |= {"descriptions": descriptions, "description": descriptions.zh or descriptions.en}
            if "prep" in changed:
                prep = ascii_typed(str(values["prep"])).strip()
                fields["prep_minutes"] = None if not prep else number("prep")
            if "groups" in changed:
                text = str(values["groups"])
                if menu is None:
                    fields["option_group_ids"] = edits.group_ids_from_text(text)
                else:  # names in either language (or a unique start of one), ids too
                    ids, typos = edits.groups_from_text(menu, text)
                    if typos:
                        errors["groups"] = " ".join(_group_typo_text(menu, typo) for typo in typos)
                    fields["option_group_ids"] = ids
        for name in ("min", "max", "max_qty"):
            if name in changed and name in values:
                fields[name] = number(name)
        if "hidden" in changed and "hidden" in values:
            fields["hidden"] = bool(values["hidden"])
        return fields, errors

    def _problems(self, menu: Menu, ref: NodeRef) -> tuple[dict[str, str], str]:
        """The rules' problems of the entity `ref` in `menu`, by form field (and those that name none)."""
        path = self._path(menu, ref)
        if path is None:
            return {}, ""
        by_field: dict[str, str] = {}
        general: list[str] = []
        children = {"category": ".items[", "group": ".options["}.get(str(ref.kind))
        for problem in menu_problems(menu, self._currency()):
            if problem.field != path and not problem.field.startswith(path + "."):
                continue
            suffix = problem.field[len(path) + 1 :]
            if children and problem.field.startswith(path + children):
                continue
            field = field_for(suffix)
            if field is None:
                general.append(problem_text(problem))
            else:
                by_field.setdefault(field, problem_text(problem))
        return by_field, " ".join(general)

    async def on_menu_form_applied(self, message: MenuForm.Applied) -> None:
        if self.draft is None or message.ref.kind == SECTION or message.ref != self.menu_form.ref:
            return  # (a form since loaded with another line: its values were saved or refused on leaving)
        if self._editable():
            refusal = await self._apply_form(message.ref, message.values, message.changed)
            if refusal is not None:
                self._refused(*refusal)

    def _refused(self, problems: dict[str, str], general: str, focus: str | None) -> bool:
        """The form's values do not go in (nothing of them was saved): each problem under its field, the field
        `focus` (else the first with a problem) focused, so a narrow form scrolls it into view, and a toast that
        names it."""
        form = self.menu_form
        form.show_problems(problems, general)
        first = focus or next((name for name in form.values() if name in problems), None)
        if first is not None:
            form.focus_field(first)
            text = t("menu_editor.not_saved_field", field=t(f"menu_editor.field.{first}"), problem=problems[first])
        else:
            text = t("menu_editor.not_saved_form", problem=general)
        if self._refusal_hint:  # Esc's: what Esc again does
            space = "" if text.endswith(("。", "）", "！", "？")) else " "  # none after a Chinese full stop
            text, self._refusal_hint = f"{text}{space}{self._refusal_hint}", ""
        self._answer(text, severity="error", timeout=10 if text.endswith(t("menu_editor.back.refused")) else 6)
        return False

    async def _apply_form(
        self,
        ref: NodeRef,
        values: Values,
        changed: frozenset[str],
        *,
        said_fields: frozenset[str] = frozenset(),
        in_form: bool = True,
    ) -> tuple[dict[str, str], str, str | None] | None:
        """Apply the form's `changed` fields of `ref` to the draft in one edit, or none of them: None when they
        went in (or changed nothing), else the refusal for `_refused` (problems by field, the general one, the
        field to focus). `said_fields`: the fields the toast names as saved (Ctrl+S, Esc, a move); `in_form`: the form
        still shows `ref` (else it moved on to another line and is left alone)."""
        draft = self.draft
        if draft is None:
            return None
        edit = self._form_edit(draft, ref, values, changed)
        if not isinstance(edit, FormEdit):
            return edit
        candidate, named, shown, problems, general = edit
        before = draft.menu
        if not await self._apply(candidate):
            return {}, t("menu_editor.read_only.refused", holder=self._holder_text()), None
        if in_form and (shown or named is not None or "groups" in changed):
            # the form shows what the editor changed besides the edit, and the option groups typed (a start of a
            # name, an id) by the names they found
            self.menu_form.load(ref, self._entity(ref))
        elif in_form:
            self.menu_form.saved(changed)
        if in_form:
            self.menu_form.show_problems(problems, general)
        if not self.saved:
            pass  # not written: `_save` said so; never "Saved in the draft"
        elif shown:
            self._answer(t(f"menu_editor.new.{ref.kind}_shown"), timeout=4)
        elif candidate == before:
            self._answer(t("menu_editor.unchanged"), timeout=2)
        elif said_fields:
            saved = [name for name in FIELDS.get(str(ref.kind), ()) if name in said_fields]
            labels = t("menu_publish.list_sep").join(t(f"menu_editor.field.{name}") for name in saved)
            self._answer(t("menu_editor.applied_fields", fields=labels), timeout=4)
        else:
            self._answer(t("menu_editor.applied"), timeout=2)
        return None

    def _form_edit(
        self, draft: menu_draft.MenuDraft, ref: NodeRef, values: Values, changed: frozenset[str]
    ) -> FormEdit | tuple[dict[str, str], str, str | None]:
        """The draft's menu with the form's `changed` fields of `ref` in (nothing is saved here), or the refusal
        for `_refused` (problems by field, the general one, the field to focus)."""
        fields, errors = self._fields(str(ref.kind), values, changed, draft.menu)
        named = _without_placeholder(fields.get("names"))
        if named is not None:  # named in one language: the editor's "New item" in the other one goes
            fields |= {"names": named, "name": named.zh or named.en}
        if errors:
            return errors, "", None
        try:
            candidate = edits.update(draft.menu, ref.kind, ref.id, **fields)  # type: ignore[arg-type]
        except EditError as error:
            return {}, error.text(), None
        problems, general = self._problems(candidate, ref)
        # refused for what this edit breaks; a problem the entity had already (a field left as it was, or one
        # of several that each hold control characters) is shown but blocks no other edit
        had, had_general = self._problems(draft.menu, ref)
        new = [field for field, text in problems.items() if had.get(field) != text]
        if new or (general and general != had_general):
            return problems, general, new[0] if new else None
        shown = "hidden" not in changed and self._ready_to_show(draft.menu, candidate, ref)
        if shown:
            candidate = edits.update(candidate, ref.kind, ref.id, hidden=False)  # type: ignore[arg-type]
        return FormEdit(candidate, named, shown, problems, general)

    def _ready_to_show(self, before: Menu, after: Menu, ref: NodeRef) -> bool:
        """Whether this edit gave a hidden line what kept it from sale (the editor's placeholder name, no price;
        `a` adds lines hidden for that): it goes on sale with the draft. A published line that was named already
        stays hidden (hidden on purpose), as does any line the person hides or shows in this edit."""
        if ref.kind not in edits.NEW_KINDS:
            return False
        old, new = edits.find(before, ref.kind, ref.id), edits.find(after, ref.kind, ref.id)
        if not isinstance(old, (Item, Option)) or not isinstance(new, (Item, Option)) or not old.hidden:
            return False
        placeholders = edits.placeholder_names()
        published = edits.find(self.draft.base, ref.kind, ref.id) if self.draft is not None else None
        if isinstance(published, (Item, Option)) and "placeholder_name" not in line_warnings(published, placeholders):
            return False  # published with a real name and hidden: on purpose (a free line, say)
        return bool(line_warnings(old, placeholders)) and not line_warnings(new, placeholders)

    # tree actions
    def _cursor(self) -> NodeRef | None:
        ref = self.menu_tree.cursor_ref
        if ref is None or ref.kind == SECTION:
            self._say(t("menu_editor.nothing_selected"), severity="warning", timeout=3)
            return None
        return ref

    def action_add(self) -> None:
        if self.draft is None or not self._editable():
            return
        ref = self.menu_tree.cursor_ref
        choices: list[tuple[str, str]] = []
        if ref is not None and ref.kind in ("category", "item") and self.draft.menu.categories:
            choices.append(("item", t("menu_editor.add.item")))
        choices.append(("category", t("menu_editor.add.category")))
        if ref is not None and ref.kind in ("group", "option"):
            choices.append(("option", t("menu_editor.add.option")))
        choices.append(("group", t("menu_editor.add.group")))

        async def chosen(kind: str | None) -> None:
            if kind is not None:
                await self._add(kind, ref)

        self.app.push_screen(ChoicePrompt(t("menu_editor.add.title"), choices), chosen)

    async def _add(self, kind: str, at: NodeRef | None) -> None:
        assert self.draft is not None
        menu = self.draft.menu
        text = t(f"menu_editor.new.{kind}")
        names = Names(zh=text) if current_language() == "zh" else Names(en=text)
        new_id = edits.new_id(menu, kind, menu_draft.used_ids(self.draft))  # never an id the menu had
        zero = Money(0, self._currency())
        try:
            if kind == "category":
                index = self._index_after(menu, at, "category")
                edited = edits.add_category(
                    menu, Category(id=new_id, name=text, items=[], names=names), index
                )
                parent = ""
            elif kind == "item":
                category_id = at.id if at and at.kind == "category" else (at.parent if at else "")
                index = self._index_after(menu, at, "item")
                item = Item(id=new_id, name=text, price=zero, names=names, hidden=True)  # not on sale unnamed
                edited = edits.add_item(menu, category_id, item, index)
                parent = category_id
            elif kind == "group":
                group = OptionGroup(id=new_id, name=text, min=0, max=1, options=[], names=names)
                edited = edits.add_option_group(menu, group, self._index_after(menu, at, "group"))
                parent = ""
            else:
                group_id = at.id if at and at.kind == "group" else (at.parent.split("/")[-1] if at else "")
                option = Option(id=new_id, name=text, price=zero, names=names, hidden=True)
                edited = edits.add_option(menu, group_id, option, self._index_after(menu, at, "option"))
                parent = group_id
        except EditError as error:
            self._say(error.text(), severity="error")
            return
        await self._apply(edited, select=NodeRef(kind, new_id, parent))
        if kind in edits.NEW_KINDS:
            self._say(t(f"menu_editor.new.{kind}_hidden"), timeout=6)
        self.call_after_refresh(self.action_edit)

    @staticmethod
    def _index_after(menu: Menu, at: NodeRef | None, kind: str) -> int | None:
        if at is None or at.kind != kind:
            return None
        if kind == "category":
            return next((i + 1 for i, c in enumerate(menu.categories) if c.id == at.id), None)
        if kind == "group":
            return next((i + 1 for i, g in enumerate(menu.option_groups) if g.id == at.id), None)
        if kind == "item":
            for category in menu.categories:
                for index, item in enumerate(category.items):
                    if item.id == at.id:
                        return index + 1
        for group in menu.option_groups:
            for index, option in enumerate(group.options):
                if option.id == at.id:
                    return index + 1
        return None

    def action_delete(self) -> None:
        ref = self._cursor()
        entity = self._entity(ref)
        if ref is None or entity is None or not self._editable():
            return
        name = safe_text(entity.names.get(current_language()) or entity.name, one_line=True)
        title = t(f"menu_editor.delete.{ref.kind}", name=name)
        choices = [("no", t("common.no")), ("yes", t("common.yes"))]

        async def answered(answer: str | None) -> None:
            if answer == "yes" and self.draft is not None:
                await self._apply(edits.delete(self.draft.menu, ref.kind, ref.id))  # type: ignore[arg-type]

        self.app.push_screen(ChoicePrompt(title, choices), answered)

    async def action_duplicate(self) -> None:
        ref = self._cursor()
        if ref is None or self.draft is None:
            return
        taken = menu_draft.used_ids(self.draft)  # a copy's id is never one the menu had
        edited, copy_id = edits.duplicate(self.draft.menu, ref.kind, ref.id, taken)  # type: ignore[arg-type]
        parent = ref.parent if ref.kind in ("item", "option") and "/" not in ref.parent else ""
        await self._apply(edited, select=NodeRef(ref.kind, copy_id, parent))

    async def on_menu_tree_move_requested(self, message: MenuTree.MoveRequested) -> None:
        ref, draft = message.ref, self.draft
        if draft is None:
            return
        menu = draft.menu
        if ref.kind == "group" and ref.parent:  # a group under an item: its place among the item's groups
            item = edits.find(menu, "item", ref.parent)
            if isinstance(item, Item):
                ids = list(item.option_group_ids)
                index = ids.index(ref.id)
                target = max(0, min(len(ids) - 1, index + message.delta))
                ids.insert(target, ids.pop(index))
                await self._apply(edits.update_item(menu, item.id, option_group_ids=ids), select=ref)
            return
        if ref.kind == "option" and "/" in ref.parent:
            ref = NodeRef("option", ref.id, ref.parent.split("/")[-1])
        await self._apply(edits.move(menu, ref.kind, ref.id, message.delta), select=message.ref)  # type: ignore[arg-type]

    def on_menu_tree_marked(self, _: MenuTree.Marked) -> None:
        self._show_status()

    def _targets(self) -> list[NodeRef]:
        if self.menu_tree.marked:
            return [NodeRef("item", item_id) for item_id in sorted(self.menu_tree.marked)]
        ref = self.menu_tree.cursor_ref
        if ref is None or ref.kind not in ("item", "option"):
            self._say(t("menu_editor.pick_item"), severity="warning", timeout=3)
            return []
        return [ref]

    def action_availability(self) -> None:
        targets = self._targets()
        if not targets:
            return
        now = self.now()
        store = self.source.store()
        end = end_of_store_day(store, now).astimezone(store_zone(store)).strftime("%H:%M")
        choices = [
            ("available", t("menu_editor.availability.available")),
            ("end_of_day", t("menu_editor.availability.until_end", at=end)),
            ("until", self._spelled(t("menu_editor.availability.until"))),
            ("unavailable", t("menu_editor.availability.unavailable")),
        ]
        title = t("menu_editor.availability.title", what=lines_text(targets))

        async def chosen(answer: str | None) -> None:
            if answer == "until":
                self.app.push_screen(TimePrompt(t("menu_editor.availability.ask_time")), at_time)
            elif answer == "end_of_day":
                await self._set_availability(targets, Availabilities.SOLD_OUT, end_of_store_day(store, now))
            elif answer is not None:
                await self._set_availability(targets, Availabilities(answer), None)

        async def at_time(text: str | None) -> None:
            until = until_clock(store, self.now(), text) if text else None
            if until is not None:
                await self._set_availability(targets, Availabilities.SOLD_OUT, until)

        self.app.push_screen(ChoicePrompt(title, choices), chosen)

    async def _set_availability(
        self, targets: list[NodeRef], status: Availabilities, until: datetime | None
    ) -> None:
        live = self.source.menu()
        draft_only: list[NodeRef] = []
        for ref in targets:
            kind: AvailabilityKind = "item" if ref.kind == "item" else "option"
            if live is None or edits.find(live, kind, ref.id) is None:
                draft_only.append(ref)  # not published yet: it goes out with the draft
                continue
            try:
                await self.source.set_availability(kind, ref.id, status, until)
            except Exception as error:  # a cache that cannot write: nothing was queued
                self._say(t("menu_editor.error.not_queued", error=str(error)), severity="error", timeout=15)
                return
        if draft_only and self.draft is not None:
            menu = self.draft.menu
            for ref in draft_only:
                entity = edits.find(menu, ref.kind, ref.id)  # type: ignore[arg-type]
                if isinstance(entity, (Item, Option)):
                    changed = with_availability(entity, status, until)
                    menu = edits.update(
                        menu,
                        ref.kind,  # type: ignore[arg-type]
                        ref.id,
                        status=changed.status,
                        snooze_until=changed.snooze_until,
                    )
            await self._apply(menu)
        if self.menu_tree.marked:
            self.menu_tree.clear_marks()
        self._show()
        self._say(t(availability_said(self.source.link_state()), what=lines_text(targets)), timeout=3)

    async def action_hide(self) -> None:
        targets = self._targets()
        if not targets or self.draft is None:
            return
        menu = self.draft.menu
        entities = [edits.find(menu, "item" if r.kind == "item" else "option", r.id) for r in targets]
        hide = not all(isinstance(e, (Item, Option)) and e.hidden for e in entities)
        try:
            edited = edits.set_hidden(menu, [r.id for r in targets], hide)
        except EditError as error:
            self._say(error.text(), severity="error")
            return
        if self.menu_tree.marked:
            self.menu_tree.clear_marks()
        await self._apply(edited)

    async def action_undo(self) -> None:
        if not self._editable():
            return
        if self.draft is None or not self.draft.undo:
            self._say(t("menu_editor.nothing_to_undo"), timeout=2)
            return
        self.draft = menu_draft.undo(self.draft)
        await self._save()
        self._show()

    async def action_redo(self) -> None:
        if not self._editable():
            return
        if self.draft is None or not self.draft.redo:
            self._say(t("menu_editor.nothing_to_redo"), timeout=2)
            return
        self.draft = menu_draft.redo(self.draft)
        await self._save()
        self._show()

    # search
    def action_search(self) -> None:
        search = self.query_one("#menu-search", Input)
        search.display = True
        search.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "menu-search" or self.draft is None:
            return
        self._matches = edits.search(self.draft.menu, event.value)
        self._match_index = 0
        self._goto_match()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "menu-search":
            event.stop()
            if not event.value:
                event.input.display = False
            self.menu_tree.focus()
            if event.value and not self._matches:
                self._say(t("menu_editor.search.none", text=event.value), severity="warning", timeout=3)

    def action_next_match(self) -> None:
        if self._matches:
            self._match_index = (self._match_index + 1) % len(self._matches)
            self._goto_match()

    def _goto_match(self) -> None:
        if self._matches:
            kind, entity_id = self._matches[self._match_index]
            self.menu_tree.select_ref(NodeRef(kind, entity_id))

    # diff and publish
    def action_diff(self) -> None:
        from screens.menu_diff import MenuDiffScreen

        if self.draft is not None:
            changes = menu_draft.diff(self.draft.base, self.draft.menu)
            self.app.push_screen(MenuDiffScreen(changes))

    def action_publish(self) -> None:
        if self.draft is None or not self._editable():
            return
        if not self._dirty():
            self._say(t("menu_editor.nothing_to_publish"), timeout=3)
            return
        live = self.source.menu()
        self._held_news = self._held_news if self._held_news is not None else []
        if live is not None and live.version > self.draft.base.version:
            self._rebase(self.draft, live)  # the preview compares with what customers see now, not the old base
        else:
            self._preview()

    def _preview(self) -> None:
        from screens.menu_publish import MenuPublishScreen

        if self.draft is None or not self._dirty():
            self._flush_news()
            self._say(t("menu_editor.nothing_to_publish"), timeout=3)
            return
        draft = self.draft
        dialog = MenuPublishScreen(draft)

        async def done(result: str | None) -> None:
            if dialog.state == "done" and result in ("conflict", "cancelled") and self._held_news is not None:
                self._held_news.clear()  # the dialog said why it was not published: not once more in a toast
            await self._published(draft, result)

        self.app.push_screen(dialog, done)

    def _flush_news(self) -> None:
        held, self._held_news = self._held_news or [], None
        for text in held:
            self._say(text, severity="error", timeout=15)

    async def _published(self, draft: menu_draft.MenuDraft, result: str | None) -> None:
        if result != "conflict":
            self._flush_news()
        if result == "published":
            await self.source.discard_draft()
            self._say_draft_copied()
            live = self.source.menu()
            self.draft = menu_draft.start(live) if live is not None else None
            self._show()
        elif result == "queued":  # goes out when the link is back; the draft stays (if it is refused, nothing is
            # lost) and goes on from here: the next publish holds this one's edits and follows it (sync/linked.py)
            self._show()
        elif result == "conflict":
            self._rebase(draft)

    @work(exclusive=True, group="menu-rebase")
    async def _rebase(self, draft: menu_draft.MenuDraft, theirs: Menu | None = None) -> None:
        """Move the draft onto the newer published menu (`theirs`; None: the one a refused publish names), each
        conflict settled on the rebase screen first; then the publish preview against it."""
        from screens.menu_rebase import MenuRebaseScreen

        if theirs is None:
            theirs = await self.source.latest_menu(draft.base.version)
        rebased = menu_draft.catch_up(draft, theirs) if theirs is not None else None
        if rebased is None:
            self._flush_news()
            return
        if rebased.conflicts:
            resolved = await self.app.push_screen_wait(MenuRebaseScreen(rebased))
            if resolved is None:  # Esc: the draft stays as it was
                self._flush_news()
                return
            rebased = resolved
        self.draft = rebased.draft
        await self._save()
        self._show()
        self._preview()


def open_menu_editor(app: Any) -> None:
    """`m` in the merchant console: the editor on the console's own engine and cache when it has them
    (`menu_source()` of the order source), else on the profile's cache with an engine of its own."""
    factory = getattr(app.source, "menu_source", None)
    source: MenuSource | None = factory() if callable(factory) else None
    if source is None and getattr(app, "profile", None) is not None:
        try:
            source = source_for_profile(app.profile)
        except Exception as error:  # the cache is held by another process, or cannot be read
            app.say(t("menu_editor.error.no_source", error=str(error)), severity="error", timeout=15)
            return
        app.run_worker(source.run(), name="menu-source", group="menu-source", exit_on_error=False)
    if source is None:
        app.say(t("menu_editor.error.no_source", error="-"), severity="warning")
        return
    app.push_screen(MenuEditorScreen(source))


class MenuEditorApp(SteadyKeysApp[None]):  # keys act in the order typed (screens/steady_keys.py)
    """`o2o menu edit`: the editor alone."""

    ENABLE_COMMAND_PALETTE = False
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (60, "-normal"), (120, "-wide")]
    CSS_PATH = Path(__file__).with_name("merchant.tcss")  # the shared dialogs
    BINDINGS = [
        Binding("ctrl+c", "quit", "ui.key.quit", show=False, priority=True, id="app.quit"),
        # Ctrl+Q (Textual's quit key, replaced here) as the editor's q: asks first while the draft is not written
        Binding("ctrl+q", "ask_quit", "ui.key.quit", show=False, priority=True, id="app.ask_quit"),
    ]

    def __init__(
        self,
        source: MenuSource,
        *,
        clock: Callable[[], datetime] = _utcnow,
        theme: str | None = None,
        keymap: dict[str, str] | None = None,
        glyphs: Glyphs | None = None,
    ) -> None:
        super().__init__()
        self.glyphs = glyphs or FULL  # the terminal's set is chosen on mount (screens/terminal.py)
        self._glyphs_given = glyphs
        localize_bindings(self)
        self.source = source
        self.now = clock
        self.title = t("menu_editor.title")
        self.theme = theme or theme_for(os.environ)
        self._syncing = False
        if keymap:
            self.set_keymap(keymap)  # binding id -> key(s), e.g. {"menu.availability": "s"}
            from screens.keys import check_keymap_later  # an unknown id, a key taken from another: said

            check_keymap_later(self, keymap, "menu")

    def on_mount(self) -> None:
        apply_glyphs(self, self._glyphs_given)  # before the editor mounts: its tree and form read the set
        self.push_screen(MenuEditorScreen(self.source, root=True))

    def get_key_display(self, binding: Binding) -> str:
        return key_display(super().get_key_display(binding), self.glyphs)  # `Enter` where ⏎ cannot show

    async def action_ask_quit(self) -> None:
        """Ctrl+Q, from any screen: quits as Ctrl+C does (what the form holds kept), asking first while the draft
        on screen is not written (`MenuEditorScreen._ask_unsaved`)."""
        editor = next((s for s in self.screen_stack if isinstance(s, MenuEditorScreen)), None)
        if editor is not None and not editor.saved and editor.draft is not None:
            if not isinstance(self.screen, ChoicePrompt):  # not once more over a question (its own)
                editor._ask_unsaved()
            return
        await self.action_quit()

    def on_menu_editor_screen_opened(self, _: MenuEditorScreen.Opened) -> None:
        # after the first paint: building the HTTP client and starting the engine is no part of opening
        if not self._syncing:
            self._syncing = True
            self.run_worker(self.source.run(), name="menu-source", group="menu-source", exit_on_error=False)

    async def on_unmount(self) -> None:
        await self.source.close()


def run_menu_editor(profile: Any, source: MenuSource | None = None) -> None:
    """`o2o menu edit` (given the source when the caller opened it before importing Textual)."""
    from o2o_tui.settings import load_settings

    MenuEditorApp(source or source_for_profile(profile), keymap=load_settings().keymap).run()
