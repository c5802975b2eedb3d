"""`o2o redeem CODE`: any code at the counter (核销): a takeout pickup code hands that order over (as `o2o orders
handoff` does), anything else redeems a voucher of the store. Through the outbox: queued offline, sent once.

Exit codes as every action: 0 done (or queued, without `--online`), 3 queued with `--online` or not reachable,
4 refused (redeemed before, expired, another store's, wrong code), 5 not a merchant profile. A code whose earlier
scan still waits in the outbox is not queued again: said, and the exit code of a queued action.
"""

from __future__ import annotations

import contextlib
from typing import Any

import typer

from o2o_tui.cli.cache_errors import cache_errors
from o2o_tui.cli.common import JsonOption, ProfileOption, handle_errors
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import emit_json, fail, say
from o2o_tui.cli.sync import OnlineOption, cli_cache, msgspec_builtins, report_outcome
from o2o_tui.client.errors import PlatformError
from o2o_tui.i18n import t

CodeArgument = typer.Argument(..., metavar="CODE", help=t("voucher.redeem.arg.code"))


def _classify(profile: Any, cache: Any, code: str) -> Any:
    """The code's meaning against the cached orders; a code that looks like no voucher and matches no cached
    order is looked up again after a pull (a takeout placed since the last sync)."""
    import asyncio

    from o2o_tui.domain.voucher import looks_like_voucher_code
    from o2o_tui.redeem import CodeKind, classify
    from o2o_tui.sync.perform import refresh
    from o2o_tui.sync.read_model import ReadModel

    def now() -> Any:
        return classify(code, (v.order for v in ReadModel(cache).orders()), profile.store_id)

    found = now()
    if found.kind is CodeKind.VOUCHER and not looks_like_voucher_code(code):
        with contextlib.suppress(PlatformError):
            asyncio.run(refresh(profile, cache))
        found = now()
    return found


def _queued_before(profile: Any, cache: Any, code: str) -> dict[str, Any] | None:
    """This code's earlier scan still waiting in the outbox (nothing is queued then), as `--json` says it."""
    from o2o_tui.redeem import queued_before, queued_before_text
    from o2o_tui.sync.read_model import ReadModel

    model = ReadModel(cache)
    orders = [view.order for view in model.orders()]
    found = queued_before(code, profile.store_id, cache.outbox.pending(), orders)
    if found is None:
        return None
    store = model.store(profile.store_id)
    said = queued_before_text(found, store.timezone if store is not None else None)
    return {
        "outcome": "queued",
        "already_queued": True,
        "key": found.key,
        "queued_at": found.occurred_at,
        "kind": found.kind.value,
        "number": found.number,
        "explanation": said,
    }


async def _voucher(profile: Any, redemption: Any, key: str) -> Any:
    from o2o_tui.redeem import voucher_answer
    from o2o_tui.sync.session import make_client

    async with make_client(profile) as client:
        return await voucher_answer(client, redemption, key)


def register(app: typer.Typer) -> None:
    @app.command("redeem", help=t("voucher.redeem.help"))
    def redeem(
        code: str = CodeArgument,
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        import asyncio

        import msgspec

        from o2o_tui.redeem import CodeKind, handed_over_text, not_ready_text, queued_text, redeemed_text
        from o2o_tui.sync.perform import Outcome, perform

        if not code.strip():
            raise fail(t("voucher.redeem.empty"), Exit.USAGE)
        voucher = None
        with handle_errors(), cache_errors(), cli_cache(profile) as (chosen, cache):
            if chosen.role != "merchant" or not chosen.store_id:
                raise fail(t("voucher.redeem.not_merchant", profile=chosen.name), Exit.AUTH)
            redemption = _classify(chosen, cache, code)
            if not_ready_text(redemption) is not None:  # the cache may be behind another device's "ready"
                from o2o_tui.sync.perform import refresh

                with contextlib.suppress(PlatformError):
                    asyncio.run(refresh(chosen, cache))
                redemption = _classify(chosen, cache, code)
            early = not_ready_text(redemption)  # a pickup code of an order not ready yet: the fix, nothing sent
            if early is not None:
                raise fail(early, Exit.REJECTED)
            twin = _queued_before(chosen, cache, code)
            if twin is not None:
                if as_json:
                    emit_json(twin)
                else:
                    say(twin["explanation"])
                if online:
                    raise typer.Exit(int(Exit.OFFLINE))
                return
            result = asyncio.run(
                perform(chosen, cache, redemption.action, redemption.target, redemption.body(), online=online)
            )
            if result.outcome is Outcome.DONE and redemption.kind is CodeKind.VOUCHER and result.key:
                voucher = asyncio.run(_voucher(chosen, redemption, result.key))
        extra = {
            "kind": redemption.kind.value,
            "order_id": redemption.order_id,
            "number": redemption.number,
            "voucher": msgspec.to_builtins(voucher) if voucher is not None else None,
        }
        if result.outcome is Outcome.QUEUED:
            if as_json:
                emit_json({**msgspec_builtins(result), **extra})
            elif not result.login_needed:
                say(queued_text(redemption) + (f" ({result.error})" if result.error else ""))
            if result.login_needed:
                raise fail(t("sync.queued.login"), Exit.AUTH)
            if online:
                raise typer.Exit(int(Exit.OFFLINE))
            return
        if redemption.kind is CodeKind.PICKUP:
            done = handed_over_text(redemption.number or "?")
        else:
            done = redeemed_text(voucher)
        report_outcome(result, as_json=as_json, online=online, done_message=done, extra=extra)
