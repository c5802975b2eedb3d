"""`o2o console`: open the merchant console for a logged-in profile (Textual is imported only here)."""

from __future__ import annotations

import typer

from o2o_tui.cli.cache_errors import cache_errors
from o2o_tui.cli.common import ProfileOption, handle_errors
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.need_terminal import require_terminal
from o2o_tui.cli.output import fail
from o2o_tui.config import load_profile
from o2o_tui.i18n import t


def console(
    profile: str | None = ProfileOption,
    no_cache: bool = typer.Option(False, "--no-cache", help=t("console.option.no_cache")),
    simple: bool = typer.Option(False, "--simple", help=t("simple.option")),
) -> None:
    """Open the merchant console: the live order queue, actions, dispatch board."""
    with handle_errors():
        chosen = load_profile(profile)
    if chosen.role == "courier":
        raise fail(t("console.error.courier", profile=chosen.name), Exit.USAGE)
    if not chosen.store_id:
        raise fail(t("console.error.no_store", role=chosen.role), Exit.USAGE)
    require_terminal("o2o console")
    from screens.launch import open_source, run_merchant_console

    with cache_errors():
        run_merchant_console(
            chosen, source_factory=lambda p: open_source(p, offline_cache=not no_cache), simple=simple
        )


def register(app: typer.Typer) -> None:
    app.command("console", help=t("console.help"))(console)
