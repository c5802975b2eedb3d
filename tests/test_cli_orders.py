"""`o2o orders`, `o2o store`, `o2o sync` and `o2o conflicts` end to end: real `o2o` processes with O2O_HOME in
tmp_path against the real platform on loopback. Covers login, list/show from the cache, accept with the store's
default prep time, offline queueing and its exit codes, a refused action in the conflicts, the profile lock, and
that no `--json` output ever carries the token."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from o2o_tui.client import PlatformClient
from o2o_tui.domain.order import OrderStatus
from o2o_tui.domain.requests import ReasonBody
from o2o_tui.domain.store import StoreState
from tests.support.platform import RunningPlatform, start_platform
from tests.support.signals import hears_ctrl_c
from tests.test_sync_engine import place_orders

ROOT = Path(__file__).resolve().parent.parent


class Cli:
    def __init__(self, home: Path, token: str) -> None:
        self.home = home
        self.token = token
        self.outputs: list[str] = []

    def __call__(self, *args: str, code: int = 0) -> Any:
        """Run `o2o ARGS` in this process (typer's CliRunner): the real commands, without a fresh interpreter."""
        env = {"O2O_HOME": str(self.home), "O2O_LANG": "en", "NO_COLOR": "1", "COLUMNS": "200"}
        env |= {"O2O_PROFILE": None, "O2O_TOKEN": None}
        result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
        self.outputs.append(result.stdout + result.stderr)
        assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
        return result

    def json(self, *args: str, code: int = 0) -> Any:
        return json.loads(self(*args, "--json", code=code).stdout)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()


@pytest.fixture
def cli(running: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    runner = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    runner("login", "--url", running.url, "--token", runner.token)
    yield runner
    # no output of any command ever shows the token
    assert all(runner.token not in text for text in runner.outputs)


def server_order(running: RunningPlatform, order_id: str) -> Any:
    with PlatformClient(running.url, running.seed.tokens["merchant"]) as merchant:
        return merchant.get_order(order_id)


def test_list_show_and_accept(running: RunningPlatform, cli: Cli) -> None:
    first, second = place_orders(running.url, running.seed, 2)
    # nothing synced yet: the list pulls once first (a cron job right after login sees the orders)
    assert [o["id"] for o in cli.json("orders", "list")] == [first, second]
    synced = cli.json("sync", "--once")
    assert synced["state"] == "ONLINE"

    listed = cli.json("orders", "list")
    assert [o["id"] for o in listed] == [first, second]
    for row in listed:
        assert row["status"] == "CREATED" and row["version"] >= 1 and row["is_pending"] is False
        assert isinstance(row["number"], int) and row["display_number"].startswith("#")
    number = listed[1]["number"]
    shown = cli.json("orders", "show", f"#{number:04d}")
    assert shown["id"] == second
    assert "Li Na" in cli("orders", "show", str(number)).stdout
    assert shown["pickup_code"] and f"pickup code: {shown['pickup_code']}" in cli("orders", "show", second).stdout

    accepted = cli.json("orders", "accept", f"#{number:04d}")
    assert accepted["outcome"] == "done" and accepted["order"]["status"] == "CONFIRMED"
    assert accepted["order"]["is_pending"] is False
    on_server = server_order(running, second)
    store_default = cli.json("store", "status")["default_prep_minutes"]
    assert on_server.status is OrderStatus.CONFIRMED and on_server.preparation_minutes == store_default

    cli("orders", "accept", first, "--prep", "25")
    assert server_order(running, first).preparation_minutes == 25
    assert [o["status"] for o in cli.json("orders", "list", "--status", "confirmed")] == ["CONFIRMED"] * 2
    cli("orders", "show", "#9999", code=Exit.NOT_FOUND)


def test_offline_queue_then_sync_and_exit_codes(running: RunningPlatform, cli: Cli) -> None:
    [order_id] = place_orders(running.url, running.seed, 1)
    cli("orders", "accept", order_id, "--prep", "10")  # not cached yet: the command pulls first
    running.stop()

    queued = cli("orders", "preparing", order_id)
    assert "Queued" in queued.stdout
    [row] = cli.json("orders", "list")
    assert row["status"] == "PREPARING" and row["is_pending"] is True
    assert row["pending_actions"] == ["order.preparing"]
    cli("orders", "ready", order_id, "--online", code=Exit.OFFLINE)  # refused, and not queued
    status = cli.json("sync", "status")
    assert status["pending"] == 1 and status["conflicts"] == 0
    # the command found the platform unreachable: the status says so at once, not after the next sync
    assert status["state"] == "OFFLINE" and "cannot be reached" in status["last_error"]
    cli("sync", "--once", code=Exit.OFFLINE)
    assert cli.json("sync", "status")["state"] == "OFFLINE"

    running.restart()
    cli("login", "--url", running.url, "--token", cli.token)  # the port may have changed
    report = cli.json("sync", "--once")
    assert report["pushed"] == 1 and report["pending"] == 0 and report["state"] == "ONLINE"
    assert server_order(running, order_id).status is OrderStatus.PREPARING
    [row] = cli.json("orders", "list")
    assert row["status"] == "PREPARING" and row["is_pending"] is False
    # an action command that reaches the platform after an outage it met: ONLINE again, said at once
    running.stop()
    cli("orders", "ready", order_id)
    assert cli.json("sync", "status")["state"] == "OFFLINE"
    running.restart()
    cli("login", "--url", running.url, "--token", cli.token)
    cli("orders", "unlock-code", order_id)
    status = cli.json("sync", "status")
    assert status["state"] == "ONLINE" and status["last_error"] is None and status["pending"] == 0
    assert server_order(running, order_id).status is OrderStatus.READY_FOR_PICKUP


def test_a_refused_action_lands_in_the_conflicts(running: RunningPlatform, cli: Cli) -> None:
    [order_id] = place_orders(running.url, running.seed, 1)
    cli("sync", "--once")
    with PlatformClient(running.url, running.seed.tokens["customer"]) as customer:
        customer.act("order.cancel", order_id, ReasonBody(reason_code="CUSTOMER_CHANGED_MIND"))
    refused = cli("orders", "accept", order_id, code=Exit.REJECTED)
    assert "cancelled by the customer before your accept reached the platform" in refused.stderr
    [row] = cli.json("orders", "list")
    assert row["status"] == "CANCELLED" and row["is_pending"] is False  # the server's truth
    [conflict] = cli.json("conflicts", "list")
    assert conflict["action"] == "order.confirm" and conflict["reason"]["code"] == "illegal_transition"
    assert "cancelled by the customer" in conflict["explanation"]
    cli("conflicts", "dismiss", conflict["key"][:8])
    assert cli.json("conflicts", "list") == []
    cli("conflicts", "dismiss", conflict["key"], code=Exit.NOT_FOUND)


def test_a_refused_token_or_a_forbidden_action_exits_5_and_keeps_the_work(
    running: RunningPlatform, cli: Cli, tmp_path: Path
) -> None:
    order_ids = place_orders(running.url, running.seed, 2)
    cli("sync", "--once")
    # forbidden for this account (a dispatcher may not accept orders): 5, said in words
    dispatcher = Cli(tmp_path / "dispatcher", running.seed.tokens["dispatcher"])
    dispatcher("login", "--url", running.url, "--token", dispatcher.token)
    dispatcher("sync", "--once")
    refused = dispatcher("orders", "accept", order_ids[0], code=Exit.AUTH)
    assert "your accept was refused: this account may not do that" in refused.stderr
    # the token is refused (revoked: here replaced by one the platform never issued): 5, and the action is kept
    profiles = next(cli.home.rglob("profiles.json"))
    profiles.write_text(profiles.read_text(encoding="utf-8").replace(cli.token, "revoked-token"), encoding="utf-8")
    kept = cli("orders", "accept", order_ids[0], code=Exit.AUTH)
    assert "log in again" in kept.stderr and "reachable" not in kept.output
    as_json = cli("orders", "accept", order_ids[1], "--json", code=Exit.AUTH)
    assert json.loads(as_json.stdout)["login_needed"] is True
    assert cli.json("sync", "status")["pending"] == 2
    cli("login", "--url", running.url, "--token", cli.token)
    assert cli.json("sync", "--once")["pushed"] == 2
    assert server_order(running, order_ids[0]).status is OrderStatus.CONFIRMED


def test_an_empty_or_wrong_pickup_code_is_refused_before_anything_is_sent(running: RunningPlatform, cli: Cli) -> None:
    [order_id] = place_orders(running.url, running.seed, 1)  # takeout
    cli("orders", "accept", order_id, "--prep", "5")
    cli("orders", "ready", order_id)
    for empty in ("", "  "):
        refused = cli("orders", "handoff", order_id, "--code", empty, code=Exit.USAGE)
        assert "an empty code is not sent" in refused.stderr
    code = server_order(running, order_id).pickup_code
    wrong = "0000" if code != "0000" else "1111"
    for _ in range(6):  # more than the tries that would lock the code, had they been sent
        refused = cli("orders", "handoff", order_id, "--code", wrong, code=Exit.REJECTED)
        assert "Nothing was sent" in refused.stderr
    assert cli.json("sync", "status")["pending"] == 0 and cli.json("conflicts", "list") == []
    cli("orders", "handoff", order_id, "--code", code)
    assert server_order(running, order_id).status is OrderStatus.DELIVERED


def test_unsent_work_is_never_handed_to_another_account_by_a_new_login(running: RunningPlatform, cli: Cli) -> None:
    [order_id] = place_orders(running.url, running.seed, 1)
    cli("sync", "--once")
    running.stop()
    cli("orders", "accept", order_id, "--prep", "5")  # queued: the merchant's
    running.restart()
    other = running.seed.tokens["dispatcher"]
    refused = cli("login", "--url", running.url, "--token", other, code=Exit.USAGE)
    assert "1 unsent or refused actions" in refused.stderr and "--profile" in refused.stderr
    assert cli.json("whoami")["role"] == "merchant"  # still the merchant's profile
    cli("logout", code=Exit.USAGE)  # and not dropped silently either
    cli("login", "--url", running.url, "--token", cli.token)  # the same account again (the port moved): fine
    assert cli.json("sync", "--once")["pushed"] == 1
    assert server_order(running, order_id).status is OrderStatus.CONFIRMED
    # nothing unsent: another account may take the profile, and it starts from a fresh cache
    cli("login", "--url", running.url, "--token", other)
    assert cli.json("whoami")["role"] == "dispatcher"
    cli("logout")


def test_logout_takes_the_cache_with_it_so_no_later_login_sends_its_work(running: RunningPlatform, cli: Cli) -> None:
    [order_id] = place_orders(running.url, running.seed, 1)
    cli("sync", "--once")
    running.stop()
    cli("orders", "accept", order_id, "--prep", "5")  # queued: the merchant's
    running.restart()
    cache = cli.home / "cache" / "profiles" / "default"
    assert cache.is_dir()
    refused = cli("logout", code=Exit.USAGE)
    assert "1 unsent actions" in refused.stderr and "--force" in refused.stderr
    assert cli.json("logout", "--force") == {"profile": "default", "removed": True, "cache_cleared": True}
    assert not cache.exists()  # the outbox, the customers' names in the cache: gone from the machine
    other = running.seed.tokens["dispatcher"]
    cli("login", "--url", running.url, "--token", other)
    assert cli.json("sync", "--once")["pushed"] == 0  # the merchant's accept is not sent as the dispatcher
    assert server_order(running, order_id).status is OrderStatus.CREATED
    cli("logout")


def test_no_logout_or_new_login_removes_the_cache_under_a_running_process(running: RunningPlatform, cli: Cli) -> None:
    import subprocess
    import sys
    import time

    from offline_cache.lock import nobody_has_open

    cli("sync", "--once")
    cache = cli.home / "cache" / "profiles" / "default"
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2O_")} | {"O2O_HOME": str(cli.home)}
    syncing = subprocess.Popen(  # what a console does to the profile: keeps it open
        [sys.executable, "-c", "from o2o_tui.cli import main; main()", "sync"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with nobody_has_open(cache) as free:
                if not free:
                    break
            assert time.monotonic() < deadline and syncing.poll() is None, "o2o sync never opened the profile"
            time.sleep(0.1)
        refused = cli("logout", code=Exit.USAGE)
        assert "is open in a console" in refused.stderr
        other = running.seed.tokens["dispatcher"]
        cli("login", "--url", running.url, "--token", other, code=Exit.USAGE)
        assert cache.is_dir() and cli.json("whoami")["role"] == "merchant"  # nothing changed under it
    finally:
        syncing.terminate()
        syncing.wait(timeout=30)
    cli("logout")
    assert not cache.exists()


def test_a_cache_left_without_its_profile_is_not_sent_by_a_new_login(running: RunningPlatform, cli: Cli) -> None:
    from o2o_tui.config import remove_profile

    [order_id] = place_orders(running.url, running.seed, 1)
    cli("sync", "--once")
    running.stop()
    cli("orders", "accept", order_id, "--prep", "5")
    running.restart()
    os.environ["O2O_HOME"] = str(cli.home)
    try:
        remove_profile(None)  # what `logout --force` did before: the profile gone, its cache and outbox left
    finally:
        del os.environ["O2O_HOME"]
    other = running.seed.tokens["dispatcher"]
    refused = cli("login", "--url", running.url, "--token", other, code=Exit.USAGE)
    assert "1 unsent or refused actions" in refused.stderr
    cli("logout", "--force")  # clears the orphan cache
    cli("login", "--url", running.url, "--token", other)
    assert cli.json("sync", "--once")["pushed"] == 0
    assert server_order(running, order_id).status is OrderStatus.CREATED


def test_sync_status_says_not_syncing_when_nobody_has_heard_the_platform_lately(
    running: RunningPlatform, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime, timedelta

    from o2o_tui.sync import tables
    from o2o_tui.sync.engine import META_ANSWERED_AT
    from o2o_tui.sync.session import profile_cache

    cli("sync", "--once")
    assert cli.json("sync", "status")["state"] == "ONLINE"
    monkeypatch.setenv("O2O_HOME", str(cli.home))
    with profile_cache(None) as (_, cache):  # as an `o2o sync` killed 3 minutes ago left it: its last answer then
        then = (datetime.now(UTC) - timedelta(minutes=3)).isoformat()
        cache.meta_set_many({tables.META_STATE: "ONLINE", tables.META_LAST_SYNC_AT: then, META_ANSWERED_AT: then})
    status = cli.json("sync", "status")
    assert status["state"] == "STALE" and status["cursor_age_seconds"] >= 170
    assert "NOT SYNCING" in cli("sync", "status").stdout


def test_a_queued_action_says_the_earlier_ones_go_first(running: RunningPlatform, cli: Cli) -> None:
    [order_id] = place_orders(running.url, running.seed, 1)
    cli("orders", "accept", order_id, "--prep", "10")
    running.stop()
    first = cli("orders", "preparing", order_id)
    assert "cannot be reached" in first.stdout and "earlier" not in first.stdout
    second = cli("orders", "ready", order_id)
    assert "1 earlier queued action goes first, and sending it failed: The platform cannot be reached" in second.stdout


def test_store_status_commands(running: RunningPlatform, cli: Cli) -> None:
    assert cli.json("store", "status")["status"]["state"] == "ONLINE"  # never synced: pulled first
    busy = cli.json("store", "busy", "--extra", "20")
    assert busy["outcome"] == "done" and busy["store"]["status"]["extra_minutes"] == 20
    paused = cli.json("store", "pause", "--minutes", "30", "--reason", "restocking")
    assert paused["store"]["status"]["state"] == "PAUSED" and paused["store"]["status"]["until"]
    with PlatformClient(running.url, running.seed.tokens["merchant"]) as merchant:
        store = merchant.get_store(running.seed.store_id)
    assert store.status.state is StoreState.PAUSED and store.status.reason == "restocking"
    cli("store", "resume")
    assert "OPEN" in cli("store", "status").stdout


def test_a_process_open_on_the_profile_does_not_block_but_one_stuck_in_a_write_is_named(
    running: RunningPlatform, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = place_orders(running.url, running.seed, 2)
    cli("sync", "--once")
    directory = str(cli.home / "cache" / "profiles" / "default")
    console_like = subprocess.Popen(  # has the profile open for its whole life, as the console does
        [
            sys.executable,
            "-c",
            "import sys, time; from offline_cache import open_profile_cache\n"
            "c = open_profile_cache(sys.argv[1]); print('open', flush=True); time.sleep(60)",
            directory,
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert console_like.stdout.readline().strip() == "open"
        cli("orders", "accept", first)
    finally:
        console_like.kill()
        console_like.wait(timeout=10)
    monkeypatch.setenv("O2O_CACHE_LOCK_WAIT", "0.3")
    stuck = subprocess.Popen(  # holds the write lock and never lets go: only this is exit 7 now
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from offline_cache.lock import WriteLock\n"
            "WriteLock(Path(sys.argv[1])).acquire(); print('held', flush=True); time.sleep(60)",
            directory,
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert stuck.stdout.readline().strip() == "held"
        locked = cli("orders", "accept", second, code=Exit.LOCKED)
        assert str(stuck.pid) in locked.stderr and "stuck" in locked.stderr
        cli("sync", "--once", code=Exit.LOCKED)
        assert sorted(o["id"] for o in cli.json("orders", "list")) == sorted([first, second])  # reading works
        assert cli.json("sync", "status")["pending"] == 0
    finally:
        stuck.kill()
        stuck.wait(timeout=10)
    cli("orders", "accept", second)


def test_orders_list_in_a_fresh_process_never_imports_textual_nor_the_server_stack(
    running: RunningPlatform, cli: Cli
) -> None:
    place_orders(running.url, running.seed, 1)
    cli("sync", "--once")
    code = (
        "import sys\n"
        "from o2o_tui.cli import main\n"
        "sys.argv = ['o2o', 'orders', 'list', '--json']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('textual', 'litestar', 'sqlalchemy', 'numpy', 'scipy', 'uvicorn', 'o2o_tui.sync.engine')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in heavy), file=sys.stderr)\n"
    )
    env = {**os.environ, "O2O_HOME": str(cli.home), "O2O_LANG": "en"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 1
    assert result.stderr.strip() == "[]"


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_sync_runs_until_stopped_and_drains_the_queue(
    running: RunningPlatform, cli: Cli, stop: signal.Signals
) -> None:
    [order_id] = place_orders(running.url, running.seed, 1)
    cli("orders", "accept", order_id)
    running.stop()
    cli("orders", "preparing", order_id)  # queued
    running.restart()
    cli("login", "--url", running.url, "--token", cli.token)  # the port may have changed
    env = {**os.environ, "O2O_HOME": str(cli.home), "O2O_LANG": "en"}
    syncing = subprocess.Popen(
        [sys.executable, "-c", "from o2o_tui.cli import main; main()", "sync"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env=env,
        preexec_fn=hears_ctrl_c,
    )
    try:
        deadline = time.monotonic() + 30
        while cli.json("sync", "status")["pending"] or cli.json("sync", "status")["state"] != "ONLINE":
            assert time.monotonic() < deadline and syncing.poll() is None
            time.sleep(0.1)
    finally:
        syncing.send_signal(stop)
        _, errors = syncing.communicate(timeout=20)
    assert syncing.returncode == 0, errors
    assert "ONLINE | queued" in errors and running.seed.tokens["merchant"] not in errors
    assert server_order(running, order_id).status is OrderStatus.PREPARING


def test_a_corrupt_cache_file_is_set_aside_and_rebuilt(running: RunningPlatform, cli: Cli) -> None:
    [order_id] = place_orders(running.url, running.seed, 1)
    cli("sync", "--once")
    profile_dir = cli.home / "cache" / "profiles" / "default"
    [cache_file] = profile_dir.glob("cache-v*.json")
    cache_file.write_bytes(b'{"orders": {"half a docu')
    listed = cli("orders", "list", "--json")
    assert (
        json.loads(listed.stdout) == [] and "cannot be used" in listed.stderr
    )  # read-only: shown, not moved
    synced = cli("sync", "--once", "--json")
    assert "moved to" in synced.stderr and json.loads(synced.stdout)["resynced"] is True
    assert list(profile_dir.glob("cache-v*.json.corrupt-*"))
    assert [o["id"] for o in cli.json("orders", "list")] == [order_id]


def test_a_list_from_a_cache_nothing_refreshed_for_minutes_says_as_of_when(
    running: RunningPlatform, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`o2o orders list` reads the cache: with no console or `o2o sync` keeping it (a cron job on a shut shop's
    machine), it says on stderr as of when the cache is, beside the same rows; a fresh cache says nothing."""
    from datetime import UTC, datetime, timedelta

    from o2o_tui.sync import tables
    from o2o_tui.sync.session import profile_cache

    place_orders(running.url, running.seed, 2)
    cli("sync", "--once")
    fresh = cli("orders", "list")
    assert "Read from the cache" not in fresh.stderr and len(fresh.stdout.splitlines()) == 2
    monkeypatch.setenv("O2O_HOME", str(cli.home))
    then = datetime.now(UTC) - timedelta(minutes=20)
    with profile_cache(None) as (_, cache):  # as twenty minutes with nothing syncing leave it
        cache.meta_set_many({tables.META_LAST_SYNC_AT: then.isoformat(), tables.META_ANSWERED_AT: then.isoformat()})
    old = cli("orders", "list")
    assert old.stdout == fresh.stdout  # the same rows: only said as of when
    at = then.astimezone().strftime("%H:%M")
    assert f"Read from the cache as it was at {at} (20 min ago)" in " ".join(old.stderr.split()), old.stderr
    as_json = cli("orders", "list", "--json")
    assert len(json.loads(as_json.stdout)) == 2
    warning = json.loads(as_json.stderr.splitlines()[-1])
    assert warning["warning"] == "cache_old" and at in warning["message"]
    with profile_cache(None) as (_, cache):  # a console heard the platform a moment ago: fresh again
        cache.meta_set(tables.META_ANSWERED_AT, datetime.now(UTC).isoformat())
    assert "Read from the cache" not in cli("orders", "list").stderr


def test_logging_in_again_ends_the_log_in_again_state_at_once(running: RunningPlatform, cli: Cli) -> None:
    """A sync that met a revoked token leaves the cache saying LOG IN AGAIN, and a step o2o refuses from the
    cache exits 5 "log in again". `o2o login` with a working token ends that there and then (CONNECTING until
    the next sync), not at the next sync: the same refusal is then exit 4, the plain refusal it is."""
    [order_id] = place_orders(running.url, running.seed, 1)
    cli("sync", "--once")
    rotated = CliRunner().invoke(
        app, ["admin", "rotate-token", running.seed.user_ids["merchant"], "--db", running.db_url, "--json"],
        env={"O2O_HOME": str(cli.home), "O2O_LANG": "en"},
    )
    assert rotated.exit_code == 0, rotated.output
    new_token = json.loads(rotated.stdout)["token"]
    time.sleep(0.6)  # the platform trusts a token it looked up that long (auth.CACHE_SECONDS)
    cli("sync", "--once", code=Exit.AUTH)
    assert cli.json("sync", "status")["state"] == "UNAUTHORIZED"
    refused = cli("orders", "ready", order_id, code=Exit.AUTH)  # still NEW: refused here, and "log in again"
    assert "log in again" in refused.stderr.lower()
    cli.token = new_token  # the fixture's check: no output shows it
    cli("login", "--url", running.url, "--token", new_token)
    assert cli.json("sync", "status")["state"] == "CONNECTING"
    again = cli("orders", "ready", order_id, code=Exit.REJECTED)
    assert "log in again" not in again.stderr.lower()
    cli("sync", "--once")
    assert cli.json("sync", "status")["state"] == "ONLINE"
