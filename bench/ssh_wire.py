"""Bytes on the SSH wire for one handheld session, with and without compression (part of `bench terminal`).

A real sshd on loopback (tests/support/sshd.py: throwaway account, the courier's key forcing `o2o ssh-gate`), an
asyncssh client at 40x16 whose output feeds a pyte screen, and between them a byte-counting TCP relay, so what
is counted is what a cellular link would carry: SSH packets both ways, after encryption and compression.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyte

SIZE = (40, 16)
WAIT_S = 30.0


@dataclass
class Relay:
    """127.0.0.1:port -> 127.0.0.1:target, counting bytes each way."""

    target: int
    up: int = 0  # client -> server
    down: int = 0  # server -> client
    port: int = 0
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def snapshot(self) -> tuple[int, int]:
        return self.up, self.down

    def since(self, mark: tuple[int, int]) -> dict[str, int]:
        up, down = self.up - mark[0], self.down - mark[1]
        return {"up": up, "down": down, "total": up + down}

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target)
        pipes = [
            asyncio.create_task(self._pipe(reader, upstream_writer, "up")),
            asyncio.create_task(self._pipe(upstream_reader, writer, "down")),
        ]
        self._tasks.update(pipes)
        await asyncio.gather(*pipes, return_exceptions=True)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, direction: str) -> None:
        try:
            while data := await reader.read(65536):
                if direction == "up":
                    self.up += len(data)
                else:
                    self.down += len(data)
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()


class _AnsweringScreen(pyte.Screen):
    def __init__(self, columns: int, lines: int, answer: Callable[[bytes], None]) -> None:
        super().__init__(columns, lines)
        self._answer = answer

    def write_process_input(self, data: str) -> None:
        self._answer(data.encode())


class SshTerminal:
    """The client end of the session: a reader task feeds every byte of the program's output into pyte."""

    def __init__(self, process: Any) -> None:
        self.process = process
        self.screen = _AnsweringScreen(*SIZE, process.stdin.write)
        self.stream = pyte.ByteStream(self.screen)
        self.last_byte_at = time.perf_counter()
        self.received = 0
        self.ended = False
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        while data := await self.process.stdout.read(65536):
            self.last_byte_at = time.perf_counter()
            self.received += len(data)
            self.stream.feed(data)
        self.ended = True

    def text(self) -> str:
        return "\n".join(self.screen.display)

    async def wait_for(self, found: Callable[[str], bool], timeout: float = WAIT_S) -> bool:
        deadline = time.perf_counter() + timeout
        while not found(self.text()):
            if time.perf_counter() > deadline or self.ended:
                return False
            await asyncio.sleep(0.02)
        return True

    async def wait_quiet(self, quiet: float, timeout: float = WAIT_S) -> None:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() - self.last_byte_at < quiet and not self.ended:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"the SSH session was never quiet for {quiet} s; screen:\n{self.text()}")
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        self.process.close()
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)


@dataclass(frozen=True)
class Step:
    """One thing that happens to a running screen: keys the person presses, or a change made on the server."""

    label: str
    keys: bytes = b""
    server: Callable[[], None] | None = None
    budget: int | None = None  # bytes, for a task status change; None for a new screen (navigation)
    settle: float = 0.0  # seconds a person reads first: the handheld's fresh numbered lines take no key at once


@dataclass
class SshCase:
    """One courier's session over SSH: connect options, the order number to wait for, the steps to count."""

    options: dict[str, Any]
    target: str
    steps: list[Step]


async def measure_session(case: SshCase, compression: str, *, quiet: float, idle: float) -> dict[str, Any]:
    """Wire bytes for: handshake and login, start (until quiet), a change from the server, a key, idle."""
    import asyncssh

    relay = Relay(target=int(case.options["port"]))
    await relay.start()
    rows: dict[str, Any] = {}
    try:
        options = {**case.options, "port": relay.port, "compression_algs": [compression]}
        mark = relay.snapshot()
        async with asyncssh.connect(**options) as conn:
            rows["handshake and login"] = relay.since(mark)
            negotiated = conn.get_extra_info("send_compression")
            mark = relay.snapshot()
            process = await conn.create_process(term_type="xterm-256color", term_size=SIZE, encoding=None)
            terminal = SshTerminal(process)
            try:
                if not await terminal.wait_for(lambda text: case.target in text):
                    state = f"session ended, exit {process.exit_status}" if terminal.ended else "timed out"
                    raise TimeoutError(f"{case.target} not on the SSH screen ({state}):\n{terminal.text()}")
                await terminal.wait_quiet(quiet)
                rows["start (until quiet)"] = relay.since(mark)
                mark = relay.snapshot()
                await asyncio.sleep(idle)
                rows[f"idle {idle:g} s"] = relay.since(mark)
                for step in case.steps:
                    await asyncio.sleep(step.settle)
                    before = terminal.text()
                    mark = relay.snapshot()
                    if step.server is not None:
                        await asyncio.to_thread(step.server)
                    else:
                        process.stdin.write(step.keys)
                    changed = await terminal.wait_for(
                        lambda text, before=before: text != before, timeout=10.0
                    )
                    await terminal.wait_quiet(quiet)
                    rows[step.label] = {**relay.since(mark), "changed": changed}
            finally:
                await terminal.close()
    finally:
        await relay.stop()
    rows["whole session"] = {"up": relay.up, "down": relay.down, "total": relay.up + relay.down}
    return {"negotiated": str(negotiated), "rows": rows}
