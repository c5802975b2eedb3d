"""Stored answers (the `idempotency` table, replayed for an Idempotency-Key) keep no more than the documents do:
the personal-data purge blanks them too, a voucher's code is kept there only sealed with the server's secret (a
file outside the database), and the codes' hash is keyed with that secret. The real server, a real database file
(and a real PostgreSQL when one is installed)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import stat
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from o2o_tui.platform import db
from o2o_tui.platform.server_secret import SealBroken, ServerSecret
from tests.support.platform import Api, RunningPlatform, api, order_body, start_platform

NAME = "Olivia Privfix"
PHONE = "13966035106"
ADDRESS = "朝阳北路287号 Room 1934 Privfix Road"
NOTE = "ring twice, privfix"
OPEN_NAME = "Open Privfix"
Json = dict[str, Any]


def _env(tmp_path: Path, **more: str) -> dict[str, str]:
    return {"O2O_SECRET_FILE": str(tmp_path / "secret" / "platform-secret.key"), **more}


def _wait_until(check: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def _rows(db_url: str) -> list[tuple[str, str, bytes, str | None, str | None]]:
    """(user, key, body, entity, entity_id) of every stored answer, read from the database itself."""
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            table = db.idempotency
            query = sa.select(table.c.user_id, table.c.key, table.c.body, table.c.entity, table.c.entity_id)
            return [(r.user_id, r.key, bytes(r.body), r.entity, r.entity_id) for r in conn.execute(query)]
    finally:
        engine.dispose()


def _all_bytes(db_url: str) -> bytes:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            return b"\n".join(
                bytes(body) for body in conn.execute(sa.text("SELECT body FROM idempotency")).scalars()
            )
    finally:
        engine.dispose()


def _ok(response: httpx.Response, status: int = 200) -> Json:
    assert response.status_code == status, response.text
    answer: Json = response.json()
    return answer


def _delivered_order(running: RunningPlatform) -> tuple[Json, list[tuple[Api, str, Json, str, int, Json]]]:
    """An order placed, accepted, assigned and delivered by its courier, each with its own key; answers the
    order and every (client, path, body, key, status, first answer) sent."""
    seeded = running.seed
    assert seeded is not None
    courier_id = seeded.courier_ids[0]
    customer, merchant, dispatcher = (api(running, role) for role in ("customer", "merchant", "dispatcher"))
    courier = Api(running.url, seeded.courier_tokens[courier_id])
    sent: list[tuple[Api, str, Json, str, int, Json]] = []

    def send(client: Api, path: str, body: Json, status: int = 200) -> Json:
        key = str(uuid.uuid4())
        answer = _ok(client.post(path, body, key=key), status)
        sent.append((client, path, body, key, status, answer))
        return answer

    body = order_body(seeded.store_id, customer_name=NAME, customer_phone=PHONE, note=NOTE)
    body["address"]["text"] = ADDRESS
    order = send(customer, "/v1/orders", body, 201)
    send(merchant, f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 5})
    delivery = send(dispatcher, f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id})
    send(courier, f"/v1/deliveries/{delivery['id']}/accept", {})
    pickup_code = _ok(merchant.get(f"/v1/orders/{order['id']}"))["pickup_code"]
    send(courier, f"/v1/deliveries/{delivery['id']}/picked-up", {"code": pickup_code})
    delivery_code = _ok(customer.get(f"/v1/orders/{order['id']}"))["delivery_code"]
    send(courier, f"/v1/deliveries/{delivery['id']}/delivered", {"code": delivery_code})
    return order, sent


def test_the_purge_blanks_the_stored_answers_of_ended_orders_and_deliveries(tmp_path: Path) -> None:
    env = _env(tmp_path, O2O_JOB_INTERVAL_SECONDS="0.2", O2O_PURGE_PERSONAL_HOURS=str(1 / 3600))
    running = start_platform(tmp_path, env=env)
    try:
        seeded = running.seed
        assert seeded is not None
        order, sent = _delivered_order(running)
        customer = api(running, "customer")
        still_open = _ok(
            customer.post("/v1/orders", order_body(seeded.store_id, customer_name=OPEN_NAME)), 201
        )
        assert _wait_until(lambda: _ok(customer.get(f"/v1/orders/{order['id']}"))["customer"]["name"] == "")
        assert _wait_until(lambda: NAME.encode() not in _all_bytes(running.db_url)), (
            "a stored answer kept the name"
        )

        stored = _all_bytes(running.db_url)
        for personal in (NAME, PHONE, ADDRESS, NOTE, PHONE[-4:] + '"'):  # the masked phones keep 4 digits
            assert personal.encode() not in stored, personal
        assert OPEN_NAME.encode() in stored  # an order that has not ended keeps its answers whole
        filed = {(entity, entity_id) for _, _, _, entity, entity_id in _rows(running.db_url)}
        assert ("order", order["id"]) in filed and ("order", still_open["id"]) in filed

        for client, path, body, key, status, first in sent:  # every replay: the same answer, blanked
            replay = client.post(path, body, key=key)
            assert replay.status_code == status and replay.headers["Idempotent-Replayed"] == "true"
            again = replay.json()
            assert set(again) == set(first), path
            assert again["id"] == first["id"] and again["version"] == first["version"]
            if "customer" in again:  # an order
                assert again["customer"] == {"name": "", "phone": "", "address": None}
                assert again["note"] == "" and again["status"] == first["status"]
            else:  # a delivery
                assert (again["customer_name"], again["customer_phone"]) == ("", "")
                assert again["dropoff"] == {"text": "", "position": None}
    finally:
        running.stop()


def _buy(running: RunningPlatform, key: str) -> tuple[str, Json, Json, bytes]:
    """A voucher issued and bought under `key`: (its path, the body sent, the answer with its code, as sent)."""
    seeded = running.seed
    assert seeded is not None
    issue = {
        "id": uuid.uuid4().hex[:12],
        "store_id": seeded.store_id,
        "title": "双人套餐 Set meal",
        "value": {"amount": 3800, "currency": "CNY"},
        "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
        "count": 1,
    }
    voucher = _ok(api(running, "admin").post("/v1/vouchers", issue), 201)["vouchers"][0]
    path, body = f"/v1/vouchers/{voucher['id']}/buy", {"purchase_id": uuid.uuid4().hex}
    bought = api(running, "customer").post(path, body, key=key)
    return path, body, _ok(bought), bought.content


def _voucher_hash(db_url: str, voucher_id: str) -> str:
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        return str(conn.execute("SELECT code_hash FROM vouchers WHERE id = ?", (voucher_id,)).fetchone()[0])


def test_a_buy_replay_hands_back_the_code_the_database_does_not_hold(tmp_path: Path) -> None:
    env = _env(tmp_path)
    running = start_platform(tmp_path, env=env)
    try:
        seeded = running.seed
        assert seeded is not None
        path, body, bought, _ = _buy(running, "buy-1")
        code = bought["code"]
        assert len(code) == 12
        replay = api(running, "customer").post(path, body, key="buy-1")
        assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
        assert replay.json() == bought  # the code again, for a customer whose first answer was lost
        with sqlite3.connect(running.db_url.removeprefix("sqlite:///")) as conn:
            for table in ("idempotency", "vouchers", "meta"):
                dump = json.dumps(conn.execute(f"SELECT * FROM {table}").fetchall(), default=bytes.hex)
                dump += repr(conn.execute(f"SELECT * FROM {table}").fetchall())
                assert code not in dump, table
        assert _voucher_hash(running.db_url, bought["id"]) != hashlib.sha256(code.encode()).hexdigest()
        secret_file = Path(env["O2O_SECRET_FILE"])
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
        redeemed = api(running, "merchant").post(
            f"/v1/stores/{seeded.store_id}/vouchers/redeem", {"code": code}
        )
        assert _ok(redeemed)["status"] == "REDEEMED"
    finally:
        running.stop()


def _set_hashes(db_url: str, hashes: dict[str, str]) -> None:
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        conn.executemany(
            "UPDATE vouchers SET code_hash = ? WHERE id = ?", [(h, i) for i, h in hashes.items()]
        )


def test_a_voucher_bought_before_the_keyed_hash_still_redeems_and_is_rekeyed(tmp_path: Path) -> None:
    running = start_platform(tmp_path, env=_env(tmp_path))
    try:
        seeded = running.seed
        assert seeded is not None
        bought, other = _buy(running, "buy-old")[2], _buy(running, "buy-old-2")[2]
        merchant = api(running, "merchant")
        redeem = f"/v1/stores/{seeded.store_id}/vouchers/redeem"
        assert _ok(merchant.post(redeem, {"code": other["code"]}))["status"] == "REDEEMED"
        bare = {v["id"]: hashlib.sha256(v["code"].encode()).hexdigest() for v in (bought, other)}
        _set_hashes(running.db_url, bare)  # as a schema-6 server wrote them
        assert _ok(merchant.post(redeem, {"code": bought["code"]}))["status"] == "REDEEMED"
        assert _voucher_hash(running.db_url, bought["id"]) != bare[bought["id"]]  # re-keyed when seen
        refused = merchant.post(redeem, {"code": bought["code"]})  # found by its keyed hash now
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "voucher_redeemed"
        # an old row refused at the counter (redeemed before) is re-keyed too
        refused = merchant.post(redeem, {"code": other["code"]})
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "voucher_redeemed"
        assert _voucher_hash(running.db_url, other["id"]) != bare[other["id"]]
    finally:
        running.stop()


def _to_schema_6(db_url: str) -> None:
    """What a schema-6 server left: no entity columns, and (set below) answers as it stored them."""
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP INDEX ix_idempotency_entity"))
            conn.execute(sa.text("ALTER TABLE idempotency DROP COLUMN entity"))
            conn.execute(sa.text("ALTER TABLE idempotency DROP COLUMN entity_id"))
            conn.execute(sa.text("DROP INDEX ix_orders_store_status"))  # schema 8
            conn.execute(sa.text("DROP TABLE store_devices"))  # schema 8
            conn.execute(sa.text("UPDATE schema_info SET version = 6"))
    finally:
        engine.dispose()


def _as_stored_by_schema_6(db_url: str, first_answers: dict[str, bytes], purged_through: datetime) -> None:
    """Put the plain first answers back (schema 6 stored them as sent) and mark the purge as done through
    `purged_through`."""
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            for key, body in first_answers.items():
                conn.execute(sa.update(db.idempotency).where(db.idempotency.c.key == key).values(body=body))
            conn.execute(sa.delete(db.meta).where(db.meta.c.key == "personal_purged_through"))
            conn.execute(
                sa.insert(db.meta).values(key="personal_purged_through", value=db.iso(purged_through))
            )
    finally:
        engine.dispose()


def _check_upgrade(tmp_path: Path, db_url: str | None) -> None:
    """Answers stored by schema 6 (plain codes, personal data of orders purged already) are filed at the first
    start after the upgrade: blanked and sealed, and still replayed."""
    running = start_platform(tmp_path, env=_env(tmp_path), db_url=db_url)
    try:
        seeded = running.seed
        assert seeded is not None
        customer, merchant = api(running, "customer"), api(running, "merchant")
        body = order_body(seeded.store_id, customer_name=NAME, customer_phone=PHONE, note=NOTE)
        placed = customer.post("/v1/orders", body, key="old-order")
        order = _ok(placed, 201)
        rejected = merchant.post(
            f"/v1/orders/{order['id']}/reject", {"reason_code": "STORE_BUSY"}, key="old-ok"
        )
        _ok(rejected)
        open_body = order_body(seeded.store_id, customer_name=OPEN_NAME)
        open_placed = customer.post("/v1/orders", open_body, key="open-order")
        path, buy_body, bought, buy_answer = _buy(running, "old-buy")
        running.stop()
        _to_schema_6(running.db_url)
        firsts = {"old-order": placed.content, "old-ok": rejected.content, "old-buy": buy_answer}
        _as_stored_by_schema_6(running.db_url, firsts, datetime.now(UTC))
        assert NAME.encode() in _all_bytes(running.db_url) and bought["code"].encode() in _all_bytes(
            running.db_url
        )

        running.restart()
        stored = _all_bytes(running.db_url)
        assert NAME.encode() not in stored and PHONE.encode() not in stored  # ended before the purge's mark
        assert bought["code"].encode() not in stored  # sealed
        assert OPEN_NAME.encode() in stored
        assert all(entity is not None for *_, entity, _ in _rows(running.db_url))
        replayed = api(running, "customer").post(path, buy_body, key="old-buy")
        assert replayed.json()["code"] == bought["code"]
        again = api(running, "customer").post("/v1/orders", body, key="old-order")
        assert again.status_code == 201 and again.json()["customer"]["name"] == ""
        assert (
            api(running, "customer").post("/v1/orders", open_body, key="open-order").content
            == open_placed.content
        )
    finally:
        running.stop()
    engine = sa.create_engine(running.db_url)
    try:
        with engine.connect() as conn:
            assert db.schema_version(conn) == db.SCHEMA_VERSION
    finally:
        engine.dispose()


def test_answers_stored_before_the_upgrade_are_blanked_and_sealed(tmp_path: Path) -> None:
    _check_upgrade(tmp_path, None)


def test_answers_stored_before_the_upgrade_are_blanked_and_sealed_on_postgres(
    tmp_path: Path, postgres_url: str
) -> None:
    _check_upgrade(tmp_path, postgres_url)


def test_a_server_refuses_to_start_without_its_secret_or_with_another(tmp_path: Path) -> None:
    env = _env(tmp_path)
    running = start_platform(tmp_path, env=env)
    running.stop()
    secret_file = Path(env["O2O_SECRET_FILE"])
    kept = secret_file.read_bytes()
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret_file.unlink()
    with pytest.raises(RuntimeError, match="is missing, but this database was used with one"):
        running.restart()
    assert not secret_file.exists()  # no new secret made in its place
    secret_file.write_text("ab" * 32 + "\n")
    with pytest.raises(RuntimeError, match="not the one this database was used with"):
        running.restart()
    secret_file.write_bytes(kept)
    running.restart()
    running.stop()


def test_a_sealed_text_opens_only_with_its_key_and_context() -> None:
    secret, other = ServerSecret(b"k" * 32), ServerSecret(b"j" * 32)
    sealed = secret.seal("608083516161", "user\x00key")
    assert "608083516161" not in sealed and sealed != secret.seal(
        "608083516161", "user\x00key"
    )  # a new nonce
    assert secret.unseal(sealed, "user\x00key") == "608083516161"
    tampered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    for key, text, context in (
        (other, sealed, "user\x00key"),  # another secret
        (secret, sealed, "user\x00other"),  # another stored answer
        (secret, tampered, "user\x00key"),
    ):
        with pytest.raises(SealBroken):
            key.unseal(text, context)
    assert (
        secret.code_hash("6080 8351 6161")
        == secret.code_hash("608083516161")
        != other.code_hash("608083516161")
    )
