"""`o2o orders delay`: the kitchen needs more time; the order's promised ready time moves later.

Through the outbox like every order action (`orders._act`). The rule (`o2o_tui.domain.delay`) is checked on the
cached order first: an order not accepted yet, already ready, or delayed as much as it may be is refused here with
exit 4 and nothing queued, after the order was pulled fresh (the cached copy may be behind). Registered into
`o2o orders` by `o2o_tui/cli/orders.py`.
"""

from __future__ import annotations

from typing import Any

import typer

from o2o_tui.cli.common import JsonOption, ProfileOption
from o2o_tui.cli.refusals import LocalRefusal
from o2o_tui.cli.sync import OnlineOption
from o2o_tui.domain.limits import DELAY_MINUTES_MAX, DELAY_MINUTES_MIN
from o2o_tui.i18n import t


def _delay_fits(minutes: int) -> Any:
    from o2o_tui.domain.delay import DelayCheck, check_delay, limit_message

    def check(view: Any, *, final: bool) -> bool:
        order = view.order
        verdict = check_delay(order, minutes)
        if verdict is DelayCheck.OK:
            return True
        if not final:
            return False
        if verdict is DelayCheck.OVER_LIMIT:
            raise LocalRefusal(limit_message(order), "delay_limit")
        from o2o_tui.sync.explain import status_label

        message = t("delay.error.not_now", number=order.display_number, status=status_label(order.status))
        raise LocalRefusal(message, "not_delayable")

    return check


def _ready_by(view: Any, zone: Any) -> dict[str, object]:
    promised = view.order.promised_ready_at
    return {"ready": promised.astimezone(zone).strftime("%H:%M") if promised is not None else "?"}


def register(orders: typer.Typer) -> None:
    """Add `delay` to the `o2o orders` group."""
    from o2o_tui.cli.orders import IdArgument, _act

    @orders.command("delay", help=t("delay.cli.help"))
    def delay(
        order_id: str = IdArgument,
        minutes: int = typer.Option(
            ..., "--minutes", min=DELAY_MINUTES_MIN, max=DELAY_MINUTES_MAX, help=t("delay.cli.option.minutes")
        ),
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        from o2o_tui.domain.requests import DelayBody

        _act(
            profile,
            order_id,
            "order.delay",
            lambda _: DelayBody(minutes=minutes),
            online=online,
            as_json=as_json,
            done_key="delay.cli.done",
            precondition=_delay_fits(minutes),
            done_fields=_ready_by,
        )
