"""`o2o menu import` against the real platform: a sheet that would put a line on sale free or under the name a new
line gets says each by its CSV line (as the editor's publish preview asks about them), and is applied only with
--allow-warnings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import o2o_tui.menu_draft  # noqa: F401  (the draft's codec)
from o2o_tui.cli.exits import Exit
from o2o_tui.sync.session import profile_cache
from offline_cache.drafts import DraftStore
from tests.support.platform import RunningPlatform
from tests.test_cli_menu import COL, Cli, cli, rows_of, server_item, server_menu, write_rows

__all__ = ["cli"]


def test_a_free_or_unnamed_line_is_said_and_needs_allow_warnings(
    platform: RunningPlatform, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("sync", "--once")
    sheet = tmp_path / "menu.csv"
    cli("menu", "export", "-o", str(sheet))
    rows = rows_of(sheet.read_bytes())
    free = next(i for i, row in enumerate(rows) if row[COL["item_id"]] == "mapo-tofu")
    rows[free][COL["price"]] = "0"
    new = list(rows[free])
    new[COL["item_id"]], new[COL["name_zh"]], new[COL["name_en"]], new[COL["price"]] = "", "", "New item", "9"
    rows.append(new)
    write_rows(sheet, rows)
    before = server_menu(platform)

    dry = cli("menu", "import", str(sheet), "--dry-run", code=Exit.USAGE)  # exits as the import would
    assert f"row {free + 1} (" in dry.stderr and "On sale at 0" in dry.stderr
    assert f"row {len(rows)} (New item): Still has the name" in dry.stderr
    assert "unless --allow-warnings" in dry.stdout
    scripted = cli("menu", "import", str(sheet), "--dry-run", "--json", code=Exit.USAGE)
    said = [json.loads(line) for line in scripted.stderr.splitlines() if '"warning"' in line]
    assert [w["warning"] for w in said] == ["sale_warning", "sale_warning"]
    assert said[0]["message"].startswith(f"row {free + 1} (")

    refused = cli("menu", "import", str(sheet), code=Exit.USAGE)
    assert f"row {free + 1} (" in refused.stderr and "Nothing imported: 2 lines" in refused.stderr
    assert server_menu(platform) == before
    monkeypatch.setenv("O2O_HOME", str(cli.home))
    with profile_cache(None, read_only=True) as (_, cache):
        assert platform.seed is not None
        assert DraftStore(cache).load(platform.seed.store_id) is None  # nothing of the file kept either
    zh = cli("menu", "import", str(sheet), code=Exit.USAGE, lang="zh")
    assert f"第 {free + 1} 行（" in zh.stderr and "售价为 0" in zh.stderr

    cli("menu", "import", str(sheet), "--allow-warnings")
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == 0
