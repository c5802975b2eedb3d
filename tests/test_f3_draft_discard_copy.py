"""A saved menu draft that no longer decodes (written by another version) may be someone's only copy of their edits:
`DraftStore.discard` copies it aside before dropping it, as `save` does before replacing it
(offline_cache/drafts.py), and the `o2o menu` commands that drop or replace it say where the copy is (stderr; a
`draft_copied` JSON warning line). Real profile cache in a tmp dir, real platform on loopback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import o2o_tui.menu_draft as md
from o2o_tui.i18n import set_language, t
from offline_cache import open_profile_cache
from offline_cache.drafts import DRAFTS_TABLE, DraftCodec, DraftStore
from offline_cache.storage import load_tables
from tests.support.platform import RunningPlatform
from tests.test_cli_menu import Cli, cli, price_sheet, server_menu  # noqa: F401
from tests.test_menu_edits import _menu

_CODEC: DraftCodec[dict[str, Any]] = DraftCodec(
    key=lambda draft: str(draft["id"]),
    encode=lambda draft: dict(draft),
    decode=lambda doc: doc if doc.get("v") == 1 else (_ for _ in ()).throw(ValueError("not version 1")),
)


def test_discard_copies_an_unreadable_draft_aside_first(tmp_path: Path) -> None:
    with open_profile_cache(tmp_path / "cache") as cache:
        DraftStore(cache, _CODEC).save({"id": "s1", "v": 2, "edits": "only copy"})
        DraftStore(cache, _CODEC).save({"id": "s2", "v": 1})
        store = DraftStore(cache, _CODEC)
        assert store.load("s1") is None
        assert store.discard("s1") is True
        copy = store.copied
        assert copy is not None and copy.parent == Path(cache.directory)
        tables = load_tables(copy)
        assert tables is not None and tables[DRAFTS_TABLE] == {"s1": {"id": "s1", "v": 2, "edits": "only copy"}}
        assert store.keys() == ["s2"]
        assert store.discard("s2") is True and store.copied is None  # a readable one is just dropped
        assert [p.name for p in Path(cache.directory).glob("*unreadable*")] == [copy.name]


def _spoil(home: Path, store_id: str) -> dict[str, Any]:
    """A menu draft of the store saved in the profile, then made undecodable (as another version might write
    it), the drafts file still good; the spoiled document."""
    [directory] = list((home / "cache" / "profiles").iterdir())
    with open_profile_cache(directory) as cache:
        DraftStore(cache).save(md.start(_menu()))  # any menu draft: the key is the store's
        store = DraftStore(cache)
        doc = dict(store._table.get(_menu().store_id) or {})
    path = directory / "drafts-v1.json"
    tables = json.loads(path.read_text(encoding="utf-8"))
    doc["menu"] = dict(doc["menu"], categories="written by o2o 9")
    tables[DRAFTS_TABLE] = {store_id: dict(doc, store_id=store_id)}
    path.write_text(json.dumps(tables), encoding="utf-8")
    spoiled: dict[str, Any] = tables[DRAFTS_TABLE][store_id]
    return spoiled


def _copies(home: Path) -> list[Path]:
    return sorted(home.rglob("drafts-v1.unreadable-*.json"))


def test_the_commands_that_drop_or_replace_it_say_where_the_copy_is(
    platform: RunningPlatform, cli: Cli, tmp_path: Path  # noqa: F811
) -> None:
    set_language("en")
    cli("sync", "--once")
    assert platform.seed is not None
    store_id = platform.seed.store_id
    spoiled = _spoil(cli.home, store_id)
    result = cli("menu", "discard", "--json")
    assert json.loads(result.stdout)["discarded"] is True
    [copy] = _copies(cli.home)
    tables = load_tables(copy)
    assert tables is not None and tables[DRAFTS_TABLE] == {store_id: spoiled}  # whole, as it was
    warnings = [json.loads(line) for line in result.stderr.splitlines()]
    assert {"warning": "draft_copied", "message": t("menu_cli.draft_copied", path=str(copy))} in warnings
    assert cli.json("menu", "discard")["discarded"] is False  # gone: nothing left to drop

    # an import saves its draft over it: copied first, and said
    _spoil(cli.home, store_id)
    category = server_menu(platform)["categories"][0]["id"]
    done = cli("menu", "import", str(price_sheet(tmp_path / "p.csv", category, [("mapo-tofu", "27.00")])), "--partial")
    [new] = [c for c in _copies(cli.home) if c != copy]
    assert " ".join(t("menu_cli.draft_copied", path=str(new)).split()) in " ".join(done.stderr.split())
