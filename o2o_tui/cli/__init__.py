"""The `o2o` command. Textual is imported only inside the commands that open a TUI."""

from __future__ import annotations

import typer

from o2o_tui.cli import admin, console, demo, dispatch, login, orders, serve, simulate, store, sync
from o2o_tui.i18n import set_language, t

app = typer.Typer(
    name="o2o",
    help=t("cli.app.help"),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(
    lang: str | None = typer.Option(None, "--lang", envvar="O2O_LANG", help=t("cli.option.lang")),
) -> None:
    set_language(lang)


for module in (serve, admin, login, orders, store, sync, console, dispatch, simulate, demo):
    module.register(app)


def main() -> None:
    app()
