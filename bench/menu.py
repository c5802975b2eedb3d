"""The menu editor's budgets on a 500-item menu (40 categories, 3 option groups each), side by side in one run:

    python -m bench menu                       # 5 starts per side, 40 keypresses per side, 5 publishes
    python -m bench menu --runs 9 --keys 100 --json
    python -m bench menu --screens             # also print what pyte showed

Runs the real reference platform (tests/support/platform.py) on loopback, publishes the generated menu to the demo
store, logs a merchant profile in to a temp O2O_HOME and syncs it (a warm cache, as at a counter). Measured:
- opening: spawn to the first category on screen of `o2o menu edit` against a bare Textual app showing a 500-row
  DataTable (spawn to its first row), both through a real pty read by a pyte screen (bench/pty_screen.py), the
  runs alternating; budget <= 1.5x the bare app.
- a keypress in the tree (down arrow): from writing the key to the last byte of the repaint it causes (the screen
  changed, then nothing for `--quiet` s), against the bare DataTable's cursor moving down; budget p95 <= 50 ms.
- publishing the 500 items: what the console does (outbox entry fsynced, sent with If-Match by the sync engine,
  the answer written to the cache: `o2o_tui/sync/perform.py`) against a bare HTTP PUT of the same body; budget
  <= 1 s on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.pty_screen import PtyScreen
from bench.terminal import ROOT, _cli, _o2o_env, _run_cli

DESCRIPTION = (
    "menu editor on 500 items: opening vs a bare 500-row DataTable through a pty, keypress p95 in the tree, "
    "publishing 500 items on loopback"
)
QUICK = False  # about a minute: two programs started several times on a pty, and a real server

CATEGORIES = 40
ITEMS = 500
GROUPS_PER_CATEGORY = 3
OPTIONS_PER_GROUP = 4
OPEN_RATIO_BUDGET = 1.5
KEY_P95_BUDGET_MS = 50.0
PUBLISH_BUDGET_S = 1.0
WAIT_S = 60.0
PROFILE = "bench-menu"

BARE_ROW = "Bench row 0001"
BARE_APP = f'''"""A bare Textual app showing a 500-row DataTable (the baseline of `python -m bench menu`)."""
from textual.app import App, ComposeResult
from textual.widgets import DataTable


class Bare(App):
    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("category", "item", "price", "options")
        table.add_rows(
            (f"Category {{i // {ITEMS // CATEGORIES + 1} + 1:02d}}", f"Bench row {{i + 1:04d}}", f"{{12 + i % 30}}.50",
             "spice, size, extras")
            for i in range({ITEMS})
        )
        table.focus()


Bare().run()
'''


def big_menu(store_id: str, currency: str, version: int) -> dict[str, Any]:
    """40 categories holding 500 items between them, 3 option groups per category (4 options each), every item
    offering its category's 3 groups; names in Chinese and English."""
    groups = []
    categories = []
    per_category = -(-ITEMS // CATEGORIES)
    number = 0
    for c in range(CATEGORIES):
        group_ids = []
        for g in range(GROUPS_PER_CATEGORY):
            group_id = f"c{c + 1:02d}-g{g + 1}"
            group_ids.append(group_id)
            groups.append(
                {
                    "id": group_id,
                    "name": f"规格{g + 1} Options {g + 1}",
                    "names": {"zh": f"规格{g + 1}", "en": f"Options {g + 1}"},
                    "min": 0,
                    "max": 2,
                    "options": [
                        {
                            "id": f"{group_id}-o{o + 1}",
                            "name": f"选项{o + 1} Choice {o + 1}",
                            "price": {"amount": 100 * o, "currency": currency},
                        }
                        for o in range(OPTIONS_PER_GROUP)
                    ],
                }
            )
        items = []
        for _ in range(per_category):
            if number == ITEMS:
                break
            number += 1
            items.append(
                {
                    "id": f"dish-{number:03d}",
                    "name": f"菜品{number:03d} Dish {number:03d}",
                    "names": {"zh": f"菜品{number:03d}", "en": f"Dish {number:03d}"},
                    "description": "鸡丁、花生、干辣椒 Chicken, peanuts, chili",
                    "price": {"amount": 1250 + 100 * (number % 30), "currency": currency},
                    "option_group_ids": group_ids,
                    "prep_minutes": 10 + number % 10,
                }
            )
        categories.append(
            {
                "id": f"cat-{c + 1:02d}",
                "name": f"分类{c + 1:02d} Category {c + 1:02d}",
                "names": {"zh": f"分类{c + 1:02d}", "en": f"Category {c + 1:02d}"},
                "items": items,
            }
        )
    return {
        "store_id": store_id,
        "version": version,
        "currency": currency,
        "categories": categories,
        "option_groups": groups,
    }


@dataclass
class Side:
    name: str
    argv: list[str]
    target: str
    env: dict[str, str]
    first_paint_s: list[float] = field(default_factory=list)
    key_ms: list[float] = field(default_factory=list)
    unchanged_keys: int = 0  # no byte within 5 s of the key
    screens: dict[str, str] = field(default_factory=dict)


def measure_start(side: Side, size: tuple[int, int], cwd: Path, *, keys: int, quiet: float) -> None:
    with PtyScreen.spawn(side.argv, size=size, env=side.env, cwd=str(cwd)) as screen:
        painted = screen.wait_for(side.target, timeout=WAIT_S)
        side.first_paint_s.append(painted - screen.spawned_at)
        if not keys:
            return
        screen.wait_quiet(1.0, timeout=WAIT_S)
        side.screens["opened"] = screen.text()
        for _ in range(keys):
            screen.mark()
            sent = time.perf_counter()
            screen.send(b"\x1b[B")  # down arrow
            deadline = sent + 5.0
            while screen.counted == 0 and time.perf_counter() < deadline and not screen.closed:
                screen.pump(0.05)  # the repaint's first byte (a cursor row can change only colours)
            if screen.counted == 0:
                side.unchanged_keys += 1
                continue
            screen.wait_quiet(quiet, timeout=WAIT_S)
            side.key_ms.append((screen.last_byte_at - sent) * 1000)
        side.screens[f"after {keys} x down"] = screen.text()


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def _publishes(url: str, token: str, store_id: str, home: Path, count: int) -> dict[str, list[float]]:
    """`count` publishes of the 500-item menu the console's way (perform: outbox, engine, If-Match), each with
    one price changed, alternating with a bare HTTP PUT of the same size."""
    import os

    import httpx
    import msgspec

    from o2o_tui.config import save_profile
    from o2o_tui.domain.menu import Menu
    from o2o_tui.sync.perform import Outcome, perform
    from o2o_tui.sync.session import open_cache

    os.environ["O2O_HOME"] = str(home)
    profile = save_profile("bench-publish", url=url, token=token, role="merchant", store_id=store_id)
    cache = open_cache(profile)
    headers = {"Authorization": f"Bearer {token}"}
    timings: dict[str, list[float]] = {"console": [], "bare": []}
    try:
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as http:
            for run in range(count):
                current = (await http.get(f"/v1/stores/{store_id}/menu")).json()
                body = big_menu(store_id, current["currency"], current["version"])
                body["categories"][0]["items"][0]["price"]["amount"] += (
                    2 * run + 1
                )  # a change: no publish is a no-op
                menu = msgspec.convert(body, type=Menu)
                started = time.perf_counter()
                done = await perform(
                    profile, cache, "menu.publish", store_id, menu, base_version=current["version"]
                )
                timings["console"].append(time.perf_counter() - started)
                if done.outcome is not Outcome.DONE:
                    raise RuntimeError(f"publish {run + 1}: {done.outcome} {done.reason or done.error}")
                body["version"] = current["version"] + 1
                body["categories"][0]["items"][0]["price"]["amount"] += 1
                started = time.perf_counter()
                answer = await http.put(
                    f"/v1/stores/{store_id}/menu",
                    content=msgspec.json.encode(body),
                    headers={
                        "Idempotency-Key": f"bench-{time.time_ns()}",
                        "If-Match": str(body["version"]),
                        "Content-Type": "application/json",
                    },
                )
                timings["bare"].append(time.perf_counter() - started)
                if answer.status_code != 200:
                    raise RuntimeError(f"bare PUT {run + 1}: {answer.status_code} {answer.text[:300]}")
    finally:
        cache.close()
    return timings


def prepare(running: Any, home: Path) -> tuple[dict[str, str], int]:
    """Publish the big menu to the demo store, log a merchant profile in and sync it; the body's size in bytes."""
    import httpx

    seed = running.seed
    token = seed.tokens["merchant"]
    with httpx.Client(base_url=running.url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        current = http.get(f"/v1/stores/{seed.store_id}/menu").json()
        body = big_menu(seed.store_id, current["currency"], current["version"])
        encoded = json.dumps(body, ensure_ascii=False).encode()
        answer = http.put(
            f"/v1/stores/{seed.store_id}/menu",
            content=encoded,
            headers={
                "Idempotency-Key": f"bench-{time.time_ns()}",
                "If-Match": str(current["version"]),
                "Content-Type": "application/json",
            },
        )
        if answer.status_code != 200:
            raise RuntimeError(f"publishing the bench menu: {answer.status_code} {answer.text[:500]}")
    env = _o2o_env(home)
    _run_cli(env, "login", "--url", running.url, "--token", token, "--profile", PROFILE)
    _run_cli(env, "sync", "--once", "--profile", PROFILE)
    return env, len(encoded)


def summary(
    bare: Side, editor: Side, publish: dict[str, list[float]], size: tuple[int, int], body: int
) -> dict:
    bare_ms = statistics.median(bare.first_paint_s) * 1000
    editor_ms = statistics.median(editor.first_paint_s) * 1000
    ratio = editor_ms / bare_ms if bare_ms else float("inf")
    key_p95 = p95(editor.key_ms) if editor.key_ms else float("inf")
    publish_median = statistics.median(publish["console"]) if publish["console"] else float("inf")

    def spread(values: list[float], scale: float = 1000.0) -> dict[str, float]:
        return {
            "median": statistics.median(values) * scale,
            "min": min(values) * scale,
            "max": max(values) * scale,
        }

    return {
        "size": f"{size[0]}x{size[1]}",
        "menu": {
            "categories": CATEGORIES,
            "items": ITEMS,
            "groups": CATEGORIES * GROUPS_PER_CATEGORY,
            "bytes": body,
        },
        "runs": len(editor.first_paint_s),
        "open_ms": {
            "bare": spread(bare.first_paint_s),
            "editor": spread(editor.first_paint_s),
            "ratio": ratio,
            "budget_ratio": OPEN_RATIO_BUDGET,
            "ok": ratio <= OPEN_RATIO_BUDGET,
        },
        "key_ms": {
            "bare": {"p50": statistics.median(bare.key_ms), "p95": p95(bare.key_ms)} if bare.key_ms else None,
            "editor": {"p50": statistics.median(editor.key_ms), "p95": key_p95} if editor.key_ms else None,
            "keys": len(editor.key_ms),
            "bare_keys": len(bare.key_ms),
            "unchanged": {"bare": bare.unchanged_keys, "editor": editor.unchanged_keys},
            "budget_p95": KEY_P95_BUDGET_MS,
            "ok": key_p95 <= KEY_P95_BUDGET_MS,
        },
        "publish_ms": {
            "console": spread(publish["console"]),
            "bare_put": spread(publish["bare"]),
            "budget": PUBLISH_BUDGET_S * 1000,
            "ok": publish_median <= PUBLISH_BUDGET_S,
        },
        "screens": {**{f"bare {k}": v for k, v in bare.screens.items()}, **editor.screens},
    }


def _row(name: str, bare: str, editor: str, ratio: str, budget: str, ok: bool | None) -> str:
    verdict = "" if ok is None else ("ok" if ok else "OVER")
    return f"{name:40} {bare:>12} {editor:>12} {ratio:>6} {budget:>10} {verdict:>4}"


def print_table(result: dict, show_screens: bool) -> None:
    menu = result["menu"]
    print(
        f"{result['size']} through a pty read by pyte; {menu['items']} items in {menu['categories']} categories, "
        f"{menu['groups']} option groups ({menu['bytes'] // 1024} KB of JSON); {result['runs']} starts per side"
    )
    print(_row("measure", "bare app", "editor", "ratio", "budget", None))
    print("-" * 90)
    opened = result["open_ms"]
    print(
        _row(
            "open to first paint, median ms",
            f"{opened['bare']['median']:.0f}",
            f"{opened['editor']['median']:.0f}",
            f"{opened['ratio']:.2f}x",
            f"<= {OPEN_RATIO_BUDGET}x",
            opened["ok"],
        )
    )
    print(
        _row(
            "  spread (min-max) ms",
            f"{opened['bare']['min']:.0f}-{opened['bare']['max']:.0f}",
            f"{opened['editor']['min']:.0f}-{opened['editor']['max']:.0f}",
            "",
            "",
            None,
        )
    )
    keys = result["key_ms"]
    if keys["editor"] and keys["bare"]:
        for label in ("p50", "p95"):
            print(
                _row(
                    f"keypress (down) to repainted, {label} ms",
                    f"{keys['bare'][label]:.1f}",
                    f"{keys['editor'][label]:.1f}",
                    f"{keys['editor'][label] / keys['bare'][label]:.2f}x" if keys["bare"][label] else "",
                    f"<= {KEY_P95_BUDGET_MS:.0f} ms" if label == "p95" else "",
                    keys["ok"] if label == "p95" else None,
                )
            )
    print(
        _row(
            "  keys measured / with no repaint",
            f"{keys['bare_keys']}/{keys['unchanged']['bare']}",
            f"{keys['keys']}/{keys['unchanged']['editor']}",
            "",
            "",
            None,
        )
    )
    published = result["publish_ms"]
    print(
        _row(
            "publish 500 items, median ms",
            f"{published['bare_put']['median']:.0f}",
            f"{published['console']['median']:.0f}",
            f"{published['console']['median'] / published['bare_put']['median']:.2f}x",
            f"<= {PUBLISH_BUDGET_S * 1000:.0f} ms",
            published["ok"],
        )
    )
    print(
        _row(
            "  spread (min-max) ms",
            f"{published['bare_put']['min']:.0f}-{published['bare_put']['max']:.0f}",
            f"{published['console']['min']:.0f}-{published['console']['max']:.0f}",
            "",
            "",
            None,
        )
    )
    print(
        "(publish: bare = one HTTP PUT; editor column = the console's path: outbox fsync, engine, If-Match, cache)"
    )
    if show_screens:
        for label, text in result["screens"].items():
            print(f"\n-- {label}\n" + "\n".join(f"|{line}|" for line in text.splitlines()))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench menu", description=DESCRIPTION)
    parser.add_argument("--runs", type=int, default=5, help="measured starts per side")
    parser.add_argument("--keys", type=int, default=40, help="down-arrow presses measured per side")
    parser.add_argument("--publishes", type=int, default=5, help="publishes of the 500 items measured")
    parser.add_argument("--quiet", type=float, default=0.05, help="seconds without a byte that end a repaint")
    parser.add_argument("--size", default="80x24", help="terminal size, COLSxLINES")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--screens", action="store_true", help="print what pyte showed")
    args = parser.parse_args(argv)
    columns, lines = (int(n) for n in args.size.lower().split("x"))
    size = (columns, lines)
    sys.path.insert(0, str(ROOT))
    from tests.support.platform import start_platform

    with tempfile.TemporaryDirectory(prefix="o2o-bench-menu-") as tmp:
        folder = Path(tmp)
        bare_path = folder / "bare_table.py"
        bare_path.write_text(BARE_APP, encoding="utf-8")
        running = start_platform(folder / "platform")
        try:
            home = folder / "home"
            env, body_bytes = prepare(running, home)
            bare = Side("bare", [sys.executable, str(bare_path)], BARE_ROW, _o2o_env(folder / "bare-home"))
            editor = Side("editor", _cli("menu", "edit", "--profile", PROFILE), "Category 01", env)
            for side in (bare, editor):  # one start each before measuring: bytecode and disk caches warm
                with PtyScreen.spawn(side.argv, size=size, env=side.env, cwd=str(folder)) as screen:
                    screen.wait_for(side.target, timeout=WAIT_S * 2)
            for run in range(args.runs):
                last = run == args.runs - 1
                for side in (bare, editor):
                    measure_start(side, size, folder, keys=args.keys if last else 0, quiet=args.quiet)
            seed = running.seed
            publish = asyncio.run(
                _publishes(
                    running.url,
                    seed.tokens["merchant"],
                    seed.store_id,
                    folder / "publish-home",
                    args.publishes,
                )
            )
        finally:
            running.stop()
    result = summary(bare, editor, publish, size, body_bytes)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print_table(result, args.screens)
