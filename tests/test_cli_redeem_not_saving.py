"""A voucher scanned again while its first scan still waits in the outbox, in NOT SAVING (the platform answers
but cannot store changes: 503 storage_unavailable on a full disk): the link is up, so the words are not "checked
when online" but "checked once the platform can save again"; nothing is queued again, and once there is room the
one entry lands. Against the real platform on a real full disk (a 3 MB tmpfs; skipped where none can be mounted),
the console's words from the function it calls, in both languages."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import msgspec
import pytest

from o2o_tui.domain.clock import stored_clock
from o2o_tui.i18n import set_language, t
from o2o_tui.redeem import CodeKind, QueuedBefore, queued_before_text
from screens.memory_source import MemoryOrderSource
from screens.source import LinkState, LinkStatus
from tests.support.platform import api, start_platform
from tests.test_cli_orders import Cli
from tests.test_cli_redeem import bought_code
from tests.test_server_full_disk import _fill, _small_disk

ONLINE_WORDS = "checked when online"
SAVING_WORDS = "checked once it can save again"


def test_a_voucher_scanned_again_while_not_saving_says_so_not_online(tmp_path: Path) -> None:
    with _small_disk(tmp_path / "disk") as disk:
        running = start_platform(tmp_path / "platform", db_url=f"sqlite:///{disk / 'platform.sqlite3'}")
        try:
            assert running.seed is not None
            cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
            cli("login", "--url", running.url, "--token", cli.token)
            code = bought_code(running, cli)
            cli("sync", "--once")
            filler = _fill(disk)

            first = cli("redeem", code).stdout  # 503: queued, retried
            assert "Queued" in first, first
            again = cli("redeem", code).stdout
            assert "ALREADY QUEUED at " in again and SAVING_WORDS in again, again
            assert ONLINE_WORDS not in again and "not queued again" in again
            twice = cli.json("redeem", code)
            assert twice["already_queued"] is True and SAVING_WORDS in twice["explanation"], twice
            assert cli.json("sync", "status")["pending"] == 1

            filler.unlink()  # room again: the one entry lands
            report = cli.json("sync", "--once")
            assert report["pushed"] == 1 and report["conflicts"] == 0, report
            customer = api(running, "customer")
            assert [v["status"] for v in customer.get("/v1/vouchers").json()["vouchers"]] == ["REDEEMED"]
            customer.http.close()
        finally:
            running.stop()


@pytest.fixture(params=["en", "zh"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def test_the_words_follow_not_saving_in_both_languages(language: str) -> None:
    found = QueuedBefore(CodeKind.VOUCHER, "k", "2026-03-02T04:03:00+00:00", code="12345678")
    saving = queued_before_text(found, "Asia/Shanghai", not_storing=True)
    assert saving == t("voucher.result.queued_before_voucher_not_storing", at="12:03")
    assert queued_before_text(found, "Asia/Shanghai") == t("voucher.result.queued_before_voucher", at="12:03")
    assert saving != queued_before_text(found, "Asia/Shanghai")


class _WithOutbox(MemoryOrderSource):
    """A memory source whose outbox holds one earlier scan of a voucher code (the console's `queued_entries`)."""

    def __init__(self, state: LinkState) -> None:
        super().__init__(link=LinkStatus(state))
        body = msgspec.json.encode({"code": "12345678"}).decode()
        self.entry = SimpleNamespace(
            action="voucher.redeem", target="store-1", body=body, key="k1", occurred_at="2026-03-02T04:03:00+00:00"
        )

    async def queued_entries(self) -> list[Any]:
        return [self.entry]


def test_the_console_says_it_in_not_saving_words_too(language: str) -> None:
    from screens.redeem_screen import _queued_before

    at = stored_clock("2026-03-02T04:03:00+00:00", None)  # no store cached: this machine's clock
    said = asyncio.run(_queued_before(_WithOutbox(LinkState.NOT_STORING), "store-1", "1234 5678"))
    assert said is not None and said[1] == "k1"
    assert said[0].text == t("voucher.result.queued_before_voucher_not_storing", at=at)
    down = asyncio.run(_queued_before(_WithOutbox(LinkState.OFFLINE), "store-1", "12345678"))
    assert down is not None and down[0].text == t("voucher.result.queued_before_voucher", at=at)
