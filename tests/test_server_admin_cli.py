"""`o2o admin` works on the database before the server runs; tokens are printed once and never stored or logged."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.platform import ROOT, start_platform


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


def test_admin_commands_issue_working_tokens_that_never_leak(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'platform.sqlite3'}"
    seeded = o2o("admin", "seed-demo", "--json", "--db", db_url, home=tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    result = json.loads(seeded.stdout)
    assert set(result["tokens"]) >= {"admin", "merchant", "dispatcher", "customer", "courier"}
    assert len(result["courier_ids"]) == 10 and set(result["courier_tokens"]) == set(result["courier_ids"])

    store = o2o(
        "admin",
        "create-store",
        "--name",
        "二号店 Second shop",
        "--demo-menu",
        "--json",
        "--db",
        db_url,
        home=tmp_path,
    )
    store_id = json.loads(store.stdout)["store_id"]
    merchant = o2o(
        "admin",
        "create-user",
        "--role",
        "merchant",
        "--store",
        store_id,
        "--json",
        "--db",
        db_url,
        home=tmp_path,
    )
    merchant_user = json.loads(merchant.stdout)
    assert merchant_user["role"] == "merchant" and merchant_user["store_id"] == store_id
    courier = o2o(
        "admin",
        "create-user",
        "--role",
        "courier",
        "--store",
        store_id,
        "--name",
        "新骑手",
        "--db",
        db_url,
        home=tmp_path,
    )
    assert courier.returncode == 0, courier.stderr
    courier_token = next(word for word in courier.stdout.split() if word.startswith("o2o_"))
    assert courier.stdout.count(courier_token) == 1  # printed once

    refused = o2o("admin", "create-user", "--role", "merchant", "--db", db_url, home=tmp_path)
    assert refused.returncode == 2 and "--store" in refused.stderr
    unknown = o2o("admin", "create-user", "--role", "chef", "--db", db_url, home=tmp_path)
    assert unknown.returncode == 2

    running = start_platform(tmp_path, seed=False)
    try:
        issued = {**result["tokens"], "merchant_b": merchant_user["token"], "courier_b": courier_token}
        for name, token in issued.items():
            me = httpx.get(f"{running.url}/v1/me", headers={"Authorization": f"Bearer {token}"})
            assert me.status_code == 200, name
        me = httpx.get(
            f"{running.url}/v1/me", headers={"Authorization": f"Bearer {merchant_user['token']}"}
        ).json()
        assert me["store_id"] == store_id
        menu = httpx.get(
            f"{running.url}/v1/stores/{store_id}/menu",
            headers={"Authorization": f"Bearer {merchant_user['token']}"},
        ).json()
        assert menu["categories"][0]["items"][0]["name"] == "宫保鸡丁 Kung Pao Chicken"
        httpx.get(f"{running.url}/v1/me", headers={"Authorization": "Bearer o2o_not-a-real-token"})
    finally:
        running.stop()
    log = running.log_text()
    assert "listening" in log
    stored = (tmp_path / "platform.sqlite3").read_bytes()
    for token in issued.values():
        assert token not in log
        assert token.encode() not in stored  # only hashes are kept
    assert "o2o_not-a-real-token" not in log


def test_human_seed_output_and_chinese(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    shown = o2o("--lang", "zh", "admin", "seed-demo", "--db", db_url, home=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "已创建演示门店" in shown.stdout
    tokens = re.findall(r"o2o_[A-Za-z0-9_-]+", shown.stdout)
    assert len(tokens) == 5 and len(set(tokens)) == 5


# Each command and each database in the suite (an `o2o` process a variant), every pair in
# `python -m bench deep`.
@pytest.mark.covering
@pytest.mark.parametrize("database", ["out-of-reach", "unknown"])
@pytest.mark.parametrize(
    "command",
    [["serve", "--port", "0"], ["admin", "create-store", "--name", "X"]],
    ids=["serve", "create-store"],
)
def test_unreachable_or_unknown_database_is_a_message_not_a_traceback(
    tmp_path: Path, command: list[str], database: str
) -> None:
    from tests.support.platform import free_port

    # out of reach: exit 3, as storage trouble; a URL of no database o2o uses: a usage error (docs/operations.md)
    closed = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/nothing"
    url, code, words = {
        "out-of-reach": (closed, 3, "Cannot reach the database"),
        "unknown": ("bogus://x", 2, "names bogus"),
    }[database]
    result = o2o(*command, "--db", url, home=tmp_path)
    assert result.returncode == code, (command, url, result.stderr)
    assert words in result.stderr and "Traceback" not in result.stderr, result.stderr


def test_names_longer_than_the_column_are_refused_on_every_database(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    result = o2o("admin", "create-user", "--role", "admin", "--name", "n" * 201, "--db", db, home=tmp_path)
    assert result.returncode == 2 and "at most 200" in result.stderr


def test_a_store_with_impossible_fields_is_refused_and_nothing_is_created(tmp_path: Path) -> None:
    """Each of these was created before (an empty name, a latitude of 200, currency "euro", an order cancelled the
    moment it arrives); now each is a usage error naming the field, and the database holds no store."""
    import sqlalchemy

    from o2o_tui.platform import stores
    from o2o_tui.platform.db import open_database

    db = f"sqlite:///{tmp_path / 'p.db'}"
    for args, says in [
        (["--name", "  "], "needs a name"),
        (["--name", "X", "--lat", "200", "--lon", "500"], "between -90 and 90"),
        (["--name", "X", "--lat", "nan", "--lon", "1"], "between -90 and 90"),
        (["--name", "X", "--lat", "31.2"], "both --lat and --lon"),
        (["--name", "X", "--currency", "euro"], "Not a currency code: euro"),
        (["--name", "X", "--currency", "E1R"], "Not a currency code"),
        (["--name", "X", "--accept-timeout", "-5"], "10 to 86400 seconds"),
        (["--name", "X", "--address", "a" * 301], "at most 300"),
    ]:
        result = o2o("admin", "create-store", *args, "--db", db, home=tmp_path)
        assert result.returncode == 2 and says in result.stderr, (args, result.stderr)
    made = o2o("admin", "create-store", "--name", "Café", "--currency", "eur", "--lat", "48.1", "--lon", "11.6",
               "--json", "--db", db, home=tmp_path)
    assert made.returncode == 0, made.stderr
    store_id = json.loads(made.stdout)["store_id"]
    engine = open_database(db)
    with engine.connect() as conn:
        ids = conn.execute(sqlalchemy.text("select id from stores")).scalars().all()
        store = stores.load(conn, store_id)
    engine.dispose()
    assert ids == [store_id] and store is not None and store.currency == "EUR"


def test_seed_demo_twice_refuses_the_second_store_unless_asked(tmp_path: Path) -> None:
    """A second `seed-demo` on one database made a second demo store (its own staff, couriers and tokens) beside
    the first: now refused, exit 4, naming the store there and how to get a token again; `--allow-duplicate`
    seeds it anyway."""
    db_url = f"sqlite:///{tmp_path / 'platform.sqlite3'}"
    first = json.loads(o2o("admin", "seed-demo", "--json", "--db", db_url, home=tmp_path).stdout)
    again = o2o("admin", "seed-demo", "--db", db_url, home=tmp_path)
    assert again.returncode == 4, (again.stdout, again.stderr)
    assert f"already has the demo store {first['store_id']}" in again.stderr and "rotate-token" in again.stderr
    assert "o2o_" not in again.stdout + again.stderr  # no token shown: nothing was made
    as_json = o2o("admin", "seed-demo", "--json", "--db", db_url, home=tmp_path)
    refused = json.loads(as_json.stderr.splitlines()[-1])["error"]
    assert as_json.returncode == 4 and refused["store_id"] == first["store_id"] and refused["exit"] == 4
    stores = json.loads(o2o("admin", "stores", "--json", "--db", db_url, home=tmp_path).stdout)
    assert len(stores["stores"] if isinstance(stores, dict) else stores) == 1
    second = o2o("admin", "seed-demo", "--allow-duplicate", "--json", "--db", db_url, home=tmp_path)
    assert second.returncode == 0 and json.loads(second.stdout)["store_id"] != first["store_id"]
