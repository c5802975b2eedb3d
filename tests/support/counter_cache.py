"""A merchant profile on this machine whose offline cache already holds orders: for tests that start a real console
with nothing to sync from (its platform URL points where nothing listens)."""

from __future__ import annotations

from pathlib import Path

import msgspec

from tests.test_sync_read_model import make_order


def cached_counter_env(home: Path, orders: int = 3) -> dict[str, str]:
    """Save profile "counter" under `home` with `orders` cached orders; the environment a console needs to find it.

    `O2O_HOME` must already point at `home` in this process (the profile and cache are written through it)."""
    from o2o_tui.config import save_profile
    from o2o_tui.sync import tables
    from o2o_tui.sync.session import open_cache

    profile = save_profile(
        "counter", url="http://127.0.0.1:9", token="t", role="merchant", user_id="u_1", store_id="st_1"
    )
    cache = open_cache(profile)
    try:
        cached = [make_order(f"ord_{n}", 40 + n) for n in range(orders)]
        cache.table(tables.ORDERS).replace_all({order.id: msgspec.to_builtins(order) for order in cached})
    finally:
        cache.close()
    return {"O2O_HOME": str(home), "O2O_LANG": "en"}
