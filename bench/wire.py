"""Slow, silent and oversized clients (issue 9, defect 7): the server as shipped beside the same app served bare.

    python -m bench wire [--clients 20] [--mb 10] [--idle 200]

Two servers on new SQLite files, side by side: "guarded" is `python -m o2o_tui.platform` (admission middleware
and the guarded protocol, o2o_tui/platform/admission.py); "bare" serves the same Litestar app with plain uvicorn
(defaults: keep-alive 5 s, no admission). For each it prints:

- resident memory (VmRSS, and VmHWM, the peak) of the server process from /proc/PID/status, at rest and after
  `--clients` concurrent clients each sent a `--mb` MB body with a wrong token, then with a good token;
- how long the answer to such a body took and how many body bytes the clients got into the socket before it;
- of `--idle` connections that send nothing and as many that send half a header, how many are still open after
  the guarded server's header deadline (shortened here to 2 s by O2O_HEADER_TIMEOUT_SECONDS; 10 s by default).

Linux only (/proc). Not a test: the numbers go in the issue's note.
"""

from __future__ import annotations

import argparse
import os
import re
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from o2o_tui.platform.launch import ServerProcess, start_server
from o2o_tui.platform.seed import seed_demo

DESCRIPTION = (
    "slow/idle/oversized clients: server RSS under 20 x 10 MB bodies and idle connections, guarded vs bare"
)
QUICK = False

HEADER_DEADLINE = 2.0
_READY = re.compile(rb"(http://[\w.\-\[\]:]+:\d+)")


def serve_bare(db_url: str) -> None:
    """The same app with plain uvicorn on a free port: the server as it was before the admission layer."""
    import uvicorn

    from o2o_tui.platform.app import create_app
    from o2o_tui.platform.server import bind

    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(db_url), log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    original = server.startup

    async def startup(sockets: list[socket.socket] | None = None) -> None:
        await original(sockets=sockets)
        print(f"bare platform listening on http://127.0.0.1:{port}", flush=True)

    server.startup = startup  # type: ignore[method-assign]
    server.run(sockets=[sock])


def _start_bare(db_url: str, log_path: Path) -> ServerProcess:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.wire", "--serve-bare", db_url],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = _READY.search(log_path.read_bytes())
        if found:
            return ServerProcess(url=found.group(1).decode(), process=process)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(log_path.read_text(errors="replace")[-2000:])


def _memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


@dataclass
class BodyResult:
    status: str
    sent_mb: float
    answer_ms: float


def _send_body(port: int, token: str, size: int, results: list[BodyResult], start: threading.Barrier) -> None:
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    head = (
        f"POST /v1/orders HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
        f"Idempotency-Key: {uuid.uuid4()}\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
    ).encode()
    chunk = b" " * 65536
    start.wait()
    began = time.monotonic()
    sock.sendall(head)
    sent = 0
    answer = b""
    sock.setblocking(False)
    try:
        while sent < size and not answer:
            readable, writable, _ = select.select([sock], [sock], [], 30)
            if readable:
                answer = sock.recv(65536)
                break
            if writable:
                sent += sock.send(chunk[: size - sent])
    except OSError:
        pass
    sock.setblocking(True)
    sock.settimeout(60)
    try:
        while b"\r\n" not in answer:
            piece = sock.recv(65536)
            if not piece:
                break
            answer += piece
    except OSError:
        pass
    took = (time.monotonic() - began) * 1000
    status = answer.split(b" ", 2)[1].decode() if answer.startswith(b"HTTP/") else "closed"
    results.append(BodyResult(status, sent / 1e6, took))
    sock.close()


def _bodies(
    server: ServerProcess, token: str, clients: int, size: int
) -> tuple[list[BodyResult], float, float]:
    results: list[BodyResult] = []
    start = threading.Barrier(clients)
    threads = [
        threading.Thread(target=_send_body, args=(server.port, token, size, results, start))
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(0.3)
    rss, peak = _memory_mb(server.process.pid)
    return results, rss, peak


def _still_open(sockets: list[socket.socket]) -> int:
    open_count = 0
    for sock in sockets:
        sock.setblocking(False)
        try:
            if sock.recv(1) == b"":
                continue
        except BlockingIOError:
            open_count += 1
        except OSError:
            continue
    return open_count


def _idle(server: ServerProcess, count: int) -> tuple[int, int]:
    silent = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(count)]
    half = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(count)]
    for sock in half:
        sock.sendall(b"GET /v1/me HTTP/1.1\r\nHost: bench\r\nAuthoriz")
    time.sleep(HEADER_DEADLINE + 1.5)
    result = _still_open(silent), _still_open(half)
    for sock in silent + half:
        sock.close()
    return result


def _summary(results: list[BodyResult]) -> str:
    statuses: dict[str, int] = {}
    for result in results:
        statuses[result.status] = statuses.get(result.status, 0) + 1
    return " ".join(f"{n}x{status}" for status, n in sorted(statuses.items()))


def main(argv: list[str]) -> None:
    if argv[:1] == ["--serve-bare"]:
        serve_bare(argv[1])
        return
    parser = argparse.ArgumentParser(prog="python -m bench wire")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--mb", type=float, default=10.0)
    parser.add_argument("--idle", type=int, default=200)
    args = parser.parse_args(argv)
    size = int(args.mb * 1_000_000)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="o2o-bench-wire-") as folder:
        figures: dict[str, dict[str, str]] = {}
        for kind in ("bare", "guarded"):
            db_url = f"sqlite:///{Path(folder) / kind}.sqlite3"
            seed = seed_demo(db_url)
            log = Path(folder) / f"{kind}.log"
            if kind == "bare":
                server = _start_bare(db_url, log)
            else:
                os.environ["O2O_HEADER_TIMEOUT_SECONDS"] = str(HEADER_DEADLINE)
                try:
                    server = start_server(db_url, log)
                finally:
                    del os.environ["O2O_HEADER_TIMEOUT_SECONDS"]
            try:
                time.sleep(0.5)
                rest, _ = _memory_mb(server.process.pid)
                stranger, rss_bad, peak_bad = _bodies(server, "o2o_wrong-token", args.clients, size)
                known, rss_good, peak_good = _bodies(server, seed.tokens["customer"], args.clients, size)
                silent_open, half_open = _idle(server, args.idle)
            finally:
                server.stop()
            figures[kind] = {
                "rss at rest (MB)": f"{rest:.0f}",
                "wrong token: answers": _summary(stranger),
                "wrong token: median answer (ms)": f"{statistics.median(r.answer_ms for r in stranger):.0f}",
                "wrong token: median MB sent before it": f"{statistics.median(r.sent_mb for r in stranger):.1f}",
                "wrong token: rss after / peak (MB)": f"{rss_bad:.0f} / {peak_bad:.0f}",
                "good token: answers": _summary(known),
                "good token: median answer (ms)": f"{statistics.median(r.answer_ms for r in known):.0f}",
                "good token: rss after / peak (MB)": f"{rss_good:.0f} / {peak_good:.0f}",
                f"silent conns open after {HEADER_DEADLINE + 1.5:.1f} s": f"{silent_open}/{args.idle}",
                f"half-header conns open after {HEADER_DEADLINE + 1.5:.1f} s": f"{half_open}/{args.idle}",
            }
        for measure in figures["bare"]:
            rows.append((measure, figures["bare"][measure], figures["guarded"][measure]))
    print(
        f"{args.clients} concurrent clients x {args.mb:g} MB bodies; {args.idle} silent + {args.idle} half-header"
    )
    print(f"{'measure':44} {'bare':>18} {'guarded':>18}")
    for measure, bare, guarded in rows:
        print(f"{measure:44} {bare:>18} {guarded:>18}")


if __name__ == "__main__":
    main(sys.argv[1:])
