"""`o2o courier`: open the courier's handheld screen for a logged-in courier profile (Textual imported only here).

Imports only what the first paint needs: the HTTP client and the sync engine load after the cached tasks are on
screen (see `screens.courier_source`), which is most of what keeps the start near a bare Textual app's.
"""

from __future__ import annotations

import typer

from o2o_tui.cli.cache_errors import cache_errors
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.need_terminal import require_terminal
from o2o_tui.cli.output import fail
from o2o_tui.config import BadProfileName, ConfigError, NoProfileError, load_profile
from o2o_tui.i18n import t


def courier(
    profile: str | None = typer.Option(
        None, "--profile", envvar="O2O_PROFILE", help=t("login.option.profile")
    ),
    ascii_only: bool | None = typer.Option(None, "--ascii/--unicode", help=t("handheld.option.ascii")),
) -> None:
    try:
        chosen = load_profile(profile)
    except ConfigError as error:
        code = Exit.USAGE if isinstance(error, BadProfileName) else Exit.ERROR  # a refused name: bad arguments
        raise fail(error.message, Exit.AUTH if isinstance(error, NoProfileError) else code) from None
    if not chosen.courier_id:
        from o2o_tui.cli.deliveries import incomplete_profile, role_label

        if (wrong := incomplete_profile(chosen)) is not None:  # no role, or a courier's naming no courier
            raise fail(wrong, Exit.USAGE)
        raise fail(t("handheld.error.not_courier", profile=chosen.name, role=role_label(chosen.role)), Exit.USAGE)
    require_terminal("o2o courier")
    from screens.courier_launch import run_courier_console

    with cache_errors():
        run_courier_console(chosen, ascii_only=ascii_only)


def register(app: typer.Typer) -> None:
    app.command("courier", help=t("handheld.help"))(courier)
