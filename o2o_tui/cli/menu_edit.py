"""`o2o menu edit`: the menu editor screen for a logged-in merchant profile (Textual is imported only here).

`o2o_tui/cli/menu.py` owns the `menu` group and calls `register_edit(menu_app)` to add this command to it.
"""

from __future__ import annotations

import asyncio

import typer

from o2o_tui.cli.cache_errors import cache_errors
from o2o_tui.cli.common import ProfileArg, handle_errors
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.need_terminal import require_terminal
from o2o_tui.cli.output import fail
from o2o_tui.config import load_profile
from o2o_tui.i18n import t


def edit(profile: ProfileArg = None) -> None:
    """Open the menu editor: edits go to a local draft (kept across quits), P publishes it."""
    with handle_errors():
        chosen = load_profile(profile)
    if chosen.role not in ("merchant", "admin") or not chosen.store_id:
        raise fail(t("menu_editor.cli.error.role", role=chosen.role), Exit.USAGE)
    require_terminal("o2o menu edit")
    from screens.menu_source import source_for_profile

    with cache_errors():
        # the cache reads the menu on its own thread while Textual is imported
        source = source_for_profile(chosen)
        try:
            from screens.menu_editor import run_menu_editor
        except BaseException:
            asyncio.run(source.close())
            raise
        run_menu_editor(chosen, source)


def register_edit(menu_app: typer.Typer) -> None:
    menu_app.command("edit", help=t("menu_editor.cli.help"))(edit)
