"""Handheld terminal budgets at 40x16: raw bytes and time to the first task, read through a real pty by a pyte
screen (what a person's terminal receives), side by side with a bare Textual app that shows one Static line.

    python -m bench terminal                  # 5 runs each side, tmux re-attach, SSH wire bytes (as root)
    python -m bench terminal --runs 9 --json
    python -m bench terminal --screen console # the merchant console instead of the courier handheld

Runs the real reference platform (tests/support/platform.py) on loopback, logs a courier profile in to a temp
O2O_HOME and syncs it (warm cache), has the customer place a delivery order, the merchant confirm it and the
dispatcher assign it to that courier (an offer on the handheld). Each side is started once before measuring.
Measured: spawn to first paint of the bare app's line / of the order number on the courier screen; bytes until
the screen is quiet for `--quiet` s; bytes over `--idle` s of nothing happening; bytes for one task change, both
from the server (the merchant marks the order ready) and from the courier's own key (1: accept the offer); the
screen inside a locked-down tmux (no status bar, no prefix), the client killed and a new one attached; and, with
tests/support/sshd.py, the bytes on the SSH wire for one session with zlib@openssh.com compression and without.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.pty_screen import PtyScreen, ScreenTimeout
from bench.ssh_wire import Step
from o2o_tui.ssh_gate import COMMAND_ENV, running_as_root
from screens.courier_screens import SETTLE_S

DESCRIPTION = (
    "handheld terminal at 40x16 through a pty (pyte): time to first task vs a bare Textual app, bytes to start, "
    "idle, per change, tmux re-attach, SSH wire bytes with and without compression"
)
QUICK = False  # a minute or more, and the SSH part makes a throwaway Unix account

ROOT = Path(__file__).resolve().parent.parent
SIZE = (40, 16)
START_BYTES_BUDGET = 12 * 1024
REATTACH_BYTES_BUDGET = 12 * 1024
CHANGE_BYTES_BUDGET = 500
IDLE_BYTES_BUDGET = 0
FIRST_TASK_RATIO_BUDGET = 1.25
WAIT_S = 30.0  # every wait for something on screen is bounded by this

BARE_LINE = "Bench bare app #0001"
BARE_APP = f'''"""A bare Textual app that shows one Static line (the baseline of `python -m bench terminal`)."""
from textual.app import App, ComposeResult
from textual.widgets import Static


class Bare(App):
    def compose(self) -> ComposeResult:
        yield Static({BARE_LINE!r})


Bare().run()
'''


@dataclass
class Scenario:
    """One program to measure: what it runs, the text meaning "the first task is on screen", and its changes."""

    name: str
    argv: list[str]
    target: str
    env: dict[str, str]
    steps: list[Step] = field(default_factory=list)  # counted one after another on one running screen
    gate_argv: list[str] | None = None  # `o2o ssh-gate ...`: the screen in the courier's tmux session
    courier_id: str = ""


@dataclass
class Side:
    first_paint_s: list[float] = field(default_factory=list)
    start_bytes: list[int] = field(default_factory=list)
    idle_bytes: int | None = None
    changes: dict[str, int] = field(default_factory=dict)
    budgets: dict[str, int | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    screens: dict[str, str] = field(
        default_factory=dict
    )  # what pyte showed, on the run that measured changes


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from o2o_tui.cli import main; main()", *args]


def _run_cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(_cli(*args), env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"o2o {' '.join(args[:2])} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def courier_screen_available(env: dict[str, str]) -> bool:
    done = subprocess.run(_cli("courier", "--help"), env=env, cwd=ROOT, capture_output=True, timeout=60)
    return done.returncode == 0


def _o2o_env(home: Path) -> dict[str, str]:
    env = {**os.environ, "O2O_HOME": str(home), "O2O_LANG": "en"}
    for name in ("O2O_PROFILE", "O2O_TOKEN", "O2O_URL", "NO_COLOR", "TEXTUAL", "TEXTUAL_DEBUG"):
        env.pop(name, None)
    return env


def _place_offer(running: Any, courier_id: str) -> Any:
    """The customer orders a delivery, the merchant confirms it and the dispatcher offers it to `courier_id`."""
    from tests.support.platform import api, order_body

    customer, merchant, dispatcher = (api(running, role) for role in ("customer", "merchant", "dispatcher"))
    try:
        created = customer.post("/v1/orders", order_body(running.seed.store_id)).json()
        confirmed = merchant.post(f"/v1/orders/{created['id']}/confirm", {"preparation_minutes": 10})
        assert confirmed.status_code == 200, confirmed.text
        assigned = dispatcher.post(f"/v1/orders/{created['id']}/assign", {"courier_id": courier_id})
        assert assigned.status_code == 200, assigned.text
    finally:
        for client in (customer, merchant, dispatcher):
            client.close()
    return created


def _merchant_action(running: Any, order_id: str, action: str) -> Callable[[], None]:
    from tests.support.platform import api

    def act() -> None:
        merchant = api(running, "merchant")
        try:
            answer = merchant.post(f"/v1/orders/{order_id}/{action}")
            assert answer.status_code == 200, answer.text
        finally:
            merchant.close()

    return act


def courier_steps(ready: Callable[[], None]) -> list[Step]:
    """On the list of tasks: open the offer (a new screen), accept it (the courier's own status change), then the
    merchant marks the order ready (a change arriving from the server, shown on the open task)."""
    return [
        Step("courier presses 1: opens the offer (new screen)", keys=b"1"),
        Step(
            "courier presses 1: accepts (status change)",
            keys=b"1",
            budget=CHANGE_BYTES_BUDGET,
            settle=SETTLE_S + 0.2,
        ),
        Step("server: merchant marks the order ready", server=ready, budget=CHANGE_BYTES_BUDGET),
    ]


def courier_scenario(running: Any, home: Path) -> Scenario:
    env = _o2o_env(home)
    courier_id = running.seed.courier_ids[0]  # tokens["courier"] is the first courier's
    created = _place_offer(running, courier_id)
    _run_cli(
        env, "login", "--url", running.url, "--token", running.seed.tokens["courier"], "--profile", "courier"
    )
    _run_cli(env, "sync", "--once", "--profile", "courier")
    argv = _cli("courier", "--profile", "courier")
    if running_as_root():  # the gate refuses root (a courier key would be a root login): name its program instead
        env[COMMAND_ENV] = shlex.join(argv)
    return Scenario(
        name="courier",
        argv=argv,
        target=f"#{created['number']:04d}",
        env=env,
        steps=courier_steps(_merchant_action(running, created["id"], "ready")),
        gate_argv=_cli("ssh-gate", "--courier", courier_id, "--profile", "courier"),
        courier_id=courier_id,
    )


def console_scenario(running: Any, home: Path) -> Scenario:
    """The merchant console, for when the courier screen is not there (the harness works on any screen)."""
    from tests.support.platform import api, order_body

    env = _o2o_env(home)
    customer, merchant = api(running, "customer"), api(running, "merchant")
    try:
        created = customer.post("/v1/orders", order_body(running.seed.store_id)).json()
        merchant.post(f"/v1/orders/{created['id']}/confirm", {"preparation_minutes": 10})
    finally:
        customer.close()
        merchant.close()
    _run_cli(
        env, "login", "--url", running.url, "--token", running.seed.tokens["merchant"], "--profile", "counter"
    )
    _run_cli(env, "sync", "--once", "--profile", "counter")
    return Scenario(
        name="console",
        argv=_cli("console", "--profile", "counter"),
        target=f"{created['number']:04d}",
        env=env,
        steps=[
            Step(
                "another terminal marks the order ready",
                server=_merchant_action(running, created["id"], "ready"),
                budget=CHANGE_BYTES_BUDGET,
            )
        ],
    )


# --- one program on a pty --------------------------------------------------------------------------------------


def _bytes_for_change(screen: PtyScreen, act: Callable[[], None], quiet: float) -> tuple[int, bool]:
    """Do `act`, wait (bounded) until the screen shows something new, then until quiet; bytes since `act`."""
    before = screen.text()
    screen.mark()
    act()
    try:
        screen.wait_for(lambda text: text != before, timeout=10.0)
        changed = True
    except ScreenTimeout:
        changed = False
    return screen.wait_quiet(quiet, timeout=WAIT_S), changed


def measure_run(
    scenario: Scenario, side: Side, *, quiet: float, idle: float | None, changes: bool, cwd: Path
) -> None:
    """Start the program, time its first task, count its start bytes; optionally idle and change bytes."""
    with PtyScreen.spawn(scenario.argv, size=SIZE, env=scenario.env, cwd=str(cwd)) as screen:
        painted = screen.wait_for(scenario.target, timeout=WAIT_S)
        side.first_paint_s.append(painted - screen.spawned_at)
        side.start_bytes.append(screen.wait_quiet(quiet, timeout=WAIT_S))
        if changes:
            side.screens["first task"] = screen.text()
        if idle is not None:
            side.idle_bytes = screen.count_for(idle)
        for step in scenario.steps if changes else []:
            time.sleep(step.settle)
            act = step.server or (lambda keys=step.keys: screen.send(keys))
            count, changed = _bytes_for_change(screen, act, quiet)
            side.changes[step.label] = count
            side.budgets[step.label] = step.budget
            side.screens[step.label] = screen.text()
            if not changed:
                side.notes.append(f"{step.label}: nothing changed on screen within 10 s")


def warm(scenario: Scenario, cwd: Path) -> None:
    with PtyScreen.spawn(scenario.argv, size=SIZE, env=scenario.env, cwd=str(cwd)) as screen:
        screen.wait_for(scenario.target, timeout=WAIT_S * 2)


# --- tmux: start inside it, kill the client, attach again ------------------------------------------------------


def measure_tmux(scenario: Scenario, folder: Path, *, quiet: float, idle: float) -> dict[str, int]:
    """The courier screen as `o2o ssh-gate` runs it (its locked-down tmux; another screen: the same config)."""
    from o2o_tui.ssh_gate import SESSION, socket_name, tmux_conf

    tmux = shutil.which("tmux") or "tmux"
    env = {**scenario.env, "TMUX_TMPDIR": str(folder)}  # a tmux server of the bench's own, removed with it
    env.pop("TMUX", None)
    env.pop("SSH_ORIGINAL_COMMAND", None)
    if scenario.gate_argv:
        argv = scenario.gate_argv  # new-session -A -D: the second run re-attaches
        server = [tmux, "-L", socket_name(scenario.courier_id)]
    else:
        conf = folder / "tmux.conf"
        conf.write_text(tmux_conf("xterm-256color"), encoding="utf-8")
        server = [tmux, "-L", "o2o-bench"]
        argv = [*server, "-f", str(conf), "new-session", "-A", "-D", "-s", SESSION, "--", *scenario.argv]
    result: dict[str, int] = {}
    try:
        with PtyScreen.spawn(argv, size=SIZE, env=env, cwd=str(ROOT)) as first:
            first.wait_for(scenario.target, timeout=WAIT_S)
            result["start in tmux"] = first.wait_quiet(quiet, timeout=WAIT_S)
            result["idle in tmux"] = first.count_for(idle)
            first.kill()  # the link drops: the client dies, the tmux server keeps the session
        with PtyScreen.spawn(argv, size=SIZE, env=env, cwd=str(ROOT)) as again:
            again.wait_for(scenario.target, timeout=WAIT_S)
            result["re-attach"] = again.wait_quiet(quiet, timeout=WAIT_S)
    finally:
        subprocess.run([*server, "kill-server"], env=env, capture_output=True, timeout=10)
    return result


# --- SSH: the same session through a real sshd, with and without compression ----------------------------------


def measure_ssh(running: Any, *, quiet: float, idle: float) -> dict[str, Any]:
    """A fresh offer and courier per compression setting, so both sessions show and change the same things."""
    import asyncio

    from bench.ssh_wire import SshCase, measure_session
    from o2o_tui.authorized_keys import key_line, read_public_key
    from o2o_tui.ssh_gate import default_profile, o2o_program

    try:
        from tests.support.sshd import SshdUnavailable, start_sshd
    except ImportError as error:
        return {"skipped": f"no sshd harness ({error})"}

    program = o2o_program()
    result: dict[str, Any] = {}
    try:
        with start_sshd(set_env={"O2O_LANG": "en"}) as server:
            env = {"O2O_HOME": str(server.o2o_home), "O2O_LANG": "en"}
            cases, lines = {}, []
            for index, compression in enumerate(("none", "zlib@openssh.com"), start=1):
                courier_id = running.seed.courier_ids[index]
                created = _place_offer(running, courier_id)
                profile = default_profile(courier_id)
                token = running.seed.courier_tokens[courier_id]
                for args in (
                    ["login", "--url", running.url, "--token", token, "--profile", profile],
                    ["sync", "--once", "--profile", profile],
                ):
                    done = server.run_as_user([program, *args], env=env, timeout=60)
                    if done.returncode != 0:
                        raise RuntimeError(f"o2o {args[0]} as {server.user}: {done.stderr[-2000:]}")
                key = server.client_key(f"bench-{index}")
                lines.append(key_line(courier_id, read_public_key(str(key.with_suffix(".pub"))), program))
                cases[compression] = SshCase(
                    options=server.connect_options(key),
                    target=f"#{created['number']:04d}",
                    steps=courier_steps(_merchant_action(running, created["id"], "ready")),
                )
            server.write_authorized_keys(lines)
            for compression, case in cases.items():
                try:
                    result[compression] = asyncio.run(
                        measure_session(case, compression, quiet=quiet, idle=idle)
                    )
                except (OSError, TimeoutError, RuntimeError) as error:  # say why; keep the local figures
                    gate_log = server.o2o_home / "data" / "ssh-gate.log"
                    tail = gate_log.read_text(errors="replace")[-600:] if gate_log.exists() else ""
                    sshd_tail = server.log_text()[-1200:]
                    return {"skipped": f"{compression}: {error}\ngate log:\n{tail}\nsshd log:\n{sshd_tail}"}
    except SshdUnavailable as why:
        return {"skipped": str(why)}
    return result


# --- the report ------------------------------------------------------------------------------------------------


def _spread(values: list[float], scale: float = 1.0) -> str:
    return f"{min(values) * scale:.0f}-{max(values) * scale:.0f}"


def _verdict(ok: bool | None) -> str:
    return "" if ok is None else ("ok" if ok else "OVER")


def summary(
    bare: Side, screen: Side, name: str, tmux: dict[str, int] | None, ssh: dict | None
) -> dict[str, Any]:
    bare_ms = statistics.median(bare.first_paint_s) * 1000
    screen_ms = statistics.median(screen.first_paint_s) * 1000
    ratio = screen_ms / bare_ms if bare_ms else float("inf")
    bare_start = int(statistics.median(bare.start_bytes))
    screen_start = int(statistics.median(screen.start_bytes))
    out: dict[str, Any] = {
        "screen": name,
        "size": f"{SIZE[0]}x{SIZE[1]}",
        "runs": len(screen.first_paint_s),
        "first_paint_ms": {
            "bare": {
                "median": bare_ms,
                "min": min(bare.first_paint_s) * 1000,
                "max": max(bare.first_paint_s) * 1000,
            },
            name: {
                "median": screen_ms,
                "min": min(screen.first_paint_s) * 1000,
                "max": max(screen.first_paint_s) * 1000,
            },
            "ratio": ratio,
            "budget_ratio": FIRST_TASK_RATIO_BUDGET,
            "ok": ratio <= FIRST_TASK_RATIO_BUDGET,
        },
        "start_bytes": {
            "bare": bare_start,
            name: screen_start,
            "bare_all": bare.start_bytes,
            f"{name}_all": screen.start_bytes,
            "budget": START_BYTES_BUDGET,
            "ok": screen_start <= START_BYTES_BUDGET,
        },
        "idle_bytes": {
            "bare": bare.idle_bytes,
            name: screen.idle_bytes,
            "budget": IDLE_BYTES_BUDGET,
            "ok": screen.idle_bytes == IDLE_BYTES_BUDGET if screen.idle_bytes is not None else None,
        },
        "change_bytes": {
            label: {
                "bytes": count,
                "budget": screen.budgets[label],
                "ok": None if screen.budgets[label] is None else count <= screen.budgets[label],
            }
            for label, count in screen.changes.items()
        },
        "notes": screen.notes,
        "screens": screen.screens,
    }
    if tmux is not None:
        out["tmux"] = {
            **tmux,
            "budget": REATTACH_BYTES_BUDGET,
            "ok": tmux["re-attach"] <= REATTACH_BYTES_BUDGET,
        }
    if ssh is not None:
        out["ssh"] = ssh
    return out


def _row(name: str, bare: str, screen: str, ratio: str, budget: str, ok: bool | None) -> str:
    return f"{name:46} {bare:>11} {screen:>11} {ratio:>6} {budget:>9} {_verdict(ok):>4}"


def print_table(result: dict[str, Any], idle: float, quiet: float, show_screens: bool = False) -> None:
    name = result["screen"]
    paint = result["first_paint_ms"]
    print(
        f"{result['size']} through a pty read by pyte (TERM=xterm-256color, C.UTF-8), {result['runs']} runs per "
        f"side after one warm run; quiet = nothing for {quiet:g} s"
    )
    print(_row("measure", "bare app", name, "ratio", "budget", None))
    print("-" * 90)
    print(
        _row(
            "first paint / first task, median ms",
            f"{paint['bare']['median']:.0f}",
            f"{paint[name]['median']:.0f}",
            f"{paint['ratio']:.2f}x",
            f"<= {FIRST_TASK_RATIO_BUDGET}x",
            paint["ok"],
        )
    )
    print(
        _row(
            "  spread (min-max) ms",
            f"{paint['bare']['min']:.0f}-{paint['bare']['max']:.0f}",
            f"{paint[name]['min']:.0f}-{paint[name]['max']:.0f}",
            "",
            "",
            None,
        )
    )
    start = result["start_bytes"]
    print(
        _row(
            "bytes to start (until quiet), median",
            str(start["bare"]),
            str(start[name]),
            f"{start[name] / start['bare']:.2f}x" if start["bare"] else "",
            "<= 12 KB",
            start["ok"],
        )
    )
    idle_bytes = result["idle_bytes"]
    print(
        _row(
            f"bytes while idle for {idle:g} s",
            str(idle_bytes["bare"]),
            str(idle_bytes[name]),
            "",
            "0",
            idle_bytes["ok"],
        )
    )
    for label, change in result["change_bytes"].items():
        budget = "" if change["budget"] is None else f"<= {change['budget']} B"
        print(_row(label[:46], "", str(change["bytes"]), "", budget, change["ok"]))
    if "tmux" in result:
        tmux = result["tmux"]
        print(_row("start inside tmux (no status bar)", "", str(tmux["start in tmux"]), "", "", None))
        print(
            _row(
                f"idle inside tmux for {idle:g} s",
                "",
                str(tmux["idle in tmux"]),
                "",
                "0",
                tmux["idle in tmux"] == 0,
            )
        )
        print(
            _row(
                "re-attach: client killed, new attach", "", str(tmux["re-attach"]), "", "<= 12 KB", tmux["ok"]
            )
        )
    if "ssh" in result:
        ssh = result["ssh"]
        if "skipped" in ssh:
            print(f"SSH wire bytes: skipped ({ssh['skipped']})")
        else:
            none, zlib = ssh["none"], ssh["zlib@openssh.com"]
            print()
            print(_row("SSH wire bytes, both ways (down)", "no compr.", "zlib", "saved", "", None))
            print("-" * 90)
            for label, plain in none["rows"].items():
                packed = zlib["rows"][label]
                ratio = f"{plain['total'] / packed['total']:.1f}x" if packed["total"] else ""
                print(
                    _row(
                        label,
                        f"{plain['total']} ({plain['down']})",
                        f"{packed['total']} ({packed['down']})",
                        ratio,
                        "",
                        None,
                    )
                )
            print(f"negotiated compression: {none['negotiated']} / {zlib['negotiated']}")
    for note in result["notes"]:
        print(f"note: {note}")
    if show_screens:
        for label, text in result["screens"].items():
            print(f"\n-- {name} screen: {label}\n" + "\n".join(f"|{line}|" for line in text.splitlines()))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench terminal", description=DESCRIPTION)
    parser.add_argument("--runs", type=int, default=5, help="measured starts per side")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of nothing happening to count")
    parser.add_argument("--quiet", type=float, default=1.0, help="seconds without a byte that end a count")
    parser.add_argument(
        "--screen",
        choices=("auto", "courier", "console"),
        default="auto",
        help="auto: courier when it exists",
    )
    parser.add_argument("--screens", action="store_true", help="print what pyte showed after each step")
    parser.add_argument("--no-tmux", action="store_true", help="skip the tmux re-attach")
    parser.add_argument("--no-ssh", action="store_true", help="skip the SSH wire bytes")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.support.platform import start_platform

    with tempfile.TemporaryDirectory(prefix="o2o-bench-terminal-") as tmp:
        folder = Path(tmp)
        bare_path = folder / "bare_app.py"
        bare_path.write_text(BARE_APP, encoding="utf-8")
        bare = Scenario("bare", [sys.executable, str(bare_path)], BARE_LINE, _o2o_env(folder / "bare-home"))
        running = start_platform(folder / "platform")
        try:
            home = folder / "home"
            chosen = args.screen
            if chosen == "auto":
                chosen = "courier" if courier_screen_available(_o2o_env(home)) else "console"
            scenario = (courier_scenario if chosen == "courier" else console_scenario)(running, home)
            warm(bare, folder)
            warm(scenario, folder)
            bare_side, screen_side = Side(), Side()
            for run in range(args.runs):
                last = run == args.runs - 1
                measure_run(
                    bare,
                    bare_side,
                    quiet=args.quiet,
                    idle=args.idle if last else None,
                    changes=False,
                    cwd=folder,
                )
                measure_run(
                    scenario,
                    screen_side,
                    quiet=args.quiet,
                    idle=args.idle if last else None,
                    changes=last,
                    cwd=folder,
                )
            tmux = None
            if not args.no_tmux and shutil.which("tmux"):
                tmux = measure_tmux(scenario, folder, quiet=args.quiet, idle=args.idle)
            ssh = None
            if not args.no_ssh:
                ssh = measure_ssh(running, quiet=args.quiet, idle=args.idle)
        finally:
            running.stop()
    result = summary(bare_side, screen_side, scenario.name, tmux, ssh)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result, args.idle, args.quiet, args.screens)
