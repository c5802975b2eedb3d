"""Tokens can be revoked and rotated with `o2o admin`, and every server process refuses the old one within 1 s."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from o2o_tui.platform.auth import hash_token
from o2o_tui.platform.seed import DEMO_STORE_NAME
from tests.support.platform import ROOT, RunningPlatform

REVOCATION_BOUND_SECONDS = 1.0  # the contract: a revoked token stops working within this on every process


def o2o(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "O2O_HOME": str(home), "O2O_LANG": "en"}
    return subprocess.run(
        [sys.executable, "-c", "from o2o_tui.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def me_status(url: str, token: str) -> int:
    return httpx.get(f"{url}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code


def test_revoked_and_rotated_tokens_stop_working_on_every_process(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    assert platform.seed is not None
    seed = platform.seed
    # one server per SQLite file (docs/operations.md): the `o2o admin` commands below are the other process
    urls = (platform.url,)
    merchant, courier = seed.tokens["merchant"], seed.tokens["courier"]
    for url in urls:  # the server now holds both tokens in its cache
        assert me_status(url, merchant) == 200
        assert me_status(url, courier) == 200

    listed = o2o("admin", "users", "--json", "--db", platform.db_url, home=tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = {row["id"]: row for row in json.loads(listed.stdout)["users"]}
    merchant_id, courier_id = seed.user_ids["merchant"], seed.user_ids["courier"]
    assert rows[merchant_id]["role"] == "merchant" and rows[merchant_id]["store_id"] == seed.store_id
    assert rows[courier_id]["courier_id"] == seed.courier_ids[0]
    assert set(rows[merchant_id]) == {
        "id",
        "name",
        "role",
        "store_id",
        "courier_id",
        "created_at",
        "revoked",
        "disabled",  # o2o admin disable-user (test_admin_offboarding.py)
        "store_name",  # the store's name, as the plain list names it
    }
    assert rows[merchant_id]["store_name"] == DEMO_STORE_NAME and rows[courier_id]["store_name"] in (
        None,
        DEMO_STORE_NAME,
    )
    for secret in (merchant, hash_token(merchant), courier, hash_token(courier)):
        assert secret not in listed.stdout

    revoked = o2o("admin", "revoke-token", merchant_id, "--db", platform.db_url, home=tmp_path)
    assert revoked.returncode == 0, revoked.stderr
    rotated = o2o("admin", "rotate-token", courier_id, "--json", "--db", platform.db_url, home=tmp_path)
    assert rotated.returncode == 0, rotated.stderr
    new_courier = json.loads(rotated.stdout)["token"]
    assert new_courier != courier and new_courier.startswith("o2o_")
    for url in urls:  # the new token works at once, on every process
        assert me_status(url, new_courier) == 200

    time.sleep(REVOCATION_BOUND_SECONDS)
    for url in urls:
        assert me_status(url, merchant) == 401, url
        assert me_status(url, courier) == 401, url
        assert me_status(url, new_courier) == 200, url
        assert me_status(url, seed.tokens["dispatcher"]) == 200, url  # nobody else is touched

    again = o2o("admin", "users", "--db", platform.db_url, home=tmp_path)
    assert again.returncode == 0, again.stderr
    line = next(line for line in again.stdout.splitlines() if merchant_id in line)
    assert "revoked" in line
    assert new_courier not in again.stdout


def test_revoking_an_unknown_user_says_so(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'platform.sqlite3'}"
    seeded = o2o("admin", "seed-demo", "--json", "--db", db_url, home=tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    for command in ("revoke-token", "rotate-token"):
        result = o2o("admin", command, "u_nobody", "--db", db_url, home=tmp_path)
        assert result.returncode == 6, (command, result.stdout, result.stderr)
        assert "No user u_nobody" in result.stderr


def test_a_courier_user_is_listed_with_its_fleets_store(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'platform.sqlite3'}"
    seeded = o2o("admin", "seed-demo", "--json", "--db", db_url, home=tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    seed = json.loads(seeded.stdout)
    listed = o2o("admin", "users", "--json", "--db", db_url, home=tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = {row["id"]: row for row in json.loads(listed.stdout)["users"]}
    courier = rows[seed["user_ids"]["courier"]]
    assert courier["courier_id"] == seed["courier_ids"][0]
    assert courier["store_id"] == seed["store_id"]  # the store's own fleet: its courier's store, not none
    assert rows[seed["user_ids"]["customer"]]["store_id"] is None
