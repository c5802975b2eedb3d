"""Simulated customers buy vouchers (团购券) through the customer API; the codes are for the person at the counter.

At start the simulator (its admin client) puts a few vouchers on sale at the store (`OFFERS`, once per store and
day: the platform answers the same vouchers to the same id). Then, about every BUY_EVERY_MINUTES of simulated time,
a customer buys one. The code is in the purchase's answer only, as for a real buyer; the simulator writes it to
`codes_file` (the data dir's `voucher-codes.txt`), so the person at the counter can type it into `v` or
`o2o redeem`, as a customer showing the code on a phone would. Only with a customer token of its own and a person
at the counter (no auto-merchant); a platform that refuses (no admin, an older platform) turns it off, said once.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec

from o2o_tui.client import PlatformClient
from o2o_tui.client.errors import PlatformError
from o2o_tui.client.wire import Call, mutation_headers
from o2o_tui.domain.money import format_money
from o2o_tui.domain.voucher import Voucher, VoucherBuyBody, VoucherCreateBody, VoucherPage, group_code
from o2o_tui.i18n import t
from o2o_tui.platform.simulator.state import SimContext

BUY_EVERY_MINUTES = 6.0
OFFERS = (("双人套餐 Set meal for 2", 3800, 20), ("咖啡券 Coffee", 1500, 20))  # title, value (minor), count
CODES_FILE = "voucher-codes.txt"

_encode = msgspec.json.Encoder().encode


def _post(
    client: PlatformClient, path: str, body: msgspec.Struct, result: type[msgspec.Struct]
) -> msgspec.Struct:
    headers = mutation_headers(str(uuid.uuid4()), None, None)
    call: Call[msgspec.Struct] = Call("POST", path, result, content=_encode(body), headers=headers)
    return client.call(call)


def put_on_sale(ctx: SimContext, now: datetime) -> None:
    """The store's offers for today (the same ids all day: a restarted simulator issues nothing more)."""
    day = now.strftime("%Y%m%d")
    for n, (title, amount, count) in enumerate(OFFERS):
        body = msgspec.convert(
            {
                "id": f"sim-{ctx.store.id[:24]}-{day}-{n}",
                "store_id": ctx.store.id,
                "title": title,
                "value": {"amount": amount, "currency": ctx.store.currency},
                "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(),  # the platform's clock
                "count": count,
            },
            VoucherCreateBody,
        )
        _post(ctx.client, "/v1/vouchers", body, VoucherPage)


def for_sale(ctx: SimContext) -> list[Voucher]:
    params = {"for_sale": "true", "store_id": ctx.store.id}
    page = ctx.customer_client.call(Call("GET", "/v1/vouchers", VoucherPage, params=params))
    return page.vouchers


def buy(ctx: SimContext, voucher_id: str) -> Voucher:
    bought = _post(
        ctx.customer_client, f"/v1/vouchers/{voucher_id}/buy", VoucherBuyBody(uuid.uuid4().hex), Voucher
    )
    assert isinstance(bought, Voucher)
    return bought


class VoucherBuyers:
    """Buys a voucher now and then and writes its code where the person at the counter finds it."""

    def __init__(self, ctx: SimContext, codes_file: Path | None) -> None:
        self.ctx = ctx
        self.codes_file = codes_file
        self._next_at: datetime | None = None
        self.bought = 0
        self.off = False

    def act(self, now: datetime) -> None:
        if self.off:
            return
        if self._next_at is None:
            self._next_at = now
            if not self._try(lambda: put_on_sale(self.ctx, now)):
                return
        if now < self._next_at:
            return
        gap = self.ctx.rng("voucher-gap", self.bought).expovariate(1 / BUY_EVERY_MINUTES)
        self._next_at = now + timedelta(minutes=max(0.5, gap))
        self._try(self._buy_one)

    def _try(self, step: object) -> bool:
        try:
            step()  # type: ignore[operator]
        except PlatformError as error:  # no admin, an older platform, the link: said once, then off
            self.off = True
            self.ctx.log(t("voucher.sim.off", error=error.i18n_message()))
            return False
        return True

    def _buy_one(self) -> None:
        offered = for_sale(self.ctx)
        if not offered:
            return
        voucher = buy(self.ctx, offered[self.ctx.rng("voucher-pick", self.bought).randrange(len(offered))].id)
        self.bought += 1
        if voucher.code is None:
            return
        self.ctx.log(t("voucher.sim.bought", title=voucher.title, value=format_money(voucher.value)))
        if self.codes_file is not None:
            new = not self.codes_file.exists()
            # 0600 as every file of the data dir (the codes redeem money); an older file made 0644 is made 0600 too
            fd = os.open(self.codes_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as out:
                if new:
                    out.write("# " + t("voucher.demo.file_header") + "\n")
                out.write(f"{group_code(voucher.code)}  {format_money(voucher.value)}  {voucher.title}\n")
