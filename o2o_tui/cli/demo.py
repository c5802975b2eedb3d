"""`o2o demo`: the whole system on one machine.

A fresh data dir, a seeded reference platform on a free loopback port, the simulator placing orders, a `demo`
profile under an O2O_HOME of its own, and the merchant console. Everything it starts runs in its own process
group and is stopped on quit, Ctrl-C, SIGTERM/SIGHUP or an error (and, on Linux, if this process dies).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import typer

from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import emit_json, fail, say
from o2o_tui.i18n import set_language, t
from o2o_tui.paths import data_dir

_START_TIMEOUT_S = 20.0
_STOP_TIMEOUT_S = 5.0
_CLI = "from o2o_tui.cli import main; main()"
# Simulated time starts before the lunch rush, so the demo is lively whatever the real time of day.
_SIM_START = "11:15"


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
    """The processes the demo started, each in its own process group; `stop_all` ends every one of them."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"{name}.log").open("ab")
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
        )
        log.close()
        self.processes.append(process)
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


def _raise_interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signum)


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

    env = dict(os.environ)
    env["O2O_HOME"] = str(home)
    env["O2O_LANG"] = current_language()
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_demo(
    *,
    keep: bool,
    headless_seconds: float | None,
    orders_per_hour: int,
    speed: float,
    seed: int,
    as_json: bool,
) -> int:
    from o2o_tui.config import save_profile
    from o2o_tui.platform.seed import seed_demo

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    root = data_dir() / f"demo-{stamp}-{os.getpid()}"
    root.mkdir(parents=True, mode=0o700)
    home = root / "home"
    children = Children(root)
    previous_handlers = {sig: signal.signal(sig, _raise_interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    previous_home = os.environ.get("O2O_HOME")
    try:
        db_url = f"sqlite:///{root / 'platform.db'}"
        seeded = seed_demo(db_url)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = _child_env(home)
        if not as_json:
            say(t("demo.starting", url=url, path=str(root)))
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
        children.start(
            "simulator",
            [
                sys.executable, "-c", _CLI, "simulate",
                "--url", url, "--token", seeded.tokens["admin"],
                "--orders-per-hour", str(orders_per_hour), "--speed", str(speed), "--seed", str(seed),
                "--start-time", _SIM_START,
            ],
            env,
        )  # fmt: skip
        # The demo's own profile lives under the demo's O2O_HOME: the user's real profiles stay untouched.
        os.environ["O2O_HOME"] = str(home)
        profile = save_profile(
            "demo", url=url, token=seeded.tokens["merchant"], role="merchant", store_id=seeded.store_id
        )
        if headless_seconds is not None:
            return _headless(profile, headless_seconds, url, as_json)
        from screens.launch import run_merchant_console

        run_merchant_console(profile)
        return 0
    except KeyboardInterrupt:
        return 130
    finally:
        children.stop_all()
        for sig, handler in previous_handlers.items():
            signal.signal(sig, handler)
        if previous_home is None:
            os.environ.pop("O2O_HOME", None)
        else:
            os.environ["O2O_HOME"] = previous_home
        if keep:
            if not as_json:
                say(t("demo.kept", path=str(root)))
        else:
            shutil.rmtree(root, ignore_errors=True)
        if not as_json:
            say(t("demo.stopped"))


def _headless(profile: object, seconds: float, url: str, as_json: bool) -> int:
    import asyncio

    from screens.launch import open_source, watch_headless

    report = asyncio.run(watch_headless(open_source(profile), seconds))  # type: ignore[arg-type]
    if as_json:
        emit_json(
            {
                "orders": report.orders_seen,
                "seconds": round(report.seconds, 1),
                "link": report.final_state,
                "url": url,
            }
        )
    else:
        say(
            t(
                "demo.headless_result",
                count=report.orders_seen,
                seconds=round(report.seconds),
                state=report.final_state,
            )
        )
    return 0 if report.orders_seen > 0 else int(Exit.ERROR)


def demo(
    keep: bool = typer.Option(False, "--keep", help=t("demo.option.keep")),
    headless_check: float | None = typer.Option(
        None, "--headless-check", metavar="SECONDS", help=t("demo.option.headless_check")
    ),
    # With --speed 4 from 11:15 simulated time: a new order every 10-30 s through the lunch rush.
    orders_per_hour: int = typer.Option(
        20, "--orders-per-hour", min=1, help=t("demo.option.orders_per_hour")
    ),
    speed: float = typer.Option(4.0, "--speed", min=0.1, help=t("demo.option.speed")),
    seed: int = typer.Option(7, "--seed", help=t("demo.option.seed")),
    lang: str | None = typer.Option(None, "--lang", help=t("demo.option.lang")),
    as_json: bool = typer.Option(False, "--json", help=t("demo.option.json")),
) -> None:
    """Run the platform, the simulator and the merchant console on this machine."""
    if lang:
        set_language(lang)
    try:
        code = run_demo(
            keep=keep,
            headless_seconds=headless_check,
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
