"""`o2o store auto-accept [on|off] [--cap N] [--station NAME | --this-console]`: the store's auto-accept, carried
out by its printing station console (`o2o_tui/auto_accept.py`). A change goes through the outbox
(`store.auto_accept`: queued offline, sent once); with no switch and no option it shows the setting, today's count
from the platform when it answers (else the cached setting; a profile never synced pulls once first, as the
other store commands do) and this console's device name. `--station NAME` must
name a console the platform has heard from (or this one, or the current station): anything else is exit 2 with the
names it knows, unless `--force` (a console that has not started yet); offline it is said to be unchecked."""

from __future__ import annotations

from typing import Any

import typer

from o2o_tui.cli.common import JsonOption, ProfileOption, fill_new_cache, handle_errors
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import emit_json, fail, say, warn
from o2o_tui.cli.sync import OnlineOption, cache_errors, cli_cache, report_outcome
from o2o_tui.domain.limits import AUTO_ACCEPT_CAP_MAX
from o2o_tui.i18n import t


def _store_id(profile: Any) -> str:
    if profile.role == "courier":
        raise fail(t("store.error.courier", profile=profile.name), Exit.USAGE)
    if not profile.store_id:
        raise fail(t("store.error.no_store", profile=profile.name), Exit.USAGE)
    return str(profile.store_id)


def _show(profile_name: str | None, as_json: bool) -> None:
    import msgspec

    from o2o_tui.auto_accept import describe, known_state, state_call
    from o2o_tui.client.errors import PlatformError
    from o2o_tui.device import device_name
    from o2o_tui.domain.auto_accept import AutoAcceptState
    from o2o_tui.sync.read_model import ReadModel
    from o2o_tui.sync.session import make_client

    with handle_errors(), cache_errors(), cli_cache(profile_name, read_only=True) as (profile, cache):
        store_id = _store_id(profile)
        model = ReadModel(cache)
        store = model.store(store_id)
        cached_orders = [view.order for view in model.orders()]
    device = device_name(profile.name)
    state: AutoAcceptState | None = None
    fresh = False
    try:
        import asyncio

        async def ask() -> AutoAcceptState:
            async with make_client(profile, timeout=5.0) as client:
                answer: AutoAcceptState = await client.call(state_call(store_id))
                return answer

        state, fresh = asyncio.run(ask()), True
    except PlatformError:
        if store is None:
            raise fail(t("store.error.not_cached"), Exit.NOT_FOUND) from None
    if state is None and store is not None:
        from datetime import UTC, datetime

        state = known_state(store, None, cached_orders, datetime.now(UTC))
    assert state is not None
    if as_json:
        emit_json({**msgspec.to_builtins(state), "device": device, "from_platform": fresh})
        return
    for line in describe(state, device, none_key="auto_accept.station.none_cli"):
        say(line)
    say(t("auto_accept.cli.device", name=device))


def _done_message(store: Any, orders: list[Any], device: str) -> str:
    """What a change that stands leaves the store with ("Auto-accept changed: off"), as `o2o store auto-accept`
    with no argument says it; the bare "changed" only when the store is not cached."""
    from datetime import UTC, datetime

    from o2o_tui.auto_accept import describe, known_state

    if store is None:
        return t("auto_accept.cli.done")
    lines = describe(
        known_state(store, None, orders, datetime.now(UTC)), device, none_key="auto_accept.station.none_cli"
    )
    return t("auto_accept.cli.done_now", state=lines[0], station=lines[1])


def register(store_app: typer.Typer) -> None:
    @store_app.command("auto-accept", help=t("auto_accept.cli.help"))
    def auto_accept(
        switch: str | None = typer.Argument(None, metavar="[on|off]", help=t("auto_accept.cli.switch_help")),
        cap: int | None = typer.Option(
            None, "--cap", min=0, max=AUTO_ACCEPT_CAP_MAX, help=t("auto_accept.cli.cap_help")
        ),
        station: str | None = typer.Option(None, "--station", help=t("auto_accept.cli.station_help")),
        this_console: bool = typer.Option(
            False, "--this-console", help=t("auto_accept.cli.this_console_help")
        ),
        force: bool = typer.Option(False, "--force", help=t("auto_accept.cli.force_help")),
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        import asyncio

        from o2o_tui.device import device_name
        from o2o_tui.domain.auto_accept import AutoAcceptBody
        from o2o_tui.sync.perform import perform
        from o2o_tui.sync.read_model import ReadModel

        if switch is not None and switch.lower() not in ("on", "off"):
            raise fail(t("auto_accept.cli.bad_switch", value=switch), Exit.USAGE)
        if station is not None and this_console:
            raise fail(t("auto_accept.cli.both_station", value=switch), Exit.USAGE)
        fill_new_cache(profile)  # a profile just logged in: its store, kept for the next offline look
        if switch is None and cap is None and station is None and not this_console:
            _show(profile, as_json)
            return
        with handle_errors(), cache_errors(), cli_cache(profile) as (chosen, cache):
            store_id = _store_id(chosen)
            if this_console:
                station = device_name(chosen.name)
            elif station and station.strip() and not force:
                current = ReadModel(cache).store(store_id)
                kept = current.auto_accept.station if current is not None else ""
                _check_station(chosen, store_id, station.strip(), {device_name(chosen.name), kept})
            body = AutoAcceptBody(
                enabled=None if switch is None else switch.lower() == "on",
                daily_cap=cap,
                station=station,
            )
            _checked(body)
            result = asyncio.run(perform(chosen, cache, "store.auto_accept", store_id, body, online=online))
            model = ReadModel(cache)
            store = model.store(store_id)
            done = _done_message(store, [view.order for view in model.orders()], device_name(chosen.name))
        extra = {"auto_accept": _builtins(store.auto_accept)} if as_json and store is not None else None
        report_outcome(result, as_json=as_json, online=online, done_message=done, extra=extra)


def _check_station(profile: Any, store_id: str, station: str, allowed: set[str]) -> None:
    """A station the platform has heard from (a console that asked under that name), this device or the current
    one; any other name is a usage error that lists the known ones (a typo would leave nobody accepting)."""
    import asyncio

    from o2o_tui.auto_accept import state_call
    from o2o_tui.client.errors import PlatformError
    from o2o_tui.safe_text import safe_text
    from o2o_tui.sync.session import make_client

    if station in allowed:
        return

    async def ask() -> list[str]:
        async with make_client(profile, timeout=5.0) as client:
            answer = await client.call(state_call(store_id))
            return list(answer.devices)

    shown = safe_text(repr(station), one_line=True)
    try:
        known = asyncio.run(ask())
    except PlatformError:
        warn(t("auto_accept.cli.unchecked_station", name=shown), "station_unchecked", style="")
        return
    if station in known:
        return
    names = ", ".join(safe_text(name, one_line=True) for name in known) or t("auto_accept.cli.no_known")
    raise fail(t("auto_accept.cli.unknown_station", name=shown, known=names), Exit.USAGE)


def _checked(body: Any) -> None:
    """The body's own bounds (the station name's length), as the platform checks them: a usage error here."""
    import msgspec

    from o2o_tui.domain.auto_accept import AutoAcceptBody

    try:
        msgspec.json.decode(msgspec.json.encode(body), type=AutoAcceptBody)
    except msgspec.ValidationError as error:
        raise fail(str(error), Exit.USAGE) from None


def _builtins(value: Any) -> Any:
    import msgspec

    return msgspec.to_builtins(value)


def make_station(url: str, token: str, store_id: str, device: str) -> None:
    """The demo's console becomes its store's printing station (auto-accept stays off until someone turns it on)."""
    import uuid

    import httpx

    httpx.put(
        f"{url}/v1/stores/{store_id}/auto-accept",
        json={"station": device},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
        timeout=10,
    ).raise_for_status()
