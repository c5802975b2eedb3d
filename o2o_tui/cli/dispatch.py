"""`o2o couriers` and `o2o dispatch`: the store's fleet, the dispatch engine's suggestions, assigning by hand,
and `dispatch auto` that runs the policy every minute. `o2o dispatch` alone opens the dispatch board.

Dispatch works on live data, so these commands talk to the platform directly (no offline queue): without the
link they exit with 3. The engine (numpy, scipy) and Textual are imported only inside the commands that use them.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import typer

from o2o_tui.cli.common import JsonOption, ProfileOption, from_group, handle_errors, open_client
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.need_terminal import require_terminal
from o2o_tui.cli.output import emit_json, emit_warning, fail, say, stdout_gone, written
from o2o_tui.cli.stop_signals import InterruptOnSignals
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text

FLEET_ROLES = frozenset({"dispatcher", "merchant", "admin"})
# `o2o dispatch --store S suggest` as `o2o dispatch suggest --store S` (as `--profile`)
StoreOption = typer.Option(None, "--store", callback=from_group, help=t("dispatch.option.store"))
OrderArgument = typer.Argument(..., help=t("dispatch.arg.order"))
CourierArgument = typer.Argument(..., help=t("dispatch.arg.courier"))


def _now() -> datetime:
    return datetime.now(UTC)


def fleet_profile(profile_name: str | None, store: str | None) -> tuple[Any, str]:
    """(profile, store id) for a profile allowed to dispatch (dispatcher, merchant of an own fleet, admin)."""
    from o2o_tui.config import load_profile

    with handle_errors():
        profile = load_profile(profile_name)
    if profile.role not in FLEET_ROLES:  # a command for another role: say what this one uses (exit 2)
        hint_key = f"dispatch.hint.{profile.role}"
        hint = t(hint_key)
        if hint == hint_key:
            hint = t("dispatch.hint.other")
        from o2o_tui.cli.deliveries import role_label

        raise fail(t("dispatch.error.role", role=role_label(profile.role), hint=hint), Exit.USAGE)
    store_id = store or profile.store_id
    if not store_id:
        raise fail(t("dispatch.error.no_store", profile=profile.name), Exit.USAGE)
    return profile, store_id


@contextmanager
def fleet_session(profile_name: str | None, store: str | None) -> Iterator[tuple[Any, Any, str]]:
    """(profile, blocking client, store id); platform errors become a message and their exit code."""
    profile, store_id = fleet_profile(profile_name, store)
    with handle_errors(), open_client(profile) as client:
        yield profile, client, store_id


def _clock(when: datetime | None, zone: ZoneInfo | None) -> str:
    if when is None:
        return "--:--"
    return (when.astimezone(zone) if zone else when).strftime("%H:%M")


def _day_clock(when: datetime, zone: ZoneInfo | None, now: datetime) -> str:
    """`when` on the store's clock, with its day when that is not today there ("tomorrow 12:00", "12-09 12:00"):
    an order for a later day, a courier free after midnight, never read as today's (`day_clock`)."""
    from o2o_tui.domain.clock import day_clock

    return day_clock(when, zone or when.tzinfo, now)


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return None


def _number(value: int) -> str:
    return f"#{value:04d}"


def _suggestion_line(suggestion: Any, zone: ZoneInfo | None, now: datetime | None = None) -> str:
    """An order's suggestion in one line; its pickup and drop-off with their day when that is not today on the store's
    clock (after midnight: "tomorrow 00:10"), `now` the plan's (this moment when None)."""
    now = now or _now()
    if suggestion.stale_minutes is not None:  # planned from an old position: not "leave now", and it says why
        when = t("dispatch.commit.stale", age=_age_text(suggestion.stale_minutes))
    else:
        when = t("dispatch.commit.now") if suggestion.commit else t("dispatch.commit.tentative")
    return t(
        "dispatch.suggest.line",
        number=_number(suggestion.order_number),
        courier=safe_text(suggestion.courier_name, one_line=True),
        pickup=_day_clock(suggestion.pickup_at, zone, now),
        dropoff=_day_clock(suggestion.dropoff_at, zone, now),
        when=when,
    )


def _reassigning(suggestion: Any, state: Any, zone: ZoneInfo | None) -> str:
    """What a suggestion for an order its courier cannot go on with is: a reassignment, and why (and, when held,
    that a person decides it)."""
    if state is None or state.courier_id is None or state.problem is None:
        return ""
    said = t("dispatch.suggest.reassign", problem=problem_text(state.problem, None, zone))
    # a refusal says "a person decides" itself
    held = suggestion.held and not getattr(suggestion, "refused", False)
    return said + t("dispatch.suggest.held") if held else said


def _refused_before(suggestion: Any) -> str:
    """What a suggestion to a courier who rejected the order before is (the only courier on duty who could take
    it): said, with that a person decides; nothing for any other suggestion."""
    if not getattr(suggestion, "refused", False):
        return ""
    return t("dispatch.suggest.refused", courier=safe_text(suggestion.courier_name, one_line=True))


def picked_up_refusal(order: Any, couriers: list[Any], role: str | None = None) -> str:
    """Why an order whose courier has the food cannot go to another courier, and what to do instead: what `role`
    can do (a dispatcher cannot cancel an order: it asks the store to), and that the courier is to be called when
    it went off duty with the food."""
    from o2o_tui.domain.fleet import CourierStatus

    number = _number(order.number)
    holder = next((c for c in couriers if c.id == order.courier_id), None)
    name = safe_text(holder.name if holder is not None else order.courier_id or "-", one_line=True)
    returning = getattr(order, "delivery_status", None) == "RETURNING"
    if returning:
        key = "dispatch.assign.returning"
    else:
        key = "dispatch.assign.picked_up_ask_store" if role == "dispatcher" else "dispatch.assign.picked_up"
    said = t(key, number=number, courier=name)
    if holder is not None and holder.status is CourierStatus.OFFLINE:
        said = t("dispatch.assign.holder_off_duty", courier=name, message=said)
    return said


def waiting_after(plan: Any, assigned: list[Any]) -> int:
    """`dispatch auto`'s "waiting": the plan's delivery orders that still have no courier after this round (those
    it just assigned not counted; one it took from an off-duty courier was not counted anyway)."""
    sent = {s.order_id for s in assigned}
    return sum(1 for o in plan.orders if o.courier_id is None and o.order_id not in sent)


def _age_text(minutes: int) -> str:
    if minutes < 120:
        return t("couriers.position.minutes", n=minutes)
    return t("couriers.position.hours", n=minutes // 60)


def _position_age(state: Any, now: datetime) -> str:
    from o2o_tui.live_dispatch import STALE_POSITION_MINUTES, position_age_minutes

    minutes = position_age_minutes(state, now)
    if minutes is None:
        return t("couriers.position.unknown" if state.position is None else "couriers.position.undated")
    age = _age_text(minutes)
    return t("couriers.position.stale", age=age) if minutes >= STALE_POSITION_MINUTES else age


def _free_text(free_at: datetime | None, zone: ZoneInfo | None, now: datetime) -> str:
    """"free now", "free at 12:40", or that it is not known (off duty, or no position to plan from)."""
    if free_at is None:
        return t("couriers.free.unknown")
    if free_at <= now:
        return t("couriers.free.now")
    return t("couriers.free.at", at=_day_clock(free_at, zone, now))


def problem_text(reason: str, at: datetime | None, zone: ZoneInfo | None) -> str:
    """A courier's problem in the words it picked it with, and when ("Vehicle problem at 12:03")."""
    from o2o_tui.safe_text import safe_text

    key = f"handheld.problem.{reason}"
    words = t(key)
    words = safe_text(reason, one_line=True) if words == key else words
    # the day too when it was reported before today on the store's clock ("yesterday 23:50")
    return t("ui.courier_problem.value", reason=words, at=_day_clock(at, zone, _now())) if at else words


def _courier_line(state: Any, zone: ZoneInfo | None, now: datetime) -> str:
    numbers = ", ".join(_number(n) for n in state.order_numbers) or "-"
    line = _courier_text(state, zone, now, numbers)
    if state.problem is not None and state.problem_order is not None:
        problem = problem_text(state.problem, None, zone)
        line += t("couriers.problem", number=_number(state.problem_order), problem=problem)
    if state.returning:  # food in its bag it must bring back (a refused pickup's, a return's): before anything else
        line += t("dispatch.couriers.food_of", numbers=", ".join(_number(n) for n in state.returning))
    return line


def _food_with(state: Any) -> str:
    """After an order's line: a courier who no longer holds it still has its food (a refused pickup), so whoever is
    sent for it waits for that food to come back; "" when nobody has it."""
    name = getattr(state, "food_with_courier", None) if state is not None else None
    if not name:
        return ""
    return t("dispatch.suggest.food_with_courier", name=safe_text(name, one_line=True))


def _offered_line(state: Any, plan: Any) -> str:
    """An order offered to a courier who has not answered yet: to whom and for how long, marked late past
    `LATE_OFFER_MINUTES`; "" for any other order (or when the platform does not say when it was offered)."""
    from o2o_tui.live_dispatch import offer_age_minutes, offer_late

    minutes = offer_age_minutes(getattr(state, "offered_at", None), plan.now)
    if minutes is None:
        return ""
    holder = next((c.name for c in plan.couriers if c.courier_id == state.courier_id), state.courier_id or "-")
    key = "dispatch.suggest.offered_late" if offer_late(minutes) else "dispatch.suggest.offered"
    return t(key, number=_number(state.order_number), courier=safe_text(holder, one_line=True), minutes=minutes)


def _courier_text(state: Any, zone: ZoneInfo | None, now: datetime, numbers: str) -> str:
    from o2o_tui.live_dispatch import shown_status

    return t(
        "couriers.line",
        name=safe_text(state.name, one_line=True),
        status=t("couriers.status." + shown_status(state)),
        load=state.load,
        capacity=state.capacity,
        free=_free_text(state.free_at, zone, now),
        orders=numbers,
        position=_position_age(state, now),
        id=state.courier_id,
    )


def _resolve_order(client: Any, orders: list[Any], reference: str) -> Any:
    from o2o_tui.client.errors import NotFound
    from o2o_tui.live_dispatch import SharedNumber, find_order, order_number

    try:
        found = find_order(orders, reference)
    except SharedNumber as shared:
        lines = [t("orders.error.ambiguous_number", ref=reference.strip(), count=len(shared.orders))]
        lines += [t("orders.error.candidate", id=o.id, summary=_order_summary(o)) for o in shared.orders]
        raise fail("\n".join(lines), Exit.USAGE) from None
    if found is None and order_number(reference) is None:
        try:
            found = client.get_order(reference.strip())
        except NotFound:
            found = None
    if found is None:
        raise fail(t("dispatch.error.no_order", ref=safe_text(reference, one_line=True)), Exit.NOT_FOUND)
    return found


def _order_summary(order: Any) -> str:
    from o2o_tui.domain.money import format_money
    from o2o_tui.domain.transitions import shown_status

    return t(
        "orders.row",
        number=order.display_number,
        status=t("orders.status." + shown_status(order.status, order.type).lower()),
        type=t("orders.type." + str(order.type).lower()),
        total=format_money(order.totals.total),
        customer=safe_text(order.customer.name, one_line=True),
    )


def _resolve_courier(couriers: list[Any], reference: str) -> Any | None:
    """The courier of the store's fleet this reference names (an id or a name). None: none of the fleet, but it
    reads as a courier id, which the platform may know: a platform courier (no store), which any store may assign
    but no store can list, so only the assignment itself can tell."""
    import re

    from o2o_tui.domain.limits import ID_PATTERN
    from o2o_tui.live_dispatch import find_courier

    matches = find_courier(couriers, reference)
    if not matches and re.match(ID_PATTERN, reference.strip()):
        return None
    if not matches:
        raise fail(t("dispatch.error.no_courier", ref=safe_text(reference, one_line=True)), Exit.NOT_FOUND)
    if len(matches) > 1:
        names = ", ".join(f"{safe_text(c.name, one_line=True)} ({c.id})" for c in matches)
        raise fail(
            t("dispatch.error.ambiguous_courier", ref=safe_text(reference, one_line=True), names=names),
            Exit.USAGE,
        )
    return matches[0]


def _courier_changed(number: str, detail: Any, command: str = "assign") -> str:
    """`dispatch assign` (or `unassign`) refused (409 `courier_changed`): who holds the order now, and whether
    they answered."""
    holder = getattr(detail, "courier_id", None)
    if holder is None:  # only an assignment is refused so: nobody holding it is what a take-back wants
        return t("dispatch.assign.courier_changed.nobody", number=number)
    name = safe_text(getattr(detail, "courier_name", None) or holder, one_line=True)
    status = str(getattr(detail, "delivery_status", None) or "")
    stage = t(f"ui.courier_stage.{status}")
    if stage == f"ui.courier_stage.{status}":
        stage = safe_text(status, one_line=True)
    key = "offered" if status == "PENDING" else "accepted"
    return t(f"dispatch.{command}.courier_changed.{key}", number=number, holder=name, stage=stage)


def _courier_name(client: Any, courier_id: str) -> str:
    """A platform courier's name, readable by the store once it carries one of the store's orders (else its id)."""
    from o2o_tui.client.errors import PlatformError

    try:
        return str(client.get_courier(courier_id).name)
    except PlatformError:
        return courier_id


def assign_suggestions(
    client: Any, suggestions: list[Any], holders: dict[str, str | None] | None = None
) -> tuple[list[Any], list[tuple[Any, str]]]:
    """Send each suggestion as an assignment: (assigned, [(refused, why)]). Link failures propagate. `holders`:
    the courier each order had when the plan was made (missing: none), sent as the assignment's precondition, so
    an order another courier took meanwhile stays theirs (409 `courier_changed`); None: no precondition."""
    import msgspec

    from o2o_tui.client.errors import Unreachable
    from o2o_tui.domain.requests import AssignBody

    done: list[Any] = []
    refused: list[tuple[Any, str]] = []
    for suggestion in suggestions:
        expect = msgspec.UNSET if holders is None else holders.get(suggestion.order_id)
        body = AssignBody(courier_id=suggestion.courier_id, expect_courier_id=expect)
        try:
            client.act("order.assign", suggestion.order_id, body)
        except Unreachable:
            raise
        except Exception as error:  # a refusal of one order must not stop the others
            message = error.i18n_message() if hasattr(error, "i18n_message") else str(error)
            refused.append((suggestion, message))
            continue
        done.append(suggestion)
    return done, refused


def free_after(plan: Any, assigned: list[Any], now: datetime) -> int:
    """Couriers free now that this round did not just give an order to."""
    busy = {s.courier_id for s in assigned}
    return sum(
        1 for c in plan.couriers if c.free_at is not None and c.free_at <= now and c.courier_id not in busy
    )


class StatusLine:
    """One line that a terminal rewrites in place (a log line per update when stdout is not a terminal). Once
    stdout is closed (`>&-`) or its reader left (`| head -1`) nothing more is written (`output.written`): no
    traceback, and `stdout_gone()` says so."""

    def __init__(self) -> None:
        self.live = sys.stdout is not None and sys.stdout.isatty()
        self._shown = False

    @staticmethod
    def _write(text: str) -> None:
        def write() -> None:
            sys.stdout.write(text)
            sys.stdout.flush()

        written(write)

    def show(self, text: str) -> None:
        text = safe_text(text, one_line=True)
        if self.live:
            self._write("\r\x1b[K" + text)
            self._shown = True
        else:
            self._write(text + "\n")

    def log(self, text: str) -> None:
        """A line that stays (above the status line)."""
        if self.live and self._shown:
            self._write("\r\x1b[K")
            self._shown = False
        self._write(safe_text(text, one_line=True) + "\n")

    def close(self) -> None:
        if self.live and self._shown:
            self._write("\n")
            self._shown = False


def _held_line(suggestion: Any, plan: Any, zone: ZoneInfo | None) -> str:
    """A GO NOW reassignment `dispatch auto` leaves to a person: what it is, why, and the command that sends it."""
    state = next((o for o in plan.orders if o.order_id == suggestion.order_id), None)
    holder = next((c.name for c in plan.couriers if state and c.courier_id == state.courier_id), "")
    problem = problem_text(state.problem, None, zone) if state and state.problem else ""
    number = _number(suggestion.order_number)
    return t(
        "dispatch.auto.held",
        number=number,
        holder=safe_text(holder, one_line=True),
        problem=problem,
        courier=safe_text(suggestion.courier_name, one_line=True),
        command=f"o2o dispatch assign {number} {suggestion.courier_id}",
    )


def _refused_before_line(suggestion: Any) -> str:
    """A GO NOW offer `dispatch auto` does not send because its courier rejected the order before: what it is and
    the command that sends it anyway."""
    number = _number(suggestion.order_number)
    return t(
        "dispatch.auto.refused_before",
        number=number,
        courier=safe_text(suggestion.courier_name, one_line=True),
        command=f"o2o dispatch assign {number} {suggestion.courier_id}",
    )


def _auto(profile: str | None, store: str | None, every: float, once: bool, as_json: bool) -> None:
    from o2o_tui.client.errors import PlatformError
    from o2o_tui.live_dispatch import plan_live, read_fleet

    line = StatusLine()
    told: set[tuple[str, str]] = set()  # held reassignments and offers to a courier who refused, already said
    total = 0
    rounds = 0
    any_refused = False
    # stopped by Ctrl-C or, as a service, by SIGTERM / SIGHUP: the same summary either way
    with fleet_session(profile, store) as (_, client, store_id), InterruptOnSignals():
        try:
            while True:
                rounds += 1
                now = _now()
                try:
                    snapshot = read_fleet(client, store_id)
                    plan = plan_live(snapshot, now)
                    holders = {o.order_id: o.courier_id for o in plan.orders}  # as read: "none" for most
                    done, refused = assign_suggestions(client, plan.automatic, holders)
                except PlatformError as error:
                    if once or error.is_final:
                        raise
                    said = t("dispatch.auto.offline", error=error.i18n_message(), every=f"{every:g}")
                    if as_json:  # stdout keeps only the rounds' objects: the warning goes to stderr, as JSON
                        emit_warning("platform_unreachable", safe_text(said, one_line=True))
                    else:
                        line.show(said)
                    time.sleep(every)
                    continue
                zone = _zone(snapshot.store.timezone)
                # left to a person: a courier who refused the order before says so (not also as held)
                refused_before = [s for s in plan.suggestions if s.commit and s.refused]
                held = [s for s in plan.suggestions if s.commit and s.held and not s.refused]
                total += len(done)
                any_refused = any_refused or bool(refused)
                if as_json:
                    emit_json(
                        {
                            "at": now,
                            "assigned": done,
                            "refused": [{"suggestion": s, "reason": why} for s, why in refused],
                            "tentative": [s for s in plan.suggestions if not s.commit],
                            "held": held,
                            "refused_before": refused_before,
                            "waiting": waiting_after(plan, done),
                        }
                    )
                else:
                    for suggestion in done:
                        line.log(t("dispatch.auto.assigned", line=_suggestion_line(suggestion, zone, now)))
                    for suggestion, why in refused:
                        line.log(
                            t("dispatch.auto.refused", number=_number(suggestion.order_number), reason=why)
                        )
                    for suggestion in held:  # said once per order and courier, not every round
                        if (suggestion.order_id, suggestion.courier_id) not in told:
                            told.add((suggestion.order_id, suggestion.courier_id))
                            line.log(_held_line(suggestion, plan, zone))
                    for suggestion in refused_before:  # said once per order and courier, not every round
                        if (suggestion.order_id, suggestion.courier_id) not in told:
                            told.add((suggestion.order_id, suggestion.courier_id))
                            line.log(_refused_before_line(suggestion))
                    free = free_after(plan, done, now)
                    line.show(
                        t(
                            "dispatch.auto.status",
                            at=_clock(now, zone),
                            round=rounds,
                            assigned=len(done),
                            total=total,
                            waiting=waiting_after(plan, done),
                            free=free,
                            next=t("dispatch.auto.next", every=f"{every:g}") if not once else "",
                        )
                    )
                if once:
                    break
                if stdout_gone():  # its reader left or it was closed: it stops as `o2o sync` does, quietly
                    from o2o_tui.cli.sync_service import OUTPUT_GONE_EXIT

                    line.close()
                    raise typer.Exit(OUTPUT_GONE_EXIT)
                time.sleep(every)
        except KeyboardInterrupt:
            line.close()
            if not as_json:
                say(t("dispatch.auto.stopped", rounds=rounds, total=total))
            return
        finally:
            line.close()
    if once and any_refused:
        raise typer.Exit(int(Exit.REJECTED))


def _no_suggestion(plan: Any) -> str:
    """Why `dispatch suggest` has nothing to suggest: nothing waits (or only past the horizon), no courier is on
    shift, every courier on shift is full, else each order's line below says why."""
    from o2o_tui.domain.fleet import CourierStatus

    waiting = [state for state in plan.orders if state.why not in ("assigned", "planned")]
    if not waiting:
        return t("dispatch.suggest.empty.nothing_waiting")
    if all(state.why == "later" for state in waiting):
        return t("dispatch.suggest.empty.later")
    on_shift = [c for c in plan.couriers if c.status is not CourierStatus.OFFLINE]
    if not on_shift:
        return t("dispatch.suggest.empty.no_courier")
    if all(c.load >= c.capacity for c in on_shift):
        return t("dispatch.suggest.empty.all_full", couriers=len(on_shift))
    return t("dispatch.suggest.empty.see_lines")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    couriers = typer.Typer(help=t("couriers.help"), no_args_is_help=True)
    dispatch = typer.Typer(help=t("dispatch.help"), invoke_without_command=True)
    app.add_typer(couriers, name="couriers")
    app.add_typer(dispatch, name="dispatch")

    @couriers.command("list", help=t("couriers.list.help"))
    def list_couriers(
        store: str | None = StoreOption, profile: str | None = ProfileOption, as_json: bool = JsonOption
    ) -> None:
        from o2o_tui.live_dispatch import plan_live, read_fleet

        with fleet_session(profile, store) as (_, client, store_id):
            snapshot = read_fleet(client, store_id)
        plan = plan_live(snapshot, _now())
        if as_json:
            emit_json(plan.couriers)
            return
        if not plan.couriers:
            say(t("couriers.list.empty"))
        zone = _zone(snapshot.store.timezone)
        for state in plan.couriers:
            say(_courier_line(state, zone, plan.now))

    @dispatch.callback()
    def board(
        ctx: typer.Context, store: str | None = StoreOption, profile: str | None = ProfileOption
    ) -> None:
        if ctx.invoked_subcommand is not None:
            return
        chosen, store_id = fleet_profile(profile, store)
        require_terminal("o2o dispatch")
        from screens.dispatch_board import run_dispatch_board

        run_dispatch_board(chosen, store_id)

    @dispatch.command("suggest", help=t("dispatch.suggest.help"))
    def suggest(
        store: str | None = StoreOption, profile: str | None = ProfileOption, as_json: bool = JsonOption
    ) -> None:
        from o2o_tui.live_dispatch import plan_live, read_fleet

        with fleet_session(profile, store) as (_, client, store_id):
            snapshot = read_fleet(client, store_id)
        plan = plan_live(snapshot, _now())
        if as_json:
            emit_json(plan)
            return
        zone = _zone(snapshot.store.timezone)
        if not plan.suggestions:
            say(_no_suggestion(plan))
        states = {state.order_id: state for state in plan.orders}
        for suggestion in plan.suggestions:
            order_state = states.get(suggestion.order_id)
            said = _suggestion_line(suggestion, zone, plan.now) + _reassigning(suggestion, order_state, zone)
            say(said + _refused_before(suggestion) + _food_with(order_state))
        for state in plan.orders:
            if state.why in (
                "later",
                "no_location",
                "no_store_location",
                "bad_location",
                "no_courier",
                "no_position",
                "courier_offline",
                "courier_problem",
                "returning",
                "stuck",
                "off_duty_with_food",
            ):
                holder = next((c.name for c in plan.couriers if c.courier_id == state.courier_id), "")
                courier_name = safe_text(holder or state.courier_id or "-", one_line=True)
                say(
                    t(
                        "dispatch.suggest.unplanned",
                        number=_number(state.order_number),
                        ready=_day_clock(state.ready_at, zone, plan.now),  # "tomorrow 12:00": a later day's
                        why=t("dispatch.why." + state.why, courier=courier_name),
                    )
                    + _food_with(state)
                )
            else:
                offered = _offered_line(state, plan)  # an offer not answered yet: how long it has waited
                if offered:
                    say(offered + _food_with(state))

    @dispatch.command("assign", help=t("dispatch.assign.help"))
    def assign(
        order: str = OrderArgument,
        courier: str = CourierArgument,
        force: bool = typer.Option(False, "--force", help=t("dispatch.option.force")),
        store: str | None = StoreOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        import msgspec

        from o2o_tui.client.errors import Conflict, NotFound
        from o2o_tui.domain.requests import AssignBody
        from o2o_tui.live_dispatch import read_fleet

        with fleet_session(profile, store) as (chosen_profile, client, store_id):
            snapshot = read_fleet(client, store_id)
            chosen_order = _resolve_order(client, snapshot.orders, order)
            chosen_courier = _resolve_courier(snapshot.couriers, courier)
            courier_id = courier.strip() if chosen_courier is None else chosen_courier.id
            name = safe_text(courier_id if chosen_courier is None else chosen_courier.name, one_line=True)
            # the holder just read, as a precondition (--force: none): one who took it since keeps it
            expect = msgspec.UNSET if force else chosen_order.courier_id
            try:
                body = AssignBody(courier_id=courier_id, expect_courier_id=expect)
                delivery = client.act("order.assign", chosen_order.id, body)
            except NotFound:
                if chosen_courier is not None:
                    raise
                ref = safe_text(courier_id, one_line=True)  # not the fleet's, and not a platform courier either
                raise fail(t("dispatch.error.no_courier_anywhere", ref=ref), Exit.NOT_FOUND) from None
            except Conflict as refused:
                number = _number(chosen_order.number)
                if refused.code == "already_picked_up":
                    said = picked_up_refusal(chosen_order, snapshot.couriers, chosen_profile.role)
                    raise fail(said, Exit.REJECTED) from None
                if refused.code == "not_accepted":
                    raise fail(t("dispatch.assign.not_accepted", number=number), Exit.REJECTED) from None
                if refused.code == "courier_changed":
                    raise fail(_courier_changed(number, refused.detail), Exit.REJECTED) from None
                if refused.code in ("courier_offline", "courier_full"):
                    key = "dispatch.assign." + refused.code
                    raise fail(t(key, number=number, courier=name), Exit.REJECTED) from None
                raise
            if chosen_courier is None and not as_json:
                name = safe_text(_courier_name(client, courier_id), one_line=True)
        # the platform answers the delivery the courier already held when the order was theirs: nothing changed
        unchanged = chosen_order.delivery_id is not None and delivery.id == chosen_order.delivery_id
        if as_json:
            emit_json({**msgspec.to_builtins(delivery), "outcome": "unchanged" if unchanged else "done"})
            return
        key = "dispatch.assign.unchanged" if unchanged else "dispatch.assign.done"
        say(t(key, number=_number(chosen_order.number), courier=name))

    @dispatch.command("unassign", help=t("dispatch.unassign.help"))
    def unassign(
        order: str = OrderArgument,
        force: bool = typer.Option(False, "--force", help=t("dispatch.option.force_unassign")),
        store: str | None = StoreOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        import msgspec

        from o2o_tui.client.errors import Conflict
        from o2o_tui.domain.requests import UnassignBody
        from o2o_tui.live_dispatch import read_fleet

        with fleet_session(profile, store) as (chosen_profile, client, store_id):
            snapshot = read_fleet(client, store_id)
            chosen_order = _resolve_order(client, snapshot.orders, order)
            # the holder just read, as a precondition (--force: none): a courier who got it since keeps it
            expect = msgspec.UNSET if force else chosen_order.courier_id
            try:
                body = UnassignBody(expect_courier_id=expect)
                updated = client.act("order.unassign", chosen_order.id, body)
            except Conflict as refused:
                if refused.code == "courier_changed":
                    said = _courier_changed(_number(chosen_order.number), refused.detail, "unassign")
                    raise fail(said, Exit.REJECTED) from None
                if refused.code != "already_picked_up":
                    raise
                said = picked_up_refusal(chosen_order, snapshot.couriers, chosen_profile.role)
                raise fail(said, Exit.REJECTED) from None
        # nobody held it (as read, and no courier could have got it since unless --force): the platform answers the
        # order as it was, nothing changed
        had_none = chosen_order.courier_id is None and chosen_order.delivery_id is None
        unchanged = (had_none and not force) or updated.version == chosen_order.version
        if as_json:
            emit_json({**msgspec.to_builtins(updated), "outcome": "unchanged" if unchanged else "done"})
            return
        say(t("dispatch.unassign.unchanged" if unchanged else "dispatch.unassign.done", number=_number(updated.number)))

    @dispatch.command("auto", help=t("dispatch.auto.help"))
    def auto(
        every: float = typer.Option(60.0, "--every", min=1.0, help=t("dispatch.option.every")),
        once: bool = typer.Option(False, "--once", help=t("dispatch.option.once")),
        store: str | None = StoreOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        _auto(profile, store, every, once, as_json)
