"""`o2o console` paints the cached queue before it loads what only later work needs (issue #11, first paint).

Import hygiene, not a timed assert: in a fresh interpreter the console's path (the `console` command's module,
the profile's cache and source, the app) runs to the moment the cached orders reach the screen, and the modules
loaded by then are checked: no HTTP client (httpx: ~0.2 s with its TLS context), no server, no screen that opens
later. The sync engine still starts after that frame: its client is made then.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

from tests.support.platform import RunningPlatform
from tests.test_sync_read_model import make_order

ROOT = Path(__file__).resolve().parent.parent

CONSOLE_PATH = r"""
import asyncio, json, sys
from o2o_tui.cli import build_app
build_app("console")  # what `o2o console` loads to run its command
from o2o_tui.config import load_profile
from screens.launch import open_source
from screens.app import MerchantApp

source = open_source(load_profile("counter"))
seen = {}

def on_change(change):
    if change.order_ids and "first" not in seen:  # the cached orders, on their way to the first frame
        seen["first"] = sorted(sys.modules)

source.subscribe(on_change)

async def main():
    app = MerchantApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(500):
            if "first" in seen and "httpx" in sys.modules:  # the engine made its client after the frame
                break
            await pilot.pause(0.02)
    print(json.dumps({"first": seen.get("first"), "later": sorted(sys.modules)}))

asyncio.run(main())
"""

NOT_AT_FIRST_FRAME = (
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
)


@pytest.fixture
def cached_counter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A merchant profile whose cache holds three orders; its platform is not reachable (nothing listens)."""
    from o2o_tui.config import save_profile
    from o2o_tui.sync import tables
    from o2o_tui.sync.session import open_cache

    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    profile = save_profile(
        "counter", url="http://127.0.0.1:9", token="t", role="merchant", user_id="u_1", store_id="st_1"
    )
    cache = open_cache(profile)
    try:
        orders = [make_order(f"ord_{n}", 40 + n) for n in range(3)]
        cache.table(tables.ORDERS).replace_all({order.id: msgspec.to_builtins(order) for order in orders})
    finally:
        cache.close()
    return {"O2O_HOME": str(tmp_path / "home"), "O2O_LANG": "en"}


def _loaded(modules: list[str], name: str) -> bool:
    return any(module == name or module.startswith(name + ".") for module in modules)


def test_console_paints_the_cached_queue_before_loading_the_http_client(
    cached_counter: dict[str, str],
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("O2O_PROFILE", "NO_COLOR")}
    done = subprocess.run(
        [sys.executable, "-c", CONSOLE_PATH],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**env, **cached_counter},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["first"] is not None, "the cached orders never reached the screen"
    early = [name for name in NOT_AT_FIRST_FRAME if _loaded(found["first"], name)]
    assert early == [], f"loaded before the first frame: {early}"
    assert _loaded(found["later"], "httpx"), "the sync engine never made its client after the first frame"


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
