"""`o2o deliveries` and `o2o duty`: the courier's side for scripts. List and show read the offline cache (route
order, the same as the handheld screen); every courier action goes through the outbox (pushed at once, queued when
offline), with the exit codes of the order commands.

Kept light: the read commands import only the cache and the read model (no engine, no Textual).
"""

from __future__ import annotations

from typing import Any

import typer

from o2o_tui.cli.common import JsonOption, ProfileOption, fill_new_cache, handle_errors
from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import emit_error, emit_json, fail, json_wanted, say
from o2o_tui.cli.reason_words import Reason, listed, pick, reasons
from o2o_tui.cli.sync import OnlineOption, cache_errors, cli_cache, report_outcome, say_cache_age
from o2o_tui.i18n import t

IdArgument = typer.Argument(..., help=t("deliveries.arg.id"))

# command name -> the courier step it performs (the handheld's numbered lines use the same steps)
COMMANDS: dict[str, str] = {
    "accept": "delivery.accept",
    "reject": "delivery.reject",
    "arrived": "delivery.arrived_at_merchant",
    "pickup": "delivery.picked_up",
    "arrived-customer": "delivery.arrived_at_customer",
    "deliver": "delivery.delivered",
    "problem": "delivery.problem",
    "return": "delivery.return",
    "returned": "delivery.returned",
    "food-back": "delivery.food_back",  # the food of a refused pickup is back at the store (courier_tasks)
}
_COMMAND_OF = {action: name for name, action in COMMANDS.items()}


# --- who may run these -------------------------------------------------------------------------------------------


def require_courier(profile: Any) -> str:
    """The profile's courier id; any other role is told what it is and what to use instead (exit 2)."""
    if profile.role == "courier" and profile.courier_id:
        return str(profile.courier_id)
    if (wrong := incomplete_profile(profile)) is not None:
        raise fail(wrong, Exit.USAGE)
    hint_key = f"deliveries.hint.{profile.role}"
    hint = t(hint_key)
    if hint == hint_key:
        hint = t("deliveries.hint.other")
    raise fail(
        t("deliveries.error.not_courier", profile=profile.name, role=role_label(profile.role), hint=hint),
        Exit.USAGE,
    )


def incomplete_profile(profile: Any) -> str | None:
    """What is missing from a profile written (or edited) by hand: its role, or the courier a courier's names;
    None when it is whole. Said instead of "a courier profile is not a courier's"."""
    if not str(profile.role or "").strip():
        return t("deliveries.error.no_role", profile=profile.name, url=profile.url or "URL")
    if profile.role == "courier" and not profile.courier_id:
        return t("deliveries.error.no_courier_id", profile=profile.name, url=profile.url or "URL")
    return None


def role_label(role: str) -> str:
    """`merchant` -> "merchant" / "商家" (an unknown role as it is)."""
    key = f"deliveries.role.{role}"
    label = t(key)
    return role if label == key else label


# --- reading the cache -------------------------------------------------------------------------------------------


def _problem_reasons() -> tuple[Reason, ...]:
    """A courier's problems as the handheld words them (`handheld.problem.<CODE>`): `--reason` takes the code (any
    case) or those words in either language."""
    from o2o_tui.domain.fleet import ProblemReason

    return reasons(ProblemReason, "handheld.problem.{code}")


def _number(delivery: Any) -> str:
    return f"#{delivery.order_number:04d}"


def _status(status: Any) -> str:
    return t("deliveries.status." + str(status).lower())


def _ended_why(delivery: Any) -> str | None:
    """Why a CANCELLED delivery ended (`end_reason`: REASSIGNED, UNASSIGNED, ORDER_CANCELLED, ...) when there are
    words for it, as the handheld has them (`handheld.heading.*`, `handheld.ended.*`); None for any other status,
    a server too old to say, or a reason added later (the plain status is said then)."""
    why = getattr(delivery, "end_reason", None)
    if str(delivery.status) != "CANCELLED" or not why or "." in why:
        return None
    key = f"handheld.ended.{why}"
    return str(why) if t(key) != key else None


def _status_of(delivery: Any) -> str:
    """The delivery's status as the list says it: a delivery taken off the courier reads "Reassigned" / "Taken off
    you", not "CANCELLED" (the handheld's heading words)."""
    why = _ended_why(delivery)
    return t(f"handheld.heading.{why}") if why else _status(delivery.status)


def _ended_line(delivery: Any) -> str | None:
    """The handheld's "ended" sentence: who took the delivery away and where it went, or that the order was
    cancelled and why (its reason code in words); None when the platform does not say."""
    why = _ended_why(delivery)
    if why is None:
        return None
    code = getattr(delivery, "cancel_reason_code", None)
    if why == "ORDER_CANCELLED" and code:
        from o2o_tui.figures_text import reason_name  # the handheld's and the queue's words for these codes

        return t("handheld.ended.ORDER_CANCELLED.why", reason=reason_name(code))
    return t(f"handheld.ended.{why}")


def _clock(delivery: Any, moment: Any) -> str:
    from o2o_tui.domain.fleet import store_clock

    return store_clock(delivery, moment) or "--:--"


def _ready(delivery: Any) -> str:
    """The delivery's ready time on the pickup store's clock, with its day when that is not today there ("tomorrow
    12:00", "12-09 12:00"): a courier must not go today for an order of a later day."""
    if delivery.ready_at is None:
        return "--:--"
    from datetime import UTC, datetime

    from o2o_tui.domain.clock import day_clock, zone_named

    return day_clock(delivery.ready_at, zone_named(delivery.store_timezone), datetime.now(UTC))


def _pending(cache: Any, delivery_id: str) -> list[str]:
    return [entry.action for entry in cache.outbox.pending_for(delivery_id)]


def _in_hand(cache: Any) -> set[str]:
    """The deliveries whose food a refused pickup left with the courier (the handheld's bring-back tasks)."""
    from o2o_tui.courier_tasks import foods_in_hand

    return foods_in_hand(cache.outbox.conflicts())


def _brings_back(delivery: Any, in_hand: set[str]) -> bool:
    from o2o_tui.courier_tasks import brings_back

    return brings_back(delivery, in_hand)


def _next_commands(delivery: Any, bring_back: bool = False) -> list[str]:
    from o2o_tui.courier_tasks import steps_for

    if bring_back:
        return [_COMMAND_OF[COMMANDS["food-back"]]]
    return [_COMMAND_OF[step.value] for step in steps_for(delivery.status)]


def _store_of(delivery: Any) -> str:
    from o2o_tui.safe_text import safe_text

    return safe_text(delivery.store_name or delivery.pickup.text or "-", one_line=True)


def _summary(delivery: Any, pending: list[str], bring_back: bool = False) -> str:
    from o2o_tui.safe_text import safe_text

    if bring_back:  # the task left once the delivery ended: the store is all it needs (the customer is gone)
        number, store = _number(delivery), _store_of(delivery)
        line = t("deliveries.row_bring_back", number=number, store=store, id=delivery.id)
        if pending:
            line += "  " + t("deliveries.pending", actions=", ".join(_label(a) for a in pending))
        return line
    status = _status_of(delivery)
    if _unconfirmed(delivery, pending):  # "DELIVERED (not yet confirmed)  ...  queued: delivery"
        status = t("deliveries.status_unconfirmed", status=status)
    line = t(
        "deliveries.row",
        number=_number(delivery),
        status=status,
        store=safe_text(delivery.store_name or delivery.pickup.text, one_line=True),
        ready=_ready(delivery),
        address=safe_text(delivery.dropoff.text, one_line=True),
        id=delivery.id,
    )
    if pending:
        line += "  " + t("deliveries.pending", actions=", ".join(_label(a) for a in pending))
    return line


def _label(action: str) -> str:
    from o2o_tui.sync.explain import action_label

    return action_label(action)


def _row(delivery: Any, pending: list[str], bring_back: bool = False) -> dict[str, Any]:
    import msgspec

    data = msgspec.to_builtins(delivery)
    data["display_number"] = _number(delivery)
    data["pending_actions"] = pending
    data["is_pending"] = bool(pending)
    data["bring_back"] = bring_back  # the food is with the courier: back to the store, then `food-back`
    data["next_commands"] = _next_commands(delivery, bring_back)
    return data


def _shown(cache: Any, *, include_ended: bool) -> list[Any]:
    """Active deliveries in route order, then the bring-back tasks (ended, food in hand), then the ones a queued
    step ended here (delivered, returned, rejected offline): listed, marked queued, until the platform confirms
    the step, as the handheld keeps them; then (`include_ended`) the other ended ones."""
    from o2o_tui.courier_tasks import brings_back, is_active, route_order
    from o2o_tui.sync.read_model import ReadModel

    in_hand = _in_hand(cache)
    shown = route_order(ReadModel(cache).deliveries(), include_ended=True, bring_back=in_hand)
    if include_ended:
        return shown
    return [d for d in shown if is_active(d) or brings_back(d, in_hand) or _unconfirmed(d, _pending(cache, d.id))]


# the steps that end a delivery (the handheld's ending steps): queued, the delivery ends here before the platform
# hears of it (a food-back queued on a delivery the platform ended is not one: that task is done here)
_ENDING = frozenset({COMMANDS["reject"], COMMANDS["deliver"], COMMANDS["returned"]})


def _unconfirmed(delivery: Any, pending: list[str]) -> bool:
    """Ended only here, by an ending step still queued: not done until the platform confirms it."""
    from o2o_tui.courier_tasks import is_active

    return not is_active(delivery) and not _ENDING.isdisjoint(pending)


def _lookup(cache: Any, reference: str) -> Any:
    """The delivery a person means (`ReadModel.resolve_delivery`: its id, a unique id prefix of 4+ characters or
    the order's day number); None when nothing matches. A reference that names several is a usage error."""
    from o2o_tui.sync.read_model import ReadModel

    model = ReadModel(cache)
    text = reference.strip()
    found = model.resolve_delivery(text)
    if found.ambiguous and found.number is not None:
        _refuse_shared_number(cache, model, text, found.candidates)
    if found.ambiguous:
        raise fail(t("deliveries.error.ambiguous", ref=text, count=len(found.candidates)), Exit.USAGE)
    return next((d for d in model.deliveries() if d.id == found.found), None)


def _refuse_shared_number(cache: Any, model: Any, reference: str, delivery_ids: tuple[str, ...]) -> None:
    """Exit 2 listing the active deliveries that carry the day number named: numbers are per store and per day,
    so a platform courier carrying orders of two stores (or one for later) may hold two #0012."""
    by_id = {d.id: d for d in model.deliveries()}
    active = [by_id[i] for i in delivery_ids if i in by_id]
    lines = [t("deliveries.error.ambiguous_number", ref=reference, count=len(active))]
    lines += [_summary(d, _pending(cache, d.id)) for d in active]
    raise fail("\n".join(lines), Exit.USAGE)


def _find(cache: Any, reference: str) -> Any:
    found = _lookup(cache, reference)
    if found is None:
        raise fail(t("deliveries.error.not_found", ref=reference), Exit.NOT_FOUND)
    return found


def _never_synced(cache: Any) -> bool:
    from o2o_tui.sync import tables

    return cache.meta_get(tables.META_LAST_SYNC_AT, None) is None


def _command_ref(cache: Any, delivery: Any) -> str:
    """How a suggested command names `delivery`: its day number when that number names this delivery and no
    other (`ReadModel.resolve_delivery`), else its id (a platform courier may hold two #0007 of two stores)."""
    from o2o_tui.sync.read_model import ReadModel

    number = _number(delivery)
    return number if ReadModel(cache).resolve_delivery(number).found == delivery.id else str(delivery.id)


def _show_lines(delivery: Any, pending: list[str], bring_back: bool = False, ref: str | None = None) -> list[str]:
    """`ref`: how the suggested commands name the delivery (`_command_ref`; its day number without it)."""
    from o2o_tui.courier_tasks import is_active
    from o2o_tui.safe_text import safe_text

    lines = [_summary(delivery, pending, bring_back), t("deliveries.show.id", id=delivery.id)]
    ended = _ended_line(delivery)
    if ended:
        lines.append(ended)
    if bring_back:
        lines.append(t("deliveries.show.bring_back", store=_store_of(delivery)))
    store = safe_text(delivery.store_name or "-", one_line=True)
    address = safe_text(delivery.pickup.text, one_line=True).strip()
    if address:
        lines.append(t("deliveries.show.pickup", store=store, address=address))
    else:  # a store with no address: its name alone, no dangling ", "
        lines.append(t("deliveries.show.pickup_store", store=store))
    lines.append(t("deliveries.show.ready", at=_ready(delivery)))
    personal = (delivery.dropoff.text, delivery.customer_name, delivery.customer_phone)
    if not is_active(delivery) and not any(text.strip() for text in personal):
        lines.append(t("deliveries.show.personal_removed"))  # the platform blanks them once a delivery ended
    else:
        lines.append(t("deliveries.show.dropoff", address=safe_text(delivery.dropoff.text, one_line=True)))
        lines.append(
            t(
                "deliveries.show.customer",
                name=safe_text(delivery.customer_name, one_line=True),
                phone=safe_text(delivery.customer_phone, one_line=True),
            )
        )
    if delivery.note:
        lines.append(t("deliveries.show.note", note=safe_text(delivery.note, one_line=True)))
    for problem in delivery.problems:
        lines.append(
            t(
                "deliveries.show.problem",
                reason=t("deliveries.reason." + str(problem.reason).lower()),
                at=_clock(delivery, problem.occurred_at),
                note=safe_text(problem.note, one_line=True),
            ).rstrip()
        )
    commands = _next_commands(delivery, bring_back)
    if commands:
        ref = ref or _number(delivery)
        lines.append(t("deliveries.show.next", commands=", ".join(_usage(c, ref) for c in commands)))
    return lines


_ARGUMENTS = {"pickup": " --code CODE", "deliver": " --code CODE", "problem": " --reason REASON"}


def _usage(command: str, ref: str) -> str:
    return f"o2o deliveries {command} {ref}{_ARGUMENTS.get(command, '')}"


# --- acting ------------------------------------------------------------------------------------------------------


def _act(
    profile_name: str | None,
    reference: str,
    command: str,
    body_factory: Any,
    *,
    online: bool,
    as_json: bool,
    check: Any = None,
) -> None:
    """`check(cache, delivery)`: refuses the action before anything is sent (it raises), given the delivery."""
    import asyncio

    from o2o_tui.sync.perform import Outcome, perform, refresh

    action = COMMANDS[command]
    with handle_errors(), cache_errors(), cli_cache(profile_name) as (profile, cache):
        require_courier(profile)
        if (
            _lookup(cache, reference) is None
        ):  # not cached yet (a fresh profile, a brand-new offer): pull first
            asyncio.run(refresh(profile, cache))
        delivery = _find(cache, reference)
        if command == "food-back":
            _require_ended(delivery)
        if check is not None:
            check(cache, delivery)
        result = asyncio.run(perform(profile, cache, action, delivery.id, body_factory(), online=online))
        if command == "food-back" and result.outcome in (Outcome.DONE, Outcome.QUEUED):
            _food_is_back(cache, delivery.id)
        after = _lookup(cache, delivery.id) or delivery
        pending = _pending(cache, after.id)
        bring_back = _brings_back(after, _in_hand(cache))
        if result.outcome is Outcome.REJECTED and result.reason is not None:
            _say_which_store(cache, after, result)
    extra = {"delivery": _row(after, pending, bring_back)} if as_json else None
    message = t(
        f"deliveries.done.{command.replace('-', '_')}", number=_number(after), status=_status(after.status)
    )
    if result.outcome is Outcome.REJECTED and not as_json:
        say(_summary(after, pending, bring_back))
    report_outcome(result, as_json=as_json, online=online, done_message=message, extra=extra)


def _say_which_store(cache: Any, delivery: Any, result: Any) -> None:
    """A refusal about a day number another cached order has too (a platform courier's #0005 of two stores)
    names the store: "Golden Dumplings #0005: ..." (`shared_number_store`); as it was otherwise."""
    from o2o_tui.cli.sync import shared_number_store
    from o2o_tui.sync.explain import explain
    from o2o_tui.sync.read_model import ReadModel

    store = shared_number_store(ReadModel(cache).deliveries(), delivery)
    if store:
        result.explanation = explain(result.reason, action=result.action, target=result.target, name=store)


def _not_reported_before(reason: Any, note: str) -> Any:
    """A refusal of a problem with the same reason and note that waits in the outbox (the command run twice
    offline: `_queued_at`, the handheld's check), or that the platform recorded on the delivery less than
    `courier_tasks.SAME_REPORT_S` from now (`reported_before`, the handheld's rule: any of its problems, not only
    the latest): the command run twice, which would be sent under a key of its own each time. Exit 4 with when it
    was queued or reported, nothing sent or queued; another reason or note, or the same one later, is a new report.
    (The platform records such a repeat once too, from another device or an older client.)"""

    def check(cache: Any, delivery: Any) -> None:
        from datetime import UTC, datetime

        from o2o_tui.cli.sync import shared_number_store
        from o2o_tui.courier_tasks import reported_before
        from o2o_tui.sync.read_model import ReadModel

        at = _queued_at(cache, delivery.id, reason, note)
        what, outcome, field = "queued_before", "already_queued", "queued_at"
        if at is None:
            at = reported_before(delivery, reason, note, datetime.now(UTC))
            what, outcome, field = "reported_before", "already_reported", "reported_at"
        if at is None:
            return
        store = shared_number_store(ReadModel(cache).deliveries(), delivery)
        key = f"deliveries.error.{what}" + (".store" if store else "")
        said = t(
            key,
            number=_number(delivery),
            store=store,
            reason=t("deliveries.reason." + str(reason.value).lower()),
            at=_clock(delivery, at),
        )
        if not json_wanted():
            raise fail(said, Exit.REJECTED)
        when = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        # the one shape of every refusal (README): `reason` with its code, `sent: false` as o2o refused it itself
        details = {"reason": {"code": outcome}, "sent": False, field: when}
        emit_error(said, Exit.REJECTED, outcome=outcome, delivery_id=delivery.id, **details)
        raise typer.Exit(int(Exit.REJECTED))

    return check


def _queued_at(cache: Any, delivery_id: str, reason: Any, note: str) -> Any:
    """When this very problem (the same reason and note) on the delivery was queued, while it still waits to be
    sent (as the handheld's `CourierSource.queued_at`); None when it is not waiting."""
    import contextlib
    from datetime import UTC, datetime

    from o2o_tui.client.actions import encode_body
    from o2o_tui.domain.requests import ProblemBody

    action = COMMANDS["problem"]
    wanted = encode_body(action, ProblemBody(reason=reason, note=note)).decode("utf-8")
    for entry in cache.outbox.pending_for(delivery_id):
        if entry.action == action and entry.body == wanted:
            with contextlib.suppress(ValueError):
                at = datetime.fromisoformat(str(entry.occurred_at).replace("Z", "+00:00"))
                return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
            return datetime.now(UTC)
    return None


def _require_ended(delivery: Any) -> None:
    """`food-back` is for a delivery that ended with its food in the courier's hands: an active one still has its
    own steps (`return`, `returned` take food back to the store), so it is refused here (exit 2)."""
    from o2o_tui.domain.transitions import DeliveryStatus

    if str(delivery.status) != DeliveryStatus.CANCELLED.value:
        raise fail(
            t("deliveries.error.food_back_active", number=_number(delivery), status=_status_of(delivery)),
            Exit.USAGE,
        )


def _food_is_back(cache: Any, delivery_id: str) -> None:
    """The courier said the food is back (done, or queued to be sent): the refused steps on this delivery leave
    the conflicts list, and the bring-back task with them (as on the handheld, `CourierSource.food_back`)."""
    for entry in cache.outbox.conflicts():
        if entry.action.startswith("delivery.") and entry.target.split("/")[0] == delivery_id:
            cache.outbox.dismiss(entry.key)


def _duty(profile_name: str | None, on: bool, *, online: bool, as_json: bool) -> None:
    import asyncio

    from o2o_tui.domain.fleet import CourierStatus
    from o2o_tui.domain.requests import CourierStateBody
    from o2o_tui.sync.perform import perform
    from o2o_tui.sync.read_model import ReadModel

    with handle_errors(), cache_errors(), cli_cache(profile_name) as (profile, cache):
        courier_id = require_courier(profile)
        body = CourierStateBody(status=CourierStatus.IDLE if on else CourierStatus.OFFLINE)
        result = asyncio.run(perform(profile, cache, "courier.state", courier_id, body, online=online))
        courier = next((c for c in ReadModel(cache).couriers() if c.id == courier_id), None)
    extra = None
    if as_json and courier is not None:
        import msgspec

        extra = {"courier": msgspec.to_builtins(courier)}
    message = t("deliveries.duty.now_on" if on else "deliveries.duty.now_off")
    if on and courier is not None and result.outcome.value == "done":  # off duty: its status only says it again
        message += t(
            "deliveries.duty.status", status=t("couriers.status." + str(courier.status).lower())
        )
    report_outcome(result, as_json=as_json, online=online, done_message=message, extra=extra)


def register(app: typer.Typer) -> None:
    """Add `deliveries` and `duty` to the root app."""
    deliveries = typer.Typer(help=t("deliveries.help"), no_args_is_help=True)
    app.add_typer(deliveries, name="deliveries")

    @deliveries.command("list", help=t("deliveries.list.help"))
    def list_deliveries(
        include_ended: bool = typer.Option(False, "--all", help=t("deliveries.option.all")),
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        with handle_errors(), cache_errors():
            with cli_cache(profile, read_only=True) as (chosen, cache):
                require_courier(chosen)
                first_time = _never_synced(cache)
            if first_time:
                fill_new_cache(profile, say_answered_errors=True)  # a profile just logged in: pulled once first, as the store commands do
            with cli_cache(profile, read_only=True) as (_, cache):
                in_hand = _in_hand(cache)
                shown = [
                    (d, _pending(cache, d.id), _brings_back(d, in_hand))
                    for d in _shown(cache, include_ended=include_ended)
                ]
                never = _never_synced(cache)
                if not never:
                    say_cache_age(cache)  # nothing refreshed it for minutes: as of when
        if as_json:
            emit_json([_row(d, pending, back) for d, pending, back in shown])
            return
        if never:
            say(t("deliveries.list.never_synced"))
        elif not shown:
            say(t("deliveries.list.empty"))
        for delivery, pending, back in shown:
            say(_summary(delivery, pending, back))

    @deliveries.command("show", help=t("deliveries.show.help"))
    def show(
        delivery_id: str = IdArgument, profile: str | None = ProfileOption, as_json: bool = JsonOption
    ) -> None:
        with handle_errors(), cache_errors(), cli_cache(profile, read_only=True) as (chosen, cache):
            require_courier(chosen)
            delivery = _find(cache, delivery_id)
            pending = _pending(cache, delivery.id)
            bring_back = _brings_back(delivery, _in_hand(cache))
            ref = _command_ref(cache, delivery)
        if as_json:
            emit_json(_row(delivery, pending, bring_back))
            return
        for line in _show_lines(delivery, pending, bring_back, ref):
            say(line)

    def simple(name: str) -> None:
        @deliveries.command(name, help=t(f"deliveries.{name.replace('-', '_')}.help"))
        def command(
            delivery_id: str = IdArgument,
            online: bool = OnlineOption,
            profile: str | None = ProfileOption,
            as_json: bool = JsonOption,
        ) -> None:
            from o2o_tui.domain.requests import EmptyBody

            _act(profile, delivery_id, name, EmptyBody, online=online, as_json=as_json)

    def with_code(name: str) -> None:
        @deliveries.command(name, help=t(f"deliveries.{name}.help"))
        def command(
            delivery_id: str = IdArgument,
            code: str = typer.Option(..., "--code", help=t(f"deliveries.option.code_{name}")),
            online: bool = OnlineOption,
            profile: str | None = ProfileOption,
            as_json: bool = JsonOption,
        ) -> None:
            from o2o_tui.domain.requests import CodeBody

            if not code.strip():  # said here, never sent as a wrong code that counts toward the lock
                raise fail(t(f"deliveries.error.empty_code_{name}"), Exit.USAGE)
            _act(
                profile,
                delivery_id,
                name,
                lambda: CodeBody(code=code.strip()),
                online=online,
                as_json=as_json,
            )

    for name in ("accept", "reject", "arrived"):
        simple(name)
    with_code("pickup")
    simple("arrived-customer")
    with_code("deliver")

    @deliveries.command("problem", help=t("deliveries.problem.help"))
    def problem(
        delivery_id: str = IdArgument,
        reason: str = typer.Option(
            ..., "--reason", help=t("deliveries.option.reason", choices=listed(_problem_reasons()))
        ),
        note: str = typer.Option("", "--note", help=t("deliveries.option.note")),
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        from o2o_tui.domain.fleet import ProblemReason
        from o2o_tui.domain.requests import ProblemBody

        chosen = ProblemReason(pick(reason, _problem_reasons(), "deliveries.error.reason"))
        _act(
            profile,
            delivery_id,
            "problem",
            lambda: ProblemBody(reason=chosen, note=note),
            online=online,
            as_json=as_json,
            check=_not_reported_before(chosen, note),
        )

    simple("return")
    simple("returned")
    simple("food-back")

    @app.command("duty", help=t("deliveries.duty.help"))
    def duty(
        state: str = typer.Argument(..., help=t("deliveries.duty.arg"), metavar="on|off"),
        online: bool = OnlineOption,
        profile: str | None = ProfileOption,
        as_json: bool = JsonOption,
    ) -> None:
        wanted = state.strip().lower()
        if wanted not in ("on", "off"):
            raise fail(t("deliveries.duty.bad", state=state), Exit.USAGE)
        _duty(profile, wanted == "on", online=online, as_json=as_json)
