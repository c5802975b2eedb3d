"""A courier who reconnects with another locale or language (as the handheld asked: LANG=C.UTF-8, or O2O_LANG
switched) gets a fresh app when nothing is queued, instead of the old session that kept the first login's: through
the real OpenSSH server (tests/support/sshd.py), the real gate and the real handheld."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from screens.courier_screens import SETTLE_S
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform
from tests.support.sshd import SshdUnavailable, SshServer, start_sshd
from tests.test_ssh_gate import (
    O2O,
    Handheld,
    add_key,
    gate_log,
    login_as_account,
    needs_sshd,
    offer,
    wait_status,
)


@pytest.fixture(scope="module")
def sshd() -> Iterator[SshServer]:
    try:
        with start_sshd() as server:
            yield server
    except SshdUnavailable as error:  # pragma: no cover - checked by needs_sshd already
        pytest.skip(str(error))


async def open_with(server: SshServer, key: Path, env: dict[str, str]) -> Handheld:
    import asyncssh

    conn = await asyncssh.connect(**server.connect_options(key))
    process = await conn.create_process(
        term_type="xterm-256color", term_size=(40, 16), encoding=None, env=env
    )
    return Handheld(conn, process, (40, 16))


@needs_sshd
async def test_a_reconnect_with_another_language_starts_a_fresh_app(
    sshd: SshServer, platform: RunningPlatform
) -> None:
    assert platform.seed is not None
    courier_id = platform.seed.courier_ids[0]
    login_as_account(sshd, platform, courier_id)
    add_key(sshd, courier_id, sshd.client_key("handheld-locale"))
    key = sshd.keys["handheld-locale"]
    order = offer(platform, courier_id)
    number = f"#{order['number']:04d}"

    first = await open_with(sshd, key, {"LANG": "C.UTF-8", "O2O_LANG": "en"})
    await first.wait_for(lambda s: number in s and "ONLINE" in s, "the English handheld")
    first.kill()

    again = await open_with(sshd, key, {"LANG": "C.UTF-8", "O2O_LANG": "zh"})
    await again.wait_for(lambda s: number in s and "在线" in s, "the handheld in Chinese after the reconnect")
    again.kill()

    same = await open_with(sshd, key, {"LANG": "C.UTF-8", "O2O_LANG": "zh"})  # nothing changed: re-attach
    await same.wait_for(lambda s: number in s and "在线" in s, "the same Chinese session")
    same.kill()
    await asyncio.sleep(0.2)

    events = [line.split(" event=", 1)[1] for line in gate_log(sshd.o2o_home) if courier_id in line]
    assert events[-3:] == ["start", "restart", "attach"]


@needs_sshd
async def test_with_steps_queued_the_old_app_stays_and_says_why(sshd: SshServer, platform: RunningPlatform) -> None:
    """A step queued offline belongs to the app that took it: a reconnect in another language re-attaches to it
    and the bottom line says why; once the queue is sent, the next reconnect gets the new language."""
    assert platform.seed is not None
    courier_id = platform.seed.courier_ids[1]
    with FaultProxy(platform.port) as proxy:
        result = sshd.run_as_user(
            [O2O, "login", "--url", f"http://127.0.0.1:{proxy.port}", "--profile", f"courier-{courier_id}"],
            env={
                "O2O_HOME": str(sshd.o2o_home),
                "O2O_TOKEN": platform.seed.courier_tokens[courier_id],
                "O2O_LANG": "en",
            },
        )
        assert result.returncode == 0, result.stderr
        add_key(sshd, courier_id, sshd.client_key("handheld-queued"))
        key = sshd.keys["handheld-queued"]
        order = offer(platform, courier_id)
        number = f"#{order['number']:04d}"

        first = await open_with(sshd, key, {"LANG": "C.UTF-8", "O2O_LANG": "en"})
        await first.wait_for(lambda s: number in s and "ONLINE" in s, "the English handheld")
        proxy.drop()
        await first.wait_for(lambda s: "OFFLINE" in s, "offline")
        first.press("1")  # open the offer
        await first.wait_for(lambda s: "1 Accept" in s, "the offer")
        await asyncio.sleep(SETTLE_S + 0.2)
        first.press("1")  # accept: queued
        await first.wait_for(lambda s: "1 queued" in s, "the accept queued")
        first.kill()

        again = await open_with(sshd, key, {"LANG": "C.UTF-8", "O2O_LANG": "zh"})
        await again.wait_for(lambda s: "1 条待发操作发出前仍使用原语言" in s, "why the language did not change")
        assert "OFFLINE" in again.text()  # the same English app, its queued accept kept
        again.kill()

        proxy.pass_through()
        await wait_status(platform, order["id"], "ACCEPTED")
        await asyncio.sleep(1.0)  # the app has written the answer to its outbox

        fresh = await open_with(sshd, key, {"LANG": "C.UTF-8", "O2O_LANG": "zh"})
        await fresh.wait_for(lambda s: number in s and "在线" in s, "the handheld in Chinese")
        fresh.kill()
        await asyncio.sleep(0.2)

    events = [line.split(" event=", 1)[1] for line in gate_log(sshd.o2o_home) if courier_id in line]
    assert events[-3:] == ["start", "attach-old-locale", "restart"]
