"""The store screen (`s`) with a long store name and a pause reason of the longest length the platform takes, in
English and Chinese, at 80x24 and then 40x15: the name keeps its one line and the effect its three, each ending
with "…" where the text goes on, never cut off mid-word without a sign. The real platform on loopback, a real cache
in tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.geometry import Region
from textual.widgets import Static

from o2o_tui.config import save_profile
from o2o_tui.domain.geo import Address, Position
from o2o_tui.domain.identity import Role
from o2o_tui.domain.limits import STATUS_REASON_MAX
from o2o_tui.i18n import set_language
from o2o_tui.platform import db, seed
from screens.app import MerchantApp
from screens.launch import open_source
from screens.store_screen import EFFECT_LINES, StoreScreen
from tests.support.platform import Api, RunningPlatform
from tests.test_ui_live import wait_until

NAME = "老王小馆 Old Wang's Little Kitchen on People's Square, the original since 1998"
REASON = ("燃气公司说下午才能来修，请稍候 gas is off until the repair crew comes back " * 5)[
    :STATUS_REASON_MAX
]


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _long_named_store(platform: RunningPlatform) -> tuple[str, str]:
    """A store of its own (the long name) and its merchant's token."""
    engine = db.open_database(platform.db_url)
    try:
        with db.writing(engine) as conn:
            store = seed.create_store(
                conn, name=NAME, address=Address(text="1 Road", position=Position(lat=31.2, lon=121.4))
            )
            merchant = seed.create_user(conn, role=Role.MERCHANT, name="Counter", store_id=store.id)
    finally:
        engine.dispose()
    return store.id, merchant.token


def _shown(widget: Static) -> list[str]:
    """The lines the widget draws, without its padding."""
    return [strip.text.strip() for strip in widget.render_lines(Region(0, 0, *widget.outer_size))]


async def test_a_long_name_and_pause_reason_end_with_an_ellipsis(
    shared_platform: RunningPlatform, lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_id, token = _long_named_store(shared_platform)
    merchant = Api(shared_platform.url, token)
    try:
        answer = merchant.put(f"/v1/stores/{store_id}/status", {"state": "PAUSED", "reason": REASON})
        assert answer.status_code == 200, answer.text
    finally:
        merchant.close()
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    profile = save_profile(
        "counter", url=shared_platform.url, token=token, role="merchant", store_id=store_id
    )
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.store() is not None)
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, StoreScreen))
        for size in ((80, 24), (40, 15)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            name, effect = (app.screen.query_one(which, Static) for which in ("#store-name", "#store-effect"))
            room = name.size.width  # inside the padding
            title = _shown(name)
            assert len(title) == 1 and title[0].endswith("…"), (size, title)
            assert title[0].startswith(("Store: 老王小馆 Old Wang's", "门店：老王小馆 Old Wang's"))
            lines = _shown(effect)
            assert len(lines) == EFFECT_LINES and lines[-1].endswith("…"), (size, lines)
            assert "燃气公司说" in "".join(lines)  # the reason starts on the screen
            assert all(cell_len(line) <= room for line in [*title, *lines]), (size, title, lines)
