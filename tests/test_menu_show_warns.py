"""Showing a hidden line puts it on sale: `o2o menu option show` (and `o2o menu item show` through the same
`showing` check, once menu.py passes it) warns as `menu import` and the editor's publish do, and without
--allow-warnings stops (exit 2, nothing sent). The real platform on loopback, a real cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer

from o2o_tui.cli.exits import Exit
from o2o_tui.cli.menu import find_item
from o2o_tui.cli.menu_option import showing
from o2o_tui.sync.session import profile_cache
from tests.support.platform import RunningPlatform
from tests.test_cli_menu import Cli, cli, server_item, server_menu  # noqa: F401


def _hidden_lines(cli: Cli, tmp_path: Path) -> None:  # noqa: F811
    """A hidden free item and a hidden option still named "New option", published (hidden: no warning)."""
    path = tmp_path / "menu.json"
    cli("menu", "export", "-o", str(path))
    menu = json.loads(path.read_text(encoding="utf-8"))
    drinks = next(c for c in menu["categories"] if c["id"] == "drinks")
    tea = dict(drinks["items"][0], id="free-tea", name="免费茶水 Free tea", hidden=True)
    tea["price"] = dict(tea["price"], amount=0)
    drinks["items"].append(tea)
    group = menu["option_groups"][0]
    group["options"].append(dict(group["options"][0], id="new-opt", name="New option", hidden=True))
    path.write_text(json.dumps(menu, ensure_ascii=False), encoding="utf-8")
    cli("menu", "import", str(path))


def _option(platform: RunningPlatform, option_id: str) -> dict:
    return next(
        o for g in server_menu(platform)["option_groups"] for o in g["options"] if o["id"] == option_id
    )


def test_showing_an_unnamed_option_warns_and_stops(
    platform: RunningPlatform,
    cli: Cli,  # noqa: F811
    tmp_path: Path,
) -> None:
    _hidden_lines(cli, tmp_path)
    refused = cli("menu", "option", "show", "new-opt", code=Exit.USAGE)
    assert "new-opt (New option): Still has the name it got when added." in refused.stderr
    assert "--allow-warnings" in refused.stderr
    assert _option(platform, "new-opt")["hidden"] is True  # nothing sent
    cli("menu", "option", "show", "new-opt", "--allow-warnings")
    assert _option(platform, "new-opt")["hidden"] is False
    cli("menu", "option", "hide", "spice-mild")
    cli("menu", "option", "show", "spice-mild")  # named: shown without a word (a free option is normal)


def test_showing_a_free_item_is_checked(
    platform: RunningPlatform,
    cli: Cli,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _hidden_lines(cli, tmp_path)
    monkeypatch.setenv("O2O_HOME", str(cli.home))
    monkeypatch.setenv("O2O_LANG", "en")
    with profile_cache(None) as (_, cache):
        from o2o_tui.sync.read_model import ReadModel

        menu = ReadModel(cache).menu(platform.seed.store_id)
    assert menu is not None
    with pytest.raises(typer.Exit) as stopped:
        showing(find_item, False)(menu, "免费茶水")
    assert stopped.value.exit_code == Exit.USAGE
    said = capsys.readouterr().err
    assert "free-tea (免费茶水 Free tea): On sale at 0: customers get it free." in said
    assert showing(find_item, True)(menu, "免费茶水").id == "free-tea"
    assert showing(find_item, False)(menu, "mapo-tofu").id == "mapo-tofu"  # priced and visible: no question



def test_item_show_of_a_hidden_free_item_asks_for_allow_warnings(
    platform: RunningPlatform,
    cli: Cli,  # noqa: F811
    tmp_path: Path,
) -> None:
    """`o2o menu item show` runs the checks import and the editor run before a line goes on sale."""
    _hidden_lines(cli, tmp_path)
    refused = cli("menu", "item", "show", "免费茶水", code=Exit.USAGE)
    assert "free-tea (免费茶水 Free tea): On sale at 0: customers get it free." in refused.stderr
    assert server_item(platform, "free-tea")["hidden"] is True  # nothing sent
    cli("menu", "item", "show", "免费茶水", "--allow-warnings")
    assert server_item(platform, "free-tea")["hidden"] is False
