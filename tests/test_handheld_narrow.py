"""The courier handheld whole at 20 columns, in English and Chinese: the status line, a queued task's title and the
"queued, not yet confirmed" message fold onto a second line where the screen has room (20x16) and say it shorter
where it has not (20x10, a soft keyboard up); a line cut short never shows half a wide character as a space
before "…". And the store's state line puts no space before a full-width bracket."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.geometry import Region

from o2o_tui.domain.store import StoreState, StoreStatus
from o2o_tui.i18n import set_language
from screens.courier_app import CourierApp
from screens.courier_format import clip, fold, then
from screens.courier_memory_source import MemoryCourierSource
from screens.courier_screens import TaskScreen
from screens.courier_widgets import Line
from screens.source import LinkState, LinkStatus
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform
from tests.test_store_hours import _local, _store
from tests.test_ui_courier import (
    CountingApp,
    courier_profile,
    offer,
    open_source,
    settled,
    wait_until,
)
from tests.test_ui_courier_snapshots import courier, sample_tasks


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    yield tmp_path / "home"
    set_language(None)


@pytest.fixture(autouse=True)
def keys_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("screens.courier_screens.SETTLE_S", 0.0)


def drawn(app: CourierApp, selector: str) -> list[str]:
    """The rows of a line as the terminal gets them (what Textual drew, not the text that was set)."""
    line = app.screen.query_one(selector, Line)
    return [strip.text.rstrip() for strip in line.render_lines(Region(0, 0, *line.size))]


# -- the cutting helper ---------------------------------------------------------------------------------------

MIXED = [
    "在线 · 在线接单 · 张伟 Zhang Wei",
    "暂无任务，新派单会显示在这里。",
    "2 #0043 STORE 老王川菜馆 Lao Wang",
    "ab张伟cd",
    "Zhang 伟伟伟伟伟伟伟伟伟伟伟",
]


def test_a_cut_never_leaves_half_a_wide_character_as_a_space() -> None:
    assert clip("在线 · 在线接单 · 张伟 Zhang Wei", 20) == "在线 · 在线接单 · …"  # was "·  …"
    assert clip("暂无任务，新派单会显示在这里。", 20) == "暂无任务，新派单会…"  # was "会 …"
    assert clip("2 #0043 STORE 老王川菜馆", 20) == "2 #0043 STORE 老王…"
    assert clip("ab张伟", 4) == "ab…"
    assert clip("1 #0042 OFFER 13:12 老王", 20) == "1 #0042 OFFER 13:12…"
    assert clip("1 #0042 OFFER 13:12 老王", 22) == "1 #0042 OFFER 13:12 …"  # a whole word gone, none cut
    for text in MIXED:
        for width in range(1, cell_len(text) + 1):
            cut = clip(text, width)
            assert cell_len(cut) <= width, (text, width, cut)
            kept = cut.removesuffix("…")
            assert text.startswith(kept), (text, width, cut)  # no padding space where a wide character was
            assert clip(text, width, "") == text[: len(clip(text, width, ""))]


def test_folds_fall_between_words_and_clauses() -> None:
    assert fold("#0005：已排队，待平台确认", 20) == ["#0005：已排队，", "待平台确认"]
    assert fold("#0005 前往商家（已排队）", 20) == ["#0005 前往商家", "（已排队）"]
    assert fold("#0005 Back to store (queued)", 20) == ["#0005 Back to store", "(queued)"]
    assert fold("#0005 的取餐码（向商家索取）：", 20) == ["#0005 的取餐码", "（向商家索取）："]
    assert fold("Store: 老王川菜馆 Lao Wang Sichuan Kitchen", 20)[0] == "Store: 老王川菜馆"
    assert fold("离线 · 1 条待发 · 在线接单", 20, " · ") == ["离线 · 1 条待发", "在线接单"]
    assert fold("LOG IN AGAIN · 3 queued · On duty", 20, " · ") == ["LOG IN AGAIN", "3 queued · On duty"]
    # no space after "？"
    assert then("确定下线？", "你手上还有 1 单配送。") == "确定下线？你手上还有 1 单配送。"
    assert then("Go off duty?", "You still have 1.") == "Go off duty? You still have 1."


# -- the screens at 20 columns ----------------------------------------------------------------------------------


def _app(link: LinkState) -> CountingApp:
    status = LinkStatus(link, pending=1 if link is LinkState.OFFLINE else 0)
    source = MemoryCourierSource(sample_tasks(), courier=courier(), link=status)
    return CountingApp(source, ascii_only=False)  # type: ignore[arg-type]


STATUS = {  # (20x16, 20x10)
    ("zh", LinkState.ONLINE): (["在线 · 上班中", "张伟 Zhang Wei"], ["在线 · 上班中"]),
    ("zh", LinkState.OFFLINE): (["离线 · 1 条待发", "上班中"], ["离线 · 1 条待发"]),
    ("en", LinkState.ONLINE): (["ONLINE · On duty", "张伟 Zhang Wei"], ["ONLINE · On duty"]),
    ("en", LinkState.OFFLINE): (["OFFLINE · 1 queued", "On duty"], ["OFFLINE · 1 queued"]),
}
WIDE = {
    ("zh", LinkState.ONLINE): "在线 · 上班中 · 张伟 Zhang Wei",
    ("zh", LinkState.OFFLINE): "离线 · 1 条待发 · 上班中 · 张伟 Zhang W…",
    ("en", LinkState.ONLINE): "ONLINE · On duty · 张伟 Zhang Wei",
    ("en", LinkState.OFFLINE): "OFFLINE · 1 queued · On duty · 张伟 Zha…",
}
TITLE = {"zh": ["#0043 已到店", "（已排队）"], "en": ["#0043 At store", "(queued)"]}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("link", [LinkState.ONLINE, LinkState.OFFLINE], ids=["online", "offline"])
async def test_the_status_line_and_a_queued_title_read_whole_at_20_columns(
    home: Path, lang: str, link: LinkState
) -> None:
    set_language(lang)
    tall, short = STATUS[(lang, link)]
    app = _app(link)
    async with app.run_test(size=(20, 16)) as pilot:
        await pilot.pause()
        assert drawn(app, "#status") == tall
        await pilot.resize_terminal(20, 10)  # a soft keyboard comes up: no room for a second line
        await pilot.pause()
        assert drawn(app, "#status") == short
        await pilot.resize_terminal(20, 16)
        await pilot.pause()
        assert drawn(app, "#status") == tall
        # the size it is made for: one line, the name cut short if need be
        await pilot.resize_terminal(40, 16)
        await pilot.pause()
        assert drawn(app, "#status") == [WIDE[(lang, link)]]
        await pilot.resize_terminal(20, 16)
        await pilot.press("2")  # #0043, its step queued
        assert isinstance(app.screen, TaskScreen)
        await pilot.pause()
        if link is LinkState.OFFLINE:
            assert drawn(app, "#title") == TITLE[lang]
            await pilot.resize_terminal(20, 10)  # no shorter way to say it fits: two lines still
            await pilot.pause()
            assert drawn(app, "#title") == TITLE[lang]
            assert drawn(app, "#status") == short
        else:
            assert drawn(app, "#title") == [TITLE[lang][0]]


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_an_action_line_too_long_for_20_columns_says_it_shorter(home: Path, lang: str) -> None:
    set_language(lang)
    app = _app(LinkState.ONLINE)
    async with app.run_test(size=(20, 16)) as pilot:
        await pilot.press("3")  # #0044, on the way to the customer
        await pilot.pause()
        assert drawn(app, "#slot-1") == [{"en": "1 At the customer", "zh": "1 已到达顾客处"}[lang]]
        await pilot.resize_terminal(40, 16)
        await pilot.pause()
        whole = {"en": "1 Arrived at customer", "zh": "1 已到达顾客处"}[lang]
        assert drawn(app, "#slot-1") == [whole]


async def test_a_wrapped_prompt_never_starts_a_line_with_closing_punctuation(home: Path) -> None:
    set_language("zh")
    app = _app(LinkState.ONLINE)
    async with app.run_test(size=(20, 16)) as pilot:
        await pilot.press("2", "1")  # #0043 at the store: its pickup code
        await pilot.pause()
        # was "#0043" / "的取餐码（向商家索取" / "）：" (Textual's wrap)
        assert drawn(app, "#prompt") == ["#0043 的取餐码", "（向门店索取）："]
        await pilot.resize_terminal(19, 7)
        await pilot.pause()
        await pilot.pause()
        shown = [row.strip() for row in drawn(app, "#too-small") if row.strip()]
        assert shown == ["屏幕太小：19x7，", "至少需要 20x8。"]  # was "…，至" / "少需要 20x8。"


QUEUED = {  # (20x16, 20x10)
    "zh": (["#{n}：已排队，", "待平台确认"], ["#{n}：已排队"]),
    "en": (["#{n}: queued, not", "yet confirmed"], ["#{n}: queued"]),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_step_taken_offline_says_queued_whole_at_20_columns(
    platform: RunningPlatform, courier_id: str, home: Path, lang: str
) -> None:
    """Against the real platform behind a proxy that drops the link: the accept is queued in the real outbox."""
    set_language(lang)
    order = offer(platform, courier_id)
    number = f"{order['number']:04d}"
    with FaultProxy(platform.port) as proxy:
        profile = courier_profile(platform, courier_id, url=f"http://127.0.0.1:{proxy.port}")
        app = CountingApp(open_source(profile))
        async with app.run_test(size=(20, 16)) as pilot:
            await wait_until(pilot, lambda: any(f"#{number}" in row for row in _rows(app)))
            proxy.drop()
            await wait_until(pilot, lambda: app.source.link().state is LinkState.OFFLINE)
            await pilot.press("1")  # open the offer
            await settled(pilot)
            await pilot.press("1")  # accept: queued
            tall, short = QUEUED[lang]
            want = [row.replace("{n}", number) for row in tall]
            await wait_until(pilot, lambda: drawn(app, "#message") == want)
            await pilot.resize_terminal(20, 10)
            await pilot.pause()
            assert drawn(app, "#message") == [row.replace("{n}", number) for row in short]
            assert len(drawn(app, "#title")) == 2 and "…" not in "".join(drawn(app, "#title"))


def _rows(app: CourierApp) -> list[str]:
    return [line.shown for line in app.screen.query(".task").results(Line)]


@pytest.fixture
def courier_id(platform: RunningPlatform) -> str:
    assert platform.seed is not None
    return platform.seed.courier_ids[0]


def test_no_space_before_a_full_width_bracket_in_the_stores_state() -> None:
    paused = StoreStatus(StoreState.PAUSED, until=_local(25, 14, 30), reason="燃气维修")
    now = _local(25, 12, 30)
    set_language("zh")
    try:
        from o2o_tui.store_effect import describe

        assert describe(_store(status=paused), now) == "暂停营业至 14:30，不接新单（燃气维修）"
        set_language("en")
        english = describe(_store(status=paused), now)
        assert english == "Closed until 14:30 (paused), orders refused (燃气维修)"
    finally:
        set_language(None)
