"""A cache writer to be SIGKILLed: `python -m tests.support.cache_writer DIR [--orders N] [--seed S] [--plain]`.

It loops forever over the kinds of writes the console makes and reports on stdout, one line each, AFTER the call
returned (so a reported change must survive a kill), or BEFORE it starts (so the checker knows it may be half-way):

    READY                  the cache is open, writing starts
    A <key>                outbox.append returned: the entry must be there
    d <key> / D <key>      mark_done started / returned: the entry may / must be gone
    B <rev>                a write_batch (orders stamped with rev + meta "rev") returned

Every batch stamps the orders it rewrites with `rev` and sets meta `rev` to the same number in one write, so a
checker can also prove the batch is atomic: the highest `rev` in the orders table equals meta `rev`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tinydb import TinyDB
from tinydb.table import Document

from offline_cache import open_profile_cache

ROOT = Path(__file__).resolve().parents[2]

OUTBOX_KEEP = 40
PLAIN_FILE = "plain-tinydb.json"


def order_doc(order_id: str, rev: int, rng: random.Random) -> dict[str, object]:
    """About 1 KB, shaped like an order."""
    return {
        "id": order_id,
        "rev": rev,
        "status": rng.choice(["CREATED", "CONFIRMED", "PREPARING", "READY_FOR_PICKUP"]),
        "customer": {"name": "顾客 " + order_id, "phone": "138****5678", "address": {"street": "x" * 120}},
        "lines": [
            {"item_id": f"item-{n}", "name": f"Dish {n} 宫保鸡丁", "quantity": n + 1, "note": "y" * 60}
            for n in range(5)
        ],
        "note": "z" * 200,
    }


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def run(directory: Path, orders: int, seed: int) -> None:
    rng = random.Random(seed)
    cache = open_profile_cache(directory)
    table = cache.table("orders")
    rev = int(cache.meta_get("rev", 0))
    if len(table) < orders:
        with cache.write_batch():
            rev += 1
            table.replace_all({f"o{n}": order_doc(f"o{n}", rev, rng) for n in range(orders)})
            cache.meta_set("rev", rev)
    _say("READY")
    while True:
        entry = cache.outbox.append("order.confirm", f"order:o{rng.randrange(orders)}", '{"preparation_minutes":10}')
        _say(f"A {entry.key}")
        rev += 1
        with cache.write_batch():
            changed = {f"o{rng.randrange(orders)}": None for _ in range(rng.randint(1, 5))}
            table.upsert_many({order_id: order_doc(order_id, rev, rng) for order_id in changed})
            cache.meta_set_many({"rev": rev, "cursor": f"c{rev}"})
        _say(f"B {rev}")
        pending = cache.outbox.pending()
        if len(pending) > OUTBOX_KEEP:
            oldest = pending[0]
            _say(f"d {oldest.key}")
            cache.outbox.mark_done(oldest.key)
            _say(f"D {oldest.key}")


@dataclass
class KillOutcome:
    """What one kill left behind, as checked by `check_directory`."""

    problems: list[str] = field(default_factory=list)
    appended: int = 0  # appends reported before the kill
    temp_files_removed: int = 0  # > 0: the kill landed inside a write


def start_writer(directory: Path, *, orders: int, seed: int, plain: bool = False) -> subprocess.Popen[str]:
    args = [str(directory), "--orders", str(orders), "--seed", str(seed), *(["--plain"] if plain else [])]
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.cache_writer", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


class FreshProcesses:
    """One new interpreter per kill: the whole path, start-up included (about 90 ms a kill)."""

    def kill_at_random(
        self, directory: Path, rng: random.Random, *, orders: int, max_delay: float, plain: bool
    ) -> list[str]:
        proc = start_writer(directory, orders=orders, seed=rng.randrange(1 << 30), plain=plain)
        assert proc.stdout is not None
        first = proc.stdout.readline()
        if first.strip() != "READY":
            proc.kill()
            _out, err = proc.communicate()
            raise RuntimeError(f"writer did not start: {first!r} {err}")
        time.sleep(rng.uniform(0, max_delay))
        proc.send_signal(signal.SIGKILL)
        out, _err = proc.communicate()
        return out.splitlines()

    def close(self) -> None:
        pass


class ForkServer:
    """A launcher process that has imported everything once and forks a writer per kill (a real process of its
    own, killed with SIGKILL like any other), so a kill costs a fork rather than an interpreter start."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.cache_writer", "--fork-server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
            cwd=ROOT,
        )
        self._child: int | None = None

    def _line(self) -> str:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"fork server ended (exit {self._proc.poll()})")
        return line.rstrip("\n")

    def kill_at_random(
        self, directory: Path, rng: random.Random, *, orders: int, max_delay: float, plain: bool
    ) -> list[str]:
        assert self._proc.stdin is not None
        self._proc.stdin.write(f"{directory}\t{orders}\t{rng.randrange(1 << 30)}\t{int(plain)}\n")
        self._proc.stdin.flush()
        reports: list[str] = []
        ready = False
        try:
            while self._child is None or not ready:
                line = self._line()
                if line.startswith("PID "):
                    self._child = int(line[4:])
                elif line == "READY":
                    ready = True
                elif line.startswith("EXIT "):
                    self._child = None
                    raise RuntimeError("writer did not start (see its stderr)")
            time.sleep(rng.uniform(0, max_delay))
        finally:
            if self._child is not None:
                os.kill(self._child, signal.SIGKILL)
        while not (line := self._line()).startswith("EXIT "):
            reports.append(line)
        self._child = None
        return reports

    def close(self) -> None:
        if self._child is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._child, signal.SIGKILL)
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(10)
        if self._proc.stdout is not None:
            self._proc.stdout.close()


def serve_forks() -> None:
    """The ForkServer side: each stdin line `DIR\tORDERS\tSEED\tPLAIN` forks a writer, then reports
    `PID <pid>` and, once the writer is reaped, `EXIT <pid>` (after the writer's own lines, all on stdout)."""
    for command in sys.stdin:
        directory, orders, seed, plain = command.rstrip("\n").split("\t")
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            try:
                (run_plain if plain == "1" else run)(Path(directory), int(orders), int(seed))
            finally:
                os._exit(1)
        _say(f"PID {pid}")
        os.waitpid(pid, 0)
        _say(f"EXIT {pid}")


Launcher = FreshProcesses | ForkServer


def check_directory(directory: Path, lines: list[str], last_rev: list[int]) -> KillOutcome:
    """Open the cache after a kill and check every promise the writer's report implies."""
    outcome = KillOutcome()
    appended: list[str] = []
    done_started: set[str] = set()
    done: set[str] = set()
    for line in lines:
        kind, _, value = line.partition(" ")
        if kind == "A":
            appended.append(value)
        elif kind == "d":
            done_started.add(value)
        elif kind == "D":
            done.add(value)
        elif kind == "B":
            last_rev[0] = max(last_rev[0], int(value))
    outcome.appended = len(appended)
    try:
        cache = open_profile_cache(directory)
    except Exception as exc:  # any failure to open is exactly what this checks
        outcome.problems.append(f"cache does not open: {exc!r}")
        return outcome
    with cache:
        outcome.temp_files_removed = len(cache.removed_temp_files)
        if cache.was_reset or cache.warnings:
            outcome.problems.append(f"cache was reset: {list(cache.warnings)}")
        entries = {entry.key: entry for entry in cache.outbox.entries()}
        missing = [key for key in appended if key not in done_started and key not in entries]
        if missing:
            outcome.problems.append(f"{len(missing)} appended entries lost, e.g. {missing[0]}")
        resurrected = [key for key in done if key in entries]
        if resurrected:
            outcome.problems.append(f"{len(resurrected)} done entries came back")
        seqs = [entry.seq for entry in entries.values()]
        if len(set(seqs)) != len(seqs):
            outcome.problems.append("duplicate outbox seq numbers")
        rev = int(cache.meta_get("rev", 0))
        if rev < last_rev[0]:
            outcome.problems.append(f"batch {last_rev[0]} was reported but the cache is at {rev}")
        last_rev[0] = rev
        highest = max((int(doc["rev"]) for doc in cache.table("orders").all()), default=0)
        if highest != rev:
            outcome.problems.append(f"batch not atomic: orders at rev {highest}, meta at rev {rev}")
        if any(path.name.startswith(".") for path in directory.iterdir()):
            outcome.problems.append("temp files left after open")
    return outcome


def crash_loop(
    directory: Path,
    kills: int,
    *,
    seed: int,
    orders: int = 200,
    launcher: Launcher | None = None,
    max_delay: float = 0.03,
) -> list[KillOutcome]:
    """Kill a writer `kills` times on one directory; stops at the first kill that broke a promise."""
    rng = random.Random(seed)
    last_rev = [0]
    outcomes = []
    with _launching(launcher) as running:
        for _ in range(kills):
            lines = running.kill_at_random(directory, rng, orders=orders, max_delay=max_delay, plain=False)
            outcome = check_directory(directory, lines, last_rev)
            outcomes.append(outcome)
            if outcome.problems:
                break
    return outcomes


def run_plain(directory: Path, orders: int, seed: int) -> None:
    """The same loop on TinyDB's default JSONStorage, for the side-by-side crash count in the bench."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    db = TinyDB(directory / PLAIN_FILE)
    table, outbox = db.table("orders"), db.table("outbox")
    if len(table) < orders:
        table.insert_multiple(order_doc(f"o{n}", 0, rng) for n in range(orders))
    _say("READY")
    rev = 0
    while True:
        key = str(uuid.uuid4())
        outbox.insert({"key": key, "target": f"order:o{rng.randrange(orders)}"})
        _say(f"A {key}")
        rev += 1
        table.upsert(Document(order_doc(f"o{rng.randrange(orders)}", rev, rng), doc_id=rng.randrange(orders) + 1))
        if len(outbox) > OUTBOX_KEEP:
            oldest = min(doc.doc_id for doc in outbox.all())
            key = outbox.get(doc_id=oldest)["key"]
            _say(f"d {key}")
            outbox.remove(doc_ids=[oldest])


def check_plain(directory: Path, lines: list[str]) -> KillOutcome:
    """After a kill of the plain writer: does the file parse, and is every reported entry in it?"""
    outcome = KillOutcome()
    appended = [line[2:] for line in lines if line.startswith("A ")]
    done_started = {line[2:] for line in lines if line.startswith("d ")}
    outcome.appended = len(appended)
    path = directory / PLAIN_FILE
    try:
        data = json.loads(path.read_text())
        keys = {doc["key"] for doc in data.get("outbox", {}).values()}
    except (ValueError, OSError) as exc:
        outcome.problems.append(f"file unreadable: {exc}")
        return outcome
    missing = [key for key in appended if key not in done_started and key not in keys]
    if missing:
        outcome.problems.append(f"{len(missing)} appended entries lost")
    return outcome


def plain_crash_loop(
    directory: Path, kills: int, *, seed: int, orders: int = 200, launcher: Launcher | None = None
) -> list[KillOutcome]:
    """Like crash_loop on JSONStorage; a damaged file is counted, then removed so the run goes on."""
    rng = random.Random(seed)
    outcomes = []
    with _launching(launcher) as running:
        for _ in range(kills):
            lines = running.kill_at_random(directory, rng, orders=orders, max_delay=0.03, plain=True)
            outcome = check_plain(directory, lines)
            outcomes.append(outcome)
            if outcome.problems:
                (directory / PLAIN_FILE).unlink(missing_ok=True)
    return outcomes


@contextlib.contextmanager
def _launching(launcher: Launcher | None) -> Iterator[Launcher]:
    """The given launcher (the caller closes it), or a ForkServer for this loop only."""
    if launcher is not None:
        yield launcher
        return
    server = ForkServer()
    try:
        yield server
    finally:
        server.close()


def main() -> None:
    if sys.argv[1:] == ["--fork-server"]:
        serve_forks()
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("directory", type=Path)
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plain", action="store_true", help="use TinyDB's default JSONStorage")
    args = parser.parse_args()
    (run_plain if args.plain else run)(args.directory, args.orders, args.seed)


if __name__ == "__main__":
    main()
