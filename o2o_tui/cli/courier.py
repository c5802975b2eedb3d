"""`o2o courier`: open the courier's handheld screen for a logged-in courier profile (Textual imported only here)."""

from __future__ import annotations

import typer

from o2o_tui.cli.common import ProfileOption, handle_errors
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import fail
from o2o_tui.cli.sync import cache_errors
from o2o_tui.config import load_profile
from o2o_tui.i18n import t


def courier(
    profile: str | None = ProfileOption,
    ascii_only: bool | None = typer.Option(None, "--ascii/--unicode", help=t("handheld.option.ascii")),
) -> None:
    with handle_errors():
        chosen = load_profile(profile)
    if not chosen.courier_id:
        raise fail(t("handheld.error.not_courier", profile=chosen.name, role=chosen.role), Exit.USAGE)
    from screens.courier_launch import run_courier_console

    with cache_errors():
        run_courier_console(chosen, ascii_only=ascii_only)


def register(app: typer.Typer) -> None:
    app.command("courier", help=t("handheld.help"))(courier)
