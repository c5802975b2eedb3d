"""A refused item change (`o2o menu item status`, the console's sold-out) is named by the item's name in the
person's language as the cached menu has it, not by its id (o2o_tui/sync/perform.py). Real platform on loopback,
real cache: the platform refuses a body with both a snooze time and clear_snooze (the CLI never sends one; the
sentence is the same for any refusal)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from o2o_tui.domain.requests import ItemPatchBody
from o2o_tui.i18n import set_language
from o2o_tui.sync.perform import Outcome, perform
from o2o_tui.sync.session import profile_cache
from tests.support.platform import RunningPlatform
from tests.test_cli_menu import Cli, cli  # noqa: F401


def test_a_refused_item_change_names_the_item_in_the_persons_language(
    platform: RunningPlatform, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    assert platform.seed is not None
    cli("sync", "--once")
    document = json.loads(cli("menu", "export").stdout)
    for category in document["categories"]:
        for item in category["items"]:
            if item["id"] == "mapo-tofu":
                item["names"] = {"zh": "麻婆豆腐", "en": "Mapo Tofu"}
    sheet = tmp_path / "names.json"
    sheet.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    cli("menu", "import", str(sheet))

    monkeypatch.setenv("O2O_HOME", str(cli.home))
    bad = ItemPatchBody(snooze_until=datetime.now(UTC) + timedelta(hours=1), clear_snooze=True)
    target = f"{platform.seed.store_id}/mapo-tofu"
    try:
        for lang, name in (("en", "Mapo Tofu"), ("zh", "麻婆豆腐")):
            set_language(lang)
            with profile_cache(None) as (profile, cache):
                result = asyncio.run(perform(profile, cache, "menu.item.patch", target, bad))
            assert result.outcome is Outcome.REJECTED, result
            assert result.explanation is not None and name in result.explanation, result.explanation
            assert "mapo-tofu" not in result.explanation
    finally:
        set_language(None)
