"""No text joins an ended order after its personal data was purged: a chase reply on an ended order is refused
(409 illegal_transition, and `o2o orders chase-reply` says so in words, nothing queued); and text written to an
ended order after its first purge (any later save) is blanked by the next run of the purge job, in the order and
in its stored answers. The real platform on loopback, a real profile."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import msgspec

from o2o_tui.cli.exits import Exit
from o2o_tui.domain.order import OpenProblem
from o2o_tui.platform import db, orders
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.jobs import SYSTEM
from o2o_tui.platform.settings import Settings
from tests.support.platform import RunningPlatform, api, order_body
from tests.support.purge import ok, start_purging_platform, wait_for
from tests.test_cli_orders import Cli

WINDOW_SECONDS = 4
SECRET = "call 13912345678"


def _stored_answers(db_url: str) -> str:
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        return "\n".join(bytes(row[0]).decode("utf-8", "replace") for row in conn.execute("SELECT body FROM idempotency"))


def _chased_and_cancelled(running: RunningPlatform) -> str:
    seeded = running.seed
    assert seeded is not None
    customer, merchant = api(running, "customer"), api(running, "merchant")
    order = ok(customer.post("/v1/orders", order_body(seeded.store_id)))
    path = f"/v1/orders/{order['id']}"
    ok(merchant.post(path + "/confirm", {"preparation_minutes": 5}))
    ok(customer.post(path + "/chase", {"note": "where is it"}))
    ok(merchant.post(path + "/cancel", {"reason_code": "CLOSING_SOON"}))
    assert wait_for(lambda: ok(merchant.get(path))["customer"]["name"] == "", WINDOW_SECONDS + 20)
    customer.close()
    merchant.close()
    return str(order["id"])


def test_a_chase_reply_on_an_ended_purged_order_is_refused(tmp_path: Path) -> None:
    running = start_purging_platform(tmp_path, WINDOW_SECONDS)
    try:
        order_id = _chased_and_cancelled(running)
        merchant = api(running, "merchant")
        refused = merchant.post(f"/v1/orders/{order_id}/chase/reply", {"template": "TEXT", "text": SECRET})
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["code"] == "illegal_transition"
        assert refused.json()["error"]["from"] == "CANCELLED"
        shown = ok(merchant.get(f"/v1/orders/{order_id}"))
        assert all(not chase.get("text") for chase in shown["chases"])
        assert SECRET not in _stored_answers(running.db_url)

        # the CLI: a person reads why, in words; nothing answers "done"
        assert running.seed is not None
        cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
        cli("login", "--url", running.url, "--token", cli.token)
        said = cli("orders", "chase-reply", order_id, "--text", SECRET, "--json", code=Exit.REJECTED)
        out = said.stdout + said.stderr
        assert "CANCELLED: a chase is answered only while the order is live" in out, out
        error = json.loads(said.stderr.strip().splitlines()[-1])["error"]  # the words, and a code for scripts
        assert "illegal_transition" not in error["message"] and "CHASE_ANSWERED" not in out
        assert error["reason"]["code"] == "illegal_transition" and error["sent"] is False
        assert cli.json("conflicts", "list") == []  # refused here: nothing queued, nothing filed
        shown = ok(merchant.get(f"/v1/orders/{order_id}"))
        assert all(not chase.get("text") for chase in shown["chases"])
        merchant.close()
    finally:
        running.stop()


def test_text_written_to_an_order_after_its_purge_is_blanked_again(tmp_path: Path) -> None:
    """A late write (as a refund after handoff is, or any change to come) on an ended order the purge passed by:
    the next run blanks it, in the order and in the answer stored for its Idempotency-Key."""
    running = start_purging_platform(tmp_path, WINDOW_SECONDS)
    try:
        order_id = _chased_and_cancelled(running)
        time.sleep(1.0)  # the purge's cutoff is past this order now: its runs no longer look at it by its end
        engine = db.open_database(running.db_url)
        try:
            with db.writing(engine) as conn:  # a save on the ended order, as the platform's own code makes one
                ctx = Ctx(conn=conn, caller=SYSTEM, now=db.utcnow(), settings=Settings())
                stored = orders.load(conn, order_id)
                assert stored is not None
                late = OpenProblem(reason="OTHER", note=SECRET, occurred_at=ctx.now)
                orders.save(ctx, stored, msgspec.structs.replace(stored.order, note=SECRET, delivery_problem=late))
                conn.execute(  # and its answer stored as for a request's Idempotency-Key
                    db.idempotency.insert().values(
                        user_id="u_late",
                        key="late-1",
                        fingerprint="x",
                        status=200,
                        body=msgspec.json.encode((orders.load(conn, order_id) or stored).order),
                        created_at=db.iso(ctx.now),
                        entity="order",
                        entity_id=order_id,
                    )
                )
        finally:
            engine.dispose()
        merchant = api(running, "merchant")
        path = f"/v1/orders/{order_id}"

        def blanked() -> bool:
            order = ok(merchant.get(path))
            return order["note"] == "" and (order.get("delivery_problem") or {}).get("note") == ""

        assert wait_for(blanked, 20), ok(merchant.get(path))
        assert ok(merchant.get(path))["delivery_problem"]["reason"] == "OTHER"  # the code stays
        assert wait_for(lambda: SECRET not in _stored_answers(running.db_url), 10)
        merchant.close()
    finally:
        running.stop()
