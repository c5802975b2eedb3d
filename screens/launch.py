"""Build the merchant console's order source for a profile, and run the console (or the same stack headless).

`open_source` picks the sync engine when it is available (offline cache + outbox), else the client-backed
source. Nothing here imports Textual until `run_merchant_console` is called.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import threading
import time
from collections.abc import Callable
from typing import Any

import msgspec

from o2o_tui.config import Profile
from o2o_tui.settings import load_settings
from screens.source import OrderSource, SourceChange

GC_PAUSE_S = 1.0  # the garbage collector rests this long from the console's start (its first frame)


def pause_gc_for_start_up(seconds: float = GC_PAUSE_S) -> None:
    """No garbage collection while the console starts: start-up makes objects that all live on (Textual's
    modules, screens, up to a million for 2,000 cached orders), so collections then only rescan them, over and
    over: ~30 ms of the first frame at 30 orders, ~80 ms at 2,000. Then they are frozen (out of the collector's
    sight, as `screens/steady_keys.py` does again once the screens built ahead exist) and collection resumes:
    re-enabled alone, its first pass would scan them all at once."""

    def resume() -> None:
        gc.freeze()
        gc.enable()

    gc.disable()
    timer = threading.Timer(seconds, resume)
    timer.daemon = True
    timer.start()


def open_source(profile: Profile, *, offline_cache: bool = True) -> OrderSource:
    """The sync engine on the profile's cache (raises `CacheLockedError` naming the holder when another
    process has it), or with `offline_cache=False` the client-backed source that needs the link."""
    if not profile.store_id:
        raise ValueError("a merchant profile with a store is needed")
    if not offline_cache:
        from o2o_tui.client import AsyncPlatformClient  # imported here: httpx costs ~0.1 s of start-up
        from screens.client_login import LoginClientOrderSource

        # a new `o2o login` of the account is taken as the engine's console takes it (`watch_login`)
        return LoginClientOrderSource(AsyncPlatformClient(profile.url, profile.token), profile)
    from o2o_tui.client.lazy import ClientOnFirstUse
    from o2o_tui.sync.session import make_client, make_engine, open_cache
    from screens.engine_source import EngineOrderSource

    cache = open_cache(profile)
    try:
        # made after the first frame (httpx and a TLS context: ~0.2 s the cached queue does not need)
        client = ClientOnFirstUse(lambda: make_client(profile))
        engine = make_engine(profile, cache, client)
    except Exception:
        cache.close()
        raise
    watch_login(engine, profile)
    return EngineOrderSource(engine, cache, client, profile.store_id)


def watch_login(engine: Any, profile: Profile) -> None:
    """While the platform refuses the token (`o2o admin rotate-token`) or does not answer, the engine reads the
    profile for a new login: another login of the same account and platform (`config.same_account`: the
    platform's id, so maybe at its other server) is sent from then on, to the URL it was made at, with no
    restart; someone else's login saved under the profile's name is not taken (the engine says so:
    `other_login`)."""
    from o2o_tui.config import saved_login

    current = [profile]  # the login the engine's client sends now

    def check() -> tuple[str | None, bool, str | None]:
        saved, other = saved_login(current[0])
        if saved is None:
            return None, other, None
        current[0] = saved
        return saved.token, False, saved.url

    engine.watch_login(check)


def run_merchant_console(
    profile: Profile, *, source_factory: Callable[[Profile], OrderSource] = open_source, simple: bool = False
) -> None:
    """Open the console; the user's keymap (`settings.json` / `O2O_KEYMAP`, binding id -> key) applies.
    `simple` (or the `simple_mode` setting) opens the simple screen as home (`screens/simple_screen.py`)."""
    pause_gc_for_start_up()
    from screens.app import MerchantApp

    settings = load_settings()
    simple = simple or settings.simple_mode
    MerchantApp(source_factory(profile), keymap=settings.keymap, profile=profile, simple=simple).run()


class HeadlessReport(msgspec.Struct, frozen=True):
    orders_seen: int
    seconds: float
    final_state: str


async def watch_headless(source: OrderSource, seconds: float) -> HeadlessReport:
    """Run `source` for `seconds` with no UI and count the distinct orders it delivered."""
    seen: set[str] = set()

    def on_change(change: SourceChange) -> None:
        seen.update(entry.order.id for entry in source.orders())

    unsubscribe = source.subscribe(on_change)
    started = time.monotonic()
    task = asyncio.create_task(source.run())
    try:
        done, _ = await asyncio.wait({task}, timeout=seconds)
        if task in done:
            task.result()  # a source that stops early failed: let its error out
    finally:
        task.cancel()
        try:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        finally:
            # A SIGTERM turned KeyboardInterrupt inside the source's task comes out of `await task`: the cache
            # still closes, or its worker thread (not a daemon) keeps the process from exiting.
            unsubscribe()
            state = source.link().state.value
            await source.close()
    return HeadlessReport(len(seen), time.monotonic() - started, state)
