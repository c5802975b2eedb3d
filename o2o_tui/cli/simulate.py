"""`o2o simulate`: customers, couriers and optionally the merchant, against a running platform."""

from __future__ import annotations

import sys
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from o2o_tui.cli.common import JsonOption, ProfileOption, handle_errors, platform_url
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.login import plain_http_to_another_host
from o2o_tui.cli.output import emit_json, fail, say, stderr, warn
from o2o_tui.cli.stop_signals import InterruptOnSignals
from o2o_tui.client import PlatformClient
from o2o_tui.client.errors import PlatformError, Unauthorized
from o2o_tui.config import load_profile
from o2o_tui.i18n import t
from o2o_tui.platform.simulator import SimClock, SimStats, Simulator, run_simulation
from o2o_tui.safe_text import safe_text


def _start_moment(start_time: str | None, timezone: str) -> datetime:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    now = datetime.now(zone)
    if not start_time:
        return now
    try:
        clock = time.fromisoformat(start_time)
    except ValueError:
        raise fail(
            t("simulate.error.start_time", value=safe_text(start_time, one_line=True)), Exit.USAGE
        ) from None
    return now.replace(hour=clock.hour, minute=clock.minute, second=0, microsecond=0)


def stores_in_sight(client: PlatformClient) -> list[str]:
    """The stores an admin token can see without a store list: those of the couriers and of the latest
    orders. A platform seeded with `o2o admin seed-demo` has exactly one, the one to simulate."""
    stores = {courier.store_id for courier in client.list_couriers() if courier.store_id}
    stores |= {order.store_id for order in client.list_orders(limit=200).orders}
    return sorted(stores)


def _require_store_couriers(client: PlatformClient, store_id: str, courier_ids: list[str] | tuple[str, ...]) -> None:
    """`--leave-courier` offers orders through the store's own fleet: a courier id that is not one of the store's
    couriers (a platform courier, a typo) would silently never get one, so it is refused before anything runs."""
    if not courier_ids:
        return
    fleet = {courier.id for courier in client.list_couriers(store_id)}
    unknown = [courier_id for courier_id in courier_ids if courier_id not in fleet]
    if unknown:
        shown = ", ".join(safe_text(courier_id, one_line=True) for courier_id in unknown)
        raise fail(t("simulate.error.not_store_courier", couriers=shown), Exit.USAGE)


def _which_store(client: PlatformClient) -> str:
    """The store to simulate when `--store` is not given: the token's own, else the only one in sight; with
    several (or none) in sight, exit 2 naming them."""
    own = client.me().store_id
    if own:
        return own
    seen = stores_in_sight(client)
    if len(seen) == 1:
        return seen[0]
    named = ", ".join(
        f"{store_id} ({safe_text(client.get_store(store_id).name, one_line=True)})" for store_id in seen
    )
    if not named:
        raise fail(t("simulate.error.no_store"), Exit.USAGE)
    raise fail(t("simulate.error.which_store", stores=named), Exit.USAGE)


def _token_source(ctx: typer.Context, name: str) -> str:
    """Where the value of option `name` came from: "flag", "env", or "" (not given)."""
    # by name: Typer may bring a click of its own, whose ParameterSource is another class than click's
    source = getattr(ctx.get_parameter_source(name), "name", "")
    return {"COMMANDLINE": "flag", "ENVIRONMENT": "env"}.get(source, "")


def _refused_token(client: PlatformClient, customer: bool, token_from: str, profile_name: str) -> str:
    """What to tell a person whose token the platform refused (401), fitting where that token came from: the
    customer token when there is one and the admin token still works, else the admin token (--token, O2O_TOKEN or
    the profile's)."""
    if customer:
        try:
            client.me()
        except PlatformError:  # the admin token is refused too (or no answer to tell): it is the one named
            pass
        else:
            return t("simulate.error.refused.customer")
    if token_from:
        return t(f"simulate.error.refused.{token_from}")
    return t("simulate.error.refused.profile", profile=safe_text(profile_name, one_line=True))


def _status_line(now: datetime, stats: SimStats) -> str:
    return t(
        "simulate.status",
        time=now.strftime("%H:%M"),
        placed=stats.placed,
        active=stats.deliveries_active,
        delivered=stats.delivered,
        cancelled=stats.cancelled,
        errors=stats.errors,
    )


def simulate(
    ctx: typer.Context,
    url: str | None = typer.Option(
        None, "--url", envvar="O2O_URL", callback=platform_url, help=t("simulate.option.url")
    ),
    token: str | None = typer.Option(None, "--token", envvar="O2O_TOKEN", help=t("simulate.option.token")),
    profile: str | None = ProfileOption,
    customer_token: str | None = typer.Option(
        None, "--customer-token", envvar="O2O_CUSTOMER_TOKEN", help=t("simulate.option.customer_token")
    ),
    store: str | None = typer.Option(None, "--store", help=t("simulate.option.store")),
    orders_per_hour: float = typer.Option(
        30.0, "--orders-per-hour", min=0.01, metavar="N", help=t("simulate.option.rate")
    ),
    speed: float = typer.Option(1.0, "--speed", min=0.01, metavar="FACTOR", help=t("simulate.option.speed")),
    seed: int | None = typer.Option(None, "--seed", help=t("simulate.option.seed")),
    count: int | None = typer.Option(None, "--count", min=1, metavar="N", help=t("simulate.option.count")),
    finish: bool = typer.Option(False, "--finish", help=t("simulate.option.finish")),
    auto_merchant: bool = typer.Option(False, "--auto-merchant", help=t("simulate.option.auto_merchant")),
    no_couriers: bool = typer.Option(False, "--no-couriers", help=t("simulate.option.no_couriers")),
    leave_courier: list[str] | None = typer.Option(
        None, "--leave-courier", metavar="COURIER_ID", help=t("simulate.option.leave_courier")
    ),
    start_time: str | None = typer.Option(None, "--start-time", help=t("simulate.option.start_time")),
    auto_dispatch: bool = typer.Option(False, "--auto-dispatch", help=t("simulate.option.auto_dispatch")),
    first_order_after: float | None = typer.Option(
        None, "--first-order-after", min=0.0, metavar="SECONDS", help=t("simulate.option.first_order_after")
    ),
    every: float | None = typer.Option(
        None, "--every", min=0.1, metavar="SECONDS", help=t("simulate.option.every")
    ),
    tick: float = typer.Option(0.5, "--tick", min=0.05, metavar="SECONDS", help=t("simulate.option.tick")),
    timeout: float | None = typer.Option(None, "--timeout", min=0.1, metavar="SECONDS", help=t("simulate.option.timeout")),
    verbose: bool = typer.Option(False, "--verbose", "-v", help=t("simulate.option.verbose")),
    as_json: bool = JsonOption,
) -> None:
    """Simulate customers and couriers against a platform."""
    token_from = _token_source(ctx, "token") if token else ""
    profile_name = ""
    refused: str | None = None  # a token the platform refused while the simulation ran: said after its stats
    with handle_errors():
        if url and plain_http_to_another_host(url):  # said before a token is sent, as `o2o login` says it
            warn(t("login.warning.plain_http", url=safe_text(url, one_line=True)), "plain_http")
        if not url or not token:
            saved = load_profile(profile)
            url, token, profile_name = url or saved.url, token or saved.token, saved.name
        client = PlatformClient(url, token)
        customer_client = PlatformClient(url, customer_token) if customer_token else None
        try:
            store_id = store or _which_store(client)
            platform_store = client.get_store(store_id)
            _require_store_couriers(client, store_id, leave_courier or ())
            clock = SimClock(_start_moment(start_time, platform_store.timezone), speed)
            live = sys.stderr.isatty() and not as_json

            def log(message: str) -> None:
                if verbose:
                    stderr.print(safe_text(message), markup=False, highlight=False)

            def on_tick(now: datetime, stats: SimStats) -> None:
                if live:
                    sys.stderr.write("\r" + _status_line(now, stats) + "\x1b[K")
                    sys.stderr.flush()

            simulator = Simulator(
                client,
                store_id=store_id,
                seed=seed,
                orders_per_hour=orders_per_hour,
                auto_merchant=auto_merchant,
                couriers=not no_couriers,
                customer_client=customer_client,
                max_orders=count,
                burst=count is not None,
                log=log,
                leave_couriers=leave_courier or (),
                auto_dispatch=auto_dispatch,
                # wall seconds, as a person watching the screen counts them
                first_order_after=None
                if first_order_after is None
                else timedelta(seconds=first_order_after * speed),
                order_every=None if every is None else timedelta(seconds=every * speed),
            )
            try:
                with InterruptOnSignals():  # SIGTERM (as `o2o demo` stops it) ends it as Ctrl-C does: with its stats
                    stats = run_simulation(
                        simulator,
                        clock,
                        tick_seconds=tick,
                        finish=finish,
                        timeout_seconds=timeout,
                        on_tick=on_tick,
                    )
            except KeyboardInterrupt:
                stats = simulator.stats
            except Unauthorized:  # revoked or rotated meanwhile: no call can succeed any more (exit 5, as on 401)
                stats = simulator.stats
                refused = _refused_token(client, customer_client is not None, token_from, profile_name)
            if live:
                sys.stderr.write("\n")
        except Unauthorized:  # refused from the start: nothing was simulated
            message = _refused_token(client, customer_client is not None, token_from, profile_name)
            raise fail(message, Exit.AUTH) from None
        finally:
            client.close()
            if customer_client is not None:
                customer_client.close()
    if as_json:
        emit_json(stats)
    else:
        say(_status_line(clock.now(), stats) + " " + t("simulate.seed", seed=stats.seed))
    if refused is not None:
        raise fail(refused, Exit.AUTH)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("simulate", help=t("simulate.help"))(simulate)
