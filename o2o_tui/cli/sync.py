"""`o2o sync` (run, --once, status) and `o2o conflicts` (list, dismiss); also the cache/outcome helpers the
orders and store commands share."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import typer

from o2o_tui.cli.cache_errors import cache_errors, say_cache_warnings, say_left_out
from o2o_tui.cli.common import JsonOption, ProfileOption, handle_errors
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import emit_json, fail, say, warn, zoned_time
from o2o_tui.client.errors import says_disabled
from o2o_tui.i18n import t

OnlineOption = typer.Option(False, "--online", help=t("sync.option.online"))


@contextlib.contextmanager
def cli_cache(name: str | None, **options: Any) -> Iterator[tuple[Any, Any]]:
    """`profile_cache()` for a command: also tells the person what the cache did on its own (a file set aside),
    and after the command read it the cached entities it had to leave out (as JSON lines with `--json`)."""
    from o2o_tui.cli.refusals import LocalRefusal
    from o2o_tui.sync.session import profile_cache

    with profile_cache(name, **options) as (profile, cache):
        say_cache_warnings(cache)
        try:
            yield profile, cache
        except LocalRefusal as refusal:  # refused here, nothing sent: the last sync says how (LOG IN AGAIN)
            refusal.note_link(cache)
            raise
        finally:
            say_left_out(cache)


def state_word(state: Any, error: str | None) -> str:
    """The sync state for a person: a refused token is LOG IN AGAIN, but ACCOUNT DISABLED when the refusal (`error`,
    the engine's last error) says an admin disabled the account: logging in again cannot help then."""
    if str(state).lower() == "unauthorized" and says_disabled(error):
        return t("sync.state.disabled")
    return t("sync.state." + str(state).lower())


def queued_login_text(result: Any) -> str:
    """Why an action queued on a refused token waits: the account is disabled (an admin enables it again; logging
    in does not help), or the token is bad or revoked (log in again)."""
    return t("sync.queued.disabled") if says_disabled(result.error) else t("sync.queued.login")


# a running engine records an answer at least every 30 s of quiet (its long polls answer within 9 s)
STALE_AFTER_S = 90.0


def report_outcome(
    result: Any, *, as_json: bool, online: bool, done_message: str, extra: dict[str, Any] | None = None
) -> None:
    """Print what became of an action and exit with its code."""
    from o2o_tui.sync.perform import Outcome

    if as_json:
        emit_json({**msgspec_builtins(result), **(extra or {})})
    if result.outcome is Outcome.DONE:
        if not as_json:
            say(done_message)
        return
    if result.outcome is Outcome.QUEUED and result.login_needed:
        raise fail(queued_login_text(result), Exit.AUTH)
    if result.outcome is Outcome.QUEUED:
        if not as_json:
            say(t("sync.queued", reason=result.error or ""))
        if online:
            raise typer.Exit(int(Exit.OFFLINE))
        return
    if result.outcome is Outcome.NOT_QUEUED:
        raise fail(t("sync.not_queued", reason=result.error or ""), Exit.OFFLINE)
    forbidden = (result.reason or {}).get("code") in ("forbidden", "unauthorized")
    said = t("sync.rejected", explanation=result.explanation or "")
    # the platform's reason in the error object too: a refusal o2o makes before sending gives one of the same shape
    details = {"reason": result.reason} if result.reason else {}
    raise fail(said, Exit.AUTH if forbidden else Exit.REJECTED, **details)


def msgspec_builtins(value: Any) -> Any:
    import msgspec

    return msgspec.to_builtins(value)


def age_text(moment: datetime | None) -> str:
    """How long ago `moment` was, for a person ("12 s ago"), or that it never was."""
    if moment is None:
        return t("sync.never")
    seconds = max(0, int((datetime.now(UTC) - moment).total_seconds()))
    if seconds < 120:
        return t("sync.age.seconds", n=seconds)
    if seconds < 7200:
        return t("sync.age.minutes", n=seconds // 60)
    return t("sync.age.hours", n=seconds // 3600)


def _run_forever(profile_name: str | None, as_json: bool) -> None:
    from o2o_tui.cli.sync_service import run_service

    with cli_cache(profile_name) as (profile, cache):
        run_service(profile, cache, as_json=as_json)


def _run_once(profile_name: str | None, as_json: bool) -> None:
    import asyncio

    from o2o_tui.sync.model import SyncState
    from o2o_tui.sync.session import make_client, make_engine

    with cli_cache(profile_name) as (profile, cache):

        async def main() -> Any:
            async with make_client(profile) as client:
                return await make_engine(profile, cache, client).sync_once()

        report = asyncio.run(main())
    if as_json:
        emit_json(report)
    else:
        say(
            t(
                "sync.once.done",
                state=state_word(report.state, report.error),
                pushed=report.pushed,
                rejected=report.rejected,
                events=report.events,
                fetched=report.fetched,
                pending=report.pending,
                conflicts=report.conflicts,
            )
        )
        if report.error and report.state is not SyncState.UNAUTHORIZED:
            say(report.error)
    if report.state is SyncState.UNAUTHORIZED:  # not an outage: the token is bad or revoked (queue kept)
        # a disabled account is not helped by a new login: said so, as `o2o sync status` and `whoami` say it
        raise fail(t("sync.disabled" if says_disabled(report.error) else "sync.unauthorized"), Exit.AUTH)
    # exit 3 (README, exit codes): offline, or the platform answers server errors; a refusal to store (503, NOT
    # SAVING) is one of those, the queue stays as it is, retried later
    if report.state in (SyncState.OFFLINE, SyncState.NOT_STORING, SyncState.STORAGE_DOWN):
        raise typer.Exit(int(Exit.OFFLINE))
    if report.rejected:
        raise typer.Exit(int(Exit.REJECTED))


def shared_number_store(deliveries: Any, delivery: Any) -> str:
    """The pickup store's name when `delivery`'s day number is also another cached order's (numbers are per
    store and per day: a platform courier may hold two #0005), to say which #0005 a refusal is about; "" when
    the number says it alone (or the store's name is not known)."""
    number, order_id = getattr(delivery, "order_number", None), getattr(delivery, "order_id", None)
    shared = any(d.order_number == number and d.order_id != order_id for d in deliveries)
    return str(delivery.store_name or "") if shared else ""


def _conflict_rows(cache: Any, zones: list[Any] | None = None) -> list[dict[str, Any]]:
    """Every refused action as `o2o conflicts list` gives it: an item or option change named as the console's `!`
    names it (`menu_entity_name`: in the cached menu, in the person's language; by its id once gone from it),
    `name` with --json (null for any other action), beside its `target`. A refused store status change says what
    it asked and what stood (`asked`, `standing` with --json; null for any other action), as the engine kept
    them, else (refused by an older console) from its body and the cached store. A courier's action names its
    store (`store`; null for any other action) and says it in the sentence when its day number is another
    cached order's too. `zones` (given): each row's clock, the delivery's store's for a courier's action, else
    the cached store's (None: this machine's)."""
    from o2o_tui.domain.clock import zone_named
    from o2o_tui.sync import tables
    from o2o_tui.sync.explain import STALE_STORE_CHANGE, explain, menu_entity_name
    from o2o_tui.sync.read_model import ReadModel
    from o2o_tui.sync.rejection import store_change_reason

    model = ReadModel(cache)
    menus: dict[str, Any] = {}  # store id -> its cached menu (None: not cached)
    deliveries: dict[str, Any] | None = None  # id -> cached delivery, read once when a courier's action needs it
    store_zone = _store_zone(cache) if zones is not None else None
    rows = []
    for entry in cache.outbox.conflicts():
        store_id = entry.target.partition("/")[0]
        if entry.action in ("menu.item.patch", "menu.option.patch") and store_id not in menus:
            menus[store_id] = model.menu(store_id)  # read once per store, and only when a change needs it
        name = menu_entity_name(menus.get(store_id), entry.action, entry.target)
        reason = dict(entry.rejection or {})
        store, zone = None, store_zone
        if entry.action.startswith("delivery."):
            if deliveries is None:
                deliveries = {d.id: d for d in model.deliveries()}
            delivery = deliveries.get(store_id)  # a courier's target: the delivery id
            store = (delivery.store_name if delivery is not None else "") or reason.get("store_name") or None
            timezone = (delivery.store_timezone if delivery is not None else "") or reason.get("timezone")
            zone = zone_named(timezone) if isinstance(timezone, str) and timezone else store_zone
            if delivery is not None:
                name = shared_number_store(deliveries.values(), delivery)
        voucher = _voucher_name(entry) if entry.action == "voucher.redeem" else ""
        if zones is not None:
            zones.append(zone)
        if reason.get("code") == STALE_STORE_CHANGE and "standing" not in reason:
            cached = cache.table(tables.STORES).get(store_id)
            reason = {**store_change_reason(entry.action, entry.body, entry.occurred_at, cached), **reason}
        rows.append(
            {
                "key": entry.key,
                "action": entry.action,
                "target": entry.target,
                # a menu item's or option's; a voucher's as the console's `!` names it ("voucher …0000")
                "name": voucher or ((name or None) if store is None else None),
                "store": store,
                "occurred_at": entry.occurred_at,
                "reason": reason,
                "asked": reason.get("asked"),
                "standing": reason.get("standing"),
                # said inside the list itself: not pointed at
                "explanation": _voucher_said(
                    voucher, explain(reason, action=entry.action, target=entry.target, name=name, listed=True)
                ),
            }
        )
    return rows


def _voucher_name(entry: Any) -> str:
    """A refused voucher redemption as the console's `!` names it: "voucher …0000", the last 4 characters of its
    code (enough for the counter to tell which customer's it was, not enough to redeem it); "" when its body has
    no code."""
    import msgspec

    from o2o_tui.safe_text import safe_text

    try:
        body = msgspec.json.decode(entry.body)
    except msgspec.DecodeError:
        return ""
    code = body.get("code") if isinstance(body, dict) else None
    if not isinstance(code, str) or not code:
        return ""
    return t("conflicts.voucher", tail=safe_text(code[-4:], one_line=True))


def _voucher_said(voucher: str, explanation: str) -> str:
    """The refusal with the voucher it was about in front ("voucher …0000: The voucher was not redeemed: ..."):
    the sentence alone does not say which code it was."""
    return t("sync.conflicts.voucher_row", voucher=voucher, explanation=explanation) if voucher else explanation


# a list read from a cache nobody refreshed for this long says its age: a console or `o2o sync --service` hears
# the platform at least every 30 s, so only a cache no process keeps is this old
CACHE_OLD_AFTER_S = 300.0


def say_cache_age(cache: Any) -> None:
    """Before a list read from the cache: when neither a sync nor any answer of the platform refreshed it for
    `CACHE_OLD_AFTER_S`, say as of when it is (stderr; `--json`: a `cache_old` warning line), so a script run
    with nothing syncing does not take old orders for the platform's. A cache never synced says so elsewhere."""
    from o2o_tui.sync import tables  # not the engine: `orders list --json` imports no httpx

    last = cache.meta_get(tables.META_LAST_SYNC_AT, None)
    try:
        last_at = datetime.fromisoformat(last.replace("Z", "+00:00")) if isinstance(last, str) else None
    except ValueError:
        last_at = None
    if last_at is None or last_at.tzinfo is None:
        return
    age_s = _newest_age(time.time() - last_at.timestamp(), cache.meta_get(tables.META_ANSWERED_AT, None))
    if age_s is None or age_s <= CACHE_OLD_AFTER_S:
        return
    moment = datetime.fromtimestamp(time.time() - age_s, UTC)
    at = moment.astimezone().strftime("%H:%M")
    warn(t("sync.cache_old", at=at, age=age_text(moment)), "cache_old")


def _newest_age(age_s: float | None, answered: object) -> float | None:
    """Seconds since the platform last answered: the newer of the last poll's answer (`age_s`) and the stored
    time of any answer (`engine.META_ANSWERED_AT`, an ISO time; anything else is not one)."""
    if not isinstance(answered, str):
        return age_s
    try:
        moment = datetime.fromisoformat(answered.replace("Z", "+00:00"))
    except ValueError:
        return age_s
    if moment.tzinfo is None:
        return age_s
    answered_s = time.time() - moment.timestamp()
    return answered_s if age_s is None else min(age_s, answered_s)


def _store_zone(cache: Any) -> Any:
    """The cached store's time zone, or None (this machine's clock) when the store is not cached."""
    from o2o_tui.domain.clock import zone_named
    from o2o_tui.sync.read_model import ReadModel

    store = ReadModel(cache).store()
    return zone_named(store.timezone) if store is not None else None


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    sync_app = typer.Typer(help=t("sync.help"), invoke_without_command=True, no_args_is_help=False)
    conflicts_app = typer.Typer(help=t("sync.conflicts.help"), no_args_is_help=True)
    app.add_typer(sync_app, name="sync")
    app.add_typer(conflicts_app, name="conflicts")

    @sync_app.callback()
    def sync_main(
        ctx: typer.Context,
        once: bool = typer.Option(False, "--once", help=t("sync.option.once")),
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        if ctx.invoked_subcommand is not None:
            return
        with handle_errors(), cache_errors():
            if once:
                _run_once(profile, as_json)
            else:
                _run_forever(profile, as_json)

    @sync_app.command("status", help=t("sync.status.help"))
    def sync_status(profile: str | None = ProfileOption, as_json: bool = JsonOption) -> None:
        from o2o_tui.sync import skipped as skips
        from o2o_tui.sync import tables
        from o2o_tui.sync.engine import META_ANSWERED_AT, META_LIVE_HOLDER, META_LIVE_WITHIN
        from o2o_tui.sync.live_holder import holder_ended

        with handle_errors(), cache_errors(), cli_cache(profile, read_only=True) as (_, cache):
            last = cache.meta_get(tables.META_LAST_SYNC_AT, None)
            last_at = datetime.fromisoformat(last.replace("Z", "+00:00")) if isinstance(last, str) else None
            state = cache.meta_get(tables.META_STATE, None) or "OFFLINE"
            age_s = None if last_at is None else time.time() - last_at.timestamp()
            # the platform's last answer of any kind: a console whose queued action was answered as the link came
            # back says ONLINE before its next poll is answered; it has heard the platform just now
            heard = _newest_age(age_s, cache.meta_get(META_ANSWERED_AT, None))
            if state == "ONLINE" and (heard is None or heard > STALE_AFTER_S):
                state = "STALE"  # what a console or `o2o sync` last heard, and none has heard the platform since
            # a running engine writes the time of a quiet poll's answer only now and then (`live_within`): newer
            # than that and still answering, the link answered within the current poll: "live", not "34 s ago"
            live_within = cache.meta_get(META_LIVE_WITHIN, None)
            # the process that keeps the link, when it ended without stopping it (killed: SIGKILL, a crash, the
            # power): said at once on its machine, not "live" until the age rule notices (elsewhere: that rule)
            holder = cache.meta_get(META_LIVE_HOLDER, None)
            ended = isinstance(live_within, int | float) and live_within > 0 and holder_ended(holder)
            live = (
                state in ("ONLINE", "NOT_STORING")
                and age_s is not None
                and isinstance(live_within, int | float)
                and age_s <= live_within
                and not ended
            )
            data = {
                "state": state,
                "cursor": cache.meta_get(tables.META_CURSOR, None),
                "last_sync_at": last,
                "live": live,  # a running console or `o2o sync` hears the platform now
                "holder_ended": ended,  # the one that kept the link was killed (known on its machine only)
                "cursor_age_seconds": None if last_at is None else int(time.time() - last_at.timestamp()),
                "pending": len(cache.outbox.pending()),
                "conflicts": len(cache.outbox.conflicts()),
                "last_error": cache.meta_get(tables.META_LAST_ERROR, None),
                "skipped": [msgspec_builtins(s) for s in skips.load(cache).values()],  # left out, to refetch
            }
            skipped_lines = [skips.describe(s) for s in skips.load(cache).values()]
        if as_json:
            emit_json(data)
            return
        say(
            t(
                "sync.status.line",
                state=state_word(state, data["last_error"]),
                pending=data["pending"],
                conflicts=data["conflicts"],
                age=t("sync.age.live") if live else age_text(last_at),
            )
        )
        if ended:
            say(t("sync.status.holder_ended", pid=holder["pid"]))
        if data["last_error"]:
            say(t("sync.status.last_error", message=data["last_error"]))
        for line in skipped_lines:
            say(line)

    @conflicts_app.command("list", help=t("sync.conflicts.list.help"))
    def conflicts_list(profile: str | None = ProfileOption, as_json: bool = JsonOption) -> None:
        zones: list[Any] = []
        with handle_errors(), cache_errors(), cli_cache(profile, read_only=True) as (_, cache):
            rows = _conflict_rows(cache, zones)
        if as_json:
            emit_json(rows)
            return
        if not rows:
            say(t("sync.conflicts.none"))
        for row, zone in zip(rows, zones, strict=True):
            say(
                t(
                    "sync.conflicts.row",
                    key=row["key"][:8],
                    when=zoned_time(str(row["occurred_at"]), zone),  # the store's clock, said (JSON: ISO)
                    explanation=row["explanation"],
                )
            )

    @conflicts_app.command("dismiss", help=t("sync.conflicts.dismiss.help"))
    def conflicts_dismiss(
        key: str = typer.Argument("", help=t("sync.conflicts.key")),
        every: bool = typer.Option(False, "--all", help=t("sync.conflicts.all")),
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        with handle_errors():
            if every == bool(key.strip()):  # one of them, not both, not neither
                raise fail(t("sync.conflicts.key_or_all"), Exit.USAGE)
        with handle_errors(), cache_errors(), cli_cache(profile) as (_, cache):
            if every:
                dismissed = [e.key for e in cache.outbox.conflicts() if cache.outbox.dismiss(e.key)]
            else:
                matches = [e.key for e in cache.outbox.conflicts() if e.key.startswith(key.strip())]
                if len(matches) != 1:
                    raise fail(t("sync.conflicts.no_such", key=key), Exit.NOT_FOUND)
                cache.outbox.dismiss(matches[0])
                dismissed = matches
        if as_json:
            emit_json({"dismissed": dismissed})
        elif every:
            say(t("sync.conflicts.dismissed_count", count=len(dismissed)))
        else:
            say(t("sync.conflicts.dismissed", key=dismissed[0][:8]))
