"""What a courier does next: deliveries in route order and the numbered actions each one offers.

One source for the handheld screen and the `o2o deliveries` commands, so a digit on the keypad and a command name
always mean the same action. No Textual here.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from o2o_tui.domain.fleet import Delivery, DeliveryProblem
from o2o_tui.domain.transitions import DELIVERY_ENDED, DeliveryStatus


class CourierStep(enum.StrEnum):
    """One thing a courier can do to a delivery; the value is the outbox action (or a screen of its own)."""

    ACCEPT = "delivery.accept"
    REJECT = "delivery.reject"
    ARRIVED_AT_MERCHANT = "delivery.arrived_at_merchant"
    PICKED_UP = "delivery.picked_up"  # asks the pickup code
    ARRIVED_AT_CUSTOMER = "delivery.arrived_at_customer"
    DELIVERED = "delivery.delivered"  # asks the customer's delivery code
    PROBLEM = "delivery.problem"  # asks a reason from a numbered list
    RETURN = "delivery.return"
    RETURNED = "delivery.returned"

    @property
    def needs_code(self) -> bool:
        return self in (CourierStep.PICKED_UP, CourierStep.DELIVERED)


_S = DeliveryStatus
_C = CourierStep
# The numbered lines of a task (line 1 is also F2, line 2 F3, line 3 F4). A digit keeps its meaning from one status
# to the next: 1 the most likely next step, 2 the code step taken straight away, 3 report a problem, 4 return to
# the store; a line a status does not have stays empty (None), so the lines after it keep their numbers. Where the
# code step is line 1 (at the store, at the door), 2 opens it too (`digit_line`).
_STEPS: dict[DeliveryStatus, tuple[CourierStep | None, ...]] = {
    _S.PENDING: (_C.ACCEPT, _C.REJECT),
    _S.ACCEPTED: (_C.ARRIVED_AT_MERCHANT, _C.PICKED_UP, _C.PROBLEM),
    _S.ARRIVED_AT_MERCHANT: (_C.PICKED_UP, None, _C.PROBLEM),
    _S.PICKED_UP: (_C.ARRIVED_AT_CUSTOMER, _C.DELIVERED, _C.PROBLEM, _C.RETURN),
    _S.ARRIVED_AT_CUSTOMER: (_C.DELIVERED, None, _C.PROBLEM, _C.RETURN),
    _S.RETURNING: (_C.RETURNED, None, _C.PROBLEM),
}

# Route order: offers wait for an answer first, then the stops on the way to the store, then the drops.
_PHASE: dict[DeliveryStatus, int] = {
    _S.PENDING: 0,
    _S.ARRIVED_AT_MERCHANT: 1,
    _S.ACCEPTED: 2,
    _S.ARRIVED_AT_CUSTOMER: 3,
    _S.PICKED_UP: 4,
    _S.RETURNING: 5,
}


CODE_DIGIT = 2  # the digit that opens the code step wherever a status has one
CODE_DIGITS = 4  # the platform's pickup and delivery codes (o2o_tui/platform/orders.py `_four_digits`)


def digit_line(status: DeliveryStatus, digit: int) -> int | None:
    """The line (1-based) a digit takes on a delivery in `status`, or None where it takes none. `CODE_DIGIT` is
    the code step wherever there is one: its own line on the way, line 1 at the store and at the door (where the
    code is the next step, so line 2 stays empty and `1` and `2` both open it)."""
    lines = step_lines(status)
    if not 1 <= digit <= len(lines):
        return None
    if lines[digit - 1] is not None:
        return digit
    if digit == CODE_DIGIT:
        codes = [n for n, step in enumerate(lines, start=1) if step is not None and step.needs_code]
        return codes[0] if codes else None
    return None


def step_lines(status: DeliveryStatus) -> tuple[CourierStep | None, ...]:
    """The numbered lines of a delivery in `status`, by number (None: that number is empty here)."""
    return _STEPS.get(status, ())


def steps_for(status: DeliveryStatus) -> tuple[CourierStep, ...]:
    """The actions of a delivery in `status` (none once it has ended)."""
    return tuple(step for step in _STEPS.get(status, ()) if step is not None)


def is_active(delivery: Delivery) -> bool:
    return delivery.status not in DELIVERY_ENDED


def given_back_off_duty(delivery: Delivery, queued: Iterable[str] = ()) -> bool:
    """Whether going off duty now gives `delivery` back to the platform: an offer the courier has not answered.
    An answer still queued (`queued`: outbox actions) reaches the platform first, so that offer is not given back."""
    answers = {CourierStep.ACCEPT.value, CourierStep.REJECT.value}
    return delivery.status is DeliveryStatus.PENDING and not answers & set(queued)


def goes_back_off_duty(delivery: Delivery, queued: Iterable[str] = ()) -> bool:
    """Whether going off duty now takes `delivery` off the courier, back to dispatch: accepted (or its accept
    queued) but not picked up, nor its pickup queued (a step still queued reaches the platform first). The platform
    gives back everything not picked up (`platform/fleet.py` `GIVEN_BACK_OFF_DUTY`): the food is still at the
    counter and nobody would come for it. An offer not answered is `given_back_off_duty`'s."""
    steps = set(queued)
    if CourierStep.PICKED_UP.value in steps:
        return False
    if delivery.status is DeliveryStatus.PENDING:
        return CourierStep.ACCEPT.value in steps and CourierStep.REJECT.value not in steps
    return delivery.status in (DeliveryStatus.ACCEPTED, DeliveryStatus.ARRIVED_AT_MERCHANT)


# --- a problem reported again --------------------------------------------------------------------------------------

# The platform keeps one record per request, a request being its Idempotency-Key (docs/api.md, "Headers"): a
# problem sent twice under two keys would be recorded twice. A report of a problem the platform recorded on a
# delivery (same reason, same note) less than this long before or after it is that report again: pressed twice on a
# laggy link, the command run twice, or sent from the courier's two devices (the handheld and the CLI). Any earlier
# one counts, not only the latest (A, then B, then A again is still the first A). One made later is new (nobody
# answers the door ten minutes on either). The devices say so without sending (`reported_before`) and the
# platform records it once (`platform/fleet.py` `report_problem`: 200 with the delivery as it is).
SAME_REPORT_S = 120.0


def earlier_report(
    problems: Iterable[DeliveryProblem], reason: object, note: str, at: datetime
) -> DeliveryProblem | None:
    """The problem among `problems` (a delivery's) that a report of `reason` and `note` made at `at` repeats: the
    same reason and note, recorded less than `SAME_REPORT_S` before or after `at` (the latest such); else None."""
    moment = _aware(at)
    same = [
        (_aware(problem.occurred_at), index, problem)
        for index, problem in enumerate(problems)
        if problem.reason == reason and problem.note == note and problem.occurred_at is not None
        and abs((moment - _aware(problem.occurred_at)).total_seconds()) < SAME_REPORT_S
    ]  # fmt: skip
    return max(same)[2] if same else None


def reported_before(delivery: Delivery, reason: object, note: str, now: datetime) -> datetime | None:
    """When the platform recorded this very problem (`reason` and `note`) on `delivery`, if that was less than
    `SAME_REPORT_S` before `now` (a tap time a little ahead of `now` included: `earlier_report`); else None."""
    earlier = earlier_report(delivery.problems, reason, note, now)
    return _aware(earlier.occurred_at) if earlier is not None and earlier.occurred_at is not None else None


OFF_DUTY = "off-duty"  # stands, in `offers_given_back`'s queue, for a queued going-off-duty


def offers_given_back(offers: Iterable[str], queued: Iterable[tuple[str, str]]) -> set[str]:
    """The offers (delivery ids) a going-off-duty still queued gives back, from the queued actions in the order
    they are sent, as (target, action) pairs with `OFF_DUTY` for a queued off duty: those it reaches the platform
    before an answer to. Going on duty again behind it (offline, both queued) takes none of them back."""
    answers = {CourierStep.ACCEPT.value, CourierStep.REJECT.value}
    answered: set[str] = set()
    for target, action in queued:
        if action == OFF_DUTY:
            return set(offers) - answered
        if action in answers:
            answered.add(target)
    return set()


# --- the food of a refused pickup, still in the courier's hands ---------------------------------------------------

# the courier says the food is back at the store's counter (platform/fleet.py `food_back`)
FOOD_BACK_ACTION = "delivery.food_back"


def food_in_hand(entry: Any) -> str | None:
    """The delivery (its id) whose food a refused pickup (an outbox conflict) left in the courier's hands: the
    platform refused the pickup because the delivery was cancelled (the order cancelled, or the delivery taken off
    the courier) before the pickup arrived. The courier typed the code with the bag at the counter, so the bag is
    with them until they say it is back (`FOOD_BACK_ACTION`). None for any other conflict."""
    rejection = getattr(entry, "rejection", None)
    if getattr(entry, "action", None) != CourierStep.PICKED_UP.value or not isinstance(rejection, dict):
        return None
    if rejection.get("current_status") != DeliveryStatus.CANCELLED.value:
        return None
    return str(entry.target).split("/")[0]


def foods_in_hand(conflicts: Iterable[Any]) -> set[str]:
    """The deliveries whose food is in the courier's hands, from the outbox's conflicts list."""
    return {found for found in map(food_in_hand, conflicts) if found is not None}


def brings_back(delivery: Delivery, in_hand: Iterable[str]) -> bool:
    """Whether `delivery` is a bring-the-food-back task: cancelled under the courier after a refused pickup, its
    food not yet said to be back (`in_hand`: `foods_in_hand` of the conflicts list)."""
    return delivery.status is DeliveryStatus.CANCELLED and delivery.id in set(in_hand)


def _route_key(delivery: Delivery) -> tuple[int, datetime, datetime]:
    phase = _PHASE.get(delivery.status, 9)
    when = (delivery.ready_at or delivery.created_at) if phase <= 2 else delivery.updated_at
    return phase, _aware(when), _aware(delivery.created_at)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def route_order(
    deliveries: Iterable[Delivery], *, include_ended: bool = False, bring_back: Iterable[str] = ()
) -> list[Delivery]:
    """Active deliveries in the order a courier works them; then the ended ones whose food still goes back to the
    store (`bring_back`: their ids, a task still to do); the other ended ones (newest first) after them if asked."""
    items = list(deliveries)
    active = sorted((d for d in items if is_active(d)), key=_route_key)
    in_hand = set(bring_back)
    newest = sorted((d for d in items if not is_active(d)), key=lambda d: _aware(d.updated_at), reverse=True)
    tasks = [d for d in newest if brings_back(d, in_hand)]
    if not include_ended:
        return active + tasks
    return active + tasks + [d for d in newest if not brings_back(d, in_hand)]
