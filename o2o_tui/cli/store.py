"""`o2o store`: the store's status from the cache, and pause / busy / resume through the outbox; `o2o store hours`:
the weekly opening hours and dated exceptions (holidays), shown from the cache and changed through the outbox
(`store.hours` replaces the whole set, built from the cached hours with one day or date changed)."""

from __future__ import annotations

from typing import Any

import typer

from o2o_tui.cli.common import JsonOption, ProfileOption, fill_new_cache, handle_errors
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import emit_json, fail, say
from o2o_tui.cli.sync import OnlineOption, cache_errors, cli_cache, report_outcome
from o2o_tui.domain.limits import EXTRA_MINUTES_MAX
from o2o_tui.i18n import t


def store_zone(store: Any) -> Any:
    """The store's time zone (UTC when its name is unknown here): every time shown for a store is in it."""
    from datetime import UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(store.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def until_text(until: Any, zone: Any, now: Any = None) -> str:
    """A moment in the store's time: "14:30" today, "2026-03-02 14:30" on another day. A naive one is read as UTC;
    one the store's zone cannot hold (menus keep what was stored: year 9999 overflows) is shown in UTC."""
    from datetime import UTC, datetime

    from o2o_tui.domain.clock import in_zone, utc_text

    local = in_zone(until, zone)
    if local is None:
        return utc_text(until)
    today = (now or datetime.now(UTC)).astimezone(zone).date()
    return local.strftime("%H:%M" if local.date() == today else "%Y-%m-%d %H:%M")


def _describe(store: Any) -> str:
    from datetime import UTC, datetime

    from o2o_tui.domain.store import StoreState
    from o2o_tui.safe_text import safe_text
    from o2o_tui.store_effect import effect, state_words

    status = store.status
    now = datetime.now(UTC)
    found = effect(store, now)
    now_state = found.state  # closed by the hours, or a pause that has ended
    state = state_words(found, store_zone(store), now)  # CLOSED FOR NOW (休息中) before the day's opening
    text = t("store.line", name=safe_text(store.name, one_line=True), state=state)
    # what staff set is said only while it is what applies: a pause that has ended (or a busy store the hours
    # have closed) is no longer PAUSED "(out of pearls)" nor "+10 min"
    current = now_state is status.state
    if status.until is not None and current:
        text += "  " + t("store.until", at=until_text(status.until, store_zone(store)))
    if status.extra_minutes and current and now_state is StoreState.BUSY:
        text += "  " + t("store.extra", minutes=status.extra_minutes)
    if status.reason and current:
        text += "  " + t("store.reason", reason=safe_text(status.reason, one_line=True))
    if status.auto and current:
        text += "  " + t("store.auto")
    return text


def _not_for_couriers(profile: Any) -> None:
    """A courier's profile may carry its fleet's store, but the store's status is the merchant's."""
    if profile.role == "courier":
        raise fail(t("store.error.courier", profile=profile.name), Exit.USAGE)


def _store_id(profile: Any) -> str:
    _not_for_couriers(profile)
    if not profile.store_id:
        raise fail(t("store.error.no_store", profile=profile.name), Exit.USAGE)
    return str(profile.store_id)


def _change_status(
    profile_name: str | None, body_factory: Any, *, online: bool, as_json: bool, ends_pause: bool = False
) -> None:
    """Send a status change. `ends_pause` (busy): a pause the change lifts is said, "The pause until 14:30 has
    ended ...", and in --json `ended_pause` names it (null when there was none): busy is a state of an open store,
    so setting it while paused reopens the store, and nobody should learn that from a customer's order."""
    import asyncio

    from o2o_tui.sync.perform import perform
    from o2o_tui.sync.read_model import ReadModel

    fill_new_cache(profile_name)  # the store's clock, for --until
    with handle_errors(), cache_errors(), cli_cache(profile_name) as (profile, cache):
        store_id = _store_id(profile)
        before = ReadModel(cache).store(store_id)
        body = body_factory(before)  # the cached store: its zone, for --until
        ended = _pause_in_effect(before) if ends_pause else None
        result = asyncio.run(perform(profile, cache, "store.status", store_id, body, online=online))
        store = ReadModel(cache).store(store_id)
        last_sync_at = _last_sync_at(cache)
    # the store as `o2o store status --json` gives it, `now` included (what applies now, not only what staff set)
    extra: dict[str, Any] | None = (
        {"store": _status_json(store, last_sync_at)} if as_json and store is not None else None
    )
    if as_json and ends_pause:
        extra = (extra or {}) | {"ended_pause": _ended_pause_json(ended)}
    message = _describe(store) if store is not None else t("store.changed")
    if ended is not None:
        message += "\n" + _ended_pause_text(ended, before)
    report_outcome(result, as_json=as_json, online=online, done_message=message, extra=extra)


def _pause_in_effect(store: Any) -> Any:
    """The store's status if a pause applies now (by staff or by the platform), else None."""
    from datetime import UTC, datetime

    from o2o_tui.domain.store import StoreState
    from o2o_tui.store_effect import effect

    if store is None or effect(store, datetime.now(UTC)).state is not StoreState.PAUSED:
        return None
    return store.status


def _ended_pause_text(status: Any, store: Any) -> str:
    if status.until is None:
        return t("store.busy.ended_pause")
    return t("store.busy.ended_pause_until", at=until_text(status.until, store_zone(store)))


def _ended_pause_json(status: Any) -> dict[str, Any] | None:
    import msgspec

    if status is None:
        return None
    return {"until": msgspec.to_builtins(status.until), "reason": status.reason, "auto": status.auto}


def _pause_until(text: str, store: Any) -> Any:
    """`--until HH:MM` in the store's time (its zone from the cache; UTC until the store is cached)."""
    from datetime import UTC, datetime

    from o2o_tui.store_hours import pause_until

    return pause_until(text, datetime.now(UTC), store_zone(store) if store is not None else UTC)


def _store_json(store: Any) -> dict[str, Any]:
    import msgspec

    return msgspec.to_builtins(store)


def _status_json(store: Any, last_sync_at: Any) -> dict[str, Any]:
    """The store in --json with `now`: what `o2o store status` says, and `.store` of pause, busy and resume."""
    now = _now_json(store) | {"may_be_auto_paused": _may_be_auto_paused(store, last_sync_at)}
    return _store_json(store) | {"now": now}


def _now_json(store: Any) -> dict[str, Any]:
    """The store as it applies now: `status` is what staff set; this is what a customer meets (closed by the
    opening hours, a pause that has ended)."""
    from datetime import UTC, datetime

    import msgspec

    from o2o_tui.store_effect import effect

    found = effect(store, datetime.now(UTC))
    return {
        "state": str(found.state),
        "takes_orders": found.takes_orders,
        "until": msgspec.to_builtins(found.until),
        "by_hours": found.by_hours,
    }


def _last_sync_at(cache: Any) -> Any:
    """When this profile last heard the platform (a poll of `o2o sync` or an open console), None if never."""
    from datetime import datetime

    from o2o_tui.sync import tables

    last = cache.meta_get(tables.META_LAST_SYNC_AT, None)
    if not isinstance(last, str):
        return None
    try:
        return datetime.fromisoformat(last.replace("Z", "+00:00"))
    except ValueError:
        return None


def _may_be_auto_paused(store: Any, last_sync_at: Any) -> bool:
    from datetime import UTC, datetime

    from o2o_tui.store_effect import may_be_auto_paused

    return may_be_auto_paused(store, last_sync_at, datetime.now(UTC))


def _iso_or_none(moment: Any) -> str | None:
    import msgspec

    return None if moment is None else msgspec.to_builtins(moment)


def _effect_line(store: Any) -> str:
    from datetime import UTC, datetime

    from o2o_tui.store_effect import describe

    return t("store.effect.now", effect=describe(store, datetime.now(UTC)))


# -- default preparation time -------------------------------------------------------------------------------
def _prep_time(profile_name: str | None, minutes: int | None, *, online: bool, as_json: bool) -> None:
    """Show the store's default preparation time (no MINUTES) or set it through the outbox (`store.prep_time`)."""
    import asyncio

    from o2o_tui.domain.requests import STORE_PREP_MINUTES_MAX, STORE_PREP_MINUTES_MIN, PrepTimeBody
    from o2o_tui.sync.perform import perform
    from o2o_tui.sync.read_model import ReadModel

    low, high = STORE_PREP_MINUTES_MIN, STORE_PREP_MINUTES_MAX
    if minutes is not None and not low <= minutes <= high:  # before the cache is opened: a typo is a usage error
        raise fail(t("store.prep_time.out_of_range", minutes=minutes, low=low, high=high), Exit.USAGE)
    fill_new_cache(profile_name, say_answered_errors=minutes is None)
    if minutes is None:
        with handle_errors(), cache_errors(), cli_cache(profile_name, read_only=True) as (chosen, cache):
            store = ReadModel(cache).store(_store_id(chosen))
        if store is None:
            raise fail(t("store.error.not_cached"), Exit.NOT_FOUND)
        if as_json:
            emit_json({"store_id": store.id, "default_prep_minutes": store.default_prep_minutes})
            return
        say(t("store.prep_time.now", minutes=store.default_prep_minutes))
        return
    with handle_errors(), cache_errors(), cli_cache(profile_name) as (chosen, cache):
        store_id = _store_id(chosen)
        body = PrepTimeBody(minutes=minutes)
        result = asyncio.run(perform(chosen, cache, "store.prep_time", store_id, body, online=online))
        store = ReadModel(cache).store(store_id)
    shown = store.default_prep_minutes if store is not None else minutes
    extra = {"default_prep_minutes": shown} if as_json else None
    done = t("store.prep_time.changed", minutes=shown)
    report_outcome(result, as_json=as_json, online=online, done_message=done, extra=extra)


# -- opening hours -------------------------------------------------------------------------------------------
def _hours_json(store: Any) -> dict[str, Any]:
    """The hours as stored, plus each weekday's ranges by name and whether the store takes orders now."""
    from datetime import UTC, datetime

    import msgspec

    from o2o_tui.store_effect import effect
    from o2o_tui.store_hours import DAYS, week

    now = datetime.now(UTC)
    found = effect(store, now)
    return {
        "store_id": store.id,
        "timezone": store.timezone,
        "opening_hours": msgspec.to_builtins(store.opening_hours),
        "hours_exceptions": msgspec.to_builtins(store.hours_exceptions),
        "week": {DAYS[day]: msgspec.to_builtins(ranges) for day, ranges in enumerate(week(store))},
        "takes_orders": found.takes_orders,
        "state": str(found.state),
        "until": msgspec.to_builtins(found.until),
    }


def _hours_lines(store: Any) -> list[str]:
    from o2o_tui.safe_text import safe_text
    from o2o_tui.store_hours import day_name, ranges_text, week

    name = safe_text(store.name, one_line=True)
    lines = [t("store.hours.title", name=name, timezone=safe_text(store.timezone, one_line=True))]
    if not store.opening_hours and not store.hours_exceptions:
        lines.append("  " + t("store.hours.always"))
    for day, ranges in enumerate(week(store)):
        shown = ranges_text(ranges) if ranges else t("store.hours.closed_day")
        lines.append(f"  {day_name(day)}  {shown}")
    if store.hours_exceptions:
        lines.append(t("store.hours.exceptions"))
        for exception in store.hours_exceptions:
            shown = ranges_text(exception.hours) if exception.hours else t("store.hours.closed_all_day")
            note = f"  {safe_text(exception.note, one_line=True)}" if exception.note else ""
            lines.append(f"  {exception.date}  {shown}{note}")
    lines.append(_effect_line(store))
    return lines


def _parsed(parse: Any, *args: Any) -> Any:
    """`parse(*args)`, a `HoursError` becoming a usage error that says what was wrong."""
    from o2o_tui.store_hours import HoursError

    try:
        return parse(*args)
    except HoursError as error:
        raise fail(error.message, Exit.USAGE) from None


def _set_exception(
    profile_name: str | None, date_text: str, ranges: list[Any], note: str, *, online: bool, as_json: bool
) -> None:
    """`o2o store hours closed|open`: the hours of one date (`ranges` empty: closed all day), its note checked."""
    from o2o_tui import store_hours

    _parsed(store_hours.check_note, note)
    said = "store.hours.said.open" if ranges else "store.hours.said.closed"
    _change_hours(
        profile_name,
        lambda body, day: store_hours.set_exception(body, day, ranges, note),
        online=online,
        as_json=as_json,
        date_text=date_text,
        new_date=True,
        said=lambda day: t(said, date=store_hours.date_words_full(day), ranges=store_hours.ranges_text(ranges)),
    )


def typed_date(text: str, today: Any = None) -> str:
    """The date a command was given (`store_hours.parse_date`, strict: it is saved at once, with no screen to read
    it back on first): "2/1" typed in English, 1 Feb or 2 Jan, is refused, both dates said."""
    from o2o_tui.store_hours import parse_date

    return parse_date(text, today, strict=True)


def _change_hours(
    profile_name: str | None,
    edit: Any,
    *,
    online: bool,
    as_json: bool,
    date_text: str | None = None,
    new_date: bool = False,
    said: Any = None,
) -> None:
    """Apply `edit` (HoursBody, the date or None -> HoursBody) to the cached hours (with queued changes) and queue
    the result. `date_text`: the date typed (`typed_date`: "12月15日" is the next one from the store's today);
    `new_date`: it is an exception being set, which may not be before the store's today; `said` (the date -> a
    line): what was done to that date, its weekday and month in words ("Closed all day on Mon 1 Feb 2027"), said
    when it is done or queued, so a date read otherwise than meant is seen."""
    import asyncio
    from datetime import UTC, datetime

    from o2o_tui.store_effect import store_zone
    from o2o_tui.store_hours import check_not_past, hours_body, hours_tag
    from o2o_tui.sync.perform import perform
    from o2o_tui.sync.read_model import ReadModel

    fill_new_cache(profile_name)
    with handle_errors(), cache_errors(), cli_cache(profile_name) as (profile, cache):
        store_id = _store_id(profile)
        store = ReadModel(cache).store(store_id)
        if store is None:
            raise fail(t("store.error.not_cached"), Exit.NOT_FOUND)
        today = datetime.now(UTC).astimezone(store_zone(store)).date()
        day = _parsed(typed_date, date_text, today) if date_text is not None else None
        if new_date and day is not None:
            _parsed(check_not_past, day, today)
        body = _parsed(edit, hours_body(store), day)
        edited_from = hours_tag(store)  # refused if another device changed the hours meanwhile
        held = _held_orders(cache, store_id)
        result = asyncio.run(
            perform(profile, cache, "store.hours", store_id, body, online=online, base_version=edited_from)
        )
        store = ReadModel(cache).store(store_id)
    rung = _rung_closed(held, store) if result.outcome == "done" and store is not None else []
    rung = _as_rung(profile, rung, store)
    extra = None
    if as_json and store is not None:
        numbered = [{"id": order.id, "number": order.number} for order in rung]
        extra = {"hours": _hours_json(store), "rung_closed_at_promise": numbered}
    what = [said(day)] if said is not None and day is not None else []
    lines = [t("store.hours.changed"), *what] + (_hours_lines(store) if store is not None else [])
    if rung:  # the platform rang them now, flagged (`Order.closed_at_promise`): staff call or cancel
        lines.append(_rung_line(rung, store))
    if what and result.outcome == "queued" and not as_json:  # the date in words, then that it waits to be sent
        say(what[0])
    report_outcome(result, as_json=as_json, online=online, done_message="\n".join(lines), extra=extra)


def _held_orders(cache: Any, store_id: str) -> list[Any]:
    """The store's orders for later still held (waiting for their prep start), as the cache has them."""
    from o2o_tui.domain.schedule import is_held, promised_time
    from o2o_tui.sync.read_model import ReadModel

    views = ReadModel(cache).orders("CREATED")
    return [
        view.order
        for view in views
        if view.order.store_id == store_id and is_held(view.order) and promised_time(view.order) is not None
    ]


def _rung_closed(held: list[Any], store: Any) -> list[Any]:
    """The held orders whose promised time the store's hours as the platform answered them have closed: the
    platform rang them at once (`scheduled.rehold`, the same rule), for staff to call the customer or cancel."""
    from o2o_tui.domain.limits import as_utc
    from o2o_tui.domain.schedule import closed_at_promise, promised_time
    from o2o_tui.store_effect import store_zone

    zone = store_zone(store)
    rung = []
    for order in held:
        promised = promised_time(order)
        if promised is None:
            continue
        if closed_at_promise(as_utc(promised), zone, store.opening_hours, store.hours_exceptions) is not None:
            rung.append(order)
    return rung


def _as_rung(profile: Any, rung: list[Any], store: Any) -> list[Any]:
    """Those of `rung` this change rang, as the platform has them now: released in the same write as the hours
    (`scheduled.rehold`: its `released_at` is the store's `updated_at`), with today's number taken then. When the
    platform does not answer (gone out of reach meanwhile): as cached, their promised times still name them."""
    if not rung:
        return rung
    from o2o_tui.cli.common import open_client
    from o2o_tui.client.errors import PlatformError

    changed = store.updated_at
    try:
        with open_client(profile) as client:
            now = [client.get_order(order.id) for order in rung]
        return [order for order in now if order.closed_at_promise is not None and order.released_at == changed]
    except PlatformError:
        return rung


def _rung_line(rung: list[Any], store: Any) -> str:
    """"... ring now (2: #0001 for 8 Dec 12:00, ...)": each by its number and promised time (the store's clock),
    as held orders of different days may share a number."""
    from datetime import UTC, datetime

    from o2o_tui.domain.clock import date_clock
    from o2o_tui.domain.schedule import promised_time
    from o2o_tui.store_effect import store_zone

    zone = store_zone(store)
    now = datetime.now(UTC)
    named = [
        t("store.hours.rung_order", number=order.display_number, when=date_clock(promised.astimezone(zone), now=now))
        for order in rung
        if (promised := promised_time(order)) is not None
    ]
    return t("store.hours.rung_closed_at_promise", count=len(rung), numbers=", ".join(named))


def _register_hours(store_app: typer.Typer) -> None:
    hours_app = typer.Typer(help=t("store.hours.help"), invoke_without_command=True)
    store_app.add_typer(hours_app, name="hours")

    @hours_app.callback()
    def show(ctx: typer.Context, profile: str | None = ProfileOption, as_json: bool = JsonOption) -> None:
        if ctx.invoked_subcommand is not None:
            return
        from o2o_tui.sync.read_model import ReadModel

        fill_new_cache(profile, say_answered_errors=True)
        with handle_errors(), cache_errors(), cli_cache(profile, read_only=True) as (chosen, cache):
            _not_for_couriers(chosen)
            store = ReadModel(cache).store(chosen.store_id)
        if store is None:
            raise fail(t("store.error.not_cached"), Exit.NOT_FOUND)
        if as_json:
            emit_json(_hours_json(store))
            return
        for line in _hours_lines(store):
            say(line)

    @hours_app.command("set", help=t("store.hours.set.help"))
    def set_day(
        day: str = typer.Argument(..., help=t("store.hours.arg.day")),
        ranges: str = typer.Argument(..., help=t("store.hours.arg.ranges")),
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        from o2o_tui import store_hours

        weekday = _parsed(store_hours.parse_day, day)
        parsed = _parsed(store_hours.parse_ranges, ranges)
        _change_hours(
            profile, lambda body, _day: store_hours.set_day(body, weekday, parsed), online=online, as_json=as_json
        )

    @hours_app.command("closed", help=t("store.hours.closed.help"))
    def closed(
        date: str = typer.Argument(..., help=t("store.hours.arg.date")),
        note: str = typer.Option("", "--note", help=t("store.hours.option.note")),
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        _parsed(typed_date, date)  # a typo is a usage error before the cache is opened
        _set_exception(profile, date, [], note, online=online, as_json=as_json)

    @hours_app.command("open", help=t("store.hours.open.help"))
    def open_on(
        date: str = typer.Argument(..., help=t("store.hours.arg.date")),
        ranges: str = typer.Argument(..., help=t("store.hours.arg.ranges")),
        note: str = typer.Option("", "--note", help=t("store.hours.option.note")),
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        from o2o_tui import store_hours

        _parsed(typed_date, date)  # a typo is a usage error before the cache is opened
        parsed = _parsed(store_hours.parse_ranges, ranges)
        if not parsed:  # "open" with no hours is "closed": say which command that is
            raise fail(t("store.hours.error.open_needs_hours"), Exit.USAGE)
        _set_exception(profile, date, parsed, note, online=online, as_json=as_json)

    @hours_app.command("clear", help=t("store.hours.clear.help"))
    def clear(
        date: str = typer.Argument(..., help=t("store.hours.arg.date")),
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        from o2o_tui import store_hours

        _parsed(typed_date, date)  # a typo is a usage error before the cache is opened
        _change_hours(
            profile,
            lambda body, day: store_hours.clear_exception(body, day),
            online=online,
            as_json=as_json,
            date_text=date,
            said=lambda day: t("store.hours.said.cleared", date=store_hours.date_words_full(day)),
        )

    @hours_app.command("reset", help=t("store.hours.reset.help"))
    def reset(online: bool = OnlineOption, profile: str | None = ProfileOption, as_json: bool = JsonOption) -> None:
        from o2o_tui import store_hours

        _change_hours(profile, lambda _body, _day: store_hours.reset(), online=online, as_json=as_json)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    store_app = typer.Typer(help=t("store.help"), no_args_is_help=True)
    app.add_typer(store_app, name="store")
    _register_hours(store_app)
    from o2o_tui.cli import store_auto_accept  # `o2o store auto-accept` (its own module)

    store_auto_accept.register(store_app)

    @store_app.command("status", help=t("store.status.help"))
    def status(profile: str | None = ProfileOption, as_json: bool = JsonOption) -> None:
        from o2o_tui.sync.read_model import ReadModel

        fill_new_cache(profile, say_answered_errors=True)
        with handle_errors(), cache_errors(), cli_cache(profile, read_only=True) as (chosen, cache):
            _not_for_couriers(chosen)
            store = ReadModel(cache).store(chosen.store_id)
            last_sync_at = _last_sync_at(cache)
        if store is None:
            raise fail(t("store.error.not_cached"), Exit.NOT_FOUND)
        maybe_paused = _may_be_auto_paused(store, last_sync_at)
        if as_json:
            emit_json(_status_json(store, last_sync_at) | {"last_sync_at": _iso_or_none(last_sync_at)})
            return
        say(_describe(store))
        say(_effect_line(store))
        if maybe_paused:
            from o2o_tui.cli.sync import age_text
            from o2o_tui.store_effect import HEARTBEAT_MINUTES

            say(t("store.maybe_auto_paused", age=age_text(last_sync_at), minutes=HEARTBEAT_MINUTES))

    @store_app.command("prep-time", help=t("store.prep_time.help"))
    def prep_time(
        minutes: int | None = typer.Argument(None, metavar="[MINUTES]", help=t("store.prep_time.arg")),
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        _prep_time(profile, minutes, online=online, as_json=as_json)

    @store_app.command("pause", help=t("store.pause.help"))
    def pause(
        minutes_text: str | None = typer.Option(
            None, "--minutes", metavar="MINUTES", help=t("store.option.minutes", maximum=24 * 60)
        ),
        until: str | None = typer.Option(None, "--until", help=t("store.option.until")),
        reason: str = typer.Option("", "--reason", help=t("store.option.reason")),
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        from datetime import UTC, datetime, timedelta

        from o2o_tui.domain.requests import StoreStatusBody
        from o2o_tui.domain.store import StoreState
        from o2o_tui.store_hours import PAUSE_MINUTES_MAX, parse_duration

        if minutes_text is not None and until is not None:
            raise fail(t("store.error.minutes_or_until"), Exit.USAGE)
        # 30, "90 min", "1h30", "30分钟", "1.5小时": one parser with the store screen's prompt
        minutes = None if minutes_text is None else _parsed(parse_duration, minutes_text, PAUSE_MINUTES_MAX)
        if until is not None:  # checked before the cache is opened: a typo is a usage error
            _parsed(_pause_until, until, None)

        def body(store: Any) -> StoreStatusBody:
            end = (
                None
                if minutes is None
                else datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=minutes)
            )
            if until is not None:
                end = _parsed(_pause_until, until, store)
            return StoreStatusBody(state=StoreState.PAUSED, until=end, reason=reason)

        _change_status(profile, body, online=online, as_json=as_json)

    @store_app.command("busy", help=t("store.busy.help"))
    def busy(
        extra_text: str = typer.Option(
            ..., "--extra", metavar="MINUTES", help=t("store.option.extra", maximum=EXTRA_MINUTES_MAX)
        ),
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        from o2o_tui.domain.requests import StoreStatusBody
        from o2o_tui.domain.store import StoreState
        from o2o_tui.store_hours import parse_duration

        extra = _parsed(parse_duration, extra_text, EXTRA_MINUTES_MAX)  # 15, "15 min", "15分钟", as the screen's
        _change_status(
            profile,
            lambda _store: StoreStatusBody(state=StoreState.BUSY, extra_minutes=extra),
            online=online,
            as_json=as_json,
            ends_pause=True,
        )

    @store_app.command("resume", help=t("store.resume.help"))
    def resume(
        online: bool = OnlineOption, profile: str | None = ProfileOption, as_json: bool = JsonOption
    ) -> None:
        from o2o_tui.domain.requests import StoreStatusBody
        from o2o_tui.domain.store import StoreState

        _change_status(
            profile, lambda _store: StoreStatusBody(state=StoreState.ONLINE), online=online, as_json=as_json
        )
