"""`o2o demo --headless-check` stopped by a signal: the SIGTERM becomes a KeyboardInterrupt wherever the main
thread is, here inside the sync engine's task. The headless watch still closes the cache, whose worker thread is
not a daemon: left open, it kept the demo's process from exiting after everything else had stopped (CI saw it
hang for a minute). In a process of its own (as the demo is), against the real platform on loopback with a real
cache."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from o2o_tui.config import save_profile
from tests.support.platform import RunningPlatform

ROOT = Path(__file__).resolve().parent.parent

WATCH = textwrap.dedent(
    """
    import asyncio, sys
    from o2o_tui.config import load_profile
    from screens.launch import open_source, watch_headless

    source = open_source(load_profile("counter"))
    cache = source._cache

    async def run_then_interrupted():
        await cache.call(lambda: None)  # the cache's worker thread is up, as once the engine has pulled
        raise KeyboardInterrupt  # what a SIGTERM raises in the main thread (cli/stop_signals.py)

    source.run = run_then_interrupted
    try:
        asyncio.run(watch_headless(source, 30.0))
    except KeyboardInterrupt:
        print("interrupted, cache closed:", cache.closed, flush=True)
    """
)


def test_an_interrupt_inside_the_source_still_closes_the_cache_and_the_process_exits(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    assert shared_platform.seed is not None
    seed = shared_platform.seed
    home = tmp_path / "home"
    env = {**os.environ, "O2O_HOME": str(home), "O2O_LANG": "en"}
    os.environ["O2O_HOME"], previous = str(home), os.environ.get("O2O_HOME")
    try:
        save_profile(
            "counter", url=shared_platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
        )
    finally:
        if previous is None:
            del os.environ["O2O_HOME"]
        else:
            os.environ["O2O_HOME"] = previous
    watch = subprocess.Popen(
        [sys.executable, "-c", WATCH], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        out, err = watch.communicate(timeout=30)  # a cache left open: the worker thread holds the exit for ever
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.wait()
    assert watch.returncode == 0, err
    assert out.strip() == "interrupted, cache closed: True"
