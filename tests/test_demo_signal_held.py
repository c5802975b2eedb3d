"""`InterruptOnSignals.held` and `release`, in this process (SIGUSR1: pytest's own Ctrl-C stays its own)."""

from __future__ import annotations

import os
import signal

import pytest

from o2o_tui.cli.stop_signals import InterruptOnSignals


def _send() -> None:
    os.kill(os.getpid(), signal.SIGUSR1)
    for _ in range(1000):  # Python runs the handler between these bytecodes
        pass


def test_a_signal_inside_held_is_raised_as_the_block_ends_not_inside_it() -> None:
    reached = []
    with InterruptOnSignals((signal.SIGUSR1,), retry_s=60) as stop_signals:
        with pytest.raises(KeyboardInterrupt) as raised, stop_signals.held():
            _send()
            reached.append("end of the block")  # the child was recorded: nothing raised in between
        stop_signals.stopping()
    assert reached == ["end of the block"]
    assert raised.value.args == (signal.SIGUSR1,)


def test_a_block_without_a_signal_raises_nothing_and_a_later_signal_raises_at_once() -> None:
    with InterruptOnSignals((signal.SIGUSR1,), retry_s=60) as stop_signals:
        with stop_signals.held():
            pass
        with pytest.raises(KeyboardInterrupt):
            _send()
        stop_signals.stopping()


def test_release_gives_one_signal_back_and_keeps_the_others() -> None:
    before = signal.getsignal(signal.SIGUSR1), signal.getsignal(signal.SIGUSR2)
    with InterruptOnSignals((signal.SIGUSR1, signal.SIGUSR2), retry_s=60) as stop_signals:
        stop_signals.release(signal.SIGUSR1)
        assert signal.getsignal(signal.SIGUSR1) == before[0]
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGUSR2)
            for _ in range(1000):
                pass
        stop_signals.stopping()
    assert (signal.getsignal(signal.SIGUSR1), signal.getsignal(signal.SIGUSR2)) == before
