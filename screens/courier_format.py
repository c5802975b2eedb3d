"""What the handheld shows for a task, as plain strings (no Textual): labels, one-line rows, the detail block.

Every value that came from outside (store and customer names, addresses, notes) passes `safe_text` here, and the
screens show these strings only as plain `Text`, never as markup.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from o2o_tui.courier_tasks import CourierStep
from o2o_tui.domain.fleet import Delivery, ProblemReason, store_clock
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text

PROBLEM_REASONS: tuple[ProblemReason, ...] = tuple(ProblemReason)


@dataclass(frozen=True, slots=True)
class Glyphs:
    separator: str
    arrow: str
    queued: str
    refused: str
    down: str  # "more below"


UNICODE = Glyphs(separator=" · ", arrow="→", queued="…", refused="!", down="▼")
ASCII = Glyphs(separator=" - ", arrow="->", queued="~", refused="!", down="v")


def locale_is_utf8(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the terminal's locale can show UTF-8: LC_ALL, else LC_CTYPE, else LANG decides.

    Python itself sets LC_CTYPE=C.UTF-8 when the locale is C or POSIX (PEP 538 locale coercion), so that value
    is not taken as the terminal's word when LANG says C, POSIX or nothing.
    """
    source = os.environ if environ is None else environ
    lang = source.get("LANG", "")
    ctype = source.get("LC_CTYPE", "")
    coerced = ctype == "C.UTF-8" and lang in ("", "C", "POSIX")
    for value in (source.get("LC_ALL", ""), "" if coerced else ctype, lang):
        if value:
            return "utf8" in value.lower().replace("-", "")
    return False


def number_text(delivery: Delivery) -> str:
    return f"#{delivery.order_number:04d}"


def status_label(status: DeliveryStatus) -> str:
    return t(f"handheld.status.{status.value}")


def short_label(status: DeliveryStatus) -> str:
    return t(f"handheld.short.{status.value}")


def step_label(step: CourierStep) -> str:
    return t(f"handheld.step.{step.value}")


def done_text(step: CourierStep, delivery: Delivery) -> str:
    return t(f"handheld.done.{step.value}", number=f"{delivery.order_number:04d}")


def queued_text(delivery: Delivery) -> str:
    """Said for a step taken offline: it is in the outbox, not done, until the platform confirms it."""
    return t("handheld.done_queued", number=f"{delivery.order_number:04d}")


def problem_label(reason: ProblemReason) -> str:
    return t(f"handheld.problem.{reason.value}")


def row_text(index: int | None, delivery: Delivery, *, queued: bool, refused: bool, glyphs: Glyphs) -> str:
    """One task on the list: `1 #0042 OFFER Store name 12:30`; marks queued and refused tasks."""
    mark = glyphs.refused if refused else glyphs.queued if queued else " "
    lead = f"{index}" if index is not None and index <= 9 else " "
    store = safe_text(delivery.store_name or delivery.pickup.text, one_line=True)
    ready = store_clock(delivery, delivery.ready_at)
    parts = [f"{lead}{mark}{number_text(delivery)}", short_label(delivery.status), store]
    if ready and delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.ACCEPTED):
        parts.insert(2, ready)
    return " ".join(p for p in parts if p)


DETAIL_FIELDS = ("ended", "store", "ready", "pickup", "dropoff", "customer", "note", "problems")


def detail_fields(delivery: Delivery, *, ended: bool, glyphs: Glyphs) -> dict[str, str]:
    """The task's details by field (empty when a field has nothing): addresses and notes in full (wrapped by
    the screen), the phone as the server masked it. One line widget per field, so a change repaints one field."""
    store = safe_text(delivery.store_name, one_line=True)
    ready = store_clock(delivery, delivery.ready_at)
    customer = safe_text(delivery.customer_name, one_line=True)
    phone = safe_text(delivery.customer_phone, one_line=True)
    reasons = glyphs.separator.join(problem_label(p.reason) for p in delivery.problems)
    pickup = safe_text(delivery.pickup.text, one_line=True)
    dropoff = safe_text(delivery.dropoff.text, one_line=True)
    return {
        "ended": t("handheld.task.ended") if ended else "",
        "store": f"{t('handheld.field.store')}: {store}" if store else "",
        "ready": f"{t('handheld.field.ready')}: {ready}" if ready else "",
        "pickup": f"{t('handheld.field.pickup')}: {pickup}" if pickup else "",  # a store without an address
        "dropoff": f"{t('handheld.field.dropoff')}: {dropoff}" if dropoff else "",
        "customer": f"{t('handheld.field.customer')}: {customer} {phone}".rstrip(),
        "note": f"{t('handheld.field.note')}: {safe_text(delivery.note)}" if delivery.note else "",
        "problems": f"{t('handheld.field.problems')}: {reasons}" if reasons else "",
    }
