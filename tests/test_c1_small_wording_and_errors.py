"""Small defects left by the fixers, each as a person meets it:

1. the console's status line before the day's opening (and in a break) said 已打烊 ("closed for the night") while
   `o2o store status` said 休息中 / CLOSED FOR NOW: it says the same words now; after the last close it stays
   closed for the night (已打烊，明天 10:00 营业);
2. a past day's figures said "handed off today" / 今日交付: "that day" / 当日交付, as "Refunded that day" does;
3. `python -m o2o_tui.platform --db <a bad URL>` printed a traceback: one line, the exit codes of `o2o serve`;
4. an error on stderr broke mid-word at the terminal's edge ("QUAL" / "ITY"): folded as the console folds text.
"""

from __future__ import annotations

import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from fcntl import ioctl
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec
import pytest
from rich.cells import cell_len

from o2o_tui import figures_text
from o2o_tui.domain.store import OpeningHours, Store
from o2o_tui.i18n import set_language
from o2o_tui.text_fold import CLOSING
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from screens.source import LinkState, LinkStatus
from screens.widgets.status_bar import link_parts
from tests.support.platform import RunningPlatform, free_port, start_platform
from tests.test_cli_orders import Cli
from tests.test_ui_figures import fixed_report
from tests.test_ui_samples import sample_entries, sample_store

ROOT = Path(__file__).resolve().parent.parent
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def language() -> Iterator[None]:
    yield
    set_language(None)


# ---------------------------------------------------------------- 1. the status line before the day's opening


def _two_ranges() -> Store:
    """Every day 10:00-14:00 and 17:00-21:30 in Shanghai (sample_store's zone)."""
    hours = [OpeningHours(day, "10:00", "14:00") for day in range(7)]
    hours += [OpeningHours(day, "17:00", "21:30") for day in range(7)]
    return msgspec.structs.replace(sample_store(), opening_hours=hours)


def _at(hour: int, minute: int = 14) -> datetime:
    return datetime(2026, 12, 7, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


MOMENTS = [  # (the Shanghai hour, the English words, the Chinese words)
    (7, "CLOSED FOR NOW, opens 10:00", "休息中，10:00 营业"),  # before the day's opening
    (15, "CLOSED FOR NOW, opens 17:00", "休息中，17:00 营业"),  # the break between lunch and dinner
    (23, "CLOSED until tomorrow 10:00", "已打烊，明天 10:00 营业"),  # the day is over: closed for the night
]


@pytest.mark.parametrize(("hour", "en", "zh"), MOMENTS)
def test_the_status_line_says_what_store_status_says(hour: int, en: str, zh: str, language: None) -> None:
    from o2o_tui.store_effect import effect, state_words, store_zone

    store, now = _two_ranges(), _at(hour)
    link = LinkStatus(LinkState.ONLINE, last_sync_at=now)
    for lang, words in (("en", en), ("zh", zh)):
        set_language(lang)
        line = "".join(text for text, _ in link_parts(link, store, now, 80))
        assert words in line, line
        status_word = state_words(effect(store, now), store_zone(store), now)  # `o2o store status`'s heading
        if hour == 23:
            assert status_word in ("CLOSED", "已打烊")
        else:
            assert status_word in line and "已打烊" not in line, line
        # however narrow, a resting store is never said to be closed for the night
        for width in range(12, 80):
            narrow = "".join(text for text, _ in link_parts(link, store, now, width))
            assert cell_len(narrow) <= width
            if hour != 23:
                assert "已打烊" not in narrow, (width, narrow)


def _screen_text(app: MerchantApp) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


@pytest.mark.parametrize(("hour", "en", "zh"), MOMENTS)
@pytest.mark.parametrize("size", [(80, 24), (40, 15)])
async def test_the_console_says_it_at_80_and_40_columns(
    hour: int, en: str, zh: str, size: tuple[int, int], language: None
) -> None:
    now = _at(hour)
    for lang, words in (("en", en), ("zh", zh)):
        set_language(lang)
        app = MerchantApp(MemoryOrderSource(sample_entries(), store=_two_ranges()), clock=lambda: now)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            shown = _screen_text(app)
        if size[0] == 80:
            assert words in shown, shown
        else:  # 40 columns: the short word, and never the night's for a resting store
            short = {"en": "CLOSED", "zh": "已打烊" if hour == 23 else "休息中"}[lang]
            assert short in shown, shown
        if hour != 23:
            assert "已打烊" not in shown, shown


# ---------------------------------------------------------------- 2. a past day's figures


@pytest.mark.parametrize(
    ("lang", "today", "that_day"),
    [("en", "(handed off today 5)", "(handed off that day 5)"), ("zh", "（今日交付 5）", "（当日交付 5）")],
)
def test_a_past_days_counts_say_handed_off_that_day(lang: str, today: str, that_day: str, language: None) -> None:
    set_language(lang)
    now = datetime(2026, 12, 2, 4, 30, tzinfo=UTC)  # 12:30 on 2026-12-02 in Shanghai
    crossing = msgspec.structs.replace(fixed_report("2026-12-02"), completed=5, done=6)
    assert figures_text.summary_lines(crossing, now)[0].endswith(today)
    past = figures_text.summary_lines(crossing, now + timedelta(days=1))[0]
    assert past.endswith(that_day) and today not in past, past


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()


def test_o2o_report_day_of_yesterday_says_that_day(running: RunningPlatform, tmp_path: Path) -> None:
    from tests.test_day_books_across_days import _move, _picked_up, _store_zone, _today_start

    zone = _store_zone(running)
    today, start = _today_start(zone)
    late = _picked_up(running)  # placed yesterday at 23:52, handed off at 00:05: yesterday done 1, handed off 0
    _move(running, late["id"], created_at=start - timedelta(minutes=8), ended_at=start + timedelta(minutes=5))
    assert running.seed is not None
    cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    yesterday: date = today - timedelta(days=1)
    said = cli("report", "day", "--date", yesterday.isoformat()).stdout
    assert "(handed off that day 0)" in said and "today" not in said.lower(), said
    now = cli("report", "day").stdout
    assert "(handed off today 1)" in now, now


# ---------------------------------------------------------------- 3. python -m o2o_tui.platform, a bad URL


def _start(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("O2O_DB", "COLUMNS")}
    env |= {"O2O_HOME": str(tmp_path / "home"), "O2O_LANG": "en", "XDG_DATA_HOME": str(tmp_path / "data")}
    return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)


# A URL o2o refuses (2: the module's one `except BadDatabaseUrl` whatever the kind; each kind from `o2o serve`
# is in tests/test_serve_bad_db_url.py) and a database out of reach (3) in the suite; the other kinds (two
# processes each) in `python -m bench deep`.
@pytest.mark.parametrize(
    ("url", "code"),
    [
        # a port that is no number
        pytest.param("postgresql+psycopg://o2o:pw@dbhost:54x2/o2o", 2, marks=pytest.mark.deep),
        pytest.param("mysql://o2o@dbhost/o2o", 2, marks=pytest.mark.deep),
        ("postgres://o2o:pw@dbhost/o2o", 2),  # no driver named
        pytest.param(":memory:", 2, marks=pytest.mark.deep),
        ("postgresql+psycopg://o2o:pw@127.0.0.1:{closed}/o2o", 3),  # out of reach
    ],
    ids=["port-no-number", "mysql", "no-driver", "memory", "out-of-reach"],
)
def test_the_module_refuses_a_bad_url_in_one_line_as_o2o_serve_does(
    tmp_path: Path, url: str, code: int
) -> None:
    url = url.format(closed=free_port())  # nothing listens there: the database cannot be reached
    port = str(free_port())
    module = _start([sys.executable, "-m", "o2o_tui.platform", "--port", port, "--db", url], tmp_path)
    serve = _start(["o2o", "serve", "--port", port, "--db", url], tmp_path)
    assert module.returncode == serve.returncode == code, (url, module.stderr, serve.stderr)
    lines = module.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in module.stderr, module.stderr
    assert lines[0] == serve.stderr.strip(), (module.stderr, serve.stderr)
    assert "pw" not in module.stderr


# ---------------------------------------------------------------- 4. errors on stderr at the terminal's edge

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _in_terminal(args: list[str], env: dict[str, str], columns: int) -> tuple[int, str]:
    master, slave = pty.openpty()
    ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    process = subprocess.Popen(args, env=env, stdin=slave, stdout=slave, stderr=slave, close_fds=True, cwd=ROOT)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            elif process.poll() is not None:
                break
        code = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    return code, ANSI.sub("", b"".join(chunks).decode().replace("\r\n", "\n"))


def _words(text: str) -> set[str]:
    return set(re.findall(r"[A-Z_]{2,}", text))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("columns", [80, 40])
def test_an_error_listing_codes_breaks_between_words(tmp_path: Path, lang: str, columns: int) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "O2O_DB")}
    env |= {"O2O_HOME": str(tmp_path / "home"), "O2O_LANG": lang, "TERM": "xterm", "COLUMNS": str(columns)}
    args = ["o2o", "orders", "refund", "1", "--all", "--reason", "xyz"]
    code, shown = _in_terminal(args, env, columns)
    piped = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    assert code == piped.returncode == 2, shown
    whole = piped.stderr.strip()
    assert len(whole.splitlines()) == 1 and cell_len(whole) > columns  # to a pipe: one line, as it is
    lines = [line for line in shown.splitlines() if line.strip()]
    assert all(cell_len(line) <= columns for line in lines), shown
    assert not [line for line in lines if line[0] in CLOSING], shown
    assert "".join("".join(lines).split()) == "".join(whole.split())  # nothing lost
    assert _words(shown) == _words(whole) and {"QUALITY", "CUSTOMER_REQUEST"} <= _words(shown), shown
