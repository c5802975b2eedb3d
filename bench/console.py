"""The merchant console at lunch-rush scale, measured as a person's terminal sees it (issue #11's budgets):

    python -m bench console                        # 5 starts per side, 20 keys of each kind, 5 s windows
    python -m bench console --runs 9 --keys 40 --json
    python -m bench console --screens              # also print what pyte showed
    python -m bench console --only list            # just `o2o orders list --json`

Runs the real reference platform (tests/support/platform.py) on loopback; a merchant profile is logged in and
synced once (store, menu, event cursor), then its cache is copied to one profile per scenario and the orders are
written straight into each copy with the cache's own API (offline_cache through o2o_tui.sync.session), so 2,000
orders take a second to set up. The console runs against the live server (it long-polls; seeded orders are not on
the server, and nothing asks for them), so a customer's new order reaches it the normal way.

Every time in the seeded orders sits on a whole minute of the wall clock (created 10 minutes before the minute the
bench started, promised ready on whole minutes), so the minute texts (age, minutes to ready) all change at :00
and nothing else moves: idle windows are taken between :02 and :58. Scenarios:
- `quiet-30`, `quiet-2000`: 30 / 2,000 active orders (confirmed, preparing, ready; deliveries and pickups); the
  2,000 one also holds one new order whose accept deadline has passed (its clock reads 0:00 and stays), for the
  accept dialog. First paint (spawn to the top order's number on screen) against a bare Textual app (Header, a
  20-row DataTable, Footer: bench/bare_app.py), the runs alternating; keys at 2,000 (Enter/Escape on an order,
  `a`/Escape for the accept dialog, down/up arrows), each sent at a random phase of the console's one-second
  tick, timed from the write to the first byte and to the last byte before `--quiet` s of silence; bytes idle.
- `rush-2000`: 2,000 active orders of which 20 are new, accept deadlines 40 minutes out, so 20 visible m:ss
  timers tick every second (and ring/flash as new orders do): bytes per second over the window.
- a new order arriving: a customer places one on the server while `quiet-2000` is idle; bytes from the POST until
  its number is on screen and `--quiet` s pass.
- `o2o orders list --json` at 200 / 2,000 / 5,000 cached orders against `python -c "import typer, httpx,
  tinydb"`, the runs alternating, output to a pipe.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.pty_screen import PtyScreen, ScreenTimeout
from bench.terminal import ROOT, _cli, _o2o_env, _run_cli

DESCRIPTION = (
    "merchant console at 30 / 2,000 orders through a pty (pyte): first paint vs a bare app, keypress p50/p95, "
    "idle / timer / new-order bytes; `o2o orders list --json` at 200-5,000 orders vs bare imports"
)
QUICK = False  # a minute or more: a real server, consoles started on a pty several times

SIZE = (80, 24)
PAINT_RATIO_30 = 1.25
PAINT_RATIO_2000 = 2.0
KEY_P95_BUDGET_MS = 50.0
IDLE_BUDGET_BPS = 0
TIMERS_BUDGET_BPS = 300
NEW_ORDER_BUDGET = 2048
LIST_RATIO_BUDGET = 1.6
LIST_SIZES = (200, 2000, 5000)
WAIT_S = 60.0
BASE_PROFILE = "bench-base"
BARE_IMPORTS = "import typer, httpx, tinydb"
BARE_APP = Path(__file__).with_name("bare_app.py")
BARE_TARGET = "Bench row 0001"
QUEUE_ROW = "#1001"  # a queue row on screen at 80x24 in every scenario (the detail screen covers it)

KEYS = {
    "down": b"\x1b[B",
    "up": b"\x1b[A",
    "enter": b"\r",
    "escape": b"\x1b",
    "a": b"a",
}


# --- the orders -------------------------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def make_orders(
    template: dict[str, Any],
    count: int,
    *,
    minute: datetime,
    new: int = 0,
    expired_new: bool = False,
    ended: int = 0,
    first_number: int = 1001,
) -> list[dict[str, Any]]:
    """`count` active orders cloned from a real order document of the server: `new` of them waiting to be
    accepted (deadline 40 min after `minute`, a second apart), the rest confirmed, preparing or ready; `ended`
    more that are completed; one more new order with a passed deadline first when `expired_new`. Every time is
    `minute` plus whole minutes (or whole seconds for accept deadlines)."""
    created = minute - timedelta(minutes=10)
    docs: list[dict[str, Any]] = []
    number = first_number

    def clone(status: str, **fields: Any) -> dict[str, Any]:
        nonlocal number
        doc = json.loads(json.dumps(template))
        doc.update(
            id=f"bench-{uuid.uuid4()}",
            number=number,
            status=status,
            created_at=_iso(created),
            updated_at=_iso(created),
            version=1,
            accept_deadline=None,
            confirmed_at=None,
            preparation_minutes=None,
            promised_ready_at=None,
            ready_at=None,
            ended_at=None,
            cancellation=None,
            cancel_reason_code=None,
            cancelled_by=None,
            courier_id=None,
            delivery_id=None,
            delivery_status=None,
            return_reason=None,
            code_locks=[],
        )
        doc.update(fields)
        number += 1
        docs.append(doc)
        return doc

    if expired_new:
        clone("CREATED", number=first_number - 1, accept_deadline=_iso(minute - timedelta(minutes=1)))
        number -= 1
    for i in range(new):
        clone("CREATED", accept_deadline=_iso(minute + timedelta(minutes=40, seconds=i)))
    kitchen = ("CONFIRMED", "PREPARING", "READY_FOR_PICKUP")
    for i in range(count - new):
        status = kitchen[i % 3]
        promised = minute + timedelta(minutes=20 + i % 90)
        fields: dict[str, Any] = {
            "confirmed_at": _iso(created),
            "preparation_minutes": 15,
            "promised_ready_at": _iso(promised),
        }
        if status == "READY_FOR_PICKUP":
            fields["ready_at"] = _iso(created)
        if i % 4 == 3:
            fields["type"] = "TAKEOUT"
        clone(status, **fields)
    for _ in range(ended):
        clone("DELIVERED", ended_at=_iso(created), confirmed_at=_iso(created), preparation_minutes=15)
    return docs


def seed_profile(name: str, docs: list[dict[str, Any]], base: Any) -> None:
    """Profile `name` = the base profile's credentials and synced cache, with exactly `docs` as its orders."""
    import msgspec

    from o2o_tui.config import profile_cache_dir, save_profile
    from o2o_tui.domain.order import Order
    from o2o_tui.sync import tables
    from o2o_tui.sync.session import open_cache

    for doc in docs:  # a bench that seeds orders the console leaves out would measure nothing
        msgspec.convert(doc, Order)
    profile = save_profile(
        name, url=base.url, token=base.token, role=base.role, user_id=base.user_id, store_id=base.store_id
    )
    target = profile_cache_dir(profile)
    shutil.rmtree(target)
    shutil.copytree(profile_cache_dir(base), target)
    cache = open_cache(profile)
    try:
        cache.table(tables.ORDERS).replace_all({doc["id"]: doc for doc in docs})
    finally:
        cache.close()


def template_order(base: Any) -> dict[str, Any]:
    from o2o_tui.sync import tables
    from o2o_tui.sync.session import open_cache

    cache = open_cache(base, read_only=True)
    try:
        found = cache.table(tables.ORDERS).all()
    finally:
        cache.close()
    docs = list(found.values()) if isinstance(found, dict) else list(found)
    if not docs:
        raise RuntimeError("the synced base profile holds no order to clone")
    return dict(docs[0])


def prepare(running: Any, home: Path) -> tuple[dict[str, str], Any]:
    """A merchant profile logged in and synced (one real order in it, to clone); the env and the profile."""
    from tests.support.platform import api, order_body

    env = _o2o_env(home)
    customer = api(running, "customer")
    try:
        answer = customer.post("/v1/orders", order_body(running.seed.store_id))
        assert answer.status_code in (200, 201), answer.text
    finally:
        customer.close()
    token = running.seed.tokens["merchant"]
    _run_cli(env, "login", "--url", running.url, "--token", token, "--profile", BASE_PROFILE)
    _run_cli(env, "sync", "--once", "--profile", BASE_PROFILE)
    os.environ["O2O_HOME"] = str(home)
    from o2o_tui.config import load_profile

    return env, load_profile(BASE_PROFILE)


# --- measuring ----------------------------------------------------------------------------------------------------


@dataclass
class Results:
    paint: dict[str, list[float]] = field(default_factory=dict)  # side -> seconds
    paint_cpu: dict[str, list[float]] = field(default_factory=dict)  # side -> CPU seconds to the first paint
    keys_first: dict[str, list[float]] = field(default_factory=dict)  # key kind -> ms to the first byte
    keys_changed: dict[str, list[float]] = field(default_factory=dict)  # key kind -> ms to a changed screen
    keys_done: dict[str, list[float]] = field(default_factory=dict)  # key kind -> ms to the last byte
    keys_silent: dict[str, int] = field(default_factory=dict)  # key kind -> keys with no byte within 5 s
    bytes: dict[str, Any] = field(default_factory=dict)
    lists: dict[str, dict[str, list[float]]] = field(default_factory=dict)  # size -> side -> seconds
    screens: dict[str, str] = field(default_factory=dict)
    samples: dict[str, str] = field(default_factory=dict)  # label -> the start of the bytes counted
    notes: list[str] = field(default_factory=list)


QUICK_RUN = {"enabled": False}  # `--quick`: no waiting for a window, keys 50 ms apart, no warm start


def _wait_for_quiet_window(seconds: float, screen: PtyScreen | None = None) -> None:
    """Wait until [now, now + seconds] lies between :02 and :58 of a wall-clock minute (minute texts change at
    :00), reading the screen meanwhile: bytes of a :00 repaint left unread in the pty would be counted as the
    window's (what made "idle B/s at 30" read 246 on some runs)."""
    while not QUICK_RUN["enabled"]:
        now = datetime.now(UTC)
        second = now.second + now.microsecond / 1e6
        if second >= 2.0 and second + seconds <= 58.0:
            return
        if screen is not None:
            screen.pump(0.2)
        else:
            time.sleep(0.2)


def _spawn(argv: list[str], env: dict[str, str], cwd: Path) -> PtyScreen:
    # both sides as a shop runs them: with bytecode (a machine that forbids writing it would compile every module
    # from source on every start, the console's ~300 modules far more than the bare app's)
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return PtyScreen.spawn(argv, size=SIZE, env=env, cwd=str(cwd))


def cpu_seconds(pid: int) -> float | None:
    """CPU time the process has used so far, all its threads (Linux schedstat, nanoseconds); None elsewhere. On a
    shared machine the wall time of a start swings with what else runs (one tree measured 210 and 250 ms in
    turns); its CPU time hardly does, so a change to start-up shows in it first."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as stat:
                total += int(stat.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # a thread that ended meanwhile
    return total / 1e9


def first_paint(argv: list[str], target: str, env: dict[str, str], cwd: Path) -> tuple[float, float | None]:
    """Seconds from spawn to the target on screen, and the CPU seconds the program had used by then."""
    with _spawn(argv, env, cwd) as screen:
        painted = screen.wait_for(target, timeout=WAIT_S)
        return painted - screen.spawned_at, cpu_seconds(screen.pid)


def press(
    screen: PtyScreen,
    label: str,
    keys: bytes,
    results: Results,
    quiet: float,
    rng: random.Random,
    shown: Callable[[str], bool] | None = None,
) -> None:
    """One key at a random phase of the one-second tick: ms to the first byte, to the read that changed the
    screen (colours count) or, with `shown`, that made `shown(text)` true (a screen opened or closed), and to
    the last byte before `quiet` s of silence after that. `label` names the row in the report."""
    time.sleep(rng.random() * (0.05 if QUICK_RUN["enabled"] else 1.0))
    screen.pump(0)
    before = screen.cells()
    screen.mark()
    sent = time.perf_counter()
    screen.send(keys)
    if shown is None:
        changed = screen.wait_change(before, 5.0)
    else:
        try:
            changed = screen.wait_for(shown, timeout=5.0)
        except ScreenTimeout:
            changed = None
    if changed is None:
        results.keys_silent[label] = results.keys_silent.get(label, 0) + 1
        return
    screen.wait_quiet(quiet, timeout=WAIT_S)
    first = screen.first_byte_at if screen.first_byte_at is not None else changed
    results.keys_first.setdefault(label, []).append((first - sent) * 1000)
    results.keys_changed.setdefault(label, []).append((changed - sent) * 1000)
    results.keys_done.setdefault(label, []).append((screen.last_byte_at - sent) * 1000)


def run_keys(screen: PtyScreen, results: Results, count: int, quiet: float, rng: random.Random) -> None:
    """On `quiet-2000`, the cursor on the (expired) new order at the top: open/close it, the accept dialog
    open/close, then the cursor down and back up. The order is opened once first, unmeasured: a new order
    flashes until it is opened, and a flash is not a key's repaint."""
    queue_shown = lambda text: QUEUE_ROW in text  # noqa: E731
    detail_shown = lambda text: QUEUE_ROW not in text  # noqa: E731  the detail screen covers the queue
    dialog_shown = lambda text: "╭" in text  # noqa: E731  the accept dialog's frame
    dialog_gone = lambda text: "╭" not in text  # noqa: E731
    screen.send(KEYS["enter"])
    screen.wait_for(detail_shown, timeout=WAIT_S)
    screen.send(KEYS["escape"])
    screen.wait_for(queue_shown, timeout=WAIT_S)
    screen.wait_quiet(0.3 if QUICK_RUN["enabled"] else 1.5, timeout=WAIT_S)
    for n in range(count):
        press(screen, "open order (Enter)", KEYS["enter"], results, quiet, rng, detail_shown)
        if n == 0:
            results.screens["order opened"] = screen.text()
        press(screen, "close order (Escape)", KEYS["escape"], results, quiet, rng, queue_shown)
    for n in range(count):
        press(screen, "accept dialog (a)", KEYS["a"], results, quiet, rng, dialog_shown)
        if n == 0:
            results.screens["accept dialog"] = screen.text()
        press(screen, "close dialog (Escape)", KEYS["escape"], results, quiet, rng, dialog_gone)
    for _ in range(count):
        press(screen, "cursor down", KEYS["down"], results, quiet, rng)
    results.screens[f"after {count} x down"] = screen.text()
    for _ in range(count):
        press(screen, "cursor up", KEYS["up"], results, quiet, rng)


def idle_bytes(screen: PtyScreen, seconds: float, results: Results, label: str, settle: float = 1.0) -> float:
    """Bytes per second over `seconds` in which no minute text changes, after `settle` s without a byte; what
    arrived is kept (its start) for the report."""
    screen.wait_quiet(min(settle, 0.3) if QUICK_RUN["enabled"] else settle, timeout=WAIT_S)
    _wait_for_quiet_window(seconds, screen)
    rate = screen.count_for(seconds) / seconds
    if screen.captured:
        results.samples[label] = repr(bytes(screen.captured[:300]))
    results.bytes[label] = rate
    return rate


def new_order_bytes(screen: PtyScreen, running: Any, quiet: float) -> int | None:
    from tests.support.platform import api, order_body

    screen.wait_quiet(0.3, timeout=WAIT_S)
    _wait_for_quiet_window(5.0, screen)
    screen.mark()
    customer = api(running, "customer")
    try:
        created = customer.post("/v1/orders", order_body(running.seed.store_id)).json()
    finally:
        customer.close()
    try:
        screen.wait_for(f"{created['number']:04d}", timeout=15.0)
    except ScreenTimeout:
        return None
    return screen.wait_quiet(quiet, timeout=WAIT_S)


def list_times(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, bytes]:
    # a warm start has bytecode, as on a user's machine (site-packages ship .pyc; the project's own modules
    # would be compiled from source on every run where the environment forbids writing it)
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, timeout=120)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{argv[-4:]} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return took, done.stdout


def o2o_argv(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("o2o")  # the console script pip installed, not a pyenv shim
    return [str(script), *args] if script.exists() else _cli(*args)


def measure_lists(
    results: Results,
    env: dict[str, str],
    base: Any,
    template: dict[str, Any],
    sizes: list[int],
    runs: int,
    cwd: Path,
) -> None:
    minute = datetime.now(UTC).replace(second=0, microsecond=0)
    bare = [sys.executable, "-c", BARE_IMPORTS]
    for size in sizes:
        name = f"bench-list-{size}"
        active = size * 3 // 10  # a day's worth: most orders ended
        seed_profile(name, make_orders(template, active, minute=minute, new=2, ended=size - active), base)
        argv = o2o_argv("orders", "list", "--json", "--profile", name)
        _took, out = list_times(argv, env, cwd)  # warm: bytecode, page cache; and check the answer
        rows = json.loads(out)
        if len(rows) != size:
            results.notes.append(f"orders list at {size}: {len(rows)} rows printed")
        if not QUICK_RUN["enabled"]:
            list_times(bare, env, cwd)
        sides: dict[str, list[float]] = {"bare": [], "o2o": []}
        for _ in range(runs):
            sides["bare"].append(list_times(bare, env, cwd)[0])
            sides["o2o"].append(list_times(argv, env, cwd)[0])
        results.lists[str(size)] = sides


def measure_console(
    results: Results,
    running: Any,
    env: dict[str, str],
    base: Any,
    template: dict[str, Any],
    args: Any,
    cwd: Path,
) -> None:
    rng = random.Random(11)
    minute = datetime.now(UTC).replace(second=0, microsecond=0)
    big = args.orders
    seed_profile("quiet-30", make_orders(template, 30, minute=minute), base)
    seed_profile(f"quiet-{big}", make_orders(template, big - 1, minute=minute, expired_new=True), base)
    seed_profile(f"rush-{big}", make_orders(template, big, minute=minute, new=20), base)
    bare_env = _o2o_env(cwd / "bare-home")
    sides: dict[str, tuple[list[str], str, dict[str, str]]] = {
        "bare": ([sys.executable, str(BARE_APP)], BARE_TARGET, bare_env),
        "30": (_cli("console", "--profile", "quiet-30"), "#1001", env),
        str(big): (_cli("console", "--profile", f"quiet-{big}"), "#1000", env),
    }
    for argv, target, side_env in sides.values():  # one start each before measuring: bytecode, disk caches
        if not QUICK_RUN["enabled"]:
            first_paint(argv, target, side_env, cwd)
    for _ in range(args.runs):
        for side, (argv, target, side_env) in sides.items():
            wall, cpu = first_paint(argv, target, side_env, cwd)
            results.paint.setdefault(side, []).append(wall)
            if cpu is not None:
                results.paint_cpu.setdefault(side, []).append(cpu)

    argv, target, _ = sides["30"]
    if not QUICK_RUN["enabled"]:  # the quick check measures idle bytes at the big size only
        with _spawn(argv, env, cwd) as screen:
            screen.wait_for(target, timeout=WAIT_S)
            idle_bytes(screen, args.idle, results, "idle B/s at 30")
            results.screens["30 orders"] = screen.text()

    with _spawn(_cli("console", "--profile", f"rush-{big}"), env, cwd) as screen:
        screen.wait_for("#1001", timeout=WAIT_S)
        idle_bytes(screen, args.idle, results, "20 visible timers, B/s", settle=0.3)
        results.screens[f"{big} orders, 20 new"] = screen.text()

    argv, target, _ = sides[str(big)]
    with _spawn(argv, env, cwd) as screen:
        screen.wait_for(target, timeout=WAIT_S)
        screen.wait_quiet(0.3 if QUICK_RUN["enabled"] else 1.0, timeout=WAIT_S)
        results.screens[f"{big} orders"] = screen.text()
        if args.keys:
            run_keys(screen, results, args.keys, args.quiet, rng)
        idle_bytes(screen, args.idle, results, f"idle B/s at {big}")
        arrived = new_order_bytes(screen, running, max(args.quiet, 0.3))
        results.bytes["new order arriving, B"] = arrived
        results.samples["new order arriving, B"] = repr(bytes(screen.captured[:300]))
        results.screens["new order arrived"] = screen.text()
        if arrived is None:
            results.notes.append("the new order did not show within 15 s")


# --- the report -----------------------------------------------------------------------------------------------------


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _spread(values: list[float], scale: float = 1000.0) -> dict[str, float]:
    return {
        "median": statistics.median(values) * scale,
        "min": min(values) * scale,
        "max": max(values) * scale,
    }


def summary(results: Results, args: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"size": f"{SIZE[0]}x{SIZE[1]}", "runs": args.runs, "notes": results.notes}
    if results.paint:
        bare = statistics.median(results.paint["bare"])
        paint: dict[str, Any] = {"bare": _spread(results.paint["bare"])}
        for side, budget in (("30", PAINT_RATIO_30), (str(args.orders), PAINT_RATIO_2000)):
            ratio = statistics.median(results.paint[side]) / bare
            paint[side] = {
                **_spread(results.paint[side]),
                "ratio": ratio,
                "budget": budget,
                "ok": ratio <= budget,
            }
        out["first_paint_ms"] = paint
    if results.paint_cpu.get("bare"):
        bare_cpu = statistics.median(results.paint_cpu["bare"])
        cpu: dict[str, Any] = {"bare": _spread(results.paint_cpu["bare"])}
        for side in ("30", str(args.orders)):
            if results.paint_cpu.get(side):
                cpu[side] = {
                    **_spread(results.paint_cpu[side]),
                    "ratio": statistics.median(results.paint_cpu[side]) / bare_cpu,
                }
        out["first_paint_cpu_ms"] = cpu  # beside the budget's wall time, not a budget of its own
    keys: dict[str, Any] = {}

    def pcts(values: list[float]) -> dict[str, float]:
        return {"p50": _p(values, 0.5), "p95": _p(values, 0.95), "max": max(values)}

    for kind, done in results.keys_done.items():
        keys[kind] = {
            "count": len(done),
            "silent": results.keys_silent.get(kind, 0),
            "first_byte": pcts(results.keys_first[kind]),
            "changed": pcts(results.keys_changed[kind]),
            "repainted": pcts(done),
        }
    for kind, silent in results.keys_silent.items():
        keys.setdefault(kind, {"count": 0, "silent": silent})
    if results.keys_done:
        every = [v for values in results.keys_done.values() for v in values]
        keys["all"] = {
            "count": len(every),
            "silent": sum(results.keys_silent.values()),
            "first_byte": pcts([v for values in results.keys_first.values() for v in values]),
            "changed": pcts([v for values in results.keys_changed.values() for v in values]),
            "repainted": pcts(every),
            "budget_p95": KEY_P95_BUDGET_MS,
            "ok": _p(every, 0.95) <= KEY_P95_BUDGET_MS and not results.keys_silent,
        }
    if keys:
        out["keys_ms"] = keys
    if results.bytes:
        budgets = {
            "idle B/s at 30": IDLE_BUDGET_BPS,
            f"idle B/s at {args.orders}": IDLE_BUDGET_BPS,
            "20 visible timers, B/s": TIMERS_BUDGET_BPS,
            "new order arriving, B": NEW_ORDER_BUDGET,
        }
        out["bytes"] = {
            label: {
                "value": value,
                "budget": budgets.get(label),
                "ok": None if value is None else value <= budgets.get(label, float("inf")),
            }
            for label, value in results.bytes.items()
        }
    if results.lists:
        lists = {}
        for size, sides in results.lists.items():
            ratio = statistics.median(sides["o2o"]) / statistics.median(sides["bare"])
            lists[size] = {
                "bare": _spread(sides["bare"]),
                "o2o": _spread(sides["o2o"]),
                "ratio": ratio,
                "ratios": sorted(o / b for o, b in zip(sides["o2o"], sides["bare"], strict=True)),
                "budget": LIST_RATIO_BUDGET,
                "ok": ratio <= LIST_RATIO_BUDGET,
            }
        out["orders_list_json_ms"] = lists
    out["screens"] = results.screens
    out["samples"] = results.samples
    return out


def _row(name: str, bare: str, value: str, ratio: str, budget: str, ok: bool | None) -> str:
    verdict = "" if ok is None else ("ok" if ok else "OVER")
    return f"{name:40} {bare:>11} {value:>13} {ratio:>7} {budget:>10} {verdict:>4}"


def _range(spread: dict[str, float]) -> str:
    return f"{spread['min']:.0f}-{spread['max']:.0f}"


def print_table(result: dict[str, Any], args: Any) -> None:
    print(
        f"{result['size']} through a pty read by pyte; medians of {result['runs']} runs per side (alternating), "
        "ranges min-max"
    )
    print(_row("measure", "bare", "o2o", "ratio/max", "budget", None))
    print("-" * 90)
    paint = result.get("first_paint_ms")
    if paint:
        for side in ("30", str(args.orders)):
            got = paint[side]
            print(
                _row(
                    f"first paint, {side} orders, median ms",
                    f"{paint['bare']['median']:.0f}",
                    f"{got['median']:.0f}",
                    f"{got['ratio']:.2f}x",
                    f"<= {got['budget']}x",
                    got["ok"],
                )
            )
            print(_row("  range ms", _range(paint["bare"]), _range(got), "", "", None))
            cpu = result.get("first_paint_cpu_ms", {})
            if side in cpu:
                print(
                    _row(
                        "  CPU time to it, median ms",
                        f"{cpu['bare']['median']:.0f}",
                        f"{cpu[side]['median']:.0f}",
                        f"{cpu[side]['ratio']:.2f}x",
                        "",
                        None,
                    )
                )
                print(_row("  CPU range ms", _range(cpu["bare"]), _range(cpu[side]), "", "", None))
    keys = result.get("keys_ms")
    if keys:
        print(
            f"keys at {args.orders} orders, ms from the write; repainted = last byte before {args.quiet:g} s quiet"
        )
        for kind, got in keys.items():
            name = "every key" if kind == "all" else kind
            if not got.get("count"):
                print(_row(f"{name}: no repaint within 5 s", "", str(got["silent"]), "", "", False))
                continue
            first, changed, done = got["first_byte"], got["changed"], got["repainted"]
            print(
                _row(
                    f"{name} x{got['count']}, repainted p50/p95",
                    "",
                    f"{done['p50']:.1f}/{done['p95']:.1f}",
                    f"{done['max']:.0f}",
                    f"<= {KEY_P95_BUDGET_MS:.0f} ms" if kind == "all" else "",
                    got.get("ok"),
                )
            )
            print(
                _row(
                    "  first byte / screen changed, p50",
                    "",
                    f"{first['p50']:.1f}/{changed['p50']:.1f}",
                    "",
                    "",
                    None,
                )
            )
            if got.get("silent"):
                print(_row("  no repaint within 5 s", "", str(got["silent"]), "", "", False))
    for label, got in result.get("bytes", {}).items():
        value = "none" if got["value"] is None else f"{got['value']:.{1 if got['value'] < 10 else 0}f}"
        budget = "" if got["budget"] is None else f"<= {got['budget']}"
        print(_row(label, "", value, "", budget, got["ok"]))
        if got["ok"] is False and label in result["samples"] and not args.screens:
            print(f"  began: {result['samples'][label][:100]}")
    for size, got in result.get("orders_list_json_ms", {}).items():
        print(
            _row(
                f"orders list --json, {size} orders, ms",
                f"{got['bare']['median']:.0f}",
                f"{got['o2o']['median']:.0f}",
                f"{got['ratio']:.2f}x",
                f"<= {got['budget']}x",
                got["ok"],
            )
        )
        ratios = got["ratios"]
        print(
            _row(
                "  range ms (per-run ratios)",
                _range(got["bare"]),
                _range(got["o2o"]),
                f"{ratios[0]:.2f}-{ratios[-1]:.2f}",
                "",
                None,
            )
        )
    if result.get("orders_list_json_ms"):
        print(f"(bare = python -c {BARE_IMPORTS!r}; o2o = the installed `o2o` script, stdout to a pipe)")
    for note in result["notes"]:
        print(f"note: {note}")
    if args.screens:
        for label, sample in result["samples"].items():
            print(f"\n-- bytes counted for {label!r} began: {sample}")
        for label, text in result["screens"].items():
            print(f"\n-- {label}\n" + "\n".join(f"|{line}|" for line in text.splitlines()))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench console", description=DESCRIPTION)
    parser.add_argument("--runs", type=int, default=5, help="measured starts (and list runs) per side")
    parser.add_argument("--orders", type=int, default=2000, help="active orders of the big scenarios")
    parser.add_argument(
        "--keys", type=int, default=20, help="presses of each key kind (x2 for open/close pairs)"
    )
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of each idle / timer window")
    parser.add_argument("--quiet", type=float, default=0.05, help="seconds without a byte that end a repaint")
    parser.add_argument(
        "--lists", default=",".join(str(n) for n in LIST_SIZES), help="cached orders, comma list"
    )
    parser.add_argument(
        "--only", choices=("console", "list"), help="measure only the console or only the list"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a check that the bench runs (tests): no warm start, no waiting for windows clear of :00, keys "
        "50 ms apart; its numbers are not the budgets'",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--screens", action="store_true", help="print what pyte showed")
    args = parser.parse_args(argv)
    QUICK_RUN["enabled"] = args.quick
    sys.path.insert(0, str(ROOT))
    from tests.support.platform import start_platform

    results = Results()
    saved_home = os.environ.get("O2O_HOME")
    with tempfile.TemporaryDirectory(prefix="o2o-bench-console-") as tmp:
        folder = Path(tmp)
        running = start_platform(folder / "platform")
        try:
            env, base = prepare(running, folder / "home")
            template = template_order(base)
            if args.only != "list":
                measure_console(results, running, env, base, template, args, folder)
            if args.only != "console":
                sizes = [int(n) for n in args.lists.split(",") if n.strip()]
                measure_lists(results, env, base, template, sizes, args.runs, folder)
        finally:
            running.stop()
            if saved_home is None:
                os.environ.pop("O2O_HOME", None)
            else:
                os.environ["O2O_HOME"] = saved_home
    result = summary(results, args)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print_table(result, args)
