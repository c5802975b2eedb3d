"""A fault-injecting TCP proxy for tests: asyncio on 127.0.0.1, in a background thread, in front of a real server.

    with FaultProxy(server_port) as proxy:
        client = httpx.Client(base_url=f"http://127.0.0.1:{proxy.port}")
        proxy.reset_after(0)          # forward the request, then RST before any byte of the answer
        proxy.set_random(p=0.3, seed=1, faults=[Fault.DROP, Fault.RESET, Fault.HTTP_503])
        proxy.stats.faults_injected   # counters

Modes (switchable at any time, from any thread):
- pass: forward both ways.
- drop: close a new connection at once (a request on a kept-alive connection: close it without forwarding).
- delay: wait `delay_ms` before forwarding each chunk, both ways.
- reset: forward the request, then send a TCP RST after the first `reset_after` bytes of the answer. With 0 the
  server has applied the request and the client never sees the answer: the case idempotency keys exist for.
- http_502 / http_503: answer that status itself, without forwarding.
- black_hole: accept, take the request, never answer (the client's timeout must fire).
- random: each exchange draws a fault with probability `p` from `faults` (seeded, so a run can be replayed).

A fault is drawn for each new connection and again for each further request on a kept-alive connection (a request
is data from the client after the server has answered), so a keep-alive client still meets the faults.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import random
import socket
import struct
import threading
from collections import Counter
from dataclasses import dataclass, field
from types import TracebackType

_CHUNK = 65536


class Fault(enum.StrEnum):
    PASS = "pass"
    DROP = "drop"
    DELAY = "delay"
    RESET = "reset"
    HTTP_502 = "http_502"
    HTTP_503 = "http_503"
    BLACK_HOLE = "black_hole"


_STATUS_LINES = {Fault.HTTP_502: b"502 Bad Gateway", Fault.HTTP_503: b"503 Service Unavailable"}


def http_answer(fault: Fault) -> bytes:
    body = f'{{"error": {{"code": "proxy_{fault.value}"}}}}'.encode()
    return (
        b"HTTP/1.1 " + _STATUS_LINES[fault] + b"\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body
    )


@dataclass
class ProxyStats:
    connections: int = 0
    exchanges: int = 0  # requests seen (first data of a connection, and each later request on it)
    faults: Counter[str] = field(default_factory=Counter)

    @property
    def faults_injected(self) -> int:
        return sum(self.faults.values())


@dataclass(frozen=True)
class _Settings:
    mode: Fault | str = Fault.PASS  # a Fault, or "random"
    delay_ms: float = 0.0
    reset_after: int = 0
    p: float = 0.0
    faults: tuple[Fault, ...] = ()
    random_reset_max: int | None = None  # random mode: reset after 0..N bytes, drawn per fault


class _Exchange:
    """The fault in force on one connection for the current request."""

    def __init__(self, fault: Fault, reset_after: int, delay: float) -> None:
        self.fault = fault
        self.reset_after = reset_after
        self.delay = delay
        self.answered = 0  # bytes of the answer forwarded so far


class FaultProxy:
    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self.stats = ProxyStats()
        self._settings = _Settings()
        self._rng = random.Random(0)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    # -- modes (any thread) ----------------------------------------------------------------------------------

    def _set(self, **changes: object) -> None:
        with self._lock:
            self._settings = _Settings(**{**self._settings.__dict__, **changes})

    def pass_through(self) -> None:
        self._set(mode=Fault.PASS)

    def drop(self) -> None:
        self._set(mode=Fault.DROP)

    def delay(self, ms: float) -> None:
        self._set(mode=Fault.DELAY, delay_ms=ms)

    def reset_after(self, response_bytes: int = 0) -> None:
        self._set(mode=Fault.RESET, reset_after=response_bytes)

    def http_502(self) -> None:
        self._set(mode=Fault.HTTP_502)

    def http_503(self) -> None:
        self._set(mode=Fault.HTTP_503)

    def black_hole(self) -> None:
        self._set(mode=Fault.BLACK_HOLE)

    def set_mode(self, fault: Fault) -> None:
        self._set(mode=Fault(fault))

    def set_random(
        self,
        p: float = 0.3,
        seed: int = 1,
        faults: list[Fault] | tuple[Fault, ...] = (Fault.DROP, Fault.RESET, Fault.HTTP_502, Fault.HTTP_503),
        *,
        reset_after_max: int | None = 0,
        delay_ms: float = 20.0,
    ) -> None:
        """Each exchange gets a fault with probability `p`, chosen uniformly from `faults`; a RESET cuts the
        answer after 0..`reset_after_max` bytes (drawn too)."""
        if not 0.0 <= p <= 1.0 or not faults:
            raise ValueError("p must be in [0, 1] and faults non-empty")
        with self._lock:
            self._rng = random.Random(seed)
            self._settings = _Settings(
                mode="random",
                p=p,
                faults=tuple(Fault(fault) for fault in faults),
                random_reset_max=reset_after_max,
                delay_ms=delay_ms,
            )

    def reset_stats(self) -> ProxyStats:
        """Start counting afresh; returns the counters so far."""
        with self._lock:
            old, self.stats = self.stats, ProxyStats()
        return old

    @property
    def mode(self) -> str:
        return str(self._settings.mode)

    def _draw(self) -> _Exchange:
        with self._lock:
            settings = self._settings
            self.stats.exchanges += 1
            reset_after = settings.reset_after
            if settings.mode == "random":
                fault = Fault.PASS
                if self._rng.random() < settings.p:
                    fault = self._rng.choice(settings.faults)
                    reset_after = self._rng.randint(0, settings.random_reset_max or 0)
            else:
                fault = Fault(settings.mode)
            if fault is not Fault.PASS:
                self.stats.faults[fault.value] += 1
            return _Exchange(fault, reset_after, settings.delay_ms / 1000)

    # -- life ------------------------------------------------------------------------------------------------

    def __enter__(self) -> FaultProxy:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._server = loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
                self.port = self._server.sockets[0].getsockname()[1]
            except BaseException as exc:  # reported to the starting thread
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name=f"faultproxy->{self.upstream[1]}", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if loop.is_running():
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._loop = self._thread = None

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- one connection --------------------------------------------------------------------------------------

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.stats.connections += 1
        self._writers.add(client_writer)
        upstream_writer: asyncio.StreamWriter | None = None
        try:
            exchange = self._draw()
            if exchange.fault is Fault.DROP:
                return
            first = await client_reader.read(_CHUNK)
            if not first:
                return
            if exchange.fault is Fault.BLACK_HOLE:
                await self._swallow(client_reader)
                return
            if exchange.fault in _STATUS_LINES:
                await self._answer(client_writer, exchange.fault)
                return
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
            except OSError:
                return
            self._writers.add(upstream_writer)
            state = {"exchange": exchange, "answer_started": False}
            await self._forward(upstream_writer, first, exchange)
            await asyncio.gather(
                self._client_to_upstream(client_reader, client_writer, upstream_writer, state),
                self._upstream_to_client(upstream_reader, client_writer, upstream_writer, state),
            )
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            pass
        finally:
            for writer in (client_writer, upstream_writer):
                if writer is not None:
                    self._writers.discard(writer)
                    writer.close()

    async def _forward(self, writer: asyncio.StreamWriter, data: bytes, exchange: _Exchange) -> None:
        if exchange.fault is Fault.DELAY:
            await asyncio.sleep(exchange.delay)
        writer.write(data)
        await writer.drain()

    async def _swallow(self, reader: asyncio.StreamReader) -> None:
        while await reader.read(_CHUNK):
            pass

    async def _answer(self, writer: asyncio.StreamWriter, fault: Fault) -> None:
        writer.write(http_answer(fault))
        await writer.drain()

    async def _client_to_upstream(
        self,
        client_reader: asyncio.StreamReader,
        client_writer: asyncio.StreamWriter,
        upstream_writer: asyncio.StreamWriter,
        state: dict[str, object],
    ) -> None:
        while data := await client_reader.read(_CHUNK):
            exchange = state["exchange"]
            assert isinstance(exchange, _Exchange)
            if state["answer_started"]:  # a new request on a kept-alive connection
                exchange = state["exchange"] = self._draw()
                state["answer_started"] = False
                if exchange.fault is Fault.DROP:
                    raise ConnectionResetError
                if exchange.fault in _STATUS_LINES:
                    await self._answer(client_writer, exchange.fault)
                    raise ConnectionResetError
            if exchange.fault is Fault.BLACK_HOLE:
                continue
            await self._forward(upstream_writer, data, exchange)
        with contextlib.suppress(OSError):
            upstream_writer.write_eof()

    async def _upstream_to_client(
        self,
        upstream_reader: asyncio.StreamReader,
        client_writer: asyncio.StreamWriter,
        upstream_writer: asyncio.StreamWriter,
        state: dict[str, object],
    ) -> None:
        while data := await upstream_reader.read(_CHUNK):
            exchange = state["exchange"]
            assert isinstance(exchange, _Exchange)
            state["answer_started"] = True
            if exchange.fault is Fault.BLACK_HOLE:
                continue
            if exchange.fault is Fault.RESET:
                allowed = max(0, exchange.reset_after - exchange.answered)
                if len(data) >= allowed:
                    await self._reset(client_writer, data[:allowed])
                    upstream_writer.transport.abort()
                    raise ConnectionResetError
                exchange.answered += len(data)
            await self._forward(client_writer, data, exchange)
        client_writer.close()

    async def _reset(self, writer: asyncio.StreamWriter, last: bytes) -> None:
        """Send `last`, then a TCP RST (SO_LINGER 0 and close) instead of an orderly close."""
        if last:
            writer.transport.set_write_buffer_limits(0)
            writer.write(last)
            await writer.drain()
            await asyncio.sleep(0.01)  # let the peer read the bytes before the RST discards its buffer
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
