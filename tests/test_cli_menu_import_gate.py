"""`o2o menu` for scripts, against the real platform on loopback with a real profile cache:

- `menu import --dry-run` exits as the import would (2 when it would stop, `"would_import": false` with the reasons
  in its JSON; `--allow-warnings` lets both pass);
- the diff's prices in JSON are money objects (`{"amount", "currency"}`), as everywhere else;
- `menu show --json` says each item's and option's `effective_status` (a sold-out one is not "AVAILABLE");
- two imports at once on one profile: the second waits for the first (up to O2O_CACHE_LOCK_WAIT) and goes on
  against the menu the first published; only an editor holding the draft makes it exit 7 at once, and a command
  still holding it after the wait is named as what it is ("another import"), not as an editor; a dry run waits
  for another import the same way (never reading it halfway), and an open editor does not stop it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.config import load_profile, profile_cache_dir
from tests.support.platform import RunningPlatform
from tests.test_cli_menu import COL, Cli, cli, rows_of, server_item, write_rows

__all__ = ["cli"]

O2O = Path(sys.executable).parent / "o2o"  # the console script, as a person or a cron job runs it


def free_soup_sheet(cli: Cli, path: Path) -> Path:
    """The exported menu with kung-pao-chicken at 39.50 and a new line on sale at 0 (the tester's repro)."""
    cli("menu", "export", "-o", str(path))
    rows = rows_of(path.read_bytes())
    chicken = next(row for row in rows if row[COL["item_id"]] == "kung-pao-chicken")
    chicken[COL["price"]] = "39.50"
    soup = [""] * len(rows[0])
    soup[COL["category_id"]], soup[COL["category_name_zh"]] = chicken[COL["category_id"]], chicken[COL["category_name_zh"]]
    soup[COL["name_en"]], soup[COL["price"]], soup[COL["availability"]], soup[COL["hidden"]] = (
        "Free Soup", "0", "available", "no",
    )
    rows.append(soup)
    return write_rows(path, rows)


def test_a_dry_run_exits_as_the_import_would(platform: RunningPlatform, cli: Cli, tmp_path: Path) -> None:
    cli("sync", "--once")
    sheet = free_soup_sheet(cli, tmp_path / "w.csv")
    chicken = server_item(platform, "kung-pao-chicken")["price"]

    dry = cli("menu", "import", str(sheet), "--dry-run", "--json", code=Exit.USAGE)
    said = json.loads(dry.stdout)
    assert said["would_import"] is False
    assert [stop["code"] for stop in said["stops"]] == ["sale_warning"]
    # the diff's prices as money, as every other --json gives them
    by_id = {change["id"]: change for change in said["changes"]}
    assert by_id["kung-pao-chicken"]["before"] == chicken
    assert by_id["kung-pao-chicken"]["after"] == {"amount": 3950, "currency": chicken["currency"]}
    soup = next(change for change in said["changes"] if change["name"] == "Free Soup")
    assert soup["kind"] == "added" and soup["after"] == {"amount": 0, "currency": chicken["currency"]}
    errors = [json.loads(line) for line in dry.stderr.splitlines() if '"error"' in line]
    assert [e["error"]["exit"] for e in errors] == [2]

    text = cli("menu", "import", str(sheet), "--dry-run", code=Exit.USAGE)
    assert "price: 38.00 -> 39.50" in text.stdout  # the text diff keeps the prices as text
    assert "the import would stop" in text.stderr
    zh = cli("menu", "import", str(sheet), "--dry-run", code=Exit.USAGE, lang="zh")
    assert "试运行：正式导入会" in zh.stderr

    cli("menu", "import", str(sheet), code=Exit.USAGE)  # the import it stands for stops as well
    assert server_item(platform, "kung-pao-chicken")["price"] == chicken

    allowed = cli.json("menu", "import", str(sheet), "--dry-run", "--allow-warnings")
    assert allowed["would_import"] is True and allowed["stops"] == []
    cli("menu", "import", str(sheet), "--allow-warnings")
    assert server_item(platform, "kung-pao-chicken")["price"]["amount"] == 3950

    again = cli.json("menu", "import", str(sheet), "--dry-run")  # nothing left to stop on
    assert again["would_import"] is True and again["changes"] == []


def test_show_json_says_what_is_sold_out(platform: RunningPlatform, cli: Cli) -> None:
    cli("sync", "--once")
    cli("menu", "item", "status", "cola", "sold-out", "--until", "23:59")
    cli("menu", "item", "status", "rice", "unavailable")
    cli("menu", "option", "status", "spice-hot", "sold-out", "--until", "23:59")
    shown = cli.json("menu", "show")
    items = {item["id"]: item for category in shown["categories"] for item in category["items"]}
    assert items["cola"]["status"] == "AVAILABLE" and items["cola"]["snooze_until"]  # as stored, lossless
    assert items["cola"]["effective_status"] == "SOLD_OUT"
    assert items["rice"]["effective_status"] == "UNAVAILABLE"
    assert items["mapo-tofu"]["effective_status"] == "AVAILABLE"
    options = {option["id"]: option for group in shown["option_groups"] for option in group["options"]}
    assert options["spice-hot"]["effective_status"] == "SOLD_OUT"
    assert {o["effective_status"] for k, o in options.items() if k != "spice-hot"} == {"AVAILABLE"}


# --- two at once ------------------------------------------------------------------------------------------------

HOLDER = """
import sys, time
from pathlib import Path
from offline_cache.drafts import DraftLock

lock = DraftLock(Path(sys.argv[-3]), sys.argv[-2])
assert lock.try_acquire()
print("held", flush=True)
time.sleep(float(sys.argv[-1]))
lock.close()
"""


def hold_draft(
    tmp_path: Path, platform: RunningPlatform, words: list[str], seconds: float, script: str = HOLDER
) -> subprocess.Popen[str]:
    """Another process holding the store's draft lock for `seconds`, its command line `o2o <words> ...` (what the
    lock's note says of it): `menu import` (a command changing the draft) or `menu edit` (an editor); `script`:
    what it does meanwhile (`HOLDER`: nothing)."""
    path = tmp_path / "bin" / "o2o"
    path.parent.mkdir(exist_ok=True)
    path.write_text(script, encoding="utf-8")
    directory = profile_cache_dir(load_profile(None), create=False)
    args = [sys.executable, str(path), *words, str(directory), platform.seed.store_id, str(seconds)]
    holder = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


@pytest.fixture
def synced(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    cli("sync", "--once")
    monkeypatch.setenv("O2O_HOME", str(cli.home))
    return cli


def cola_sheet(path: Path, price: str) -> Path:
    path.write_text(f"item_id,price\ncola,{price}\n", encoding="utf-8")
    return path


def test_an_import_waits_for_another_import(
    platform: RunningPlatform, synced: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("O2O_CACHE_LOCK_WAIT", "20")
    holder = hold_draft(tmp_path, platform, ["menu", "import", "other.csv"], 1.5)
    started = time.monotonic()
    try:
        done = synced.json("menu", "import", str(cola_sheet(tmp_path / "q.csv", "5.10")), "--partial")
    finally:
        holder.wait(timeout=10)
    assert time.monotonic() - started >= 1.0  # it waited for the other one, then went on
    assert done["outcome"] == "done" and server_item(platform, "cola")["price"]["amount"] == 510

    monkeypatch.setenv("O2O_CACHE_LOCK_WAIT", "0.5")  # one still holding it after the wait is said as what it is
    holder = hold_draft(tmp_path, platform, ["menu", "import", "other.csv"], 5)
    try:
        busy = synced("menu", "import", str(cola_sheet(tmp_path / "q.csv", "5.20")), "--partial", code=Exit.LOCKED)
        zh = synced("menu", "publish", code=Exit.LOCKED, lang="zh")
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert "still held by another import" in busy.stderr and "editor" not in busy.stderr
    assert f"process {holder.pid}" in busy.stderr and "O2O_CACHE_LOCK_WAIT" in busy.stderr
    assert "另一次导入" in zh.stderr and "编辑器" not in zh.stderr
    assert server_item(platform, "cola")["price"]["amount"] == 510


def test_an_editor_still_stops_an_import_at_once(
    platform: RunningPlatform, synced: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("O2O_CACHE_LOCK_WAIT", "20")
    holder = hold_draft(tmp_path, platform, ["menu", "edit"], 30)
    started = time.monotonic()
    try:
        held = synced("menu", "import", str(cola_sheet(tmp_path / "q.csv", "5.10")), "--partial", code=Exit.LOCKED)
        looked = synced.json("menu", "import", str(tmp_path / "q.csv"), "--partial", "--dry-run")  # changes nothing
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert time.monotonic() - started < 5  # an editor is open for as long as a person works: not waited for
    assert "open in another editor" in held.stderr and f"process {holder.pid}" in held.stderr
    assert looked["would_import"] is True  # a look is not stopped by an open editor


def test_three_imports_at_once_all_go_through(platform: RunningPlatform, synced: Cli, tmp_path: Path) -> None:
    """The tester's repro: three `o2o menu import` processes started together on one profile."""
    env = {**os.environ, "O2O_HOME": str(synced.home), "O2O_LANG": "en", "O2O_CACHE_LOCK_WAIT": "30"}
    env.pop("O2O_PROFILE", None)
    env.pop("O2O_TOKEN", None)
    runs = [
        subprocess.Popen(
            [str(O2O), "menu", "import", str(cola_sheet(tmp_path / f"q{i}.csv", f"5.{i}0")), "--partial", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in (1, 2, 3)
    ]
    answers: list[tuple[int, str, str]] = []
    for run in runs:
        out, err = run.communicate(timeout=120)
        answers.append((run.returncode, out, err))
    assert [code for code, _, _ in answers] == [0, 0, 0], answers
    said: list[dict[str, Any]] = [json.loads(out) for _, out, _ in answers]
    assert all(s["outcome"] == "done" for s in said)
    # one after another, each on top of the menu the one before it published
    ordered = sorted(said, key=lambda s: s["version"])
    assert len({s["version"] for s in said}) == 3
    for before, after in zip(ordered, ordered[1:], strict=False):
        assert after["changes"][0]["before"] == before["changes"][0]["after"]
    assert server_item(platform, "cola")["price"] == ordered[-1]["changes"][0]["after"]



def test_a_menu_saved_from_show_json_imports_as_an_export(platform: RunningPlatform, cli: Cli, tmp_path: Path) -> None:
    """`o2o menu show --json` adds `effective_status` to items and options; a file saved from it imports as an
    export does (nothing to change), not refused for an unknown field."""
    cli("sync", "--once")
    cli("menu", "item", "status", "cola", "sold-out", "--until", "23:59")
    saved = tmp_path / "shown.json"
    saved.write_text(cli("menu", "show", "--json").stdout, encoding="utf-8")
    assert '"effective_status"' in saved.read_text(encoding="utf-8")
    dry = json.loads(cli("menu", "import", str(saved), "--dry-run", "--json").stdout)
    assert dry["would_import"] is True and dry["changes"] == [], dry


HALFWAY = """
import sys, time
from pathlib import Path

import msgspec

import o2o_tui.menu_draft  # noqa: F401  (the drafts' codec)
from o2o_tui.domain.money import Money
from o2o_tui.menu_service import IMPORT, fresh_draft
from o2o_tui.sync.read_model import ReadModel
from offline_cache import open_profile_cache
from offline_cache.drafts import DraftLock, DraftStore

directory, store_id = Path(sys.argv[-3]), sys.argv[-2]
lock = DraftLock(directory, store_id)
assert lock.try_acquire()
with open_profile_cache(directory) as cache:
    draft = fresh_draft(cache, ReadModel(cache).menu(store_id))
    categories = [
        msgspec.structs.replace(category, items=[
            msgspec.structs.replace(i, price=Money(amount=555, currency=i.price.currency)) if i.id == "rice" else i
            for i in category.items
        ])
        for category in draft.menu.categories
    ]
    menu = msgspec.structs.replace(draft.menu, categories=categories)
    DraftStore(cache).save(msgspec.structs.replace(draft, menu=menu, changed_by=IMPORT))
print("held", flush=True)  # an import's rows saved, their publish not sent yet
time.sleep(float(sys.argv[-1]))
with open_profile_cache(directory) as cache:
    DraftStore(cache).discard(store_id)  # its publish refused for good: the draft as it found it (none)
lock.close()
"""


def test_a_dry_run_waits_for_an_import_halfway_through(
    platform: RunningPlatform, synced: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another import has saved its rows to the draft and is sending their publish: a dry-run then reads the draft
    after it (waited for as an import waits), not halfway, where the rows would read as refused or never sent."""
    monkeypatch.setenv("O2O_CACHE_LOCK_WAIT", "20")
    holder = hold_draft(tmp_path, platform, ["menu", "import", "other.csv"], 1.5, script=HALFWAY)
    try:
        dry = synced.json("menu", "import", str(cola_sheet(tmp_path / "q.csv", "5.10")), "--partial", "--dry-run")
    finally:
        holder.wait(timeout=10)
    assert dry["would_import"] is True and [change["id"] for change in dry["changes"]] == ["cola"], dry
