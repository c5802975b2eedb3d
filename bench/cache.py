"""Offline cache: durable outbox append with thousands of orders cached; TinyDB's default JSONStorage beside
AtomicJSONStorage for insert/upsert at growing sizes; random SIGKILLs of a writer on both storages.

    python -m bench cache                  # quick: sizes 100/1,000/5,000, 100 + 40 kills
    python -m bench cache --kills 1000     # the long crash run (plus --plain-kills for JSONStorage)
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import msgspec
import orjson
from tinydb import TinyDB
from tinydb.storages import JSONStorage
from tinydb.table import Document

from offline_cache import AtomicJSONStorage, open_profile_cache
from offline_cache.storage import atomic_write
from tests.support.cache_writer import KillOutcome, crash_loop, order_doc, plain_crash_loop

DESCRIPTION = "offline cache: outbox append, JSONStorage vs AtomicJSONStorage, SIGKILL crash run"
QUICK = True

APPEND_BUDGET_MS = 10.0


def _median_ms(action: Callable[[int], object], repeat: int) -> float:
    samples = []
    for n in range(repeat):
        start = time.perf_counter()
        action(n)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _docs(count: int, rng: random.Random) -> list[dict[str, object]]:
    return [order_doc(f"o{n}", 0, rng) for n in range(count)]


def tinydb_ops(storage: type, directory: Path, size: int, repeat: int) -> tuple[float, float, int]:
    """(insert median ms, upsert median ms, file bytes) on a TinyDB table already holding `size` orders."""
    rng = random.Random(size)
    path = directory / f"{storage.__name__}-{size}.json"
    db = TinyDB(path, storage=storage)
    table = db.table("orders")
    table.insert_multiple(_docs(size, rng))
    fresh = _docs(repeat, rng)
    insert = _median_ms(lambda n: table.insert(fresh[n]), repeat)
    upsert = _median_ms(lambda n: table.upsert(Document(fresh[n], doc_id=rng.randrange(size) + 1)), repeat)
    db.close()
    return insert, upsert, path.stat().st_size


def durable_write_floor(directory: Path, payload_bytes: int, repeat: int) -> float:
    """Median ms of the bare disk work a durable replace needs (temp write, fsync, rename, directory fsync) for a
    payload of this size: what no storage can go below on this machine."""
    payload = b"x" * payload_bytes
    return _median_ms(lambda n: atomic_write(directory / "floor.bin", payload), repeat)


def profile_ops(directory: Path, size: int, repeat: int, appends: int) -> tuple[float, float, int]:
    """(DocTable.upsert median ms, outbox.append median ms, outbox bytes) in a profile caching `size` orders."""
    rng = random.Random(size)
    with open_profile_cache(directory / f"profile-{size}") as cache:
        orders = cache.table("orders")
        orders.replace_all({f"o{n}": doc for n, doc in enumerate(_docs(size, rng))})
        fresh = _docs(repeat, rng)
        upsert = _median_ms(lambda n: orders.upsert(f"o{rng.randrange(size)}", fresh[n]), repeat)
        body = orjson.dumps({"preparation_minutes": 12}).decode()
        for n in range(20):  # a realistic queue: 20 waiting, the oldest confirmed after each new one
            cache.outbox.append("order.confirm", f"order:o{n % size}", body)
        samples = []
        for n in range(appends):
            start = time.perf_counter()
            cache.outbox.append("order.confirm", f"order:o{n % size}", body)
            samples.append((time.perf_counter() - start) * 1000)
            cache.outbox.mark_done(cache.outbox.pending()[0].key)
        append_ms = statistics.median(samples)
        outbox_bytes = cache.outbox_path.stat().st_size
    return upsert, append_ms, outbox_bytes


def storage_table(sizes: list[int], repeat: int, appends: int) -> float:
    print("Median ms per operation, ~1 KB orders (JSONStorage: in place, no fsync; Atomic: temp+fsync+replace).")
    header = (
        f"{'orders':>7} {'file KB':>8} | {'insert JSON':>11} {'insert Atomic':>13} {'ratio':>6} | "
        f"{'upsert JSON':>11} {'upsert Atomic':>13} {'ratio':>6} | {'DocTable.upsert':>15} {'outbox.append':>13} "
        f"{'disk floor':>10}"
    )
    print(header)
    print("-" * len(header))
    append_at_largest = floor_at_largest = 0.0
    with tempfile.TemporaryDirectory(prefix="o2o-bench-cache-") as tmp:
        directory = Path(tmp)
        for size in sizes:
            json_insert, json_upsert, file_bytes = tinydb_ops(JSONStorage, directory, size, repeat)
            atomic_insert, atomic_upsert, _ = tinydb_ops(AtomicJSONStorage, directory, size, repeat)
            doc_upsert, append_ms, outbox_bytes = profile_ops(directory, size, repeat, appends)
            floor = durable_write_floor(directory, outbox_bytes, appends)
            append_at_largest, floor_at_largest = append_ms, floor
            print(
                f"{size:>7} {file_bytes / 1024:>8.0f} | {json_insert:>11.2f} {atomic_insert:>13.2f} "
                f"{json_insert / atomic_insert:>5.1f}x | {json_upsert:>11.2f} {atomic_upsert:>13.2f} "
                f"{json_upsert / atomic_upsert:>5.1f}x | {doc_upsert:>15.2f} {append_ms:>13.2f} {floor:>10.2f}",
                flush=True,
            )
    verdict = "OK" if append_at_largest <= APPEND_BUDGET_MS else "OVER BUDGET"
    print(
        f"\nDurable outbox append with {sizes[-1]:,} orders cached: {append_at_largest:.2f} ms median "
        f"(budget <= {APPEND_BUDGET_MS:.0f} ms): {verdict}.\nDisk floor (bare temp write + fsync + rename + "
        f"directory fsync of the same bytes): {floor_at_largest:.2f} ms, so the cache adds "
        f"{append_at_largest - floor_at_largest:+.2f} ms; the rest is this machine's fsync latency."
    )
    return append_at_largest


class _Line(msgspec.Struct, frozen=True):
    item_id: str
    name: str
    quantity: int
    note: str


class _Customer(msgspec.Struct, frozen=True):
    name: str
    phone: str
    address: dict[str, str]


class _Order(msgspec.Struct, frozen=True):
    """The shape of the bench's ~1 KB orders."""

    id: str
    rev: int
    status: str
    customer: _Customer
    lines: list[_Line]
    note: str


def read_table(size: int, repeat: int) -> None:
    print(f"\nReads with {size:,} orders cached (median ms): what `o2o orders list` pays.")
    with tempfile.TemporaryDirectory(prefix="o2o-bench-read-") as tmp:
        directory = Path(tmp) / "profile"
        rng = random.Random(size)
        with open_profile_cache(directory) as cache:
            cache.table("orders").replace_all({f"o{n}": doc for n, doc in enumerate(_docs(size, rng))})
        caches = []

        def open_read_only(_n: int) -> None:
            caches.append(open_profile_cache(directory, read_only=True))

        opening = _median_ms(open_read_only, repeat)
        orders = caches[-1].table("orders")
        copies = _median_ms(lambda _n: orders.all(), repeat)
        converted = _median_ms(lambda _n: [msgspec.convert(doc, _Order) for doc in orders.all()], repeat)
        structs = _median_ms(lambda _n: orders.all_as(_Order), repeat)
        one = _median_ms(lambda n: orders.get(f"o{n % size}"), repeat * 20)
        for cache in caches:
            cache.close()
    print(f"{'open read-only':>16} {'get one':>8} {'all() dicts':>12} {'all()+convert':>14} {'all_as(Struct)':>15}")
    print(f"{opening:>16.1f} {one:>8.3f} {copies:>12.1f} {converted:>14.1f} {structs:>15.1f}")


def _summary(name: str, outcomes: list[KillOutcome], mid_write: str) -> str:
    damaged = sum(any("unreadable" in p or "does not open" in p or "reset" in p for p in o.problems) for o in outcomes)
    lost = sum(any("lost" in p for p in o.problems) for o in outcomes)
    other = sum(bool(o.problems) for o in outcomes) - damaged - lost
    appended = sum(o.appended for o in outcomes)
    return f"{name:<22} {len(outcomes):>6} {mid_write:>12} {appended:>9} {damaged:>13} {lost:>12} {other:>7}"


def crash_table(kills: int, plain_kills: int) -> bool:
    print(f"\nRandom SIGKILLs of a writer (appends + snapshot rewrites, 200 orders): {kills} + {plain_kills} kills.")
    header = (
        f"{'storage':<22} {'kills':>6} {'inside write':>12} {'appended':>9} {'damaged file':>13} "
        f"{'lost entries':>12} {'other':>7}"
    )
    print(header)
    print("-" * len(header))
    ok = True
    with tempfile.TemporaryDirectory(prefix="o2o-bench-crash-") as tmp:
        directory = Path(tmp)
        start = time.perf_counter()
        halves = [kills - kills // 2, kills // 2]
        with ThreadPoolExecutor(max_workers=2) as pool:
            runs = list(
                pool.map(lambda n: crash_loop(directory / f"atomic-{n}", halves[n], seed=n), range(2))
            )
        atomic = [outcome for run in runs for outcome in run]
        ok = len(atomic) == kills and not any(o.problems for o in atomic)
        inside = sum(o.temp_files_removed for o in atomic)
        print(_summary("AtomicJSONStorage", atomic, str(inside)) + f"   ({time.perf_counter() - start:.0f} s)")
        if plain_kills:
            start = time.perf_counter()
            plain = plain_crash_loop(directory / "plain", plain_kills, seed=7)
            print(_summary("TinyDB JSONStorage", plain, "?") + f"   ({time.perf_counter() - start:.0f} s)")
    for outcome in atomic:
        for problem in outcome.problems:
            print(f"  AtomicJSONStorage problem: {problem}")
    print("damaged file: the cache did not open (or had to be reset); lost entries: a reported append was missing.")
    return ok


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench cache", description=DESCRIPTION)
    parser.add_argument("--sizes", default="100,1000,5000", help="orders cached, comma separated")
    parser.add_argument("--repeat", type=int, default=15, help="single operations timed per cell")
    parser.add_argument("--appends", type=int, default=101, help="outbox appends timed per size")
    parser.add_argument("--kills", type=int, default=100, help="SIGKILLs of the AtomicJSONStorage writer")
    parser.add_argument("--plain-kills", type=int, default=40, help="SIGKILLs of the JSONStorage writer")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    storage_table(sizes, args.repeat, args.appends)
    read_table(sizes[-1], max(3, args.repeat // 3))
    if (args.kills or args.plain_kills) and not crash_table(args.kills, args.plain_kills):
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
