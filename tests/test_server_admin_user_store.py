"""`o2o admin create-user` never claims a store the user does not have: `--store` is refused for an admin or a
customer (both are store-less, platform-wide or a shopper), and a courier user's store is its courier's fleet, so
`--store` naming another store (or any store, for a platform courier) is refused too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.platform import ROOT, start_platform


def o2o(*args: str, home: Path, lang: str = "en") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "O2O_HOME": str(home), "O2O_LANG": lang}
    return subprocess.run(
        [sys.executable, "-c", "from o2o_tui.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def _store(db_url: str, name: str, home: Path) -> str:
    made = o2o("admin", "create-store", "--name", name, "--json", "--db", db_url, home=home)
    assert made.returncode == 0, made.stderr
    return str(json.loads(made.stdout)["store_id"])


def _users(db_url: str, home: Path) -> dict[str, dict[str, object]]:
    listed = o2o("admin", "users", "--json", "--db", db_url, home=home)
    assert listed.returncode == 0, listed.stderr
    return {row["id"]: row for row in json.loads(listed.stdout)["users"]}


# Each role and each language in the suite (three `o2o` processes a variant), every pair in
# `python -m bench deep`.
@pytest.mark.covering
@pytest.mark.parametrize(("lang", "words"), [("en", "--store is only for"), ("zh", "--store 仅用于")])
@pytest.mark.parametrize("role", ["admin", "customer"])
def test_store_is_refused_for_store_less_roles_in_both_languages(
    tmp_path: Path, role: str, lang: str, words: str
) -> None:
    db_url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    store = _store(db_url, "一号店 Shop A", tmp_path)
    refused = o2o(
        "admin", "create-user", "--role", role, "--store", store, "--json", "--db", db_url,
        home=tmp_path, lang=lang,
    )
    assert refused.returncode == 2, refused.stdout
    assert words in refused.stderr and "Traceback" not in refused.stderr
    assert refused.stdout == ""  # no token, no store claimed
    if lang == "zh":
        assert {"admin": "管理员", "customer": "顾客"}[role] in refused.stderr  # the role named in Chinese too
    assert _users(db_url, tmp_path) == {}  # nothing was created


def test_an_admin_without_store_says_none_and_is_platform_wide(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'platform.sqlite3'}"
    _store(db_url, "Shop", tmp_path)  # the platform first: create-user makes no database (docs/operations.md)
    made = o2o("admin", "create-user", "--role", "admin", "--json", "--db", db_url, home=tmp_path)
    assert made.returncode == 0, made.stderr
    admin = json.loads(made.stdout)
    assert admin["store_id"] is None
    running = start_platform(tmp_path, seed=False, db_url=db_url)
    try:
        me = httpx.get(f"{running.url}/v1/me", headers={"Authorization": f"Bearer {admin['token']}"}).json()
    finally:
        running.stop()
    assert me["role"] == "admin" and me["store_id"] is None


def test_a_courier_user_is_reported_with_its_couriers_real_store(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    store_a = _store(db_url, "一号店 Shop A", tmp_path)
    store_b = _store(db_url, "二号店 Shop B", tmp_path)
    first = o2o(
        "admin", "create-user", "--role", "courier", "--store", store_a, "--json", "--db", db_url, home=tmp_path
    )
    assert first.returncode == 0, first.stderr
    courier_a = json.loads(first.stdout)["courier_id"]
    assert json.loads(first.stdout)["store_id"] == store_a

    # another store named with store A's courier: refused, in both languages, naming the real store
    for lang, words in (("en", f"in the fleet of store {store_a}, not {store_b}"), ("zh", f"属于门店 {store_a} 的车队")):
        refused = o2o(
            "admin", "create-user", "--role", "courier", "--store", store_b, "--courier", courier_a, "--json",
            "--db", db_url, home=tmp_path, lang=lang,
        )
        assert refused.returncode == 2, refused.stdout
        assert words in refused.stderr and refused.stdout == ""

    # the same store, or no --store at all: accepted, and the output names the courier's store
    same = o2o(
        "admin", "create-user", "--role", "courier", "--store", store_a, "--courier", courier_a, "--json",
        "--db", db_url, home=tmp_path,
    )
    assert same.returncode == 0, same.stderr
    assert json.loads(same.stdout)["store_id"] == store_a
    bare = o2o("admin", "create-user", "--role", "courier", "--courier", courier_a, "--db", db_url, home=tmp_path)
    assert bare.returncode == 0, bare.stderr
    assert f"Store: {store_a}" in bare.stdout and store_b not in bare.stdout

    users = _users(db_url, tmp_path)
    assert len(users) == 3  # the refused ones made nothing
    assert {row["store_id"] for row in users.values()} == {store_a}


def test_a_platform_courier_takes_no_store(tmp_path: Path) -> None:
    from o2o_tui.platform import db, seed

    db_url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    store = _store(db_url, "一号店 Shop A", tmp_path)
    engine = db.open_database(db_url)
    try:
        with engine.begin() as conn:
            free = seed.create_courier(conn, name="自由骑手 Free rider", store_id=None)
    finally:
        engine.dispose()
    for lang, words in (("en", "is a platform courier"), ("zh", "是平台骑手")):
        refused = o2o(
            "admin", "create-user", "--role", "courier", "--store", store, "--courier", free.id, "--json",
            "--db", db_url, home=tmp_path, lang=lang,
        )
        assert refused.returncode == 2, refused.stdout
        assert words in refused.stderr and refused.stdout == ""
    made = o2o("admin", "create-user", "--role", "courier", "--courier", free.id, "--json", "--db", db_url,
               home=tmp_path)
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["store_id"] is None
    assert [row["store_id"] for row in _users(db_url, tmp_path).values()] == [None]


def test_the_platform_function_applies_the_same_rules(tmp_path: Path) -> None:
    """`seed.create_user` (what every caller uses) refuses the same and reports only the real store."""
    from o2o_tui.domain.geo import Address
    from o2o_tui.domain.identity import Role
    from o2o_tui.platform import db, seed

    engine = db.open_database(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    try:
        with engine.begin() as conn:
            shop_a = seed.create_store(conn, name="A", address=Address(text="a"))
            shop_b = seed.create_store(conn, name="B", address=Address(text="b"))
            courier = seed.create_courier(conn, name="c", store_id=shop_a.id)
            for role in (Role.ADMIN, Role.CUSTOMER):
                with pytest.raises(seed.AdminError) as refused:
                    seed.create_user(conn, role=role, name="x", store_id=shop_a.id)
                assert refused.value.key == "admin.error.store_not_for_role"
            with pytest.raises(seed.AdminError) as other:
                seed.create_user(conn, role=Role.COURIER, name="x", store_id=shop_b.id, courier_id=courier.id)
            assert other.value.key == "admin.error.courier_other_store"
            user = seed.create_user(conn, role=Role.COURIER, name="x", courier_id=courier.id)
            assert user.store_id == shop_a.id
    finally:
        engine.dispose()
