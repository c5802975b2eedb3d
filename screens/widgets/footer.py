"""The key footer: always one line; when the keys do not fit, whole entries are left out by priority.

Priority: a screen may name its binding ids in `FOOTER_PRIORITY` (most important first); ids it does not name
follow in the order the bindings are declared, except help (`?`), which always comes first, since the help screen
lists every key the footer had to leave out (`screens/help_screen.py`). Entries keep their declared order on
screen; only which of them are shown depends on the width. Compact (less padding) below 120 columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input
from textual.widgets._footer import FooterKey

from o2o_tui.i18n import t
from screens.terminal import glyphs_of

WIDE = 120
SEARCH_FIELDS = ("search",)  # the queue's `/` field: while it has the typing, the footer shows its own keys


class FooterEntry(msgspec.Struct, frozen=True):
    key: str  # the key as bound (`question_mark`): what a click simulates
    key_display: str  # as shown (`?`)
    description: str
    action: str
    enabled: bool
    tooltip: str
    binding_id: str | None


def is_help(binding: Binding) -> bool:
    return binding.action in ("help", "app.help", "show_help") or (binding.id or "").endswith(".help")


def entry_width(entry: FooterEntry, *, compact: bool) -> int:
    """Cells one entry takes in Textual's Footer (FooterKey padding and margins, compact or not)."""
    key, description = cell_len(entry.key_display), cell_len(entry.description)
    if compact:  # key, a space, the description, a margin of 1
        return key + (1 + description if description else 0) + 1
    return key + 2 + (description + 1 if description else 0)


def choose(
    entries: Sequence[FooterEntry], width: int, *, compact: bool, priority: Sequence[str] = ()
) -> list[FooterEntry]:
    """The entries that fit in `width` cells, taken by priority, shown in their declared order."""
    rank = {binding_id: index for index, binding_id in enumerate(priority)}

    def order(indexed: tuple[int, FooterEntry]) -> tuple[int, int, int]:
        index, entry = indexed
        help_first = 0 if entry.action.endswith("help") else 1
        return help_first, rank.get(entry.binding_id or "", len(rank)), index

    kept: set[int] = set()
    used = 0
    for index, entry in sorted(enumerate(entries), key=order):
        size = entry_width(entry, compact=compact)
        if used + size <= width:
            kept.add(index)
            used += size
    return [entry for index, entry in enumerate(entries) if index in kept]


class KeyFooter(Footer):
    """Textual's Footer that never scrolls or cuts: it shows the entries that fit, whole."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, show_command_palette=False)
        self._shown: tuple[object, ...] | None = None

    def _width(self) -> int:
        return self.size.width or self.app.size.width

    def entries(self) -> list[FooterEntry]:
        """Every binding the footer could show on its screen now (shown, not hidden by `check_action`); while a
        search field takes the typing, the keys that field answers instead."""
        if isinstance(focused := self.screen.focused, Input) and focused.id in SEARCH_FIELDS:
            return self._search_entries()
        seen: set[str] = set()  # one entry per binding id (`escape,backspace` is two keys, one entry)
        out: list[FooterEntry] = []
        for binding, enabled, tooltip in self._screen_bindings():
            name = binding.id or binding.action
            if not binding.show or name in seen:
                continue
            seen.add(name)
            out.append(
                FooterEntry(
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    enabled,
                    tooltip or "",
                    binding.id,
                )
            )
        return out

    def _screen_bindings(self) -> list[tuple[Binding, bool, str | None]]:
        """(binding, enabled, tooltip) of the screen's keys now. A dialog (`FOOTER_OWN_KEYS`) lists its own keys
        first: its field or list binds Enter too (hidden), and what that does is what the dialog's Enter says."""
        screen = self.screen
        active: list[tuple[Binding, bool, str | None]] = [
            (binding, enabled, tooltip) for _, binding, enabled, tooltip in screen.active_bindings.values()
        ]
        if not getattr(screen, "FOOTER_OWN_KEYS", False):
            return active
        own: list[tuple[Binding, bool, str | None]] = []
        for _, binding in screen._bindings:
            if binding.show:
                state = self.app._check_action_state(binding.action, screen)
                if state is not False:  # False: not now (another step's key), None: shown greyed
                    own.append((binding, bool(state), binding.tooltip))
        # the key Enter is one of (what the dialog is for) first, as the queue's `⏎ Open`; each shown as declared
        enter = {binding.id or binding.action for binding, _, _ in own if binding.key == "enter"}
        own.sort(key=lambda item: (item[0].id or item[0].action) not in enter)
        return own + active

    def _search_entries(self) -> list[FooterEntry]:
        """Typing in a search field, letters go into it (none of the screen's keys acts): Enter keeps what it
        found and leaves the field, Esc clears the search."""
        enter = glyphs_of(self.app).enter  # ⏎, or `Enter` where the terminal has no such glyph
        return [
            FooterEntry("enter", enter, t("ui.key.search_keep"), "search.keep", True, "", "search.keep"),
            FooterEntry("escape", "esc", t("ui.key.clear"), "search.clear", True, "", "search.clear"),
        ]

    def layout_for(self) -> tuple[bool, list[FooterEntry]]:
        """(compact, the entries shown): roomy padding only at 120 columns and up when every entry fits so."""
        width = self._width()
        entries = self.entries()
        roomy = sum(entry_width(entry, compact=False) for entry in entries)
        compact = self.app.size.width < WIDE or roomy > width
        priority: Sequence[str] = getattr(self.screen, "FOOTER_PRIORITY", ())
        return compact, choose(entries, width, compact=compact, priority=priority)

    @staticmethod
    def _signature(compact: bool, shown: list[FooterEntry]) -> tuple[object, ...]:
        return (compact, *shown)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        compact, shown = self.layout_for()
        self.compact = compact
        self._shown = self._signature(compact, shown)
        for entry in shown:
            yield FooterKey(
                entry.key,
                entry.key_display,
                entry.description,
                entry.action,
                disabled=not entry.enabled,
                tooltip=entry.tooltip,
            ).data_bind(compact=Footer.compact)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """Textual's Footer recomposes on every bindings change (each focus change, screen push or pop,
        `refresh_bindings`), ~15 ms and a frame each, and a recompose that changes nothing can set off another:
        opening an order cost five. Here it recomposes only when what it shows changed, and not on a screen
        behind another (a screen coming back to the front publishes a bindings change: it is checked then)."""
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        built_ahead = self._shown is None and screen not in self.app.screen_stack
        if screen is self.app.screen or built_ahead:  # in front, or being built before it is first shown
            self._recompose_if_changed()

    def _recompose_if_changed(self) -> None:
        compact, shown = self.layout_for()
        if self._signature(compact, shown) != self._shown:
            self._shown = self._signature(compact, shown)  # one recompose for a burst of changes
            self.call_after_refresh(self.recompose)

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready:
            self._recompose_if_changed()
