"""Merchant console words and small UI corners:
- the queue's status column says a customer's cancellation request ("Cancel?", narrow "CXL?"; zh "要取消？",
  "退单"), not "New" or "Accepted", within the column in both languages (pure rows, and the console against the
  real platform with a real cache);
- a command in a sentence on a screen is shown in a style of its own, not in the CLI's `backticks` (help notes,
  the demo's notes); a value's backtick stays text;
- zh says one word for the printing station;
- the store's and the menu's text and time prompts keep a burst typed as the prompt opens, in order (SteadyInput);
- the voucher's --value help names no amount of one currency.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from rich.cells import cell_len
from textual import events
from textual.content import Content

from o2o_tui.command_marks import command_parts, split_commands
from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.order import Cancellation, OrderStatus, Party
from o2o_tui.i18n import set_language, t
from screens import order_format as fmt
from screens.app import MerchantApp
from screens.help_screen import commands_shown, help_note
from screens.memory_source import MemoryOrderSource
from screens.menu_editor import TimePrompt
from screens.source import LinkState, QueueEntry
from screens.store_screen import TextPrompt
from screens.terminal import FULL
from screens.widgets.order_row import RowLook, render_live
from tests.support.platform import RunningPlatform, api
from tests.test_ui_live import CountingApp, _place, wait_until
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_order, sample_store

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "o2o_tui" / "i18n"


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _asking(status: OrderStatus) -> QueueEntry:
    order = sample_order(7, status, minutes_ago=1)
    request = Cancellation(requested_by=Party.CUSTOMER, reason_code="CHANGED_MIND", requested_at=FROZEN_NOW)
    return QueueEntry(msgspec.structs.replace(order, cancellation=request))


def _status_cells(entry: QueueEntry, width: int) -> str:
    """The status column's text of the entry's row at `width` (the columns before it: clock, space, mark, number,
    space)."""
    cols = fmt.columns_for(width)
    look = RowLook(clock="4:59", locked=False, late=False, alerting=False, urgent=False)
    line = render_live(entry, look, width, FULL).plain
    cells = 0
    start = cols.clock + 1 + cols.mark + cols.number + 1
    out = []
    for char in line:
        if start <= cells < start + cols.status:
            out.append(char)
        cells += cell_len(char)
    return "".join(out).strip()


# -- 1. the status column says the request ------------------------------------------------------------------------


@pytest.mark.parametrize("status", [OrderStatus.CREATED, OrderStatus.CONFIRMED, OrderStatus.PREPARING])
@pytest.mark.parametrize("width", [40, 80, 120])
def test_a_row_with_a_cancellation_request_says_the_request_in_its_status_column(
    lang: str, status: OrderStatus, width: int
) -> None:
    cols = fmt.columns_for(width)
    said = _status_cells(_asking(status), width)
    key = "queue.row.cancel_request" if cols.status >= 6 else "queue.row.cancel_request_short"
    assert said == t(key), (said, t(key))
    assert cell_len(t(key)) <= cols.status  # whole, never cut, in both languages
    # the same order without the request says its status, as before
    plain = QueueEntry(msgspec.structs.replace(_asking(status).order, cancellation=None))
    expected = fmt.status_label(plain.order) if cols.status >= 6 else fmt.status_short(plain.order)
    assert _status_cells(plain, width) == expected


def test_the_request_words_differ_from_every_status_word(lang: str) -> None:
    words = {t(f"ui.status.{s.value}") for s in OrderStatus} | {
        t(f"ui.status_short.{s.value}") for s in OrderStatus
    }
    assert t("queue.row.cancel_request") not in words and t("queue.row.cancel_request_short") not in words


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Profile:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    seed = platform.seed
    assert seed is not None
    return save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )


def _console(profile: Profile) -> CountingApp:
    from o2o_tui.sync.session import make_client, make_engine, open_cache
    from screens.engine_source import EngineOrderSource

    cache = open_cache(profile)
    client = make_client(profile, timeout=5.0)
    engine = make_engine(profile, cache, client, poll_wait=0.5, backoff_cap=0.5)
    return CountingApp(EngineOrderSource(engine, cache, client, profile.store_id or ""), profile=profile)


def _screen_text(app: MerchantApp) -> str:
    return "\n".join("".join(s.text for s in strip) for strip in app.screen._compositor.render_strips())


@pytest.mark.parametrize(
    ("lang", "size"),
    [
        ("en", (80, 24)),
        ("zh", (40, 15)),
        pytest.param("zh", (80, 24), marks=pytest.mark.deep),
        pytest.param("en", (40, 15), marks=pytest.mark.deep),
    ],
    indirect=["lang"],
)
async def test_the_console_says_a_customers_request_on_a_new_order_in_its_row(
    platform: RunningPlatform, profile: Profile, lang: str, size: tuple[int, int]
) -> None:
    app = _console(profile)
    words = t("queue.row.cancel_request" if size[0] >= 60 else "queue.row.cancel_request_short")
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: app.source.link().state is LinkState.ONLINE)
        placed = await asyncio.to_thread(_place, platform)
        screen = app.orders_screen
        await wait_until(pilot, lambda: screen.queue.entry(placed["id"]) is not None)
        number = screen.queue.entry(placed["id"]).order.display_number  # type: ignore[union-attr]
        await pilot.pause(0.2)
        row = next(line for line in _screen_text(app).splitlines() if number in line)
        assert t("ui.status.CREATED" if size[0] >= 60 else "ui.status_short.CREATED") in row, row
        customer = api(platform, "customer")
        try:
            path = f"/v1/orders/{placed['id']}/cancellation"
            answer = await asyncio.to_thread(customer.post, path, {"reason_code": "CUSTOMER_CHANGED_MIND"})
            assert answer.status_code in (200, 202), answer.text
        finally:
            customer.close()
        def entry() -> QueueEntry | None:
            return screen.queue.entry(placed["id"])

        await wait_until(pilot, lambda: (e := entry()) is not None and e.order.cancellation is not None)
        await pilot.pause(0.2)
        row = next(line for line in _screen_text(app).splitlines() if number in line)
        assert words in row and "!" in row, row
        assert entry().order.status is OrderStatus.CREATED  # type: ignore[union-attr]


# -- 2. commands shown without backticks -------------------------------------------------------------------------


def _bold(content: Content) -> list[str]:
    return [content.plain[span.start : span.end] for span in content.spans if "bold" in str(span.style)]


def test_a_help_note_shows_its_command_bold_without_the_backticks(lang: str) -> None:
    note = help_note(t("dispatch.board.help.picked_up"))
    shown = note.visual.content  # type: ignore[attr-defined]
    assert "`" not in shown.plain and "o2o dispatch auto" in shown.plain
    assert _bold(shown) == ["o2o dispatch auto"]


def test_marks_are_found_before_a_value_goes_in() -> None:
    set_language("en")
    try:
        parts = command_parts("demo.notes.tickets", path="/tmp/a`b")
        assert ("o2o print show /tmp/a`b", True) in parts  # the value's backtick is text, inside the command
        assert (
            "".join(text for text, _ in parts)
            == "Kitchen tickets print to /tmp/a`b: read them with o2o print show /tmp/a`b"
        )
    finally:
        set_language(None)
    assert split_commands("one ` mark") == [("one ` mark", False)]  # unmatched: nothing guessed
    assert _bold(commands_shown("run `o2o login` now")) == ["o2o login"]


async def test_the_demo_notes_under_question_mark_show_commands_without_backticks(lang: str) -> None:
    from o2o_tui import demo_notes
    from screens.help_screen import HelpScreen
    from tests.test_demo_notes import NOTES

    demo_notes.set_running(NOTES)
    try:
        for size in ((80, 24), (40, 15)):
            app = MerchantApp(
                MemoryOrderSource(sample_entries(), store=sample_store()), clock=lambda: FROZEN_NOW
            )
            async with app.run_test(size=size) as pilot:
                await pilot.pause()
                await pilot.press("question_mark")
                await pilot.pause()
                assert isinstance(app.screen, HelpScreen)
                assert "`" not in _screen_text(app)
                bold = [b for w in app.screen.query(".demo-note") for b in _bold(w.visual.content)]  # type: ignore[attr-defined]
                assert "o2o demo --handheld" in bold and "o2o demo --door" in bold, bold
                assert NOTES.handheld_command in bold and f"o2o print show {NOTES.tickets}" in bold, bold
    finally:
        demo_notes.set_running(None)


def test_screen_only_sentences_carry_no_backticks_to_the_screen(lang: str) -> None:
    for key in ("ui.link.unauthorized_hint", "handheld.link.login_again"):
        assert "`" not in t(key), key  # shown as is by the status line and the handheld
    for key in (
        "demo.notes.handheld",
        "demo.notes.door",
        "demo.notes.tickets",
        "dispatch.board.help.picked_up",
    ):
        assert "".join(p for p, _ in split_commands(t(key))).count("`") == 0, key


# -- 3. one word for the printing station in zh ------------------------------------------------------------------


def test_zh_says_one_word_for_the_printing_station() -> None:
    texts = [
        value
        for path in (CATALOGS / "zh").glob("*.json")
        for value in json.loads(path.read_text("utf-8")).values()
    ]
    assert not [text for text in texts if "打印工作站" in text]
    assert (
        "打印站点"
        in json.loads((CATALOGS / "zh" / "store_screen.json").read_text("utf-8"))["help.store.auto_accept"]
    )


# -- 4. the store's and the menu's prompts keep a burst ----------------------------------------------------------


async def _burst_into(prompt: TextPrompt | TimePrompt, keys: list[tuple[str, str | None]]) -> str | None:
    """Open `prompt` and post `keys` in the same turn (a scanner, a fast typist, a paste over a slow link): they
    reach the dialog before its field has the focus. What the prompt answered."""
    app = MerchantApp(MemoryOrderSource(sample_entries(), store=sample_store()), clock=lambda: FROZEN_NOW)
    answers: list[str | None] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(prompt, answers.append)
        for key, character in keys:
            app.post_message(events.Key(key, character))
        for _ in range(40):
            await pilot.pause(0.05)
            if answers:
                break
    assert answers, "the prompt never answered"
    return answers[0]


def _typed(text: str) -> list[tuple[str, str | None]]:
    names = {":": "colon", "-": "minus", ",": "comma"}
    return [(names.get(char, char), char) for char in text]


BURST = [*_typed("14:39"), ("backspace", None), *_typed("0"), ("enter", None)]


async def test_the_store_prompt_keeps_a_burst_in_order(lang: str) -> None:
    prompt = TextPrompt("Pause until", "HH:MM", default="", ascii=True, max_length=5)
    assert await _burst_into(prompt, BURST) == "14:30"


async def test_the_store_prompt_replaces_its_value_with_the_first_key(lang: str) -> None:
    prompt = TextPrompt("Hours", "HH:MM-HH:MM", value="10:00-22:00", ascii=True, max_length=40)
    assert await _burst_into(prompt, [*_typed("09:00-21:00"), ("enter", None)]) == "09:00-21:00"


async def test_the_menu_time_prompt_keeps_a_burst_in_order(lang: str) -> None:
    assert await _burst_into(TimePrompt("Sold out until"), BURST) == "14:30"


# -- 5. --value help -----------------------------------------------------------------------------------------------


def test_the_voucher_value_help_names_no_one_currencys_amount(lang: str) -> None:
    words = t("voucher.admin.option.value")
    assert "38.50" not in words and "38" not in words
