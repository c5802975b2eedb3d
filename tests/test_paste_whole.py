"""A bracketed paste is text, whatever bytes it holds (screens/driver.py, screens/textual_fixes.py).

An outside tester pasted "kung pao" ESC ESC "p" into the queue's search field: Textual 8.2.8's parser read the ESC
ESC as the Esc key (the field closed) and the `p` as the queue's "start preparing" key, and the order really moved
to PREPARING on the platform. Pasted text after an ESC was typed as keys or lost, and a field kept only the first
line of a paste. Now: everything between ESC[200~ and ESC[201~ is one `Paste` event; its control characters show
as U+FFFD (`safe_text`, as all untrusted text) and none acts; a one-line field makes line breaks and tabs spaces;
only the field's own `max_length` cuts (the refund note: NOTE_MAX, 500)."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyte
import pytest
from textual import events
from textual._xterm_parser import XTermParser
from textual.widgets import Input

from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.limits import NOTE_MAX
from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.driver import QuickEscapeParser
from screens.launch import open_source
from screens.memory_source import MemoryOrderSource
from screens.refund_dialog import RefundDialog
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_ui_live import wait_until
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_store

ROOT = Path(__file__).resolve().parent.parent
START, END = "\x1b[200~", "\x1b[201~"
REPLACED = "\ufffd"

# what the tester pasted
KUNG_PAO = "kung pao\x1b\x1bp"
FIGURES = "abc\x1b\x1bf"
SPLIT = "abcdef\x1bghij"
NOTE = "[bold red]PASTE[/] line1\nline2\ttab \x1b[31mRED\x1b[0m \x1b]0;TITLE\x07 end"


def _events(*chunks: str, pause: float = 0.0) -> list[Any]:
    """What the parser makes of `chunks`, fed one after the other, `pause` s apart (timeouts given their chance),
    and after a wait long enough for any held ESC to be given up on."""
    parser = QuickEscapeParser(delay=0.02)
    made: list[Any] = []
    for chunk in chunks:
        made += parser.feed(chunk)
        if pause:
            time.sleep(pause)
        made += parser.tick()
    time.sleep(0.05)
    made += parser.tick()
    return made


def _shown(messages: list[Any]) -> list[str]:
    return [
        f"paste:{m.text}" if isinstance(m, events.Paste) else f"key:{m.key}"
        for m in messages
        if isinstance(m, (events.Paste, events.Key))
    ]


# --- the parser --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pasted", "text"),
    [
        (KUNG_PAO, f"kung pao{REPLACED}{REPLACED}p"),
        (FIGURES, f"abc{REPLACED}{REPLACED}f"),
        (SPLIT, f"abcdef{REPLACED}ghij"),
        (
            NOTE,
            f"[bold red]PASTE[/] line1\nline2\ttab {REPLACED}[31mRED{REPLACED}[0m {REPLACED}]0;TITLE{REPLACED} end",
        ),
        ("two\r\nlines\rthree\x00", "two\nlines\nthree"),  # line breaks as safe_text makes them; NUL dropped
        (f"a{START}b", f"a{REPLACED}[200~b"),  # a second start inside is text
        ("", ""),
    ],
    ids=[
        "esc-esc-p",
        "esc-esc-f",
        "esc-in-the-middle",
        "markup-and-escapes",
        "line-breaks",
        "nested",
        "empty",
    ],
)
def test_a_paste_is_one_paste_event_and_no_key(pasted: str, text: str) -> None:
    assert _shown(_events(START + pasted + END)) == [f"paste:{text}"]


def test_a_paste_arriving_in_pieces_with_an_esc_left_waiting_is_still_one_paste() -> None:
    """Each piece waits longer than an ESC is held (a slow link): inside a paste, nothing is a key."""
    pieces = [START[:3], START[3:], "kung pao\x1b", "\x1b", "p", END[:2], END[2:]]
    assert _shown(_events(*pieces, pause=0.005)) == [f"paste:kung pao{REPLACED}{REPLACED}p"]
    inside = [START, "kung pao\x1b", "\x1bp", END[:1], END[1:]]
    assert _shown(_events(*inside, pause=0.05)) == [f"paste:kung pao{REPLACED}{REPLACED}p"]


def test_keys_around_a_paste_are_still_keys() -> None:
    typed = "\x1b[A" + "x" + START + "hi" + END + "y" + "\x1b[20~" + "\x1b[2~" + "\x1b[1;5C"
    assert _shown(_events(typed)) == [
        "key:up",
        "key:x",
        "paste:hi",
        "key:y",
        "key:f9",
        "key:insert",
        "key:ctrl+right",
    ]
    # an Esc pressed just before a paste is the Esc key; a lone Esc after one too; Alt+x is still Alt+x
    assert _shown(_events("\x1b" + START + "hi" + END, "\x1b")) == ["key:escape", "paste:hi", "key:escape"]
    assert _shown(_events("\x1bx")) == ["key:alt+x"]


@pytest.mark.parametrize(
    "typed",
    [
        "\x1b",
        "\x1b\x1b",
        "\x1b[",
        "\x1b[2",
        "\x1b[20",
        "\x1b[200",
        "\x1b[1;2\x1b[200",
        "\x1b[Ma",
        "\x1b[201~x",
        "q\x1b[B",
    ],
)
def test_what_is_no_paste_reads_as_textuals_parser_reads_it(typed: str) -> None:
    """What only begins like a paste's start (given back when the wait is over), or no paste at all."""

    def read(parser: XTermParser) -> list[str]:
        made = list(parser.feed(typed))
        time.sleep(0.15)  # past Textual's own wait (0.1 s)
        return _shown([*made, *parser.tick()])

    assert read(QuickEscapeParser(delay=0.02)) == read(XTermParser())


# --- the field: all of the paste, on one line, up to its max length --------------------------------------------------


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _paste_of(pasted: str) -> events.Paste:
    (paste,) = [m for m in _events(START + pasted + END) if isinstance(m, events.Paste)]
    return paste


async def test_a_paste_with_esc_esc_p_into_the_search_field_stays_there(english: None) -> None:
    source = MemoryOrderSource(sample_entries(), store=sample_store())
    app = MerchantApp(source, clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        search = app.orders_screen.query_one("#search", Input)
        await wait_until(pilot, lambda: app.focused is search)
        app.post_message(_paste_of(KUNG_PAO))
        app.post_message(_paste_of(NOTE))
        await pilot.pause(0.2)
        assert search.display and app.focused is search
        assert search.value == (
            f"kung pao{REPLACED}{REPLACED}p[bold red]PASTE[/] line1 line2 tab "
            f"{REPLACED}[31mRED{REPLACED}[0m {REPLACED}]0;TITLE{REPLACED} end"
        )
        assert source.submitted == []


# --- the refund note reaches the platform whole, cut only at NOTE_MAX ------------------------------------------------


@pytest.fixture
def profile(
    shared_platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, english: None
) -> Profile:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    seed = shared_platform.seed
    assert seed is not None
    return save_profile(
        "counter",
        url=shared_platform.url,
        token=seed.tokens["merchant"],
        role="merchant",
        store_id=seed.store_id,
    )


def _post(platform: RunningPlatform, role: str, path: str, body: object) -> dict[str, Any]:
    client = api(platform, role)
    try:
        answer = client.post(path, body)
        assert answer.status_code < 300, answer.text
        return dict(answer.json())
    finally:
        client.close()


def _get(platform: RunningPlatform, path: str) -> dict[str, Any]:
    client = api(platform, "admin")
    try:
        return dict(client.get(path).json())
    finally:
        client.close()


def _confirmed_order(platform: RunningPlatform) -> dict[str, Any]:
    assert platform.seed is not None
    order = _post(platform, "customer", "/v1/orders", order_body(platform.seed.store_id, "TAKEOUT"))
    _post(platform, "merchant", f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 30})
    return order


@pytest.mark.parametrize(
    ("pasted", "note"),
    [
        (
            NOTE,
            f"[bold red]PASTE[/] line1 line2 tab {REPLACED}[31mRED{REPLACED}[0m {REPLACED}]0;TITLE{REPLACED} end",
        ),
        ("0123456789" * 60 + "\n", ("0123456789" * 60)[:NOTE_MAX]),
    ],
    ids=["the-testers-note", "longer-than-note-max"],
)
async def test_a_pasted_refund_note_reaches_the_platform_whole(
    shared_platform: RunningPlatform, profile: Profile, pasted: str, note: str
) -> None:
    order = await asyncio.to_thread(_confirmed_order, shared_platform)
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        queue = app.orders_screen.queue
        await wait_until(pilot, lambda: any(r.entry.order.id == order["id"] for r in queue.row_views()))
        queue.select(order["id"])
        await pilot.press("dollar_sign")
        await wait_until(pilot, lambda: isinstance(app.screen, RefundDialog))
        await pilot.press("0", "enter", "6", "enter")  # the whole order, reason "other": its note
        field = app.screen.query_one("#note", Input)
        await wait_until(pilot, lambda: app.focused is field)
        app.post_message(_paste_of(pasted))
        await wait_until(pilot, lambda: bool(field.value))
        assert field.value == note
        await pilot.press("enter")

        def refunded() -> list[Any]:
            return list(_get(shared_platform, f"/v1/orders/{order['id']}").get("refunds") or [])

        await wait_until(pilot, lambda: bool(refunded()))
        assert [refund["note"] for refund in refunded()] == [note]


# --- end to end: the real console on a pty, the real platform -------------------------------------------------------


def test_pasting_esc_esc_p_in_the_search_field_changes_no_order(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("O2O_HOME", str(home))
    seed = platform.seed
    assert seed is not None
    save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    order = _confirmed_order(platform)
    before = {o["id"]: o["status"] for o in _get(platform, "/v1/orders")["orders"]}
    assert before[order["id"]] == OrderStatus.CONFIRMED.value

    main, child = os.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("O2O_PROFILE", "NO_COLOR", "ESCDELAY")}
    env.update(O2O_HOME=str(home), O2O_LANG="en", TERM="xterm-256color")
    console = subprocess.Popen(
        [sys.executable, "-c", "from o2o_tui.cli import main; main()", "console", "--profile", "counter"],
        stdin=child, stdout=child, stderr=child, env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    os.close(child)
    screen = pyte.Screen(80, 24)
    stream = pyte.ByteStream(screen)

    def read_for(seconds: float, until: str | None = None) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if until is not None and until in "\n".join(screen.display):
                break
            if select.select([main], [], [], 0.05)[0]:
                stream.feed(os.read(main, 65536))
        return "\n".join(screen.display)

    try:
        number = f"#{order['number']:04d}"
        shown = read_for(60, until=number)
        assert number in shown, shown
        read_for(0.5)  # settled
        os.write(main, b"/")
        read_for(1.0)
        # as tmux paste-buffer -p writes them: each paste in one write
        os.write(main, (START + KUNG_PAO + END).encode())
        read_for(1.0)
        os.write(main, (START + FIGURES + END).encode())
        shown = read_for(3.0)
        after = {o["id"]: o["status"] for o in _get(platform, "/v1/orders")["orders"]}
        assert after == before  # the `p` started preparing the order
        assert "Figures" not in shown.splitlines()[0], shown  # the `f` opened the figures
        assert f"kung pao{REPLACED}{REPLACED}pabc{REPLACED}{REPLACED}f" in shown, shown
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(console.pid, signal.SIGKILL)
        console.wait(timeout=10)
        os.close(main)
