"""The `o2o` command. Textual is imported only inside the commands that open a TUI.

Each area registers its commands from its own module. `main()` imports only the module of the command being run
(`o2o orders list` never pays for the server, the simulator or the dispatch engine); `--help` and unknown
commands load them all, `--version` none. `from o2o_tui.cli import app` gives the full app (tests use it).
Shell completion (`_O2O_COMPLETE` set by the script `o2o completion SHELL` prints) is answered in
o2o_tui/cli/completion.py, imported only then.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # typer is imported when the app is built: `o2o console` can start without it
    import typer

# command name -> the module that registers it, in the order `o2o --help` lists them
COMMAND_MODULES: dict[str, str] = {
    "serve": "serve",
    "admin": "admin",
    "login": "login",
    "logout": "login",
    "whoami": "login",
    "profiles": "login",
    "orders": "orders",
    "store": "store",
    "menu": "menu",
    "sync": "sync",
    "conflicts": "sync",
    "console": "console",
    "courier": "courier",
    "deliveries": "deliveries",
    "duty": "deliveries",
    "ssh-gate": "ssh_gate",
    "couriers": "dispatch",
    "dispatch": "dispatch",
    "simulate": "simulate",
    "report": "report",
    "demo": "demo",
    "print": "printing",
    "completion": "completion",
    "redeem": "redeem",
}
_ROOT_OPTIONS_WITH_VALUE = frozenset({"--lang"})


def _print_version(value: bool) -> None:
    if not value:
        return
    # imported here: importlib.metadata costs ~20 ms that no other command should pay
    from importlib.metadata import PackageNotFoundError, version

    import typer

    from o2o_tui.cli.output import written

    try:
        said = f"o2o {version('o2o')}"
    except PackageNotFoundError:  # run from a source tree that was never installed
        said = "o2o (not installed)"
    written(lambda: _echo(said))  # `o2o --version | head -0` or stdout closed: still exit 0, no traceback
    raise typer.Exit()


def _echo(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def build_app(command: str | None = None, *, bare: bool = False) -> typer.Typer:
    """The root app with every command, or only the module that serves `command`, or none (`bare`)."""
    import typer

    from o2o_tui.i18n import set_language, t

    if not bare:  # `--version` alone prints no help or error panel
        from o2o_tui.cli import framework_text

        framework_text.localize()  # Typer's own panel words (Options, Arguments, [required]) in the language
        from o2o_tui.cli.output import plain_click_errors_as_json

        plain_click_errors_as_json()  # without Rich (TYPER_USE_RICH=0) a usage error is JSON under --json too
    root = typer.Typer(
        name="o2o",
        help=t("cli.app.help"),
        no_args_is_help=True,
        pretty_exceptions_enable=False,  # an unexpected error: Python's plain traceback, no local variables
        pretty_exceptions_show_locals=False,  # (and none were the rich one turned on: a profile holds its token)
        add_completion=False,
    )

    @root.callback()
    def _root(
        lang: str | None = typer.Option(None, "--lang", envvar="O2O_LANG", help=t("cli.option.lang")),
        _version: bool = typer.Option(
            False, "--version", is_eager=True, callback=_print_version, help=t("cli.option.version")
        ),
    ) -> None:
        lang = _known_lang(lang)
        set_language(lang)

    if bare:
        wanted = []
    elif command in COMMAND_MODULES:
        wanted = [COMMAND_MODULES[command]]
    else:
        wanted = list(dict.fromkeys(COMMAND_MODULES.values()))
    for name in wanted:
        importlib.import_module(f"o2o_tui.cli.{name}").register(root)
    return root


def _known_lang(lang: str | None) -> str | None:
    """`lang` when o2o knows it. An unknown `--lang` is refused (exit 2, as `o2o demo --lang`); an unknown
    O2O_LANG (the environment's, maybe set for another program) is ignored with a warning on stderr."""
    from o2o_tui.i18n import normalize, set_language, t

    if not lang or normalize(lang) is not None:
        return lang
    from rich.text import Text

    from o2o_tui.cli.exits import Exit
    from o2o_tui.cli.output import emit_error, emit_warning, for_stream, json_in_args, stderr
    from o2o_tui.safe_text import safe_text

    as_json = json_in_args(sys.argv[1:])  # the command's --json is not read yet
    try:  # Typer's own (vendored) Click holds the running command's context (as output.json_wanted)
        click_globals = importlib.import_module("typer._click.globals")
    except ModuleNotFoundError:  # a Typer on the Click package
        click_globals = importlib.import_module("click.globals")
    context = click_globals.get_current_context(silent=True)
    source = context.get_parameter_source("lang") if context is not None else None
    set_language(None)  # said in the language the rest of the environment asks for
    if source is not None and source.name == "ENVIRONMENT":
        message = t("cli.warn.env_lang", lang=lang)
        if as_json:
            emit_warning("lang", message)
        else:
            stderr.print(Text(for_stream(safe_text(message), sys.stderr), style="yellow"))
        return None
    import typer

    message = t("cli.error.lang", lang=lang)
    if as_json:
        emit_error(message, Exit.USAGE)
    else:
        stderr.print(Text(for_stream(safe_text(message), sys.stderr), style="bold red"))
    raise typer.Exit(int(Exit.USAGE))


def command_in(argv: list[str]) -> str | None:
    """The command word of an `o2o` argument list (skipping root options), or None."""
    skip_next = False
    for arg in argv:
        if skip_next:
            skip_next = False
        elif arg in _ROOT_OPTIONS_WITH_VALUE:
            skip_next = True
        elif not arg.startswith("-"):
            return arg
    return None


def _lang_in(argv: list[str]) -> str | None:
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if not arg.startswith("-"):
            break
    return None


def _known_or_none(lang: str | None) -> bool:
    from o2o_tui.i18n import normalize

    return not lang or normalize(lang) is not None


def main() -> None:
    argv = sys.argv[1:]
    lang = _lang_in(argv)
    if lang:
        # before the app is built, so help texts (translated as commands register) follow --lang too
        from o2o_tui.i18n import set_language

        set_language(lang)
    if "_O2O_COMPLETE" in os.environ:  # the shell asks for completions (o2o_tui/cli/completion.py)
        from o2o_tui.cli.completion import answer_from_environment

        code = answer_from_environment()
        if code is not None:
            sys.exit(code)
    command = command_in(argv)
    if command == "console" and _known_or_none(lang) and _known_or_none(os.environ.get("O2O_LANG")):
        # its usual forms open the console without building the typer app (~15 ms); an unknown language goes
        # the long way, refused (--lang) or warned about (O2O_LANG) by the root callback
        from o2o_tui.cli import console_quick

        if console_quick.run(argv, lang):
            return
    only_version = command is None and "--version" in argv and "--help" not in argv
    build_app(command, bare=only_version)()


def __getattr__(name: str) -> typer.Typer:
    if name == "app":
        return build_app()
    raise AttributeError(name)
