"""Three small things of `o2o menu` and `o2o report`, against the real platform on loopback with a real cache:

- `o2o report day --csv` and `o2o menu export` (CSV or JSON on stdout) follow README's rule for output nobody reads:
  a reader that left (`| head -c 10`) or a stdout closed (`>&-`) drops the bytes and the command exits 0, with no
  traceback (real subprocesses, as tests/test_cli_no_reader.py runs them);
- `o2o menu export --format csv` says `available` for an item whose `snooze_until` has passed (as `menu show
  --json`'s `effective_status` and customers see it), so the sheet imported back does not sell it out again;
- `o2o menu item hide` while another `o2o menu import` still holds the draft after O2O_CACHE_LOCK_WAIT says so ("another
  import"), not "open in another editor"; an editor holding it is still said as an editor.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from o2o_tui.domain.menu import Availability, Item
from o2o_tui.domain.money import Money
from o2o_tui.menu_io import _availability_word
from tests.support.platform import RunningPlatform, api
from tests.test_cli_menu import COL, Cli, cli, rows_of, server_item
from tests.test_cli_menu_import_gate import hold_draft, synced
from tests.test_cli_no_reader import CLI, _closing, _env
from tests.test_login import ROOT, o2o

__all__ = ["cli", "synced"]


# --- output nobody reads ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def merchant(shared_platform: RunningPlatform, tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert shared_platform.seed is not None
    home = tmp_path_factory.mktemp("merchant")
    done = o2o(home, "login", "--url", shared_platform.url, "--token", shared_platform.seed.tokens["merchant"])
    assert done.returncode == 0, done.stderr
    synced_once = o2o(home, "sync", "--once")
    assert synced_once.returncode == 0, synced_once.stderr
    return home


BYTES_ON_STDOUT = [
    ["report", "day", "--csv"],
    ["report", "day", "--csv", "--what", "items"],
    ["menu", "export", "--format", "csv"],
    ["menu", "export", "--format", "json"],
]
IDS = ["report-csv", "report-csv-items", "menu-csv", "menu-json"]


def _in_the_suite(*kept: str) -> list[object]:
    """BYTES_ON_STDOUT, those not `kept` left to `python -m bench deep`."""
    return [
        pytest.param(args, id=name, marks=[] if name in kept else [pytest.mark.deep])
        for args, name in zip(BYTES_ON_STDOUT, IDS, strict=True)
    ]


# Report and menu export each write their bytes through one `written(write)`, whatever the table or format: the
# suite runs each of the two with each way out (a reader that left, stdout closed) and every table and format
# once; the other four runs are `python -m bench deep`'s.
@pytest.mark.parametrize("args", _in_the_suite("report-csv", "menu-csv"))
def test_bytes_to_a_reader_that_left_exit_0(merchant: Path, args: list[str]) -> None:
    whole = o2o(merchant, *args)  # the same command read to the end: what would have been written
    assert whole.returncode == 0 and len(whole.stdout) > 10, whole.stderr
    reader, writer = os.pipe()
    os.close(reader)  # `| head -c 10` that left before the bytes came: the write is EPIPE
    try:
        result = subprocess.run(
            [*CLI, *args], cwd=ROOT, env=_env(merchant), text=True, timeout=60, stdout=writer, stderr=subprocess.PIPE
        )
    finally:
        os.close(writer)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no traceback, no "Exception ignored ... BrokenPipeError"


@pytest.mark.parametrize("args", _in_the_suite("report-csv-items", "menu-json"))
def test_bytes_to_a_closed_stdout_exit_0(merchant: Path, args: list[str]) -> None:
    result = subprocess.run(
        [*CLI, *args], cwd=ROOT, env=_env(merchant), text=True, timeout=60,
        stdout=None, stderr=subprocess.PIPE, preexec_fn=_closing(1),
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_bytes_read_to_the_end_through_head(merchant: Path) -> None:
    """The shell's own `| head -c 10` under pipefail: the first ten bytes, and the pipeline's code 0."""
    command = " ".join([*(f"'{part}'" for part in CLI), "menu", "export", "--format", "csv"])
    result = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command} | head -c 10"],
        cwd=ROOT, env=_env(merchant), capture_output=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"\xef\xbb\xbfcategory_"[:10]
    assert b"Traceback" not in result.stderr and b"Exception" not in result.stderr


# --- a sell-out whose time has passed ----------------------------------------------------------------------------


def _snooze(platform: RunningPlatform, item_id: str, until: datetime, key: str) -> None:
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    try:
        body = {"status": "AVAILABLE", "snooze_until": until.astimezone(UTC).isoformat()}
        answer = merchant.patch(
            f"/v1/stores/{platform.seed.store_id}/menu/items/{item_id}", body, headers={"Idempotency-Key": key}
        )
        assert answer.status_code == 200, answer.text
    finally:
        merchant.close()


def test_a_sell_out_that_ended_is_exported_available(platform: RunningPlatform, cli: Cli, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    _snooze(platform, "cola", now - timedelta(hours=1), "n1-past")  # sold out until an hour ago
    _snooze(platform, "rice", now + timedelta(days=2), "n1-future")  # sold out for two more days
    cli("sync", "--once")

    shown = cli.json("menu", "show")
    status = {item["id"]: item["effective_status"] for c in shown["categories"] for item in c["items"]}
    assert status["cola"] == "AVAILABLE" and status["rice"] == "SOLD_OUT"

    sheet = tmp_path / "menu.csv"
    cli("menu", "export", "--format", "csv", "-o", str(sheet))
    rows = {row[COL["item_id"]]: row for row in rows_of(sheet.read_bytes())[1:]}
    assert rows["cola"][COL["availability"]] == "available"  # as show --json says it, and customers see it
    assert rows["rice"][COL["availability"]] == "sold-out" and rows["rice"][COL["snooze_until"]]

    before = server_item(platform, "cola")
    dry = cli.json("menu", "import", str(sheet), "--dry-run")  # the sheet back as it was: nothing to change
    assert dry["changes"] == [] and dry["availability"] == [], dry
    cli("menu", "import", str(sheet))
    cola = server_item(platform, "cola")  # not sold out anew, its ended time kept as it was
    assert cola["status"] == "AVAILABLE" and cola["snooze_until"] == before["snooze_until"]
    assert datetime.fromisoformat(cola["snooze_until"]) <= datetime.now(UTC)
    assert datetime.fromisoformat(server_item(platform, "rice")["snooze_until"]) > datetime.now(UTC)
    again = cli.json("menu", "show")
    status = {item["id"]: item["effective_status"] for c in again["categories"] for item in c["items"]}
    assert status["cola"] == "AVAILABLE" and status["rice"] == "SOLD_OUT"


def test_the_word_is_the_one_effective_status_gives() -> None:
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)

    def word(until: datetime | None, status: Availability = Availability.AVAILABLE) -> str:
        item = Item(id="x", name="X", price=Money(100, "CNY"), status=status, snooze_until=until)
        return _availability_word(item, now)

    assert word(None) == "available"
    assert word(now - timedelta(seconds=1)) == "available"
    assert word(now) == "available"  # sold out *until* now: on sale from now, as effective_status says
    assert word(now + timedelta(seconds=1)) == "sold-out"
    assert word((now + timedelta(hours=1)).replace(tzinfo=None)) == "sold-out"  # a naive stored time is UTC
    assert word(now + timedelta(hours=1), Availability.UNAVAILABLE) == "unavailable"


def test_a_sheet_keeps_an_ended_sell_out_and_drops_one_still_to_come() -> None:
    """Export then import is the identity with an ended sell-out in it (said `available`, its time kept); a sheet
    that says `available` for an item sold out until a time still to come puts it on sale (the time dropped)."""
    from o2o_tui.domain.menu import Category, Menu
    from o2o_tui.menu_io import export_csv, import_csv

    now = datetime.now(UTC)
    ended, to_come = now - timedelta(hours=1), now + timedelta(hours=1)
    items = [
        Item(id="a", name="A", price=Money(100, "CNY"), snooze_until=ended.replace(microsecond=0)),
        Item(id="b", name="B", price=Money(100, "CNY"), snooze_until=to_come.replace(microsecond=0)),
    ]
    menu = Menu(store_id="s", version=1, currency="CNY", categories=[Category(id="c", name="C", items=items)])
    sheet = export_csv(menu)
    assert import_csv(sheet, menu) == menu
    rows = rows_of(sheet)
    assert [row[COL["availability"]] for row in rows[1:]] == ["available", "sold-out"]
    rows[2][COL["availability"]] = "available"  # a person puts B on sale again
    text = "\r\n".join(",".join(row) for row in rows) + "\r\n"
    back = {item.id: item for item in import_csv(text.encode("utf-8"), menu).categories[0].items}
    assert back["a"].snooze_until == items[0].snooze_until and back["b"].snooze_until is None


# --- hide while another command holds the draft ------------------------------------------------------------------


def test_hide_while_an_import_holds_the_draft_says_the_import(
    platform: RunningPlatform, synced: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("O2O_CACHE_LOCK_WAIT", "0.5")
    holder = hold_draft(tmp_path, platform, ["menu", "import", "other.csv"], 30)
    try:
        hidden = synced("menu", "item", "hide", "cola")
        zh = synced("menu", "item", "show", "cola", lang="zh")
        as_json = synced("menu", "item", "hide", "cola", "--json")
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert "still held by another import" in hidden.stderr and "editor" not in hidden.stderr
    assert f"process {holder.pid}" in hidden.stderr and "O2O_CACHE_LOCK_WAIT" in hidden.stderr
    assert "0.5 s" in hidden.stderr
    assert "另一次导入" in zh.stderr and "编辑器" not in zh.stderr
    warnings = [json.loads(line) for line in as_json.stderr.splitlines() if line.strip()]
    assert [w["warning"] for w in warnings] == ["draft_held"]
    assert "another import" in warnings[0]["message"]
    assert server_item(platform, "cola")["hidden"] is True  # the hide itself is done


def test_hide_while_an_editor_holds_the_draft_still_says_the_editor(
    platform: RunningPlatform, synced: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("O2O_CACHE_LOCK_WAIT", "0.5")
    holder = hold_draft(tmp_path, platform, ["menu", "edit"], 30)
    try:
        hidden = synced("menu", "item", "hide", "cola")
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert "open in another editor" in hidden.stderr and "another import" not in hidden.stderr
    assert server_item(platform, "cola")["hidden"] is True

