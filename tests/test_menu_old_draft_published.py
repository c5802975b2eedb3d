"""A menu draft saved by a version that did not record who made it (no `changed_by`) is judged by what it holds:
once the published menu holds it (its import was queued by the older version and sent by this one), the next
import goes on, as `o2o menu publish` already says there is nothing to publish; a draft the published menu does
not hold still stops an import (exit 2), and so does an editor's, until the same edits are published. Real
platform on loopback, real profile cache."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.i18n import set_language
from tests.support.platform import RunningPlatform, api
from tests.test_menu_draft_owner import Cli, edit_price, one_row, open_editor, server_item


@pytest.fixture
def counter(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    assert platform.seed is not None
    cli = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
    cli("login", "--url", platform.url, "--token", cli.token)
    cli("sync", "--once")
    monkeypatch.setenv("O2O_HOME", str(cli.home))  # the editor below opens the same profile
    set_language("en")
    yield cli
    set_language(None)


def _as_an_older_version_saved_it(cli: Cli) -> None:
    """The saved drafts without who changed them, as versions before `changed_by` wrote them."""
    (path,) = cli.home.glob("cache/profiles/*/drafts-v1.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["drafts"], doc
    for draft in doc["drafts"].values():
        draft.pop("changed_by", None)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def test_an_old_versions_queued_import_sent_since_leaves_no_edit(
    platform: RunningPlatform, counter: Cli, tmp_path: Path
) -> None:
    platform.stop()
    rice = one_row(tmp_path / "o2.csv", "rice", "米饭 Steamed Rice", "4.50")
    assert counter.json("menu", "import", str(rice), "--partial")["outcome"] == "queued"
    _as_an_older_version_saved_it(counter)  # the older version queued it
    platform.restart()
    counter("login", "--url", platform.url, "--token", counter.token)
    counter("sync", "--once")  # this version sends it
    assert server_item(platform, "rice")["price"]["amount"] == 450

    sheet = one_row(tmp_path / "o3.csv", "rice", "米饭 Steamed Rice", "5.00")
    dry = counter("menu", "import", str(sheet), "--partial", "--dry-run")  # the draft is still there
    assert "price: 4.50 -> 5.00" in dry.stdout and "made in the menu editor" not in dry.stderr
    done = counter.json("menu", "import", str(sheet), "--partial")
    assert done["outcome"] == "done" and [c["id"] for c in done["changes"]] == ["rice"]
    assert server_item(platform, "rice")["price"]["amount"] == 500


def test_a_draft_with_no_author_the_menu_does_not_hold_still_stops_an_import(
    platform: RunningPlatform, counter: Cli, tmp_path: Path
) -> None:
    async def edit() -> None:
        editor = await open_editor()
        try:
            await edit_price(editor, "kung-pao-chicken", 4100)  # saved, not published
        finally:
            await editor.close()

    asyncio.run(edit())
    _as_an_older_version_saved_it(counter)
    sheet = one_row(tmp_path / "row.csv", "mapo-tofu", "麻婆豆腐 Mapo Tofu", "27.00")
    refused = counter("menu", "import", str(sheet), "--partial", "--dry-run", code=Exit.USAGE)
    assert "Kung Pao" in refused.stderr and "--discard-draft" in refused.stderr


def test_an_editors_draft_published_elsewhere_is_no_edit(
    platform: RunningPlatform, counter: Cli, tmp_path: Path
) -> None:
    async def edit() -> None:
        editor = await open_editor()
        try:
            await edit_price(editor, "kung-pao-chicken", 4100)
        finally:
            await editor.close()

    asyncio.run(edit())
    sheet = one_row(tmp_path / "row.csv", "mapo-tofu", "麻婆豆腐 Mapo Tofu", "27.00")
    counter("menu", "import", str(sheet), "--partial", "--dry-run", code=Exit.USAGE)
    assert platform.seed is not None
    staff = api(platform, "merchant")  # another device publishes the same edit
    try:
        path = f"/v1/stores/{platform.seed.store_id}/menu"
        menu = staff.get(path).json()
        for category in menu["categories"]:
            for item in category["items"]:
                if item["id"] == "kung-pao-chicken":
                    item["price"]["amount"] = 4100
        answered = staff.put(path, menu, headers={"If-Match": str(menu["version"])})
        assert answered.status_code == 200, answered.text
    finally:
        staff.close()
    counter("sync", "--once")
    dry = counter("menu", "import", str(sheet), "--partial", "--dry-run")
    assert "27.00" in dry.stdout
