"""The menu editor's tree tags what its status line counts: a line hidden on the platform is on no customer's menu,
so it is not counted sold out (as the queue's header does not count it, `store_effect.sold_out`) and the tree tags it
"hidden" only, not "sold out" as well; a visible sold-out line is tagged and counted. The real server on loopback,
the editor on a real cache, in English and in Chinese."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.style import Style

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language, t
from screens.menu_editor import MenuEditorApp, source_for_profile
from screens.menu_tree import NodeRef
from tests.support.platform import RunningPlatform, api
from tests.test_ui_live import wait_until
from tests.test_ui_menu_editor import _opened
from tests.test_ui_sold_out_counts_and_closing_screens import _status_text


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


def _patch(platform: RunningPlatform, item_id: str, body: dict[str, object], key: str) -> None:
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    try:
        answer = merchant.patch(
            f"/v1/stores/{platform.seed.store_id}/menu/items/{item_id}", body, headers={"Idempotency-Key": key}
        )
        assert answer.status_code == 200, answer.text
    finally:
        merchant.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_hidden_sold_out_line_is_neither_tagged_nor_counted_sold_out(
    platform: RunningPlatform, profile: Profile, lang: str
) -> None:
    set_language(lang)
    until = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
    _patch(platform, "mapo-tofu", {"status": "AVAILABLE", "snooze_until": until}, "tree-mapo")
    _patch(platform, "boiled-fish", {"status": "AVAILABLE", "snooze_until": until, "hidden": True}, "tree-fish")
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _opened(pilot, app)
        tree = screen.menu_tree

        def line(item_id: str) -> str:
            node = tree._by_ref[NodeRef("item", item_id, "hot-dishes")]
            return tree.render_label(node, Style(), Style()).plain

        sold_out_word = t("menu_editor.badge.sold_out_until", at="").split(" ")[0]  # "[sold", "[售罄至"
        await wait_until(pilot, lambda: sold_out_word in line("mapo-tofu"))
        fish = line("boiled-fish")
        assert t("menu_editor.badge.hidden") in fish, fish
        assert sold_out_word not in fish and "→" not in fish, fish
        await wait_until(pilot, lambda: t("menu_editor.status.sold_out", count=1) in _status_text(app))
        tagged = sum(sold_out_word in line(i) for i in ("mapo-tofu", "boiled-fish"))
        assert tagged == 1  # what the status line counts
