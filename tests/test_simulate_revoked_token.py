"""`o2o simulate` stops with exit 5 when the platform refuses its token (revoked or rotated), as every command does
on a 401, with advice that fits where the token came from (--token, O2O_TOKEN, a profile); it used to keep running,
counting errors, and told everyone to `o2o login`. The real server, `o2o simulate` as a process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from o2o_tui.client import PlatformClient
from o2o_tui.platform import auth, db
from tests.support.platform import RunningPlatform
from tests.support.signals import killed_on_exit

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from o2o_tui.cli import main; main()"]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2O_")}
    return {**env, "O2O_LANG": "en", **extra}


def revoke(platform: RunningPlatform, role: str) -> None:
    engine = db.open_database(platform.db_url)
    try:
        with db.writing(engine) as conn:
            assert auth.revoke_token(conn, platform.seed.user_ids[role])
    finally:
        engine.dispose()


def test_a_token_revoked_while_it_runs_stops_it_with_exit_5(platform: RunningPlatform) -> None:
    seed = platform.seed
    started = datetime.now(UTC)
    with killed_on_exit(subprocess.Popen(
        [*CLI, "simulate", "--url", platform.url, "--token", seed.tokens["admin"], "--store", seed.store_id,
         "--json", "--no-couriers", "--first-order-after", "0", "--every", "0.2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=clean_env(),
    )) as running:  # fmt: skip
        with PlatformClient(platform.url, seed.tokens["merchant"]) as merchant:
            deadline = time.monotonic() + 60
            while len(merchant.list_orders(store_id=seed.store_id, updated_after=started).orders) < 2:
                assert time.monotonic() < deadline and running.poll() is None, running.stderr
                time.sleep(0.1)
        revoke(platform, "admin")
        out, errors = running.communicate(timeout=30)
    assert running.returncode == 5, errors
    assert "--token" in errors and "o2o login" not in errors
    assert json.loads(out)["placed"] >= 2  # what it did before, as on Ctrl-C


def test_a_refused_token_from_the_environment_says_so(platform: RunningPlatform) -> None:
    revoke(platform, "admin")
    done = subprocess.run(
        [*CLI, "simulate", "--url", platform.url, "--store", platform.seed.store_id, "--count", "1"],
        capture_output=True, text=True, cwd=ROOT, env=clean_env(O2O_TOKEN=platform.seed.tokens["admin"]), timeout=60,
    )  # fmt: skip
    assert done.returncode == 5, done.stderr
    assert "O2O_TOKEN" in done.stderr and "o2o login" not in done.stderr


def test_a_refused_token_of_a_profile_says_to_log_in_again(platform: RunningPlatform, tmp_path: Path) -> None:
    env = clean_env(O2O_HOME=str(tmp_path / "home"))
    subprocess.run(
        [*CLI, "login", "--url", platform.url, "--token", platform.seed.tokens["merchant"], "--profile", "counter"],
        check=True, capture_output=True, cwd=ROOT, env=env, timeout=60,
    )  # fmt: skip
    revoke(platform, "merchant")
    done = subprocess.run(
        [*CLI, "simulate", "--profile", "counter", "--count", "1"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 5, done.stderr
    assert "o2o login --profile counter" in done.stderr
