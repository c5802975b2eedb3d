"""Two sheets made from ONE `o2o menu export`, edited differently and imported one after the other: a cell left as
exported never silently undoes a newer change of its item (this device's import still queued offline, or a change
the platform took since), the way an availability cell does not (`cli/menu.py` `cells_to_keep`): the newer value
is kept and said by name (stderr; `kept_cells` in --json), a cell the person changed goes, and `--sheet-cells`
takes the file's as written. Real platform on loopback, real cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec

from o2o_tui.cli.menu import cells_to_keep
from o2o_tui.domain.menu import Menu
from o2o_tui.domain.money import Money
from o2o_tui.i18n import set_language
from o2o_tui.platform.seed import demo_menu
from offline_cache import open_profile_cache
from tests.support.platform import RunningPlatform
from tests.test_cli_menu import COL, Cli, cli, price_sheet, rows_of, server_item, server_menu, write_rows  # noqa: F401


def _sheet(cli: Cli, path: Path, prices: dict[str, str]) -> Path:  # noqa: F811
    """The exported sheet (`export.csv` beside `path`, written once) with these items' prices changed."""
    exported = path.parent / "export.csv"
    if not exported.exists():
        cli("menu", "export", "-o", str(exported))
    rows = rows_of(exported.read_bytes())
    for row in rows[1:]:
        if row[COL["item_id"]] in prices:
            row[COL["price"]] = prices[row[COL["item_id"]]]
    return write_rows(path, rows)


def _import(cli: Cli, sheet: Path, *extra: str) -> tuple[dict[str, Any], str]:  # noqa: F811
    result = cli("menu", "import", str(sheet), "--json", *extra)
    return json.loads(result.stdout), result.stderr


def test_two_sheets_of_one_export_imported_offline_keep_both_changes(
    platform: RunningPlatform, cli: Cli, tmp_path: Path  # noqa: F811
) -> None:
    set_language("en")
    cli("sync", "--once")
    first = _sheet(cli, tmp_path / "a.csv", {"mapo-tofu": "29.00"})
    second = _sheet(cli, tmp_path / "b.csv", {"kung-pao-chicken": "40.00"})  # mapo-tofu as exported
    platform.stop()
    assert _import(cli, first)[0]["outcome"] == "queued"
    answer, said = _import(cli, second)
    assert answer["outcome"] == "queued"
    [kept] = answer["kept_cells"]
    assert (kept["id"], kept["field"], kept["queued"]) == ("mapo-tofu", "price", True)
    assert (kept["kept"]["amount"], kept["file"]["amount"]) == (2900, 2600)
    warned = [json.loads(line) for line in said.splitlines()]
    assert any(w["warning"] == "cell_kept" and "Mapo Tofu (mapo-tofu)" in w["message"] for w in warned), warned
    # what the last queued publish sends once the link is back: both sheets' changes (the outbox, as it is)
    [directory] = list((cli.home / "cache" / "profiles").iterdir())
    with open_profile_cache(directory, read_only=True) as cache:
        publishes = [e for e in cache.outbox.pending() if e.action == "menu.publish"]
    sent = msgspec.json.decode(publishes[-1].body, type=Menu)
    prices = {i.id: i.price.amount for c in sent.categories for i in c.items}
    assert len(publishes) == 2 and prices["mapo-tofu"] == 2900 and prices["kung-pao-chicken"] == 4000


def test_a_change_the_platform_took_since_the_export_is_kept_and_the_persons_goes(
    platform: RunningPlatform, cli: Cli, tmp_path: Path  # noqa: F811
) -> None:
    set_language("en")
    cli("sync", "--once")
    sheet = _sheet(cli, tmp_path / "c.csv", {"yuxiang-pork": "33.00"})  # mapo-tofu as exported (26.00)
    category = server_menu(platform)["categories"][0]["id"]
    other = Cli(tmp_path / "other", cli.token)
    other("login", "--url", platform.url, "--token", other.token)
    other("menu", "import", str(price_sheet(tmp_path / "o.csv", category, [("mapo-tofu", "31.00")])), "--partial")
    cli("sync", "--once")
    answer, _ = _import(cli, sheet)
    assert answer["outcome"] == "done"
    assert [(k["id"], k["field"], k["queued"]) for k in answer["kept_cells"]] == [("mapo-tofu", "price", False)]
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == 3100  # theirs, not the sheet's old cell
    assert server_item(platform, "yuxiang-pork")["price"]["amount"] == 3300  # the person's change went
    taken, _ = _import(cli, sheet, "--sheet-cells")  # the file's, as written
    assert taken["kept_cells"] == [] and server_item(platform, "mapo-tofu")["price"]["amount"] == 2600


def test_a_sheet_older_than_a_content_change_it_cannot_see_keeps_the_menus_cells() -> None:
    """Exported elsewhere (no copy of its menu here) before a publish: what it said is not known, so a cell unlike
    the menu is kept as the menu has it; a row without its version is taken as written."""
    published = msgspec.structs.replace(demo_menu(), version=7, content_version=6)
    imported = msgspec.structs.replace(
        published,
        categories=[
            msgspec.structs.replace(
                c, items=[msgspec.structs.replace(i, price=Money(100, "CNY")) for i in c.items]
            )
            for c in published.categories
        ],
    )
    ids = [i.id for c in published.categories for i in c.items]
    held = {("item", ids[0]): 5, ("item", ids[1]): 6}  # ids[2]: a row without its version
    menu, kept = cells_to_keep(published, published, imported, held)
    assert [(k.item_id, k.field, k.queued) for k in kept] == [(ids[0], "price", False)]
    prices = {i.id: i.price.amount for c in menu.categories for i in c.items}
    assert prices[ids[0]] != 100 and prices[ids[1]] == 100 and prices[ids[2]] == 100
