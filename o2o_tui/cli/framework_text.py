"""Typer's own words in the help and error panels (Options, Commands, Arguments, Error, [required],
[env var: ...], [default: ...]) in the current language.

Typer marks these for gettext and computes the panel titles once, when `typer.rich_utils` is imported (only
for a help page or an error: it brings in Rich, ~30 ms no other command pays); it ships no Chinese.
`localize()` gives `typer.core` and `typer.rich_utils` a `_` that reads `cli.framework.*` in our catalog and
sets the titles again, at once if `rich_utils` is loaded, else just after it loads. What Typer's vendored Click
writes as plain English literals ("Usage:", "Missing argument", "Show this message and exit.") cannot be reached
this way and stays English.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

from o2o_tui.i18n import t

# Typer's message (the gettext msgid) -> our catalog key
MESSAGES = {
    "Options": "cli.framework.options",
    "Commands": "cli.framework.commands",
    "Arguments": "cli.framework.arguments",
    "Error": "cli.framework.error",
    "Aborted.": "cli.framework.aborted",
    "[default: {}]": "cli.framework.default",
    "[env var: {}]": "cli.framework.env_var",
    "[required]": "cli.framework.required",
    "Try [blue]'{command_path} {help_option}'[/] for help.": "cli.framework.try_help_rich",
    "Missing command.": "cli.framework.missing_command",
}
# Typer's constants computed from those messages when it was imported
_CONSTANTS = {
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commands",
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "ERRORS_PANEL_TITLE": "Error",
    "ABORTED_TEXT": "Aborted.",
    "DEFAULT_STRING": "[default: {}]",
    "ENVVAR_STRING": "[env var: {}]",
    "REQUIRED_LONG_STRING": "[required]",
    "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
}


def translate(message: str) -> str:
    key = MESSAGES.get(message)
    return t(key) if key is not None else message


def localize() -> None:
    """Point Typer's messages at the catalog for the current language (call once the language is set, before
    any help or error is printed). English too (its catalog holds Typer's own words): in one process that builds
    the app again in another language, as the tests do, the titles follow the last build."""
    core = importlib.import_module("typer.core")
    if callable(getattr(core, "_", None)):
        core._ = translate  # type: ignore[attr-defined]
    loaded = sys.modules.get("typer.rich_utils")
    if loaded is not None:
        _set_rich_utils(loaded)
    elif not any(isinstance(finder, _RichUtilsHook) for finder in sys.meta_path):
        sys.meta_path.insert(0, _RichUtilsHook())


def _set_rich_utils(rich_utils: ModuleType) -> None:
    if callable(getattr(rich_utils, "_", None)):
        rich_utils._ = translate  # type: ignore[attr-defined]
    for attribute, message in _CONSTANTS.items():
        if hasattr(rich_utils, attribute):  # a Typer without it: its word stays its own
            setattr(rich_utils, attribute, translate(message))


class _RichUtilsHook(importlib.abc.MetaPathFinder):
    """Runs `_set_rich_utils` right after `typer.rich_utils` is first executed, then steps aside."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != "typer.rich_utils":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            _set_rich_utils(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec
