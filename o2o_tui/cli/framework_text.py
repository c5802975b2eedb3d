"""Typer's own words in the help and error panels (Options, Commands, Arguments, Error, [required],
[env var: ...], [default: ...]) in the current language.

Typer marks these for gettext and computes the panel titles once, when `typer.rich_utils` is imported (only
for a help page or an error: it brings in Rich, ~30 ms no other command pays); it ships no Chinese.
`localize()` gives `typer.core` and `typer.rich_utils` a `_` that reads `cli.framework.*` in our catalog and
sets the titles again, at once if `rich_utils` is loaded, else just after it loads. What Typer's vendored Click
writes as plain English literals is reached another way: the help option's text and the usage line's prefix are
set where Click builds them, and an error's sentence is matched whole (`ERRORS`) and said again from the catalog
just before the error panel prints it (a sentence no pattern knows stays as Click wrote it), with the type it
names in words (`TYPE_WORDS`). The help's type column (`<int range>`, `SECONDS`) and the usage line's `[OPTIONS]`
and `COMMAND [ARGS]...` are said from the catalog too (`METAVARS`, `USAGE_PIECES`). Help text breaks lines as
Chinese is set rather than being cut with "…" where a run of Chinese is longer than its column
(`_fold_help_text`).
"""

from __future__ import annotations

import errno
import importlib
import importlib.abc
import importlib.util
import os
import re
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

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


# Click's English error sentences (typer._click writes them as literals) -> our catalog key; matched whole
ERRORS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Invalid value for (?P<hint>.+?): (?P<message>.*)", re.S), "cli.framework.invalid_value_for"),
    (re.compile(r"Invalid value: (?P<message>.*)", re.S), "cli.framework.invalid_value"),
    (re.compile(r"(?P<value>.+) is not in the range (?P<range>.+)\.", re.S), "cli.framework.not_in_range"),
    (
        re.compile(r"(?P<value>.+) is not a valid boolean\. Recognized values: (?P<values>.*)", re.S),
        "cli.framework.not_valid_boolean",
    ),
    # "int range", "float range": a type's name may hold a space
    (re.compile(r"(?P<value>.+) is not a valid (?P<kind>[a-zA-Z][a-zA-Z ]*)\.", re.S), "cli.framework.not_valid"),
    (re.compile(r"(?P<value>.+) is not one of (?P<choices>.+)\.", re.S), "cli.framework.not_one_of"),
    (re.compile(r"Missing option (?P<hint>.+?)\.(?P<rest>.*)", re.S), "cli.framework.missing_option"),
    (re.compile(r"Missing argument (?P<hint>.+?)\.(?P<rest>.*)", re.S), "cli.framework.missing_argument"),
    (
        re.compile(r"No such option: (?P<name>\S+)(?: \(Possible options: (?P<options>.+)\))?", re.S),
        "cli.framework.no_such_option",
    ),
    (re.compile(r"Option (?P<name>.+?) requires an argument\."), "cli.framework.requires_argument"),
    (re.compile(r"Option (?P<name>.+?) does not take a value\."), "cli.framework.no_value"),
    (
        re.compile(r"Got unexpected extra (?:arguments?|argument\(s\)) \((?P<args>.*)\)", re.S),
        "cli.framework.extra_arguments",
    ),
    (
        re.compile(r"No such command (?P<name>.+?)\.(?: Did you mean (?P<suggestion>.+?)\?)?", re.S),
        "cli.framework.no_such_command",
    ),
)


# the type an error names (Click's `ParamType.name`) -> our catalog key
TYPE_WORDS = {
    "int": "cli.framework.type.int",
    "int range": "cli.framework.type.int_range",
    "float": "cli.framework.type.float",
    "float range": "cli.framework.type.float_range",
}
# what the help's type column starts with (Click's `<type>` metavars and the ones our options name) -> catalog key
METAVARS = {
    "<int range>": "cli.framework.metavar.int_range",
    "<int>": "cli.framework.metavar.int",
    "<float range>": "cli.framework.metavar.float_range",
    "<float>": "cli.framework.metavar.float",
    "<str>": "cli.framework.metavar.text",
    "<file>": "cli.framework.metavar.file",
    "<path>": "cli.framework.metavar.path",
    "SECONDS": "cli.framework.metavar.seconds",
    "FACTOR": "cli.framework.metavar.factor",
    "COURIER_ID": "cli.framework.metavar.courier_id",
}
# the usage line's placeholders: (Click's words, catalog key, where they stand)
USAGE_PIECES = (
    ("[OPTIONS]", "cli.framework.usage_options", "start"),
    ("COMMAND [ARGS]...", "cli.framework.usage_command", "end"),
)
_CHOOSE_FROM = re.compile(r"\s*Choose from:\n\t(?P<choices>.*)", re.S)


def _said(key: str, english: str) -> str:
    """The catalog's words for `key`, or `english` when the catalog has none."""
    said = t(key)
    return english if said == key else said


def translate_error(text: str) -> str:
    """Click's error sentence in the current language (unchanged when no pattern knows it)."""
    for pattern, key in ERRORS:
        found = pattern.fullmatch(text)
        if found is None:
            continue
        fields = {name: value or "" for name, value in found.groupdict().items()}
        if "message" in fields:
            fields["message"] = translate_error(fields["message"])
        if fields.get("kind") in TYPE_WORDS:
            fields["kind"] = _said(TYPE_WORDS[fields["kind"]], fields["kind"])
        choose = _CHOOSE_FROM.fullmatch(fields.get("rest", ""))
        if choose is not None:
            fields["rest"] = t("cli.framework.choose_from", choices=choose["choices"])
        if fields.get("options"):
            fields["options"] = t("cli.framework.possible_options", options=fields["options"])
        if fields.get("suggestion"):
            fields["suggestion"] = t("cli.framework.did_you_mean", name=fields["suggestion"])
        return t(key, **fields)
    return text


# what Click writes around an error when Typer prints it without Rich (`UsageError.show`, `ClickException.show`)
_PLAIN_TRY_HELP = re.compile(
    r"(?P<usage>.*\n)?Try '(?P<command_path>.+) (?P<help_option>[^ ']+)' for help\.(?P<end>\n*)", re.S
)
_PLAIN_ERROR = "Error: "


def translate_plain_words(text: str) -> str:
    """One of Click's plain writes of an error (the usage with its "Try '... --help' for help." line, or the
    "Error: ..." line) with those words in the current language; any other text unchanged."""
    if text.startswith(_PLAIN_ERROR):
        return t("cli.framework.error_prefix") + text[len(_PLAIN_ERROR) :]
    found = _PLAIN_TRY_HELP.fullmatch(text)
    if found is None:
        return text
    hint = t("cli.framework.try_help", command_path=found["command_path"], help_option=found["help_option"])
    return (found["usage"] or "") + hint + found["end"]


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
    _localize_click()
    loaded = sys.modules.get("typer.rich_utils")
    if loaded is not None:
        _set_rich_utils(loaded)
    elif not any(isinstance(finder, _RichUtilsHook) for finder in sys.meta_path):
        sys.meta_path.insert(0, _RichUtilsHook())


def _localize_click() -> None:
    """The help option's text and the usage line's prefix, where the vendored Click builds them (once)."""
    try:
        click_core = importlib.import_module("typer._click.core")
        formatting = importlib.import_module("typer._click.formatting")
    except ModuleNotFoundError:  # a Typer without a vendored Click: its words stay its own
        return
    command = getattr(click_core, "Command", None)
    formatter = getattr(formatting, "HelpFormatter", None)
    if command is None or formatter is None or getattr(command, "_o2o_localized", False):
        return
    get_help_option, write_usage, parse_args = command.get_help_option, formatter.write_usage, command.parse_args

    def help_option(self: Any, ctx: Any) -> Any:
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = t("cli.framework.help_option")
        return option

    def usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, usage_args(args), t("cli.framework.usage") if prefix is None else prefix)

    def parse_args_kept(self: Any, ctx: Any, args: list[str]) -> list[str]:
        ctx._o2o_args = list(args)  # what this command was given: an error in parsing them reads it (`_asks_json`)
        try:
            rest: list[str] = parse_args(self, ctx, args)
        except Exception as error:
            if hasattr(error, "ctx") and error.ctx is None:  # the parser's own ("requires an argument") has none
                error._o2o_context = ctx  # type: ignore[attr-defined]
            raise
        return rest

    command.get_help_option = help_option
    formatter.write_usage = usage
    command.parse_args = parse_args_kept
    command._o2o_localized = True


def usage_args(args: str) -> str:
    """The usage line after the command's path, its placeholders (`[OPTIONS]`) in the current language."""
    for english, key, where in USAGE_PIECES:
        if where == "start" and (args == english or args.startswith(english + " ")):
            args = _said(key, english) + args[len(english) :]
        elif where == "end" and (args == english or args.endswith(" " + english)):
            args = args[: len(args) - len(english)] + _said(key, english)
    return args


def metavar_text(text: str) -> str:
    """A help type column's text (`<int range> [1<=x<=240]`) with its metavar in the current language."""
    for english, key in METAVARS.items():
        rest = text[len(english) :]
        if text.startswith(english) and (not rest or rest.startswith((" ", "..."))):
            return _said(key, english) + rest
    return text


def _localize_metavars(rich_utils: ModuleType) -> None:
    """The help's type column, where Typer gives each option's and argument's metavar to `types_highlighter`."""
    highlight = getattr(rich_utils, "types_highlighter", None)
    if not callable(highlight) or getattr(highlight, "_o2o_localized", False):
        return

    def types_highlighter(text: Any) -> Any:
        if isinstance(text, str):
            return highlight(metavar_text(text))
        said = metavar_text(text.plain)
        if said != text.plain:
            text = text.copy()
            text.plain = said
        return highlight(text)

    types_highlighter._o2o_localized = True  # type: ignore[attr-defined]
    rich_utils.types_highlighter = types_highlighter  # type: ignore[attr-defined]


def _set_rich_utils(rich_utils: ModuleType) -> None:
    if callable(getattr(rich_utils, "_", None)):
        rich_utils._ = translate  # type: ignore[attr-defined]
    show_error = getattr(rich_utils, "rich_format_error", None)
    if callable(show_error) and not getattr(show_error, "_o2o_localized", False):

        def rich_format_error(error: Any) -> None:
            from o2o_tui.cli.output import emit_error, json_wanted, written

            # `--json` (or `--fields`, which implies it): a JSON error; Click may stop parsing before it reads
            # either (an unknown option, a bad value), so the words of the command line decide
            if _asks_json(error) or (getattr(error, "ctx", None) is not None and json_wanted(error.ctx)):
                emit_error(translate_error(error.format_message()), error.exit_code)
                return
            format_message = error.format_message
            error.format_message = lambda: translate_error(format_message())
            # stderr closed (`2>&-`) or its reader gone: the words are dropped and Typer still exits with Click's
            # code (2 for a usage error), not 1 from the write's OSError
            written(lambda: show_error(error), stderr=True)

        rich_format_error._o2o_localized = True  # type: ignore[attr-defined]
        rich_utils.rich_format_error = rich_format_error  # type: ignore[attr-defined]
    for attribute, message in _CONSTANTS.items():
        if hasattr(rich_utils, attribute):  # a Typer without it: its word stays its own
            setattr(rich_utils, attribute, translate(message))
    _localize_metavars(rich_utils)
    _fold_help_text(rich_utils)
    _gone_streams_quiet(rich_utils)


def _gone_streams_quiet(rich_utils: ModuleType) -> None:
    """Typer's help, error and abort panels on a stream whose reader left (`o2o orders --help | head -0`) or that
    is closed (`2>&-`): what is left is dropped and the command exits with its own code (0 after help, 2 after a
    usage error), as `output.written` does for the commands' own output. Rich's consoles exit 1 there by themselves
    (`Console.on_broken_pipe`), and on stdout whichever stream broke."""
    make_console = getattr(rich_utils, "_get_rich_console", None)
    if callable(make_console) and not getattr(make_console, "_o2o_quiet", False):

        def get_rich_console(*args: Any, **kwargs: Any) -> Any:
            console = make_console(*args, **kwargs)

            def broken_pipe() -> None:
                console.quiet = True  # nothing more to write: its reader left
                raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

            console.on_broken_pipe = broken_pipe
            return console

        get_rich_console._o2o_quiet = True  # type: ignore[attr-defined]
        rich_utils._get_rich_console = get_rich_console  # type: ignore[attr-defined]
    for name, on_stderr in (("rich_format_help", False), ("rich_abort_error", True)):
        show = getattr(rich_utils, name, None)
        if not callable(show) or getattr(show, "_o2o_quiet", False):
            continue

        def shown(*args: Any, _show: Any = show, _stderr: bool = on_stderr, **kwargs: Any) -> None:
            from o2o_tui.cli.output import written

            written(lambda: _show(*args, **kwargs), stderr=_stderr)

        shown._o2o_quiet = True  # type: ignore[attr-defined]
        setattr(rich_utils, name, shown)


def _asks_json(error: Any) -> bool:
    """Whether the command line of a Click error asks for JSON output (`output.json_in_args`): the words each
    command was given (kept as it parses them; the root's are the whole line), else those of this process."""
    from o2o_tui.cli.output import json_in_args

    context = getattr(error, "ctx", None) or getattr(error, "_o2o_context", None)
    given: list[list[str]] = []
    while context is not None:
        kept = getattr(context, "_o2o_args", None)
        if kept is not None:
            given.append(kept)
        context = context.parent
    if not given:
        given.append(sys.argv[1:])
    return any(json_in_args(args) for args in given)


def _fold_help_text(rich_utils: ModuleType) -> None:
    """Help text that breaks lines as Chinese is set instead of ending in "…". Rich breaks lines only at spaces,
    and a table cell cuts a longer word with an ellipsis (its column's overflow): a run of Chinese is one such
    word, so its end was lost. Here it breaks between characters (`o2o_tui.text_fold`) and folds what is left."""
    make_text = getattr(rich_utils, "_make_rich_text", None)
    if not callable(make_text) or getattr(make_text, "_o2o_localized", False):
        return
    from rich.text import Text

    from o2o_tui.cli.help_text import FoldedText

    def make_rich_text(*args: Any, **kwargs: Any) -> Any:
        made = make_text(*args, **kwargs)
        return FoldedText.of(made) if isinstance(made, Text) else made

    make_rich_text._o2o_localized = True  # type: ignore[attr-defined]
    rich_utils._make_rich_text = make_rich_text  # type: ignore[attr-defined]
    print_panel = getattr(rich_utils, "_print_options_panel", None)
    if callable(print_panel):  # in a narrow terminal the options one under another, not a table (help_text.py)
        from o2o_tui.cli.help_text import print_options_panel

        def print_options(**kwargs: Any) -> None:
            print_options_panel(print_panel, **kwargs)

        rich_utils._print_options_panel = print_options  # type: ignore[attr-defined]


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
