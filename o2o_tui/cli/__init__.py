"""The `o2o` command. Textual is imported only inside the commands that open a TUI.

Each area registers its commands from its own module. `main()` imports only the module of the command being run
(`o2o orders list` never pays for the server, the simulator or the dispatch engine); `--help` and unknown
commands load them all. `from o2o_tui.cli import app` gives the full app (tests use it).
"""

from __future__ import annotations

import importlib
import sys

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
    "demo": "demo",
}
_ROOT_OPTIONS_WITH_VALUE = frozenset({"--lang"})


def build_app(command: str | None = None) -> typer.Typer:
    """The root app with every command, or only the module that serves `command`."""
    from o2o_tui.i18n import set_language, t

    root = typer.Typer(
        name="o2o",
        help=t("cli.app.help"),
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )

    @root.callback()
    def _root(
        lang: str | None = typer.Option(None, "--lang", envvar="O2O_LANG", help=t("cli.option.lang")),
    ) -> None:
        set_language(lang)

    wanted = [COMMAND_MODULES[command]] if command in COMMAND_MODULES else list(dict.fromkeys(COMMAND_MODULES.values()))
    for name in wanted:
        importlib.import_module(f"o2o_tui.cli.{name}").register(root)
    return root


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


def main() -> None:
    argv = sys.argv[1:]
    lang = _lang_in(argv)
    if lang:
        # before the app is built, so help texts (translated as commands register) follow --lang too
        from o2o_tui.i18n import set_language

        set_language(lang)
    build_app(command_in(argv))()


def __getattr__(name: str) -> typer.Typer:
    if name == "app":
        return build_app()
    raise AttributeError(name)
