"""Waiting for the event loop to go quiet: what a screen has been given is composed, painted and written out."""

from __future__ import annotations

import asyncio

QUIET_STEP_S = 0.01
QUIET_SLACK_S = 0.004
QUIET_LIMIT_S = 1.0


async def loop_quiet(limit: float = QUIET_LIMIT_S) -> None:
    """Returns once the event loop has nothing else to do (two short sleeps in a row that did not overrun: a
    screen has composed and painted what it was given, and the driver's writer thread, which needs the
    interpreter too, has had its turn), or after `limit` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    quiet = 0
    while quiet < 2 and loop.time() < deadline:
        started = loop.time()
        await asyncio.sleep(QUIET_STEP_S)
        quiet = quiet + 1 if loop.time() - started < QUIET_STEP_S + QUIET_SLACK_S else 0
