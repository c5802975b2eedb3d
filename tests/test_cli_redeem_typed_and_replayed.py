"""`o2o redeem` reads a code as a Chinese input method types it (full-width "０１６４…", NFKC, as the console's
fields do), and a voucher this counter queued, replayed since by another process (`o2o sync`), is said as already
redeemed here (exit 0) when scanned again, not refused as "redeemed before"; a voucher another counter redeemed
first still is. Against the real platform."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform, api, order_body, start_platform
from tests.test_cli_orders import Cli
from tests.test_cli_redeem import bought_code

_FULL_WIDTH = str.maketrans("0123456789 -", "０１２３４５６７８９　－")


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()


def _counter(running: RunningPlatform, home: Path) -> Cli:
    assert running.seed is not None
    runner = Cli(home, running.seed.tokens["merchant"])
    runner("login", "--url", running.url, "--token", runner.token)
    return runner


def test_a_code_typed_full_width_redeems(running: RunningPlatform, tmp_path: Path) -> None:
    assert running.seed is not None
    cli = _counter(running, tmp_path / "home")
    code = bought_code(running, cli)
    typed = f"{code[:4]} {code[4:8]}-{code[8:]}".translate(_FULL_WIDTH)  # "０１６４　５７４２－９２６８"
    assert typed != code and not typed.isascii()
    done = cli.json("redeem", typed)
    assert done["outcome"] == "done" and done["kind"] == "voucher" and done["voucher"]["status"] == "REDEEMED"

    customer, merchant = api(running, "customer"), api(running, "merchant")
    order = customer.post("/v1/orders", order_body(running.seed.store_id, "TAKEOUT")).json()
    merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 5})
    merchant.post(f"/v1/orders/{order['id']}/ready", {})
    cli("sync", "--once")
    handed = cli.json("redeem", str(order["pickup_code"]).translate(_FULL_WIDTH))
    assert handed["kind"] == "pickup" and handed["outcome"] == "done"
    assert merchant.get(f"/v1/orders/{order['id']}").json()["status"] == "DELIVERED"


def test_a_queued_voucher_replayed_by_sync_is_redeemed_here(running: RunningPlatform, tmp_path: Path) -> None:
    cli = _counter(running, tmp_path / "home")
    code = bought_code(running, cli)
    running.stop()
    queued = cli.json("redeem", code)
    assert queued["outcome"] == "queued" and queued["kind"] == "voucher"
    running.restart()
    cli("login", "--url", running.url, "--token", cli.token)
    assert cli.json("sync", "--once")["pushed"] == 1  # another process sends it: the answer is not heard here

    again = cli.json("redeem", code)  # exit 0
    assert again["outcome"] == "already_done" and again["kind"] == "voucher"
    assert again["key"] == queued["key"] and again["voucher"]["status"] == "REDEEMED"
    assert again["redeemed_at"] == again["voucher"]["redeemed_at"]
    status = cli.json("sync", "status")
    assert status["pending"] == 0 and status["conflicts"] == 0  # nothing new queued, no refusal of our own
    # heard now: the voucher shown once more is refused, as right after a redemption heard at once
    twice = cli.json("redeem", code, code=Exit.REJECTED)
    assert twice["reason"]["code"] == "voucher_redeemed"

    # in words, in both languages
    code = bought_code(running, cli)
    running.stop()
    cli("redeem", code)
    running.restart()
    cli("login", "--url", running.url, "--token", cli.token)
    cli("sync", "--once")
    said = cli("redeem", code).stdout
    assert "ALREADY REDEEMED HERE at " in said and "¥38.00 Set meal for 2" in said


def test_redeemed_first_at_another_counter_is_still_refused(running: RunningPlatform, tmp_path: Path) -> None:
    here, there = _counter(running, tmp_path / "here"), _counter(running, tmp_path / "there")
    code = bought_code(running, here)
    running.stop()
    assert here.json("redeem", code)["outcome"] == "queued"
    running.restart()
    for counter in (here, there):
        counter("login", "--url", running.url, "--token", counter.token)
    assert there.json("redeem", code)["outcome"] == "done"  # the other counter's redemption stands
    assert here.json("sync", "--once", code=Exit.REJECTED)["conflicts"] == 1  # this counter's queued scan is refused
    refused = here.json("redeem", code, code=Exit.REJECTED)
    assert refused["reason"]["code"] == "voucher_redeemed"
    # and a counter that never scanned it is refused too
    fresh = _counter(running, tmp_path / "fresh")
    assert fresh.json("redeem", code, code=Exit.REJECTED)["reason"]["code"] == "voucher_redeemed"
