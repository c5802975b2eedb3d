"""A price sheet never silently undoes a sold-out made after it was exported, against the real platform with a
real cache: each exported row says the menu version it was taken from (`menu_version`); on import an availability
cell equal to what the export held is no change, and where the menu has moved on since (or an older sheet does not
say), the live availability is kept and said by name (stderr; `kept` in --json), exit 0. Availability lines name the
item, not only its id."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from o2o_tui import menu_io
from o2o_tui.i18n import set_language, t
from o2o_tui.menu_io import CSV_COLUMNS
from tests.support.platform import RunningPlatform, api
from tests.test_menu_import_scripts import Cli, seed

COL = {name: index for index, name in enumerate(CSV_COLUMNS)}
DISH = "mapo-tofu"
DISH_NAME = "麻婆豆腐 Mapo Tofu"  # the seed's single name (shown as is in either language)


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


def _server_item(platform: RunningPlatform, item_id: str) -> dict[str, object]:
    staff = api(platform, "merchant")
    try:
        menu = staff.get(f"/v1/stores/{seed(platform).store_id}/menu").json()
    finally:
        staff.close()
    item: dict[str, object] = next(i for c in menu["categories"] for i in c["items"] if i["id"] == item_id)
    return item


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def _write(path: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8"))
    return path


def _raise_prices(rows: list[list[str]]) -> list[list[str]]:
    """What the manager's script does: every price up by 1 (here: the first two), nothing else touched."""
    for row in rows[1:3]:
        row[COL["price"]] = str(int(float(row[COL["price"]])) + 1)
    return rows


def _setup(platform: RunningPlatform, tmp_path: Path) -> tuple[Cli, Path]:
    cli = Cli(tmp_path / "home", seed(platform).tokens["merchant"])
    cli.login(platform.url)
    cli("sync", "--once")
    sheet = tmp_path / "m3.csv"
    cli("menu", "export", "-o", str(sheet))
    return cli, sheet


def test_a_price_sheet_keeps_a_dish_sold_out_after_its_export(platform: RunningPlatform, tmp_path: Path) -> None:
    cli, sheet = _setup(platform, tmp_path)
    exported = _rows(sheet)
    assert exported[0][-1] == "menu_version" and {row[COL["menu_version"]] for row in exported[1:]} == {
        str(cli.json("menu", "show")["version"])
    }
    cli("menu", "item", "status", DISH, "sold-out", "--until", "23:59")  # the kitchen sells it out
    sold_out = _server_item(platform, DISH)["snooze_until"]
    assert sold_out
    edited = _write(tmp_path / "m3e.csv", _raise_prices(exported))

    dry = cli("menu", "import", str(edited), "--dry-run")
    assert "! item" not in dry.stdout and DISH_NAME in dry.stderr

    done = cli("menu", "import", str(edited))
    assert _server_item(platform, DISH)["snooze_until"] == sold_out  # still sold out: customers cannot order it
    warned = " ".join(done.stderr.split())
    assert f"Kept sold out until 23:59: item {DISH_NAME} ({DISH})" in warned, warned
    assert f"o2o menu item status {DISH} available" in warned and "--sheet-availability" in warned
    assert t("menu_cli.publish.done", version="", count=2).split(":")[0] in done.stdout  # the prices went
    assert f"! item {DISH}" not in done.stdout
    assert "[sold out" in next(line for line in cli("menu", "show").stdout.splitlines() if "Mapo" in line)

    # --json: the same, and a `kept` list naming it (the warning on stderr as a JSON line)
    _write(edited, _raise_prices(_rows(edited)))
    answer = json.loads(cli("menu", "import", str(edited), "--json").stdout)
    assert answer["availability"] == [] and [(k["id"], k["name"], k["kind"]) for k in answer["kept"]] == [
        (DISH, DISH_NAME, "item")
    ]
    assert answer["kept"][0]["kept"]["effective_status"] == "SOLD_OUT"
    assert answer["kept"][0]["file"]["effective_status"] == "AVAILABLE"
    assert _server_item(platform, DISH)["snooze_until"] == sold_out

    # --sheet-availability: the person means the sheet's availability, sold-out since or not
    cli("menu", "import", str(edited), "--sheet-availability")
    assert _server_item(platform, DISH)["snooze_until"] is None


def test_a_cell_a_person_changed_on_a_current_sheet_goes_and_is_named(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    cli, sheet = _setup(platform, tmp_path)
    rows = _rows(sheet)
    row = next(r for r in rows if r[COL["item_id"]] == DISH)
    row[COL["availability"]] = "unavailable"  # the menu has not moved since the export: this is the person's
    edited = _write(tmp_path / "off.csv", rows)
    dry = cli("menu", "import", str(edited), "--dry-run")
    assert f"! item {DISH}: unavailable ({DISH_NAME})" in dry.stdout
    done = cli("menu", "import", str(edited))
    assert f"! item {DISH}: unavailable ({DISH_NAME})" in done.stdout and "Kept" not in done.stderr
    assert _server_item(platform, DISH)["status"] == "UNAVAILABLE"
    set_language("zh")
    cli("menu", "export", "-o", str(sheet))  # the menu moved: a fresh export
    rows = _rows(sheet)
    next(r for r in rows if r[COL["item_id"]] == DISH)[COL["availability"]] = "available"
    done = cli("menu", "import", str(_write(tmp_path / "on.csv", rows)), lang="zh")
    assert f"! {t('menu_cli.entity.item')} {DISH}：{t('menu_cli.availability.available')}（{DISH_NAME}）" in done.stdout
    assert _server_item(platform, DISH)["status"] == "AVAILABLE"


def test_an_older_sheet_without_its_version_keeps_the_live_sold_out(platform: RunningPlatform, tmp_path: Path) -> None:
    cli, sheet = _setup(platform, tmp_path)
    cli("menu", "item", "status", DISH, "sold-out", "--until", "23:59")
    older = [row[:-1] for row in _raise_prices(_rows(sheet))]  # as an export before menu_version wrote it
    done = cli("menu", "import", str(_write(tmp_path / "old.csv", older)), lang="zh")
    assert _server_item(platform, DISH)["snooze_until"]
    set_language("zh")
    said = "".join(done.stderr.split())
    assert "".join(t("menu_cli.import.kept_unknown").split()) in said and "".join(DISH_NAME.split()) in said

    # a sheet a person writes to sell dishes out (a few columns, no export's) is taken as written
    (tmp_path / "86.csv").write_text(f"item_id,availability\n{DISH},available\n", encoding="utf-8")
    cli("menu", "import", str(tmp_path / "86.csv"), "--partial")
    assert _server_item(platform, DISH)["snooze_until"] is None


def test_a_bad_menu_version_cell_is_refused_at_its_row() -> None:
    from tests.test_menu_io import demo, sheet_bytes, sheet_rows

    published = demo()
    rows = sheet_rows(published)
    assert rows[1][COL["menu_version"]] == str(published.version)
    rows[2][COL["menu_version"]] = "v18"
    with pytest.raises(menu_io.MenuImportError) as refused:
        menu_io.read_csv(sheet_bytes(rows), published)
    (problem,) = refused.value.problems
    assert (problem.line, problem.column, problem.field) == (3, COL["menu_version"] + 1, "menu_version")
    rows[2][COL["menu_version"]] = ""
    sheet = menu_io.read_csv(sheet_bytes(rows), published)
    assert rows[2][COL["item_id"]] not in sheet.held and rows[1][COL["item_id"]] in sheet.held
    assert not sheet.as_written
