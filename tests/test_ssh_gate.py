"""`o2o ssh-gate`: its refusals (no ssh needed), then a real OpenSSH server on loopback with the real handheld.

The end-to-end test logs in as couriers through Debian's sshd (tests/support/sshd.py) with an asyncssh client
and a pyte screen, the way a handheld on a cellular link would.
"""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from o2o_tui import ssh_gate
from screens.courier_screens import SETTLE_S
from tests.support.platform import RunningPlatform, api, order_body
from tests.support.sshd import SshdUnavailable, SshServer, start_sshd, unavailable_reason

O2O = ssh_gate.o2o_program(str(Path(sys.executable).parent / "o2o"))
TIMEOUT = 20.0


def run_gate(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The gate as sshd would run it, but from a pipe (no terminal)."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("SSH_")}
    full.update({"O2O_HOME": str(tmp_path / "home"), "O2O_LANG": "en", "SSH_CLIENT": "192.0.2.7 50000 22"})
    full.update(env or {})
    return subprocess.run(
        [O2O, "ssh-gate", *args],
        env=full,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )


def gate_log(home: Path) -> list[str]:
    return (home / "data" / ssh_gate.LOG_FILE).read_text(encoding="utf-8").splitlines()


# -- refusals, without ssh ---------------------------------------------------------------------------------------


def test_a_command_is_refused_with_one_line_and_logged_without_its_text(tmp_path: Path) -> None:
    secret = "o2o_tok_should_never_be_logged"
    result = run_gate(
        tmp_path, "--courier", "cr_1", env={"SSH_ORIGINAL_COMMAND": f"cat /etc/passwd {secret}"}
    )
    assert result.returncode == 5
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    assert "without a command" in result.stderr
    log = gate_log(tmp_path / "home")
    assert len(log) == 1 and "courier=cr_1 client=192.0.2.7 event=refused reason=command" in log[0]
    assert secret not in log[0] and "passwd" not in log[0]
    mode = stat.S_IMODE((tmp_path / "home" / "data" / ssh_gate.LOG_FILE).stat().st_mode)
    assert mode == 0o600


def test_no_terminal_and_bad_ids_are_refused(tmp_path: Path) -> None:
    no_tty = run_gate(tmp_path, "--courier", "cr_1")
    assert no_tty.returncode == 5 and "needs a terminal" in no_tty.stderr
    for bad in ("a b", "../x", "x" * 65, "", "a;reboot"):
        result = run_gate(tmp_path, "--courier", bad)
        assert result.returncode == 2, (bad, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and "not a courier id" in result.stderr
    log = gate_log(tmp_path / "home")
    assert log[0].endswith("courier=cr_1 client=192.0.2.7 event=refused reason=no-tty")
    assert all("reason=bad-courier-id" in line for line in log[1:]) and len(log) == 6
    assert "courier='a;reboot'" in log[-1]


def test_the_plan_runs_one_locked_down_tmux_server_per_courier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    environ = {"PATH": os.environ["PATH"], "TERM": "vt220", "LANG": "zh_CN.UTF-8", "TMUX": "/tmp/x,1,0"}
    with pytest.raises(
        ssh_gate.Refused
    ) as refused:  # no profile saved for this courier: say so, start nothing
        ssh_gate.plan("cr_1", None, environ, has_tty=True, program="/opt/o2o")
    assert refused.value.reason == "no-profile" and refused.value.values == {"profile": "courier-cr_1"}

    environ[ssh_gate.COMMAND_ENV] = "/bin/cat"
    chosen = ssh_gate.plan("cr_1", None, environ, has_tty=True, program="/opt/o2o")
    assert chosen.event == "start" and "TMUX" not in chosen.env
    argv = chosen.argv
    assert argv[1:3] == ["-L", "o2o-courier-cr_1"] and argv[argv.index("--") + 1 :] == ["/bin/cat"]
    assert argv[argv.index("new-session") + 1 : argv.index("new-session") + 5] == [
        "-A",
        "-D",
        "-s",
        "courier",
    ]
    assert (
        "LANG=zh_CN.UTF-8" in argv and f"O2O_HOME={tmp_path / 'home'}" not in argv
    )  # only what the login has
    conf = Path(argv[argv.index("-f") + 1]).read_text()
    for setting in (
        "prefix None",
        "unbind-key -a -T root",
        "status off",
        "mouse off",
        "destroy-unattached off",
    ):
        assert f"\n{setting}" in conf or f"set -g {setting}" in conf, setting
    assert 'default-terminal "vt220"' in conf

    del environ[ssh_gate.COMMAND_ENV]
    assert ssh_gate.app_command("courier-cr_1", environ, "/opt/o2o") == [
        "/opt/o2o",
        "courier",
        "--profile",
        "courier-cr_1",
    ]
    assert ssh_gate.tmux_conf("xterm; run-shell x").endswith('default-terminal "screen"\n')


def test_traverse_grants_are_shared_and_restored_by_the_last_holder(tmp_path: Path) -> None:
    from tests.support.sshd import grant_traverse, release_traverse

    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    first = grant_traverse([private])
    second = grant_traverse(
        [private]
    )  # a second harness while the first runs: joins, does not re-record 0701
    assert stat.S_IMODE(private.stat().st_mode) == 0o701
    release_traverse(first)
    assert stat.S_IMODE(private.stat().st_mode) == 0o701  # still held by the second
    release_traverse(second)
    assert stat.S_IMODE(private.stat().st_mode) == 0o700


# -- a real sshd ---------------------------------------------------------------------------------------------------

needs_sshd = pytest.mark.skipif(unavailable_reason() is not None, reason=unavailable_reason() or "")


@pytest.fixture(scope="module")
def sshd() -> Iterator[SshServer]:
    try:
        with start_sshd() as server:
            yield server
    except SshdUnavailable as error:  # pragma: no cover - checked by needs_sshd already
        pytest.skip(str(error))


class Handheld:
    """An asyncssh session with a pty, read through a pyte screen as a person's terminal would show it."""

    def __init__(self, conn: object, process: object, size: tuple[int, int]) -> None:
        import pyte

        self.conn = conn
        self.process = process
        self.screen = pyte.Screen(*size)
        self.stream = pyte.ByteStream(self.screen)
        self.received = 0
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, server: SshServer, key: Path, size: tuple[int, int] = (40, 16)) -> Handheld:
        import asyncssh

        conn = await asyncssh.connect(**server.connect_options(key))
        process = await conn.create_process(term_type="xterm-256color", term_size=size, encoding=None)
        return cls(conn, process, size)

    async def _read(self) -> None:
        while True:
            data = await self.process.stdout.read(65536)  # type: ignore[attr-defined]
            if not data:
                return
            self.received += len(data)
            self.stream.feed(data)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    async def wait_for(self, condition: Callable[[str], bool], what: str, timeout: float = TIMEOUT) -> str:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition(self.text()):
            assert loop.time() < deadline, f"not on screen: {what}\n{self.text()}"
            await asyncio.sleep(0.05)
        return self.text()

    async def settle(self, quiet: float = 0.4, timeout: float = TIMEOUT) -> str:
        """Wait until nothing has arrived for `quiet` seconds (the app finished painting)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            before = self.received
            await asyncio.sleep(quiet)
            if self.received == before:
                return self.text()
        return self.text()

    def press(self, keys: str) -> None:
        self.process.stdin.write(keys.encode())  # type: ignore[attr-defined]

    def resize(self, columns: int, lines: int) -> None:
        self.screen.resize(lines, columns)
        self.process.change_terminal_size(columns, lines)  # type: ignore[attr-defined]

    def kill(self) -> None:
        """The link drops: no goodbye, the TCP connection is just gone."""
        self.conn.abort()  # type: ignore[attr-defined]
        self.reader.cancel()


def login_as_account(server: SshServer, platform: RunningPlatform, courier_id: str) -> None:
    assert platform.seed is not None
    token = platform.seed.courier_tokens[courier_id]
    result = server.run_as_user(
        [O2O, "login", "--url", platform.url, "--profile", f"courier-{courier_id}"],
        env={"O2O_HOME": str(server.o2o_home), "O2O_TOKEN": token, "O2O_LANG": "en"},
    )
    assert result.returncode == 0, result.stderr


def add_key(server: SshServer, courier_id: str, key: Path) -> None:
    result = subprocess.run(
        [O2O, "admin", "courier-key", "add", courier_id, "--key", f"{key}.pub"]
        + ["--authorized-keys", str(server.authorized_keys)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr


def offer(platform: RunningPlatform, courier_id: str) -> dict:
    assert platform.seed is not None
    clients = {role: api(platform, role) for role in ("customer", "merchant", "dispatcher")}
    try:
        order = clients["customer"].post("/v1/orders", order_body(platform.seed.store_id)).json()
        clients["merchant"].post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10})
        answer = clients["dispatcher"].post(f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id})
        assert answer.status_code < 300, answer.text
    finally:
        for client in clients.values():
            client.close()
    return order


def delivery_status(platform: RunningPlatform, order_id: str) -> str:
    client = api(platform, "dispatcher")
    try:
        order = client.get(f"/v1/orders/{order_id}").json()
        return str(client.get(f"/v1/deliveries/{order['delivery_id']}").json()["status"])
    finally:
        client.close()


async def wait_status(platform: RunningPlatform, order_id: str, status: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while (found := await asyncio.to_thread(delivery_status, platform, order_id)) != status:
        assert loop.time() < deadline, f"delivery is {found}, not {status}"
        await asyncio.sleep(0.1)


@needs_sshd
async def test_a_courier_over_ssh_survives_a_dropped_link(sshd: SshServer, platform: RunningPlatform) -> None:
    assert platform.seed is not None
    courier_a, courier_b = platform.seed.courier_ids[:2]
    for courier_id, key_name in ((courier_a, "handheld-a"), (courier_b, "handheld-b")):
        login_as_account(sshd, platform, courier_id)
        add_key(sshd, courier_id, sshd.client_key(key_name))
    key_a, key_b = sshd.keys["handheld-a"], sshd.keys["handheld-b"]
    order = offer(platform, courier_a)
    number = f"#{order['number']:04d}"

    first = await Handheld.open(sshd, key_a)
    assert first.conn.get_extra_info("send_compression") == "zlib@openssh.com"  # type: ignore[attr-defined]
    await first.wait_for(lambda s: number in s and "ONLINE" in s, "the offer, online")
    first.press("1")  # open the offer
    await first.wait_for(lambda s: "1 Accept" in s, "the offer's actions")
    await asyncio.sleep(SETTLE_S + 0.2)  # as a courier reads it: fresh numbered lines drop a key at once
    first.press("1")  # accept
    await wait_status(platform, order["id"], "ACCEPTED")
    before = await first.settle()
    assert number in before
    first.kill()

    again = await Handheld.open(sshd, key_a)
    after = await again.wait_for(lambda s: s == before, "the same screen after the reconnect")
    await again.settle()
    assert again.received <= 12_000, again.received  # the re-attach budget (raw terminal bytes at 40x16)
    print(f"re-attach repaint: {again.received} bytes")
    assert delivery_status(platform, order["id"]) == "ACCEPTED"  # nothing applied twice, nothing lost
    again.resize(40, 8)
    await again.wait_for(lambda s: number in s and len(again.screen.display) == 8, "the task at 40x8")
    again.resize(40, 16)
    await again.wait_for(lambda s: s == after, "the same screen back at 40x16")

    stale = again  # a link that died without sshd noticing yet: the next login takes the session over
    again = await Handheld.open(sshd, key_a)
    await again.wait_for(lambda s: s == after, "the same screen on a second login")
    await asyncio.wait_for(stale.reader, TIMEOUT)  # the stale client was detached, its channel closed
    stale.conn.close()  # type: ignore[attr-defined]

    other = await Handheld.open(sshd, key_b)  # courier B: its own session, never A's screen
    await other.wait_for(lambda s: "ONLINE" in s, "courier B's handheld")
    assert number not in await other.settle()
    other.press("1")  # B's keys do not reach A's session
    await other.settle()
    assert again.text() == after
    other.kill()
    again.kill()

    log = gate_log(sshd.o2o_home)
    events = [line.split(" ", 1)[1] for line in log]
    assert events == [
        f"courier={courier_a} client=127.0.0.1 event=start",
        f"courier={courier_a} client=127.0.0.1 event=attach",
        f"courier={courier_a} client=127.0.0.1 event=attach",
        f"courier={courier_b} client=127.0.0.1 event=start",
    ]
    assert stat.S_IMODE((sshd.o2o_home / "data" / ssh_gate.LOG_FILE).stat().st_mode) == 0o600
    assert platform.seed.courier_tokens[courier_a] not in "\n".join(log)


@needs_sshd
async def test_a_command_or_a_forward_through_a_courier_key_is_refused(sshd: SshServer) -> None:
    import asyncssh

    key = sshd.client_key("handheld-c")
    add_key(sshd, "cr_refused", key)
    async with asyncssh.connect(**sshd.connect_options(key)) as conn:
        result = await conn.run("cat /etc/passwd", term_type="xterm", timeout=TIMEOUT)
        assert result.exit_status == 5
        assert "without a command" in str(result.stdout) + str(result.stderr)
        assert len((str(result.stdout) + str(result.stderr)).strip().splitlines()) == 1
        plain = await conn.run("id", timeout=TIMEOUT)  # no pty either
        assert plain.exit_status == 5 and "root" not in str(plain.stdout)
        with pytest.raises(asyncssh.ChannelOpenError):  # `restrict` and DisableForwarding: no port forward
            await conn.create_connection(asyncssh.SSHTCPSession, "127.0.0.1", sshd.port)
    log = gate_log(sshd.o2o_home)
    assert any("courier=cr_refused client=127.0.0.1 event=refused reason=command" in line for line in log)
