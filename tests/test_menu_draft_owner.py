"""One editor at a time per menu draft, against the real platform on loopback with a real profile cache: while the
menu editor has the draft open, `o2o menu import|publish|discard` stop (exit 7, naming it) and a second editor is
read only until the first closes; with no editor open, an import never publishes a person's unpublished edits
(exit 2; `--discard-draft` drops them)."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from typer.testing import CliRunner

from o2o_tui import menu_draft, menu_edits
from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from o2o_tui.config import load_profile
from o2o_tui.domain.money import Money
from o2o_tui.i18n import set_language
from o2o_tui.menu_service import DraftHeld
from screens.menu_source import EngineMenuSource, source_for_profile
from tests.support.platform import RunningPlatform, api


class Cli:
    def __init__(self, home: Path, token: str) -> None:
        self.home = home
        self.token = token

    def __call__(self, *args: str, code: int = 0, lang: str = "en") -> Any:
        env = {"O2O_HOME": str(self.home), "O2O_LANG": lang, "NO_COLOR": "1", "COLUMNS": "200"}
        env |= {"O2O_PROFILE": None, "O2O_TOKEN": None}
        result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
        return result

    def json(self, *args: str, code: int = 0) -> Any:
        return json.loads(self(*args, "--json", code=code).stdout)


@pytest.fixture
def counter(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    cli = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
    cli("login", "--url", platform.url, "--token", cli.token)
    cli("sync", "--once")
    monkeypatch.setenv("O2O_HOME", str(cli.home))  # the editors below open the same profile
    set_language("en")
    yield cli
    set_language(None)


def server_item(platform: RunningPlatform, item_id: str) -> dict[str, Any]:
    staff = api(platform, "merchant")
    try:
        menu = staff.get(f"/v1/stores/{platform.seed.store_id}/menu").json()
    finally:
        staff.close()
    return next(i for c in menu["categories"] for i in c["items"] if i["id"] == item_id)


def one_row(path: Path, item_id: str, name: str, price: str) -> Path:
    path.write_text(f"item_id,category_id,name_en,price\r\n{item_id},hot-dishes,{name},{price}\r\n", encoding="utf-8")
    return path


async def open_editor() -> EngineMenuSource:
    source = source_for_profile(load_profile(None))
    await source.load()
    return source


async def edit_price(source: EngineMenuSource, item_id: str, amount: int) -> None:
    draft = source.draft() or menu_draft.start(source.menu())  # type: ignore[arg-type]
    price = Money(amount, draft.menu.currency)
    await source.save_draft(menu_draft.apply(draft, menu_edits.update_item(draft.menu, item_id, price=price)))


def test_an_open_editor_keeps_the_draft_its_own(platform: RunningPlatform, counter: Cli, tmp_path: Path) -> None:
    chicken = server_item(platform, "kung-pao-chicken")["price"]["amount"]
    mapo = server_item(platform, "mapo-tofu")["price"]["amount"]
    sheet = one_row(tmp_path / "row.csv", "mapo-tofu", "麻婆豆腐 Mapo Tofu", "27.00")

    async def first_editor_open() -> EngineMenuSource:
        editor = await open_editor()
        assert editor.draft_holder() is None  # the first one has the draft
        await edit_price(editor, "kung-pao-chicken", 4100)  # saved, not published
        return editor

    editor = asyncio.run(first_editor_open())
    try:
        held = counter("menu", "import", str(sheet), "--partial", code=Exit.LOCKED)
        assert f"process {os.getpid()}" in held.stderr and "open in another editor" in held.stderr
        assert "菜单草稿正在另一个编辑器中打开" in counter("menu", "publish", code=Exit.LOCKED, lang="zh").stderr
        counter("menu", "discard", code=Exit.LOCKED)
        hidden = counter("menu", "item", "hide", "rice")  # goes out at once; the editor's draft is not written
        assert "was not updated" in hidden.stderr
        assert server_item(platform, "rice")["hidden"] is True

        async def second_editor() -> None:
            other = await open_editor()
            try:
                holder = other.draft_holder()
                assert holder is not None and holder["pid"] == os.getpid()
                with pytest.raises(DraftHeld):
                    await edit_price(other, "mapo-tofu", 100)
                assert not await other.claim_draft()  # still open over there
                await editor.close()  # the first editor closes: the draft is free, its edits in it
                assert await other.claim_draft()
                assert other.draft_holder() is None
                saved = other.draft()
                assert saved is not None and menu_draft.is_dirty(saved)
                item = menu_edits.find(saved.menu, "item", "kung-pao-chicken")
                assert item is not None and item.price.amount == 4100  # type: ignore[union-attr]
            finally:
                await other.close()

        asyncio.run(second_editor())
    finally:
        asyncio.run(editor.close())
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == mapo  # nothing of it was sent
    assert server_item(platform, "kung-pao-chicken")["price"]["amount"] == chicken

    # no editor open now, but the draft holds a person's edits: a one-row import does not publish them with its row
    refused = counter("menu", "import", str(sheet), "--partial", code=Exit.USAGE)
    assert "--discard-draft" in refused.stderr and "Kung Pao" in refused.stderr
    counter("menu", "import", str(sheet), "--partial", "--dry-run", code=Exit.USAGE)
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == mapo
    done = counter.json("menu", "import", str(sheet), "--partial", "--discard-draft")
    assert done["outcome"] == "done" and [c["id"] for c in done["changes"]] == ["mapo-tofu"]
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == 2700
    assert server_item(platform, "kung-pao-chicken")["price"]["amount"] == chicken  # the editor's edit stayed out
    assert counter.json("menu", "publish")["outcome"] == "unchanged"


def test_an_import_goes_on_top_of_an_editor_publish_still_queued(
    platform: RunningPlatform, counter: Cli, tmp_path: Path
) -> None:
    """The editor's publish queued offline is on its way, not unsaved work: an import builds on it, and both go
    out in order when the link is back."""

    async def edit_and_queue() -> None:
        editor = await open_editor()
        try:
            await edit_price(editor, "kung-pao-chicken", 4100)
            draft = editor.draft()
            assert draft is not None
            engine = await editor.engine()
            await engine.submit("menu.publish", draft.store_id, menu_draft.publish_menu(draft), base_version=draft.base.version)
        finally:
            await editor.close()

    platform.stop()
    asyncio.run(edit_and_queue())
    queued = counter.json("menu", "import", str(one_row(tmp_path / "r.csv", "mapo-tofu", "麻婆豆腐 Mapo Tofu", "27.00")), "--partial")
    assert queued["outcome"] == "queued"
    platform.restart()
    counter("login", "--url", platform.url, "--token", counter.token)
    counter("sync", "--once")
    assert server_item(platform, "kung-pao-chicken")["price"]["amount"] == 4100
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == 2700
    assert counter.json("conflicts", "list") == []


def test_a_saved_draft_keeps_who_changed_it() -> None:
    from o2o_tui.platform.seed import demo_menu

    base = demo_menu()
    draft = msgspec.structs.replace(menu_draft.start(base), changed_by="editor")
    assert menu_draft.from_doc(menu_draft.to_doc(draft)).changed_by == "editor"
    assert menu_draft.rebase(draft, base).draft.changed_by == "editor"
