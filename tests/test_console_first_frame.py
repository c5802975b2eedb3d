"""`o2o console` paints the cached queue before it loads what only later work needs (issue #11, first paint).

Import hygiene, not a timed assert: the real `o2o console` runs on a pty against a cached profile, and the
modules loaded when its first frame shows an order are checked: no typer (the usual forms start without building
the typer app), no HTTP client (httpx: ~0.2 s with its TLS context), no server, no screen that opens later. The
sync engine still makes its client after that frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import msgspec
import pytest
from textual.css.query import NoMatches

from screens.source import SourceChange
from tests.support.counter_cache import cached_counter_env
from tests.support.platform import RunningPlatform
from tests.test_sync_read_model import make_order

ROOT = Path(__file__).resolve().parent.parent

# Run as `python -c HOOK console --profile counter` on a pty: the hook sees the first frame that shows an order's
# number as the app hands it to the driver's writer thread, and lists the loaded modules then (and whether the
# garbage collector runs): what the console did before that frame. (Noted where that thread writes it to the tty,
# the list raced the main thread, which goes on at once: a module it imported just after the frame showed up as
# imported before it.) Threads note when the engine has made its HTTP client (httpx loaded), after that frame, and
# when garbage collection is back.
HOOK = r"""
import gc, json, os, sys, threading, time
from textual.drivers import _writer_thread
OUT = os.environ["FIRST_FRAME_OUT"]
enqueue = _writer_thread.WriterThread.write
seen = []

def handed_over(writer, text):
    if not seen and "#0040" in text:
        seen.append(True)
        with open(OUT + ".tmp", "w") as out:
            json.dump({"modules": sorted(sys.modules), "gc": gc.isenabled(), "frozen": gc.get_freeze_count()}, out)
        os.replace(OUT + ".tmp", OUT + ".first")  # whole, when the test sees it
    return enqueue(writer, text)

def engine_started():
    while "httpx" not in sys.modules:
        time.sleep(0.02)
    open(OUT + ".later", "w").close()

def collector_back():
    while not os.path.exists(OUT + ".first") or not gc.isenabled():  # back after the first frame
        time.sleep(0.02)
    with open(OUT + ".gc.tmp", "w") as out:
        out.write(str(gc.get_freeze_count()))
    os.replace(OUT + ".gc.tmp", OUT + ".gc")

_writer_thread.WriterThread.write = handed_over
threading.Thread(target=engine_started, daemon=True).start()
threading.Thread(target=collector_back, daemon=True).start()
sys.argv = ["o2o", *sys.argv[1:]]
from o2o_tui.cli import main
main()
"""

NOT_AT_FIRST_FRAME = (
    "typer",  # `o2o console` opens without building the typer app (o2o_tui/cli/console_quick.py)
    "click",
    "httpx",
    "httpcore",
    "anyio",
    "litestar",
    "uvicorn",
    "sqlalchemy",
    "o2o_tui.platform",
    "screens.detail_screen",
    "screens.help_screen",
    "screens.store_screen",
    "screens.menu_editor",
    "screens.dispatch_board",
    "screens.conflicts_screen",
    # started or loaded just after the first frame, or on first use (screens/app.py `start_services`, `actions`)
    "screens.auto_accept_console",
    "screens.auto_accept_station",
    "screens.printing",
    "screens.order_actions",
    "screens.dialogs",
    "screens.simple_actions",
    "screens.announce",
    "o2o_tui.voice",
)


@pytest.fixture
def cached_counter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A merchant profile whose cache holds three orders; its platform is not reachable (nothing listens)."""
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    return cached_counter_env(tmp_path / "home")


def _loaded(modules: list[str], name: str) -> bool:
    return any(module == name or module.startswith(name + ".") for module in modules)


def _run_on_a_pty(argv: list[str], env: dict[str, str], until: list[Path], timeout: float = 30.0) -> str:
    """Run `argv` on a new 80x24 pty until every path in `until` exists; what it wrote (for a failure)."""
    main, child = os.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    process = subprocess.Popen(
        argv, stdin=child, stdout=child, stderr=child, env=env, cwd=ROOT, start_new_session=True
    )
    os.close(child)
    written = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not all(path.exists() for path in until):
            if select.select([main], [], [], 0.05)[0]:
                try:
                    written += os.read(main, 65536)
                except OSError:  # the program ended
                    break
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        os.close(main)
    return written.decode(errors="replace")[-2000:]


def test_console_paints_the_cached_queue_before_loading_the_http_client(
    cached_counter: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "modules"
    env = {k: v for k, v in os.environ.items() if k not in ("O2O_PROFILE", "NO_COLOR")}
    env.update(cached_counter, FIRST_FRAME_OUT=str(out), TERM="xterm-256color")
    first, later, collector = Path(f"{out}.first"), Path(f"{out}.later"), Path(f"{out}.gc")
    written = _run_on_a_pty(
        [sys.executable, "-c", HOOK, "console", "--profile", "counter"], env, until=[first, later, collector]
    )
    assert first.exists(), f"the cached orders never reached the screen; it wrote: {written!r}"
    at_first_frame = json.loads(first.read_text())
    early = [name for name in NOT_AT_FIRST_FRAME if _loaded(at_first_frame["modules"], name)]
    assert early == [], f"loaded before the first frame: {early}"
    assert later.exists(), "the sync engine never made its client after the first frame"
    # no garbage collection during start-up (it only rescanned what start-up made: ~80 ms at 2,000 orders);
    # afterwards it runs again, over a frozen start-up. A first frame later than the pause (a loaded machine) finds
    # it enabled again, but only after the pause's end froze start-up's objects
    assert at_first_frame["gc"] is False or at_first_frame["frozen"] > 10_000, at_first_frame["frozen"]
    assert collector.exists(), "garbage collection never resumed"
    assert int(collector.read_text()) > 10_000


async def test_the_engine_waits_for_the_frame_showing_the_cache_however_long_it_takes(
    cached_counter: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow first paint (2,000 orders on a busy machine) during which the event loop sits idle: the engine's
    HTTP client is made after the queue shows the cached orders, not when the loop merely looks quiet (CI saw
    httpx and the services loaded before the first frame under load)."""
    from o2o_tui.config import load_profile
    from screens.app import MerchantApp
    from screens.launch import open_source
    from screens.orders_screen import OrdersScreen

    source = open_source(load_profile("counter"))
    shown: list[int] = []  # the cached orders the queue had applied, at each change
    at_prepare: list[list[int]] = []  # what `shown` was when the engine made its HTTP client
    apply_change = OrdersScreen.apply_change

    async def slow_apply(screen: OrdersScreen, change: SourceChange) -> None:
        if not at_prepare:  # (not once the engine runs: the test ends meanwhile)
            await asyncio.sleep(1.5)  # the loop is quiet all along
            # the test ended while it slept: the app closing, or already taking the screen's widgets down
            if not screen.is_attached or not screen.app.is_running or not screen.query("#banner"):
                return
        try:
            await apply_change(screen, change)
        except NoMatches:  # the test ended while the change applied: the screen's widgets went with the app
            if screen.is_attached and screen.query("#banner"):
                raise
            return
        shown.append(len(screen.app.source.orders()))  # what that change put on screen

    prepare = source._client.prepare  # type: ignore[attr-defined]

    told: list[bool] = []  # at each use of the client: had the app said the frame was out (not the 10 s fallback)

    def prepare_noting() -> object:
        at_prepare.append(list(shown))
        told.append(source._first_frame is not None and source._first_frame.is_set())  # type: ignore[attr-defined]
        return prepare()

    monkeypatch.setattr(OrdersScreen, "apply_change", slow_apply)
    monkeypatch.setattr(source._client, "prepare", prepare_noting)  # type: ignore[attr-defined]
    app = MerchantApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(600):
            if at_prepare:
                break
            await pilot.pause(0.05)
        services_at_prepare = app._services_started
    assert at_prepare, "the engine never made its client"
    assert 3 in at_prepare[0], f"the client was made before the cached orders were on screen: {at_prepare[0]}"
    assert services_at_prepare
    assert told[0], "the engine started on its fallback: the app never said the first frame was out"


async def test_a_client_made_on_first_use_is_made_once_and_only_when_used(
    shared_platform: RunningPlatform,
) -> None:
    from o2o_tui.client import AsyncPlatformClient
    from o2o_tui.client.lazy import ClientOnFirstUse

    assert shared_platform.seed is not None
    made: list[AsyncPlatformClient] = []

    def make() -> AsyncPlatformClient:
        made.append(AsyncPlatformClient(shared_platform.url, shared_platform.seed.tokens["merchant"]))
        return made[-1]

    unused = ClientOnFirstUse(make)
    await unused.close()  # never used: never made just to be closed
    assert made == [] and not unused.made

    client = ClientOnFirstUse(make)
    # a call the engine makes: the real client is made now
    store = await client.get_store(shared_platform.seed.store_id)
    assert store.id == shared_platform.seed.store_id
    assert client.prepare() is made[0] and len(made) == 1
    await client.close()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["console"], (None, False)),
        (["--lang", "zh", "console", "--profile", "a", "--no-cache"], ("a", True)),
        (["--lang=en", "console", "--profile=b"], ("b", False)),
        (["console", "--help"], None),  # typer answers the rest
        (["console", "--profile"], None),
        (["console", "--profile", "a", "--profile", "b"], None),
        (["console", "--no-cache", "--no-cache"], None),
        (["--version", "console"], None),
        (["console", "extra"], None),
        (["orders", "list"], None),
    ],
)
def test_the_quick_console_start_takes_only_the_usual_forms(
    argv: list[str], expected: tuple[str | None, bool] | None
) -> None:
    from o2o_tui.cli.console_quick import _options

    assert _options(argv) == expected


def test_on_a_terminal_a_console_that_cannot_open_is_explained_as_always(tmp_path: Path) -> None:
    """The quick start leaves a missing profile to the typer command: same sentence, same exit code."""
    from o2o_tui.cli.exits import Exit

    env = {k: v for k, v in os.environ.items() if k not in ("O2O_PROFILE", "NO_COLOR")}
    env.update(O2O_HOME=str(tmp_path / "home"), O2O_LANG="en", TERM="xterm-256color")
    main, child = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", "from o2o_tui.cli import main; main()", "console"],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    os.close(child)
    written = bytearray()
    with contextlib.suppress(OSError):  # EIO once the program ended
        while select.select([main], [], [], 20)[0] and (chunk := os.read(main, 65536)):
            written += chunk
    os.close(main)
    assert process.wait(timeout=20) == Exit.AUTH
    assert "login" in written.decode(errors="replace")


def _containers(value: object) -> set[int]:
    """The ids of every list and dict in `value` (a document or a struct), nested ones too."""
    found: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.add(id(item))
            stack.extend(item.values())
        elif isinstance(item, list):
            found.add(id(item))
            stack.extend(item)
        elif isinstance(item, msgspec.Struct):
            stack.extend(getattr(item, name) for name in item.__struct_fields__)
    return found


def test_orders_are_read_from_the_stored_documents_without_a_copy_and_share_nothing_with_them(
    tmp_path: Path,
) -> None:
    """The read model decodes the stored documents themselves (no deep copy: the console's first frame at
    2,000 orders reads ~35 ms faster); what it returns shares no list or dict with the cache, which is unchanged."""
    from o2o_tui.sync import tables
    from o2o_tui.sync.read_model import ReadModel
    from offline_cache import open_profile_cache

    with open_profile_cache(tmp_path / "profile") as cache:
        orders = [make_order(f"ord_{n}", 40 + n) for n in range(3)]
        table = cache.table(tables.ORDERS)
        table.replace_all({order.id: msgspec.to_builtins(order) for order in orders})
        before = table.items()  # copies
        views = ReadModel(cache).orders()
        stored = dict(table.items_shared())
        for view in views:
            assert _containers(view.order).isdisjoint(_containers(stored[view.order.id]))
        assert [view.order for view in views] == orders
        assert table.items() == before
