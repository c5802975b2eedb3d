"""Two CLI leftovers against one real platform on loopback (each test its own profile and cache):

- an older sheet imported straight after a newer one was published (no `o2o sync`, nothing else run between)
  keeps the newer price and says so, whether this device kept the export (`menu_service.keep_export`) or not (the
  sheet exported elsewhere): the dry run shows no change and the `cell_kept` warning, the import changes nothing;
- `o2o store pause|busy|resume --json` answer the store with `now` as `o2o store status --json` gives it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.i18n import set_language
from tests.support.platform import RunningPlatform, api
from tests.test_cli_menu import COL, Cli, rows_of, write_rows

DISH = "kung-pao-chicken"


@pytest.fixture
def cli(shared_platform: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    set_language("en")
    assert shared_platform.seed is not None
    runner = Cli(tmp_path / "home", shared_platform.seed.tokens["merchant"])
    runner("login", "--url", shared_platform.url, "--token", runner.token)
    yield runner
    set_language(None)


def _price(platform: RunningPlatform, item_id: str) -> int:
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    try:
        menu = merchant.get(f"/v1/stores/{platform.seed.store_id}/menu").json()
    finally:
        merchant.close()
    return int(next(i["price"]["amount"] for c in menu["categories"] for i in c["items"] if i["id"] == item_id))


def _dry_run(cli: Cli, sheet: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    result = cli("menu", "import", str(sheet), "--dry-run", "--json")
    return json.loads(result.stdout), [json.loads(line) for line in result.stderr.splitlines()]


def test_an_older_sheet_imported_straight_after_a_newer_publish_keeps_the_newer_price(
    shared_platform: RunningPlatform, cli: Cli, tmp_path: Path
) -> None:
    old = tmp_path / "r3.csv"
    cli("menu", "export", "--format", "csv", "-o", str(old))
    rows = rows_of(old.read_bytes())
    row = next(r for r in rows if r[COL["item_id"]] == DISH)
    was = row[COL["price"]]
    row[COL["price"]] = f"{float(was) + 1.5:.2f}"
    newer = write_rows(tmp_path / "r3p.csv", rows)
    done = cli.json("menu", "import", str(newer))
    assert done["outcome"] == "done" and _price(shared_platform, DISH) == round(float(was) * 100) + 150
    now = _price(shared_platform, DISH)
    [exports] = list((cli.home / "cache" / "profiles").glob("*/menu-exports"))
    for kept_export in (True, False):
        if not kept_export:  # the sheet exported on another device: the cached menu's versions tell it
            shutil.rmtree(exports)
        answer, warned = _dry_run(cli, old)  # straight away: no sync, nothing else run in between
        assert answer["changes"] == [], (kept_export, answer)
        [cell] = answer["kept_cells"]
        assert (cell["id"], cell["field"], cell["kept"]["amount"], cell["file"]["amount"]) == (
            DISH,
            "price",
            now,
            round(float(was) * 100),
        ), kept_export
        assert [w["warning"] for w in warned] == ["cell_kept"], warned
    again = cli.json("menu", "import", str(old))
    assert again["changes"] == [] and _price(shared_platform, DISH) == now


def test_pause_busy_and_resume_say_now_as_status_does(cli: Cli) -> None:
    for command, state in (
        (("pause", "--minutes", "30"), "PAUSED"),
        (("busy", "--extra", "10"), "BUSY"),
        (("resume",), "ONLINE"),
    ):
        answer = cli.json("store", *command)
        assert answer["outcome"] == "done", answer
        shown = cli.json("store", "status")
        assert answer["store"]["now"] == shown["now"], command
        assert answer["store"]["now"]["state"] in (state, "CLOSED"), answer["store"]["now"]  # CLOSED: by the hours
        assert {k: v for k, v in answer["store"].items() if k != "now"} == {
            k: v for k, v in shown.items() if k not in ("now", "last_sync_at")
        }
