"""Bindings carry catalog keys as descriptions; each screen swaps them for the current language at init.

Binding ids (e.g. `queue.accept`) stay fixed, so a user keymap (`App.set_keymap`) can remap them.
"""

from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode

from o2o_tui.i18n import t


def localize_bindings(node: DOMNode) -> None:
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [replace(b, description=t(b.description)) if b.description else b for b in bindings]
