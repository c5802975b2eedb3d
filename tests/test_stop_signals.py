"""SIGTERM turned into a KeyboardInterrupt that a swallowing context cannot lose (`o2o_tui.cli.stop_signals`)."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from o2o_tui.cli.stop_signals import InterruptOnSignals


def _swallowed_sigterm() -> None:
    """A SIGTERM whose KeyboardInterrupt is dropped, as Python drops one raised in a fork hook or a finaliser."""
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(2)  # the handler runs here
    except KeyboardInterrupt:
        pass
    else:
        pytest.fail("the handler did not raise")


class _SignalledWhileFinalised:
    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(2)  # the handler runs here; Python drops what it raises in a finaliser


def _record_unraisable(monkeypatch: pytest.MonkeyPatch) -> list[BaseException | None]:
    """What reaches the unraisable hook that was there before (the one that prints "Exception ignored")."""
    seen: list[BaseException | None] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: seen.append(unraisable.exc_value))
    return seen


def test_an_interrupt_dropped_in_a_finaliser_is_raised_again_and_not_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    printed = _record_unraisable(monkeypatch)
    with InterruptOnSignals(retry_s=0.1), pytest.raises(KeyboardInterrupt):
        doomed = _SignalledWhileFinalised()
        del doomed
        time.sleep(3)  # the retry interrupts this
    assert printed == []


def test_other_unraisable_errors_are_still_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    printed = _record_unraisable(monkeypatch)

    class Broken:
        def __del__(self) -> None:
            raise RuntimeError("broken finaliser")

    with InterruptOnSignals():
        broken = Broken()
        del broken
    assert [str(error) for error in printed] == ["broken finaliser"]


def test_no_retry_once_stopping_and_later_signals_are_ignored() -> None:
    with InterruptOnSignals(retry_s=0.1) as stop_signals:
        _swallowed_sigterm()
        stop_signals.stopping()
        time.sleep(0.4)  # no retry lands here
        os.kill(os.getpid(), signal.SIGTERM)  # a second signal during the cleanup
        time.sleep(0.2)


def test_the_previous_handlers_come_back() -> None:
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)
    with InterruptOnSignals():
        assert signal.getsignal(signal.SIGTERM) not in before
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)) == before
