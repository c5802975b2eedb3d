"""`o2o demo`: the whole system on one machine.

A fresh data dir, a seeded reference platform on a free loopback port, the simulator placing orders, a `demo`
profile under an O2O_HOME of its own, and the merchant console. Everything it starts runs in its own process
group and is stopped on quit, Ctrl-C, SIGTERM/SIGHUP or an error (and, on Linux, if this process dies). Until the
console opens, Ctrl-C is one of the signals that cannot be lost (`stop_signals.py`): Python's own drops its interrupt
when it lands in an after-fork hook, as one sent the moment a child appears does, and the demo then ran on.

One courier of the fleet is kept for a person: the simulator never acts for it and offers it one order at a time
while it is on duty and free (an offer nobody answers is taken back: simulator/handheld.py). Its `courier` profile
sits beside `demo`, and `o2o demo --handheld` (or the printed `O2O_HOME=... o2o courier --profile courier`) opens its
handheld screen in a second terminal; that handheld closes when the demo ends. What the demo prints before the console
takes the screen, the console's `?` says again (`o2o_tui/demo_notes.py`). Its data dir: `o2o_tui/demo_dirs.py`.
"""

from __future__ import annotations

import contextlib
import enum
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from o2o_tui import demo_dirs
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.need_terminal import require_terminal
from o2o_tui.cli.output import emit_json, fail, say
from o2o_tui.cli.stop_signals import InterruptOnSignals
from o2o_tui.demo_notes import DemoNotes, set_running
from o2o_tui.i18n import normalize, set_language, t
from o2o_tui.paths import data_dir

if TYPE_CHECKING:
    from o2o_tui.config import Profile

_START_TIMEOUT_S = 20.0
_STOP_TIMEOUT_S = 5.0
_CLI = "from o2o_tui.cli import main; main()"
_HANDHELDS_CLOSE_S = 3.0  # how long the demo waits, stopping, for the handhelds opened on it to close


def _stop_signals() -> tuple[signal.Signals, ...]:
    """SIGINT too, unless this process was started ignoring it (a shell's background job: a Ctrl-C is not for it)."""
    ctrl_c = () if signal.getsignal(signal.SIGINT) is signal.SIG_IGN else (signal.SIGINT,)
    return (*ctrl_c, signal.SIGTERM, signal.SIGHUP)


def tell(message: str) -> None:
    """A note for the person, folded to the terminal's width as the console folds its text (`text_fold`: no
    line starts with closing punctuation, a number keeps its unit, an indented command keeps its indent): the
    terminal itself would cut it at its edge, anywhere. Not to a terminal (a pipe, a file): said as it is."""
    from o2o_tui.safe_text import safe_text
    from o2o_tui.text_fold import fold_indented

    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 0
    if width <= 0:
        say(message)
        return
    for line in fold_indented(safe_text(message), width):
        say(line)


# Simulated time starts before the lunch rush, so the demo is lively whatever the real time of day.
_SIM_START = "11:15"


class Pace(enum.StrEnum):
    """`rush` (the default): a backlog on screen from the start, the first new order a few seconds after the queue
    appears, then one about every 20 s, at 4x simulated time (a 12-minute prep takes 3). `realistic`: one shop's
    day at its real rate (about 20 orders an hour on the daily curve, busier at lunch), in real time."""

    RUSH = "rush"
    REALISTIC = "realistic"


RUSH_FIRST_ORDER_AFTER_S = 3.0  # after the simulator starts: the console's queue is up by then
RUSH_ORDER_EVERY_S = 20.0
RUSH_SPEED = 4.0
REALISTIC_ORDERS_PER_HOUR = 20
HANDHELD_PROFILE = "courier"
# the platform's admin, for `--door` (the customers' delivery codes): only in the demo's own O2O_HOME
PLATFORM_PROFILE = "platform"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> None:
    """Runs in the child before exec: Linux sends it SIGTERM if the demo process dies without cleaning up."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Children:
    """The processes the demo started, each in its own process group; `stop_all` ends every one of them. A stop
    signal that comes while one starts waits under `hold` until it is in `processes` (raised in between, it left
    the child running unknown to `stop_all`; raised in the fork's hooks, it was dropped)."""

    def __init__(
        self,
        log_dir: Path,
        hold: Callable[[], contextlib.AbstractContextManager[None]] = contextlib.nullcontext,
    ) -> None:
        self.log_dir = log_dir
        self.hold = hold
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = os.fdopen(os.open(self.log_dir / f"{name}.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "ab")
        try:
            with self.hold():
                process = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    start_new_session=True,
                    preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
                )
                self.processes.append(process)
        finally:
            log.close()
        return process

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + _STOP_TIMEOUT_S
        for process in reversed(self.processes):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait(timeout=_STOP_TIMEOUT_S)
            _signal_group(process, signal.SIGKILL)  # anything the child itself left in its group
        self.processes.clear()


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def wait_until_up(url: str, token: str, process: subprocess.Popen[bytes], log: Path) -> None:
    from o2o_tui.client import PlatformClient
    from o2o_tui.client.errors import PlatformError

    deadline = time.monotonic() + _START_TIMEOUT_S
    with PlatformClient(url, token, timeout=2.0) as client:
        while True:
            if process.poll() is not None:
                raise RuntimeError(t("demo.error.server_exited", code=process.returncode, log=str(log)))
            try:
                client.me()
                return
            except PlatformError as error:
                if error.is_final and error.status is not None:
                    raise RuntimeError(error.i18n_message()) from None
            if time.monotonic() > deadline:
                raise RuntimeError(
                    t("demo.error.server_timeout", seconds=int(_START_TIMEOUT_S), log=str(log))
                )
            time.sleep(0.1)


def _child_env(home: Path) -> dict[str, str]:
    from o2o_tui.i18n import current_language

    env = {name: value for name, value in os.environ.items() if name != "O2O_TOKEN"}
    env["O2O_HOME"] = str(home)
    env["O2O_LANG"] = current_language()
    env["PYTHONUNBUFFERED"] = "1"
    return env


def sim_speed(pace: Pace, speed: float | None) -> float:
    """Simulated seconds per real second: `--speed`, else the pace's."""
    return speed if speed is not None else (RUSH_SPEED if pace is Pace.RUSH else 1.0)


def pace_arguments(pace: Pace, orders_per_hour: int | None, speed: float | None) -> list[str]:
    """The simulator's arguments for a pace; an explicit `--orders-per-hour` puts the orders on the day's
    curve at that rate instead (scripts and tests that want a given load)."""
    arguments = ["--speed", str(sim_speed(pace, speed))]
    if orders_per_hour is not None:
        return [*arguments, "--orders-per-hour", str(orders_per_hour)]
    if pace is Pace.REALISTIC:
        return [*arguments, "--orders-per-hour", str(REALISTIC_ORDERS_PER_HOUR)]
    return [
        *arguments,
        "--first-order-after", str(RUSH_FIRST_ORDER_AFTER_S),
        "--every", str(RUSH_ORDER_EVERY_S),
    ]  # fmt: skip


def run_demo(
    *,
    keep: bool,
    headless_seconds: float | None,
    pace: Pace = Pace.RUSH,
    orders_per_hour: int | None = None,
    speed: float | None = None,
    seed: int,
    as_json: bool,
) -> int:
    from o2o_tui.config import save_profile
    from o2o_tui.platform.seed import seed_demo
    from o2o_tui.platform.simulator.handheld import OFFER_STANDS_MINUTES
    from o2o_tui.platform.simulator.vouchers import CODES_FILE

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    root = data_dir() / f"demo-{stamp}-{os.getpid()}"
    home = root / "home"
    stop_signals = InterruptOnSignals(_stop_signals())
    children = Children(root, hold=stop_signals.held)
    previous_home = os.environ.get("O2O_HOME")
    try:
        stop_signals.install()  # first: from here on a signal ends the demo through `finally`
        demo_dirs.remove_left_behind(data_dir())  # a killed demo's customers' names, addresses and phones
        root.mkdir(parents=True, mode=0o700)
        demo_dirs.write_owner(root, keep=keep)
        db_url = f"sqlite:///{root / 'platform.db'}"
        seeded = seed_demo(db_url, handheld=True)
        handheld_id = seeded.handheld_courier_id
        assert handheld_id is not None
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = _child_env(home)
        if not as_json:
            tell(t("demo.starting", url=url, path=str(root)))
        server = children.start(
            "server",
            [
                sys.executable,
                "-m",
                "o2o_tui.platform",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--db",
                db_url,
            ],
            env,
        )
        wait_until_up(url, seeded.tokens["merchant"], server, root / "server.log")
        if pace is Pace.RUSH:  # the rush is under way when the console opens
            _backlog(url, seeded.tokens["admin"], seeded.store_id, seed, handheld_id)
        # Nobody sits at the counter of a headless check: the simulator accepts and prepares the orders, so the
        # person's courier still gets offers (a courier is assigned only to an order the store accepted). With a
        # person at the counter, the simulator still dispatches the fleet: what they mark ready gets a courier.
        merchant = ["--auto-merchant"] if headless_seconds is not None else ["--auto-dispatch"]
        children.start(
            "simulator",
            [
                sys.executable, "-c", _CLI, "simulate", "--url", url,
                *pace_arguments(pace, orders_per_hour, speed), "--seed", str(seed),
                "--start-time", _SIM_START, "--leave-courier", handheld_id, *merchant,
            ],
            # the admin token through the environment (readable by this user only), never on the command
            # line, which every user of the machine can read in `ps`
            # the customers' token too: with it the simulator's customers buy vouchers, whose codes the person at
            # the counter can redeem with v (data/voucher-codes.txt)
            {**env, "O2O_TOKEN": seeded.tokens["admin"], "O2O_CUSTOMER_TOKEN": seeded.tokens["customer"]},
        )  # fmt: skip
        # The demo's own profiles live under the demo's O2O_HOME: the user's real profiles stay untouched.
        os.environ["O2O_HOME"] = str(home)
        profile = save_profile(
            "demo", url=url, token=seeded.tokens["merchant"], role="merchant", store_id=seeded.store_id
        )
        from o2o_tui.cli.store_auto_accept import make_station  # the demo console is the printing station
        from o2o_tui.device import device_name

        make_station(url, seeded.tokens["merchant"], seeded.store_id, device_name(profile.name))
        courier = _save_handheld_profile(url, seeded.courier_tokens[handheld_id])
        save_profile(PLATFORM_PROFILE, url=url, token=seeded.tokens["admin"], role="admin")
        tickets = _demo_printer(root)  # kitchen tickets "print" to a file in the data dir
        if tickets is not None and not as_json:
            tell(t("printing.demo.tickets", path=str(tickets)))
        vouchers = home / "data" / CODES_FILE
        if headless_seconds is None and not as_json:
            tell(t("demo.vouchers", path=str(vouchers)))
        command = handheld_command(home)
        stands_s = round(OFFER_STANDS_MINUTES * 60 / sim_speed(pace, speed))
        if not as_json:
            tell(t("demo.handheld", name=courier.user_name, command=command, seconds=stands_s))
        if headless_seconds is not None:
            return _headless(profile, courier, command, headless_seconds, url, as_json)
        if not as_json:
            tell(t("demo.notes.again"))
        # the console runs in this process: its `?` says all of the above again while the demo runs
        set_running(
            DemoNotes(
                courier_name=courier.user_name or HANDHELD_PROFILE,
                handheld_command=command,
                offer_stands_s=stands_s,
                vouchers=str(vouchers),
                tickets=str(tickets) if tickets is not None else None,
            )
        )
        from screens.launch import run_merchant_console

        # the console's Ctrl-C is asyncio's and Textual's, as in `o2o console`
        stop_signals.release(signal.SIGINT)
        run_merchant_console(profile)
        return 0
    except KeyboardInterrupt:
        return 130
    finally:
        set_running(None)
        demo_dirs.mark_ended(root)  # the handhelds opened on this demo close (screens/courier_launch.py)
        stop_signals.stopping()
        children.stop_all()
        _wait_for_handhelds(root)
        handheld_used = demo_dirs.handhelds_used(root)
        stop_signals.restore()
        if previous_home is None:
            os.environ.pop("O2O_HOME", None)
        else:
            os.environ["O2O_HOME"] = previous_home
        if not root.is_dir():  # a signal came before it was made
            pass
        elif keep:
            if not as_json:
                tell(t("demo.kept", path=str(root)))
        else:
            shutil.rmtree(root, ignore_errors=True)
            if not as_json and not root.exists():  # the files the start-up notes named are gone
                tell(t("demo.removed", path=str(root)))
        if not as_json:
            tell(t("demo.stopped"))
            if not handheld_used:
                tell(t("demo.handheld_next"))


def _wait_for_handhelds(root: Path) -> None:
    """Until the handhelds opened on this demo have closed (they saw `ended`), a few seconds at most: removed
    under a handheld still running, its data dir would fail its every action."""
    deadline = time.monotonic() + _HANDHELDS_CLOSE_S
    while demo_dirs.handhelds_open(root) and time.monotonic() < deadline:
        time.sleep(0.1)


def _demo_printer(root: Path) -> Path | None:
    """Unless the user set a printer (O2O_PRINTER), the demo's console prints its tickets to `tickets.bin` in the
    demo's data dir (a `printer` in the demo's own settings); `o2o print show` reads them. None: the user's."""
    import json

    from o2o_tui.config import write_private_file
    from o2o_tui.paths import config_dir
    from o2o_tui.settings import SETTINGS_FILE

    if os.environ.get("O2O_PRINTER"):
        return None
    tickets = root / "tickets.bin"
    path = config_dir() / SETTINGS_FILE
    try:
        current = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        current = {}
    settings = {**(current if isinstance(current, dict) else {}), "printer": f"file:{tickets}"}
    write_private_file(path, json.dumps(settings, ensure_ascii=False, indent=2).encode())
    return tickets


def _backlog(url: str, admin_token: str, store_id: str, seed: int, handheld_id: str) -> None:
    from o2o_tui.client import PlatformClient
    from o2o_tui.client.errors import PlatformError
    from o2o_tui.platform.simulator.backlog import create_backlog

    with PlatformClient(url, admin_token, timeout=10.0) as client:
        try:
            create_backlog(client, store_id, seed=seed, leave_couriers=(handheld_id,))
        except PlatformError as error:
            raise RuntimeError(error.i18n_message()) from None


def handheld_command(home: Path) -> str:
    """The shell command that opens the person's courier's handheld screen while this demo runs."""
    return f"O2O_HOME={shlex.quote(str(home))} o2o courier --profile {HANDHELD_PROFILE}"


def _save_handheld_profile(url: str, token: str) -> Profile:
    """The `courier` profile, as `o2o login` would write it for that token (the platform says who it is)."""
    from o2o_tui.client import PlatformClient
    from o2o_tui.config import save_profile

    with PlatformClient(url, token, timeout=5.0) as client:
        me = client.me()
    return save_profile(
        HANDHELD_PROFILE,
        url=url,
        token=token,
        role=str(me.role),
        user_id=me.user_id,
        user_name=me.name,
        store_id=me.store_id,
        courier_id=me.courier_id,
    )


def _offers_to(courier: Profile) -> int:
    """How many orders were offered to the person's courier so far (as that courier sees them)."""
    from o2o_tui.client import PlatformClient

    with PlatformClient(courier.url, courier.token, timeout=5.0) as client:
        return len(client.list_deliveries(active=False))


def _headless(
    profile: Profile, courier: Profile, command: str, seconds: float, url: str, as_json: bool
) -> int:
    import asyncio

    from screens.launch import open_source, watch_headless

    report = asyncio.run(watch_headless(open_source(profile), seconds))
    offers = _offers_to(courier)
    if as_json:
        emit_json(
            {
                "orders": report.orders_seen,
                "seconds": round(report.seconds, 1),
                "link": report.final_state,
                "url": url,
                "handheld": {
                    "profile": HANDHELD_PROFILE,
                    "courier_id": courier.courier_id,
                    "name": courier.user_name,
                    "command": command,
                    "offers": offers,
                },
            }
        )
    else:
        tell(
            t(
                "demo.headless_result",
                count=report.orders_seen,
                seconds=round(report.seconds),
                state=t(f"ui.link.state.{report.final_state}"),  # the console's words for the link
            )
        )
        tell(t("demo.headless_offers", count=offers))
    return 0 if report.orders_seen > 0 else int(Exit.ERROR)


def running_demo_homes() -> list[Path]:
    """The O2O_HOME of every demo running on this machine (under this data dir), newest first: a demo's data
    dir is named `demo-<date>-<time>-<pid>` after the process that runs it (`o2o_tui/demo_dirs.py`)."""
    return [root / "home" for root in demo_dirs.running_roots(data_dir())]


def _running_home(door: bool = False) -> Path:
    """The newest running demo's O2O_HOME; with several running, says which one on stderr (and, for the
    handheld, the command that opens another one's courier)."""
    homes = running_demo_homes()
    if not homes:
        raise fail(t("demo.error.none_running"), Exit.NOT_FOUND)
    if len(homes) > 1:
        key = "demo.several.door" if door else "demo.several.handheld"
        lines = [t(key, count=len(homes), path=str(homes[0].parent))]
        if not door:
            lines += [f"  {handheld_command(home)}" for home in homes[1:]]
        _warn("\n".join(lines))
    return homes[0]


def _warn(message: str) -> None:
    """`tell`, on stderr (what `--door --json` prints stays JSON)."""
    from o2o_tui.safe_text import safe_text
    from o2o_tui.text_fold import fold_indented

    width = shutil.get_terminal_size().columns if sys.stderr.isatty() else 0
    lines = fold_indented(safe_text(message), width) if width > 0 else [safe_text(message)]
    for line in lines:
        print(line, file=sys.stderr)


def open_handheld() -> None:
    """Become `o2o courier --profile courier` inside the newest running demo's O2O_HOME."""
    homes = len(running_demo_homes())
    home = _running_home()
    if homes > 1 and sys.stdin.isatty() and sys.stderr.isatty():  # the screen would wipe the warning at once
        _warn(t("demo.several.enter"))
        try:
            input()
        except (EOFError, KeyboardInterrupt):
            raise typer.Exit(130) from None
    env = _child_env(home)
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, "-c", _CLI, "courier", "--profile", HANDHELD_PROFILE], env)


def at_the_door(as_json: bool) -> None:
    """What the customers tell the person's courier at their door: the delivery code of each delivery the
    courier has marked "arrived at the customer" (a simulated customer has no other way to say it)."""
    from o2o_tui.cli.common import handle_errors
    from o2o_tui.client import PlatformClient
    from o2o_tui.config import load_profile
    from o2o_tui.domain.transitions import DeliveryStatus
    from o2o_tui.safe_text import safe_text

    os.environ["O2O_HOME"] = str(_running_home(door=True))
    with handle_errors():
        courier, platform = load_profile(HANDHELD_PROFILE), load_profile(PLATFORM_PROFILE)
        with PlatformClient(platform.url, platform.token) as admin:
            doors = []
            for delivery in admin.list_deliveries(courier.courier_id, active=True):
                at_door = delivery.status is DeliveryStatus.ARRIVED_AT_CUSTOMER
                code = admin.get_order(delivery.order_id).delivery_code if at_door else None
                doors.append((delivery, code))
    if as_json:
        emit_json(
            [
                {
                    "number": f"#{delivery.order_number:04d}",
                    "status": str(delivery.status),
                    "customer": delivery.customer_name,
                    "delivery_code": code,
                }
                for delivery, code in doors
            ]
        )
        return
    if not doors:
        tell(t("demo.door.nothing"))
    for delivery, code in doors:
        number = f"#{delivery.order_number:04d}"
        name = safe_text(delivery.customer_name, one_line=True)
        if code:
            tell(t("demo.door.code", number=number, customer=name, code=code))
        else:
            tell(t("demo.door.not_yet", number=number, customer=name))


def demo(
    keep: bool = typer.Option(False, "--keep", help=t("demo.option.keep")),
    headless_check: float | None = typer.Option(
        None, "--headless-check", metavar="SECONDS", help=t("demo.option.headless_check")
    ),
    pace: Pace = typer.Option(Pace.RUSH, "--pace", help=t("demo.option.pace")),
    orders_per_hour: int | None = typer.Option(
        None, "--orders-per-hour", min=1, help=t("demo.option.orders_per_hour")
    ),
    speed: float | None = typer.Option(None, "--speed", min=0.1, help=t("demo.option.speed")),
    seed: int = typer.Option(7, "--seed", help=t("demo.option.seed")),
    lang: str | None = typer.Option(None, "--lang", help=t("demo.option.lang")),
    as_json: bool = typer.Option(False, "--json", help=t("demo.option.json")),
    handheld: bool = typer.Option(False, "--handheld", help=t("demo.option.handheld")),
    door: bool = typer.Option(False, "--door", help=t("demo.option.door")),
) -> None:
    """Run the platform, the simulator and the merchant console on this machine."""
    if lang is not None:
        if normalize(lang) is None:  # refused, not a silent English
            raise fail(t("demo.error.lang", lang=lang), Exit.USAGE)
        set_language(lang)
    if handheld:
        open_handheld()
    if door:
        at_the_door(as_json)
        return
    if headless_check is None:  # before the platform starts: the console needs a terminal
        require_terminal("o2o demo")
    try:
        code = run_demo(
            keep=keep,
            headless_seconds=headless_check,
            pace=pace,
            orders_per_hour=orders_per_hour,
            speed=speed,
            seed=seed,
            as_json=as_json,
        )
    except RuntimeError as error:
        raise fail(str(error)) from None
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("demo", help=t("demo.help"))(demo)
