"""Bindings carry catalog keys as descriptions; each screen swaps them for the current language at init.

Binding ids (e.g. `queue.accept`) stay fixed, so a user keymap (`App.set_keymap`) can remap them.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding
from textual.dom import DOMNode

from o2o_tui.i18n import t


def localize_bindings(node: DOMNode) -> None:
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [replace(b, description=t(b.description)) if b.description else b for b in bindings]


def declared_actions(node: DOMNode) -> set[str]:
    """The actions bound by the classes of `node` outside Textual (not the ones Textual's base classes add, such
    as scrolling, moving focus or copying)."""
    actions: set[str] = set()
    for cls in type(node).__mro__:
        if cls.__module__.partition(".")[0] != "textual":
            for binding in cls.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding):
                    actions.add(binding.action)
    return actions
