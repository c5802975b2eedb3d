"""The dispatch board's engine (numpy, scipy: ~0.3 s, most of a second on a loaded machine) is imported on a thread
once the console is idle after its first frame, so the first `d` does not wait for it (screens/app.py
`_warm_dispatch_board`). Checked by what is loaded when, not by timing: never before the first frame, then without
any key pressed; never for a console that has no board (no profile, the simple mode)."""

from __future__ import annotations

import json
import os
import sys
import threading
import types
from pathlib import Path

import pytest

from screens import app as app_module
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from tests.test_console_first_frame import HOOK, _loaded, _run_on_a_pty, cached_counter  # noqa: F401 (fixture)
from tests.test_ui_dispatch import until

# the first-frame hook, and a thread noting the modules loaded once the dispatch engine is in (no key is pressed)
WARM_HOOK = (
    r"""
import json, os, sys, threading, time

def engine_warmed():
    while "o2o_tui.live_dispatch" not in sys.modules or "scipy.optimize" not in sys.modules:
        time.sleep(0.02)
    out = os.environ["FIRST_FRAME_OUT"]
    with open(out + ".warm.tmp", "w") as file:
        json.dump({"modules": sorted(sys.modules), "thread": threading.current_thread().name}, file)
    os.replace(out + ".warm.tmp", out + ".warm")

threading.Thread(target=engine_warmed, daemon=True).start()
"""
    + HOOK
)

ENGINE = ("o2o_tui.live_dispatch", "o2o_tui.dispatch", "scipy")


def test_the_console_imports_the_dispatch_engine_after_its_first_frame_unasked(
    cached_counter: dict[str, str],  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    out = tmp_path / "modules"
    env = {k: v for k, v in os.environ.items() if k not in ("O2O_PROFILE", "NO_COLOR")}
    env.update(cached_counter, FIRST_FRAME_OUT=str(out), TERM="xterm-256color")
    first, warm = Path(f"{out}.first"), Path(f"{out}.warm")
    written = _run_on_a_pty(
        [sys.executable, "-c", WARM_HOOK, "console", "--profile", "counter"], env, until=[first, warm]
    )
    assert first.exists(), f"the cached orders never reached the screen; it wrote: {written!r}"
    at_first_frame = json.loads(first.read_text())["modules"]
    assert [name for name in ENGINE if _loaded(at_first_frame, name)] == [], (
        "the engine came before the frame"
    )
    assert warm.exists(), "the dispatch engine was never imported ahead of `d`"
    at_warm = json.loads(warm.read_text())["modules"]
    # the warm-up imports nothing of Textual's: the board's screen module waits for `d`
    assert not _loaded(at_warm, "screens.dispatch_board")


ON_SHOW: list[MerchantApp] = []  # the app a test runs


@pytest.fixture
def warm_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, str]]:
    """Each warm-up's (whether the services had started, its thread's name), in place of the import."""
    calls: list[tuple[bool, str]] = []
    monkeypatch.delitem(sys.modules, "o2o_tui.live_dispatch", raising=False)  # as in a new console
    monkeypatch.setattr(
        app_module,
        "_import_dispatch_engine",
        lambda: calls.append((ON_SHOW[-1]._services_started, threading.current_thread().name)),
    )
    return calls


PROFILE = types.SimpleNamespace(url="http://127.0.0.1:9", token="t", store_id="st_1", name="warm")


@pytest.mark.parametrize(
    ("profile", "simple", "warmed"), [(PROFILE, False, True), (None, False, False), (PROFILE, True, False)]
)
async def test_only_a_console_with_the_board_warms_it_and_only_after_its_services(
    warm_calls: list[tuple[bool, str]], profile: object, simple: bool, warmed: bool
) -> None:
    app = MerchantApp(MemoryOrderSource(), profile=profile, simple=simple)  # type: ignore[arg-type]
    ON_SHOW[:] = [app]
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app._services_started, "the services started")
        if warmed:
            await until(pilot, lambda: bool(warm_calls), "the engine warmed")
        else:
            await pilot.pause(1.5)  # idle well past the warm-up's moment
    if warmed:
        assert warm_calls == [(True, "o2o-warm-dispatch")]  # once, on its own thread, after the first frame
    else:
        assert warm_calls == []
