"""`o2o admin` works on the database before the server runs; tokens are printed once and never stored or logged."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx

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


def test_unreachable_or_unknown_database_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    from tests.support.platform import free_port

    closed = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/nothing"
    for args in (["serve", "--port", "0", "--db", closed], ["serve", "--port", "0", "--db", "bogus://x"],
                 ["admin", "create-store", "--name", "X", "--db", "bogus://x"]):
        result = o2o(*args, home=tmp_path)
        assert result.returncode == 1, (args, result.stderr)
        assert "Cannot open the database" in result.stderr and "Traceback" not in result.stderr, result.stderr


def test_names_longer_than_the_column_are_refused_on_every_database(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    result = o2o("admin", "create-user", "--role", "admin", "--name", "n" * 201, "--db", db, home=tmp_path)
    assert result.returncode == 2 and "at most 200" in result.stderr
