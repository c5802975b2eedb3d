"""Toasts and dialogs in the merchant console: while a dialog is open toasts never cover it (the ones up wait behind
it, new ones are held and shown when it closes, a rush of them counted in one line); a refusal of a script's action
on the same profile is listed under `!` but does not pop up on the console as if the counter did it; a refused
auto-accept reads as the station's, not as a tap."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets._toast import Toast

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from offline_cache.outbox import EntryState, OutboxEntry
from screens.app import HELD_SHOWN, NARROW_HELD_SHOWN, MerchantApp
from screens.conflicts_screen import conflict_prompt
from screens.engine_source import conflict_view
from screens.launch import open_source
from screens.memory_source import MemoryOrderSource
from screens.redeem_screen import RedeemScreen
from screens.source import LinkState, LinkStatus
from tests.support.platform import RunningPlatform, api
from tests.test_ui_live import wait_until
from tests.test_ui_redeem import _voucher_code
from tests.test_ui_samples import sample_store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _toasts(app: MerchantApp) -> list[str]:
    """The toasts' texts, each on one line (a toast's text is broken into lines for its width: English at spaces)."""
    return [str(notification.message).replace("\n", " ") for notification in app._notifications]


async def test_toasts_wait_while_a_dialog_is_open_at_40x15() -> None:
    app = MerchantApp(MemoryOrderSource(store=sample_store(), link=LinkStatus(LinkState.ONLINE)))
    async with app.run_test(size=(40, 15), notifications=True) as pilot:
        app.say("up before the dialog")
        await pilot.pause()
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, RedeemScreen))
        await pilot.pause()
        # the toast already up is taken down, from the dialog and from the queue under it (which shows through)
        assert _toasts(app) == [] and not any(list(screen.query(Toast)) for screen in app.screen_stack)
        for n in range(5):
            app.say(f"refused {n}: order #00{n} was cancelled by the customer", severity="error")
        await pilot.pause()
        assert _toasts(app) == [] and not any(list(screen.query(Toast)) for screen in app.screen_stack)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, RedeemScreen))
        await pilot.pause()
        shown = _toasts(app)
        assert len(app.screen.query(Toast)) == len(_toasts(app))  # up again, on the queue
        # below 60 columns the toasts take half the rows at most: the count line and the newest (the one from
        # before the dialog, shown then, taken down for room); at 80 columns the newest two (below)
        assert len(shown) == NARROW_HELD_SHOWN
        assert "4 messages came while the dialog was open" in shown[0]
        assert shown[1:] == ["refused 4: order #004 was cancelled by the customer"]
        assert sum(toast.outer_size.height + 1 for toast in app.screen.query(Toast)) <= 15 // 2


async def test_toasts_wait_while_a_dialog_is_open_at_80x24() -> None:
    app = MerchantApp(MemoryOrderSource(store=sample_store(), link=LinkStatus(LinkState.ONLINE)))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        app.say("up before the dialog")
        await pilot.pause()
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, RedeemScreen))
        await pilot.pause()
        assert _toasts(app) == [] and not any(list(screen.query(Toast)) for screen in app.screen_stack)
        for n in range(5):
            app.say(f"refused {n}: order #00{n} was cancelled by the customer", severity="error")
        await pilot.pause()
        assert _toasts(app) == []
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, RedeemScreen))
        await pilot.pause()
        shown = _toasts(app)
        assert len(app.screen.query(Toast)) == len(_toasts(app))  # all of them up again, on the queue
        assert len(shown) == 1 + HELD_SHOWN  # the one from before, a count line and the newest two
        assert "3 messages came while the dialog was open" in shown[1]
        assert shown[2:] == [
            "refused 3: order #003 was cancelled by the customer",
            "refused 4: order #004 was cancelled by the customer",
        ]


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )


def _script(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`o2o ARGS` as another process on the console's profile (a script at the counter)."""
    env = {**os.environ, "O2O_HOME": str(home), "O2O_LANG": "en", "O2O_PROFILE": "counter", "NO_COLOR": "1"}
    env.pop("O2O_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-c", "from o2o_tui.cli import main; main()", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_a_scripts_refusal_is_listed_but_does_not_pop_up(
    platform: RunningPlatform, profile: Profile, tmp_path: Path
) -> None:
    code = await asyncio.to_thread(_voucher_code, platform)
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    merchant.post(f"/v1/stores/{platform.seed.store_id}/vouchers/redeem", {"code": code})
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        done = await asyncio.to_thread(_script, tmp_path / "home", "redeem", code)
        assert done.returncode == 4 and "redeemed before" in done.stderr  # the script heard it
        await wait_until(pilot, lambda: app.source.link().conflicts == 1)  # and `!` lists it
        await wait_until(pilot, lambda: len(app.source.conflicts()) == 1)
        await pilot.pause(1.5)  # the console's watch of the profile's files runs about once a second
        assert not any("redeemed before" in text for text in _toasts(app))


def test_a_refused_auto_accept_reads_as_the_stations() -> None:
    def entry(body: str) -> OutboxEntry:
        return OutboxEntry(
            key="k1",
            seq=1,
            action="order.confirm",
            target="ord-1",
            body=body,
            occurred_at="2026-12-05T19:54:00Z",
            state=EntryState.REJECTED,
            rejection={"code": "conflict", "message": "not new"},
        )

    station = conflict_view(entry('{"preparation_minutes":15,"auto":true}'), 42)
    person = conflict_view(entry('{"preparation_minutes":15}'), 42)
    assert station.automatic and not person.automatic
    assert "#0042 · auto-accept · at " in str(conflict_prompt(station, None))
    assert "#0042 · accept · tapped " in str(conflict_prompt(person, None))
