"""Bindings carry catalog keys as descriptions; each screen swaps them for the current language at init.

Binding ids (e.g. `queue.accept`) stay fixed, so a user keymap (`App.set_keymap`) can remap them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import msgspec
from textual.binding import Binding
from textual.dom import DOMNode

from o2o_tui.i18n import t

if TYPE_CHECKING:
    from textual.app import App


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


# The modules whose classes declare the merchant console's bindings (the keymap's ids a console answers to). The
# same keymap serves the other apps (`o2o courier`, `o2o dispatch`, `o2o menu edit`: `KEYMAP_APPS`; the board's
# `dispatch.` keys work on the console's board too): an id of theirs is not the console's to doubt (`OTHER_APPS`).
CONSOLE_MODULES = (
    "screens.app", "screens.orders_screen", "screens.detail_screen", "screens.scheduled_screen",
    "screens.store_screen", "screens.conflicts_screen", "screens.simple_screen", "screens.redeem_screen",
    "screens.figures_screen", "screens.help_screen", "screens.dialogs", "screens.chase_dialog",
    "screens.refund_dialog", "screens.widgets.line_list", "screens.widgets.order_list",
)  # fmt: skip
KEYMAP_CHECK_S = 1.0  # an app's check waits for the first frame (it imports the screens opened later)


class KeymapApp(msgspec.Struct, frozen=True):
    """An app the user's keymap serves: the modules whose classes declare its bindings, the id prefixes it answers
    to every id of (each `queue.*` id any screen declares is the console's; the handheld has `app.quit` but not
    `app.ask_quit`, so `app` is not among its own), and its catalog key for an id that is a typo."""

    modules: tuple[str, ...]
    own: frozenset[str]
    unknown: str


# One keymap (`settings.json`, `O2O_KEYMAP`) serves every app: an id an app does not declare is a typo there only
# when no other app owns its prefix (`tests/test_f5_keymaps.py` checks this table against the modules).
KEYMAP_APPS = {
    "console": KeymapApp(
        CONSOLE_MODULES,
        frozenset({
            "app", "queue", "detail", "scheduled", "store", "conflicts", "simple", "redeem", "figures", "help",
            "dialog", "chase", "refund", "list",
        }),
        "ui.keymap.unknown",
    ),
    "handheld": KeymapApp(
        ("screens.courier_app", "screens.courier_screens"), frozenset({"handheld"}), "ui.keymap.unknown.handheld"
    ),
    "dispatch": KeymapApp(
        ("screens.dispatch_board", "screens.dispatch_help", "screens.widgets.line_list", "screens.dialogs"),
        frozenset({"app", "dispatch", "list", "dialog"}),
        "ui.keymap.unknown.dispatch",
    ),
    "menu": KeymapApp(
        (
            "screens.menu_editor", "screens.menu_tree", "screens.menu_group_pick", "screens.menu_diff",
            "screens.menu_publish", "screens.menu_rebase", "screens.dialogs",
        ),
        frozenset({"app", "menu", "menu_diff", "menu_publish", "menu_rebase", "dialog"}),
        "ui.keymap.unknown.menu",
    ),
}  # fmt: skip


def others_of(app: str) -> frozenset[str]:
    """The id prefixes another app owns and `app` does not: an id of theirs is not `app`'s to doubt."""
    theirs = frozenset().union(*(entry.own for name, entry in KEYMAP_APPS.items() if name != app))
    return theirs - KEYMAP_APPS[app].own


OTHER_APPS = others_of("console")  # handheld, dispatch, menu, menu_diff, menu_publish, menu_rebase


def _binding_classes(modules: Iterable[str]) -> list[type]:
    import importlib

    classes: list[type] = []
    for name in modules:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == name and value.__dict__.get("BINDINGS"):
                classes.append(value)
    return classes


def _label(binding: Binding) -> str:
    return t(binding.description) if binding.description else binding.id or binding.action


def keymap_problems(
    keymap: dict[str, str],
    classes: Iterable[type],
    others: Iterable[str] = (),
    unknown: str = "ui.keymap.unknown",
) -> list[str]:
    """What a user keymap gets wrong for the bindings `classes` declare, in words: an id none of them declares
    (a typo: `queue.acept`, said with the catalog's `unknown`), unless its prefix is one of `others` (another
    app's); a binding the keymap leaves with no key, its key taken by another ("y is now Accept; Chase reply has no
    key left"), as Textual applies it. A binding without a description is named by its id (the handheld's
    `handheld.pick1`: the name the keymap gives it)."""
    from textual.binding import BindingsMap
    from textual.keys import _normalize_key_list, key_to_character

    others = frozenset(others)
    known: set[str] = set()
    problems: list[str] = []
    normalized = {binding_id: _normalize_key_list(keys) for binding_id, keys in keymap.items()}
    for cls in classes:
        declared = [b for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]
        known.update(b.id for b in declared if b.id)
        before = BindingsMap(declared)
        after = BindingsMap(declared)
        after.apply_keymap(normalized)
        left = {b.id or b.action for bindings in after.key_to_bindings.values() for b in bindings}
        labels: dict[str, str] = {}
        for bindings in before.key_to_bindings.values():
            for b in bindings:
                if b.description:
                    labels.setdefault(b.id or b.action, _label(b))
        # then the ones with none (a hidden twin keeps its binding's words)
        for bindings in before.key_to_bindings.values():
            for b in bindings:
                if b.id:
                    labels.setdefault(b.id, _label(b))
        for key, bindings in before.key_to_bindings.items():
            for b in bindings:
                name = b.id or b.action
                if name in left or b.id in normalized or name not in labels:
                    continue
                taken = [t_ for t_ in after.key_to_bindings.get(key, []) if t_.id in normalized]
                if not taken:
                    continue
                now = labels.get(taken[0].id or taken[0].action, taken[0].action)
                problem = t("ui.keymap.no_key_left", key=key_to_character(key) or key, now=now, lost=labels[name])
                if problem not in problems:
                    problems.append(problem)
                left.add(name)  # said once, whatever other keys it had
    for binding_id in keymap:
        if binding_id not in known and binding_id.partition(".")[0] not in others:
            problems.append(t(unknown, id=binding_id))
    return problems


def app_keymap_problems(keymap: dict[str, str], app: str) -> list[str]:
    """`keymap_problems` for one of `KEYMAP_APPS` (imports the modules of its screens)."""
    entry = KEYMAP_APPS[app]
    return keymap_problems(keymap, _binding_classes(entry.modules), others_of(app), entry.unknown)


def check_keymap_later(
    app: App[Any],
    keymap: dict[str, str],
    which: str = "console",
    say: Callable[[list[str]], None] | None = None,
) -> None:
    """The keymap of `app` (`which` of `KEYMAP_APPS`) checked once its first frame is up (the check imports the
    screens opened later): every problem in one warning toast, which stays long enough to read, or given to `say`
    (the handheld says them on its message line)."""

    def check() -> None:
        problems = app_keymap_problems(keymap, which)
        if problems and say is not None:
            say(problems)
        elif problems:
            from screens.command_toasts import say_in

            say_in(app, "\n".join([t("ui.keymap.title"), *problems]), severity="warning", timeout=20)

    app.call_later(app.set_timer, KEYMAP_CHECK_S, check)  # made before the app runs: timed once it does
