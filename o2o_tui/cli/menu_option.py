"""`o2o menu option status|hide|show`: one option's availability or visibility ("brown rice is out until 18:00").

The same as `o2o menu item ...` for the choices inside option groups: one option PATCH through the outbox at once,
never through the draft (a hide also goes into the draft, so publishing it does not undo the hide). The platform
applies it to every option with that id, in whichever groups offer it. `o2o menu show` lists the options.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

from o2o_tui.cli.common import JsonOption, ProfileOption
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import fail, warn
from o2o_tui.cli.sync import OnlineOption
from o2o_tui.i18n import t

OptionArgument = typer.Argument(..., help=t("menu_cli.arg.option"))
AllowWarningsOption = typer.Option(False, "--allow-warnings", help=t("menu_cli.show.option.allow_warnings"))
PATCH = "menu.option.patch"


def find_option(menu: Any, text: str) -> Any:
    """The option `text` names: its id, else the one option with that name (either language, any case), else the
    one whose name contains it. Options that share an id count once (the platform patches them all). Raises
    LookupError(candidates): none ([]) or several."""
    wanted = text.strip()
    options = [option for group in menu.option_groups for option in group.options]
    for option in options:
        if option.id == wanted:
            return option
    folded = wanted.casefold()
    if not folded:
        raise LookupError([])

    def names(option: Any) -> list[str]:
        return [n.casefold() for n in (option.name, option.names.zh, option.names.en) if n]

    def distinct(found: list[Any]) -> list[Any]:
        first: dict[str, Any] = {}
        for option in found:
            first.setdefault(option.id, option)
        return list(first.values())

    exact = distinct([option for option in options if folded in names(option)])
    found = exact or distinct([option for option in options if any(folded in name for name in names(option))])
    if len(found) != 1:
        raise LookupError(found)
    return found[0]


def option_line(option: Any, store: Any, lang: str) -> str:
    """`    spice-hot  特辣 Extra hot  +¥2.00  [sold out until 18:00]`, as `o2o menu show` lists it."""
    from o2o_tui.cli.menu import badges
    from o2o_tui.domain.menu import localized
    from o2o_tui.domain.money import format_money
    from o2o_tui.safe_text import safe_text

    line = t(
        "menu_cli.show.option",
        id=option.id,
        name=safe_text(localized(option.name, option.names, lang), one_line=True),
        price=format_money(option.price),
    )
    return line + badges(option, store)


def showing(resolve: Callable[[Any, str], Any], allow_warnings: bool) -> Callable[[Any, str], Any]:
    """`resolve` for `o2o menu item show` / `o2o menu option show`: the line it finds, once what making it visible
    puts on sale has been checked as the editor's publish and `o2o menu import` check it (a free item, a line still
    named "New item"): each warning said, and without `allow_warnings` exit 2 with nothing sent. A line already
    visible is not asked about (nothing new goes on sale)."""

    def resolved(menu: Any, text: str) -> Any:
        from o2o_tui.domain.menu import localized
        from o2o_tui.domain.menu_rules import line_warnings
        from o2o_tui.i18n import current_language
        from o2o_tui.menu_edits import placeholder_names
        from o2o_tui.safe_text import safe_text

        found = resolve(menu, text)
        codes = line_warnings(found, placeholder_names()) if found.hidden else []
        if not codes:
            return found
        name = safe_text(localized(found.name, found.names, current_language()) or found.id, one_line=True)
        warnings = " ".join(t(f"menu.warning.{code}") for code in codes)
        warn(t("menu_cli.show.warned_line", id=found.id, name=name, warnings=warnings), "sale_warning")
        if not allow_warnings:
            raise fail(t("menu_cli.show.warned"), Exit.USAGE)
        return found

    return resolved


def _resolve(menu: Any, text: str) -> Any:
    from o2o_tui.cli.menu import resolve_one

    return resolve_one(
        find_option, menu, text, "menu_cli.error.no_option", "menu_cli.error.ambiguous_option", "option"
    )


def _patch(profile: Any, cache: Any, option: Any, body: Any, *, online: bool, as_json: bool) -> None:
    from o2o_tui.cli.menu import patch_now

    patch_now(
        profile,
        cache,
        option,
        body,
        op=PATCH,
        find=find_option,
        line=lambda shown, store, lang: option_line(shown, store, lang).strip(),
        key="option",
        online=online,
        as_json=as_json,
    )


def option_status(
    option: str = OptionArgument,
    availability: str = typer.Argument(..., help=t("menu_cli.arg.availability")),
    until: str | None = typer.Option(None, "--until", help=t("menu_cli.option.until")),
    online: bool = OnlineOption,
    profile: str | None = ProfileOption,
    as_json: bool = JsonOption,
) -> None:
    from o2o_tui.cli.menu import change_availability

    change_availability(option, availability, until, online, profile, as_json, resolve=_resolve, patch=_patch)


def option_hide(
    option: str = OptionArgument,
    online: bool = OnlineOption,
    profile: str | None = ProfileOption,
    as_json: bool = JsonOption,
) -> None:
    from o2o_tui.cli.menu import hide_or_show

    hide_or_show("option", option, True, online, profile, as_json, resolve=_resolve, patch=_patch)


def option_show(
    option: str = OptionArgument,
    allow_warnings: bool = AllowWarningsOption,
    online: bool = OnlineOption,
    profile: str | None = ProfileOption,
    as_json: bool = JsonOption,
) -> None:
    from o2o_tui.cli.menu import hide_or_show

    resolve = showing(_resolve, allow_warnings)
    hide_or_show("option", option, False, online, profile, as_json, resolve=resolve, patch=_patch)


def option_app() -> typer.Typer:
    """The `o2o menu option` group, its texts in the current language."""
    app = typer.Typer(help=t("menu_cli.choice.help"), no_args_is_help=True)
    app.command("status", help=t("menu_cli.choice.status.help"))(option_status)
    app.command("hide", help=t("menu_cli.choice.hide.help"))(option_hide)
    app.command("show", help=t("menu_cli.choice.show.help"))(option_show)
    return app
