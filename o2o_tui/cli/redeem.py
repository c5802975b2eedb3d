"""`o2o redeem CODE`: any code at the counter (核销): a takeout pickup code hands that order over (as `o2o orders
handoff` does), anything else redeems a voucher of the store. Through the outbox: queued offline, sent once.

Exit codes as every action: 0 done (or queued, without `--online`), 3 queued with `--online` or not reachable,
4 refused (redeemed before, expired, another store's, wrong code), 5 not a merchant profile. A code whose earlier
scan still waits in the outbox is not queued again: said, and the exit code of a queued action. The pickup code of
a takeout this store handed over within the hour is done already (a retry): said with when, exit 0, nothing sent.
So is a voucher this counter redeemed before whose entry has left the outbox (the sync service replayed it): the
platform, asked under that entry's key, answers it REDEEMED; said with when, exit 0, nothing redeemed again. A
code typed by a Chinese input method (full-width "１２３４") is read as its ASCII.
"""

from __future__ import annotations

import contextlib
from typing import Any

import typer

from o2o_tui.cli.cache_errors import cache_errors
from o2o_tui.cli.common import JsonOption, ProfileOption, handle_errors
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.json_shapes import json_time, number_fields
from o2o_tui.cli.output import emit_json, fail, say
from o2o_tui.cli.refusals import LocalRefusal, illegal_transition
from o2o_tui.cli.sync import OnlineOption, cli_cache, msgspec_builtins, queued_login_text, report_outcome
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


def _queued_before(profile: Any, cache: Any, code: str) -> Any:
    """This code's earlier scan still waiting in the outbox (`QueuedBefore`), or None."""
    from o2o_tui.redeem import queued_before
    from o2o_tui.sync.read_model import ReadModel

    orders = [view.order for view in ReadModel(cache).orders()]
    return queued_before(code, profile.store_id, cache.outbox.pending(), orders)


def _send_twin(profile: Any, cache: Any, found: Any) -> tuple[Any, bool]:
    """The earlier scan sent now under its own key (its answer was lost: a timeout, a killed run), so the
    platform answers it: (the `ActionResult` once it did (the first answer again when that try was applied
    after all), None while it stays queued (offline, or another process sending); whether the platform answered
    but could not store it (NOT SAVING))."""
    import asyncio

    from o2o_tui.sync.explain import explain
    from o2o_tui.sync.model import SyncState
    from o2o_tui.sync.perform import ActionResult, Outcome, refresh

    report = None
    with contextlib.suppress(PlatformError):
        report = asyncio.run(refresh(profile, cache))
    not_storing = report is not None and report.state is SyncState.NOT_STORING
    entry = cache.outbox.get(found.key)
    redemption = found.redemption()
    if entry is None:
        return ActionResult(Outcome.DONE, key=found.key, action=redemption.action, target=redemption.target), False
    if entry.rejection is None:
        return None, not_storing
    reason = dict(entry.rejection)
    return ActionResult(
        Outcome.REJECTED,
        key=found.key,
        action=redemption.action,
        target=redemption.target,
        reason=reason,
        explanation=explain(reason, action=redemption.action, target=redemption.target),
    ), False


def _still_queued(profile: Any, cache: Any, found: Any, *, not_storing: bool = False) -> dict[str, Any]:
    """The earlier scan still waiting (nothing is queued again), as `--json` says it; `not_storing`: the
    platform answered but could not store it, said in those words (not "when online")."""
    from o2o_tui.redeem import queued_before_text
    from o2o_tui.sync.read_model import ReadModel

    store = ReadModel(cache).store(profile.store_id)
    said = queued_before_text(found, store.timezone if store is not None else None, not_storing=not_storing)
    return {
        "outcome": "queued",
        "already_queued": True,
        "key": found.key,
        "queued_at": found.occurred_at,
        "kind": found.kind.value,
        **number_fields(found.number),  # the int, and "#0042" beside it, as `o2o orders list` gives them
        "explanation": said,
    }


def _handed_over_before(profile: Any, cache: Any, code: str) -> dict[str, Any] | None:
    """The order this pickup code handed over a moment ago, as `--json` says it (the explanation for a person)."""
    from datetime import UTC, datetime

    from o2o_tui.cli.orders import order_json
    from o2o_tui.redeem import HANDOFF_ACTION, CodeKind, handed_over_before, handed_over_before_text
    from o2o_tui.sync.read_model import ReadModel

    model = ReadModel(cache)
    views = {view.order.id: view for view in model.orders()}
    order = handed_over_before(code, (view.order for view in views.values()), profile.store_id, datetime.now(UTC))
    if order is None:
        return None
    store = model.store(profile.store_id)
    return {
        "outcome": "already_done",
        "action": HANDOFF_ACTION,
        "target": order.id,
        "kind": CodeKind.PICKUP.value,
        "order_id": order.id,
        "number": order.number,
        "display_number": order.display_number,
        "handed_over_at": json_time(order.ended_at),  # "...Z", as the order's own times
        "explanation": handed_over_before_text(order, store.timezone if store is not None else None),
        "order": order_json(views[order.id]),
    }


def _say_fully(answer: dict[str, Any], *, as_json: bool) -> None:
    """An answer that is not an action's outcome: the whole of it with `--json`, else its explanation."""
    if as_json:
        emit_json(answer)
    else:
        say(answer["explanation"])


def _own_redemption(profile: Any, cache: Any, redemption: Any, since: Any) -> tuple[str, Any] | None:
    """This counter's earlier redemption of the voucher whose entry has left the outbox (confirmed, by this or
    another process), as the platform answers it again under that entry's key: (key, voucher); None when this
    counter never redeemed the code, or the platform cannot say now (offline: the scan is queued as any)."""
    import asyncio

    from o2o_tui.redeem import remembered_voucher_key

    key = remembered_voucher_key(cache, redemption.code, since)
    if key is None or cache.outbox.get(key) is not None:  # still queued, or refused: not a redemption standing
        return None
    voucher = asyncio.run(_voucher(profile, redemption, key))
    return (key, voucher) if voucher is not None else None


def _redeemed_here(profile: Any, cache: Any, key: str, voucher: Any) -> dict[str, Any]:
    """This counter's redemption standing, as `--json` says it (the explanation for a person)."""
    import msgspec

    from o2o_tui.redeem import VOUCHER_ACTION, CodeKind, redeemed_here_text
    from o2o_tui.sync.read_model import ReadModel

    store = ReadModel(cache).store(profile.store_id)
    shown = msgspec.to_builtins(voucher)
    return {
        "outcome": "already_done",
        "action": VOUCHER_ACTION,
        "target": voucher.store_id,
        "kind": CodeKind.VOUCHER.value,
        "key": key,
        "redeemed_at": shown.get("redeemed_at"),
        "explanation": redeemed_here_text(voucher, store.timezone if store is not None else None),
        "voucher": shown,
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
        from datetime import UTC, datetime

        import msgspec

        from o2o_tui.redeem import (
            CodeKind,
            forget_voucher_key,
            handed_over_text,
            not_ready_text,
            queued_text,
            redeemed_here,
            redeemed_text,
            remember_voucher_key,
        )
        from o2o_tui.sync.perform import ActionResult, Outcome, perform
        from o2o_tui.typed_text import ascii_typed

        code = ascii_typed(code)  # an input method's full-width "ＡＢ１２" is the code "AB12", as in the console
        started = datetime.now(UTC)
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
            if early is not None:  # the platform's refusal of the handoff: illegal_transition
                raise LocalRefusal(early, "illegal_transition", **illegal_transition(redemption.status, "handoff"))
            twin = _queued_before(chosen, cache, code)
            result, not_storing = _send_twin(chosen, cache, twin) if twin is not None else (None, False)
            if twin is not None and result is None:
                _say_fully(_still_queued(chosen, cache, twin, not_storing=not_storing), as_json=as_json)
                if online:
                    raise typer.Exit(int(Exit.OFFLINE))
                return
            if twin is not None:
                redemption = twin.redemption()
            elif redemption.kind is CodeKind.VOUCHER and (earlier := _handed_over_before(chosen, cache, code)):
                _say_fully(earlier, as_json=as_json)
                return
            elif redemption.kind is CodeKind.VOUCHER and (own := _own_redemption(chosen, cache, redemption, started)):
                key, answer = own
                if redeemed_here(answer, redemption, started):
                    forget_voucher_key(cache, redemption.code, started)  # heard: a scan again is refused
                    _say_fully(_redeemed_here(chosen, cache, key, answer), as_json=as_json)
                    return
                # redeemed now, under that key (the platform no longer knew it): this scan's redemption
                result = ActionResult(Outcome.DONE, key=key, action=redemption.action, target=redemption.target)
            if result is None:
                result = asyncio.run(
                    perform(chosen, cache, redemption.action, redemption.target, redemption.body(), online=online)
                )
            if result.outcome is Outcome.DONE and redemption.kind is CodeKind.VOUCHER and result.key:
                voucher = asyncio.run(_voucher(chosen, redemption, result.key))
            if redemption.kind is CodeKind.VOUCHER and result.outcome is Outcome.QUEUED and result.key:
                remember_voucher_key(cache, redemption.code, result.key, started)  # the answer goes elsewhere
            elif redemption.kind is CodeKind.VOUCHER and result.outcome in (Outcome.DONE, Outcome.REJECTED):
                forget_voucher_key(cache, redemption.code, started)  # heard
        extra = {
            "kind": redemption.kind.value,
            "order_id": redemption.order_id,
            **number_fields(redemption.number),
            "voucher": msgspec.to_builtins(voucher) if voucher is not None else None,
        }
        if result.outcome is Outcome.QUEUED:
            if as_json:
                emit_json({**msgspec_builtins(result), **extra})
            elif not result.login_needed:
                say(queued_text(redemption) + (f" ({result.error})" if result.error else ""))
            if result.login_needed:
                raise fail(queued_login_text(result), Exit.AUTH)
            if online:
                raise typer.Exit(int(Exit.OFFLINE))
            return
        if redemption.kind is CodeKind.PICKUP:
            done = handed_over_text(redemption.number or "?")
        else:
            done = redeemed_text(voucher)
        report_outcome(result, as_json=as_json, online=online, done_message=done, extra=extra)
