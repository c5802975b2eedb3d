"""What each role may see of an entity: phone numbers masked, codes withheld, a store's public fields only."""

from __future__ import annotations

import msgspec

from o2o_tui.domain.fleet import Delivery
from o2o_tui.domain.geo import Address
from o2o_tui.domain.identity import Role
from o2o_tui.domain.order import CustomerContact, Order
from o2o_tui.domain.phone_mask import mask_phone_runs
from o2o_tui.domain.store import HoursException, OpeningHours, Store, StoreState
from o2o_tui.platform.auth import Caller


def mask_phone(phone: str) -> str:
    """At most the last four characters and, on a mobile-length number (11 or more), the first three stay:
    `13812345678` -> `138****5678`, `62345678` -> `****5678`; short numbers keep only their last two. Never more
    than 7 of 11 shown (the convention customers know), and never the greater part of a shorter number."""
    digits = phone.strip()
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) >= 8:
        return "*" * (len(digits) - 4) + digits[-4:]
    if len(digits) > 2:
        return "*" * (len(digits) - 2) + digits[-2:]
    return "*" * len(digits)


def order_view(order: Order, caller: Caller, customer_id: str) -> Order:
    if caller.role is Role.ADMIN:
        return order
    if caller.role not in (Role.MERCHANT, Role.DISPATCHER) and order.food_with_courier is not None:
        # which courier carries the food back is the store's business, not the customer's (nor another courier's)
        order = msgspec.structs.replace(order, food_with_courier=None)
    if caller.role not in (Role.MERCHANT, Role.DISPATCHER) and order.refused_by:
        # which couriers said no to the order is for the staff who dispatch it (live dispatch avoids them), not the
        # customer's business, nor another courier's (nor a lever for the courier offered it next)
        order = msgspec.structs.replace(order, refused_by=[])
    if caller.role not in (Role.MERCHANT, Role.DISPATCHER):
        order = _without_staff_ids(order)
    # the store's own bookkeeping (which device's accept stood) is for the store's devices only
    accept_key = order.accept_key if caller.role in (Role.MERCHANT, Role.DISPATCHER) else None
    if caller.role is Role.CUSTOMER and order.delivery_problem is not None and order.delivery_problem.note:
        # the courier's words on its problem are for the store (as `food_with_courier`): the reason code only
        order = msgspec.structs.replace(
            order, delivery_problem=msgspec.structs.replace(order.delivery_problem, note="")
        )
    if caller.role is Role.CUSTOMER and caller.user_id == customer_id:
        return msgspec.structs.replace(order, accept_key=None) if order.accept_key is not None else order
    customer = order.customer
    masked = CustomerContact(name=customer.name, phone=mask_phone(customer.phone), address=customer.address)
    pickup_code = None if caller.role is Role.COURIER else order.pickup_code
    shown = msgspec.structs.replace(
        order, customer=masked, delivery_code=None, pickup_code=pickup_code, accept_key=accept_key
    )
    return _courier_order_text(shown) if caller.role is Role.COURIER else shown


def _without_staff_ids(order: Order) -> Order:
    """Which staff member refunded or answered a chase (their user ids) is the store's business: the customer
    (and a courier) reads who as `by_role` and the answer itself, never a staff account's id."""
    refunds = [msgspec.structs.replace(r, by="") if r.by else r for r in order.refunds]
    chases = [msgspec.structs.replace(c, answered_by=None) if c.answered_by is not None else c for c in order.chases]
    if refunds == order.refunds and chases == order.chases:
        return order
    return msgspec.structs.replace(order, refunds=refunds, chases=chases)


def _address_masked(address: Address | None) -> Address | None:
    if address is None:
        return None
    text = mask_phone_runs(address.text)
    return address if text == address.text else msgspec.structs.replace(address, text=text)


def _courier_order_text(order: Order) -> Order:
    """A courier reads the customer's free text with the phone numbers written into it masked, as the phone
    field is (`o2o_tui/domain/phone_mask.py`): the note, each line's note, the address and name."""
    customer = order.customer
    return msgspec.structs.replace(
        order,
        note=mask_phone_runs(order.note),
        lines=[msgspec.structs.replace(line, note=mask_phone_runs(line.note)) for line in order.lines],
        customer=msgspec.structs.replace(
            customer, name=mask_phone_runs(customer.name), address=_address_masked(customer.address)
        ),
    )


def delivery_view(delivery: Delivery, caller: Caller) -> Delivery:
    """The phone masked for all but admin; for the courier, also the phone numbers the customer wrote into the
    note, the drop-off address or the name. The store's dispatcher reads that text as the customer wrote it."""
    if caller.role is Role.ADMIN:
        return delivery
    shown = msgspec.structs.replace(delivery, customer_phone=mask_phone(delivery.customer_phone))
    if caller.role is not Role.COURIER:
        return shown
    dropoff = _address_masked(delivery.dropoff)
    assert dropoff is not None
    return msgspec.structs.replace(
        shown,
        note=mask_phone_runs(delivery.note),
        dropoff=dropoff,
        customer_name=mask_phone_runs(delivery.customer_name),
    )


class PublicStore(msgspec.Struct, frozen=True):
    """What a customer (and any store listing for customers) sees of a store: name, address with its position,
    state (a pause past its end reads ONLINE; an open store outside its hours reads CLOSED), opening hours and
    their dated exceptions in the store's time zone, currency. Never the status reason, staff settings or
    fleet."""

    id: str
    name: str
    address: Address
    currency: str
    timezone: str
    state: StoreState
    opening_hours: list[OpeningHours] = []
    hours_exceptions: list[HoursException] = []


def public_store(store: Store, state: StoreState) -> PublicStore:
    return PublicStore(
        id=store.id,
        name=store.name,
        address=store.address,
        currency=store.currency,
        timezone=store.timezone,
        state=state,
        opening_hours=store.opening_hours,
        hours_exceptions=store.hours_exceptions,
    )


def store_view(store: Store, caller: Caller, state: StoreState) -> Store | PublicStore:
    """The whole store for its staff and admin; the public fields for anyone else."""
    if caller.role in (Role.ADMIN, Role.MERCHANT, Role.DISPATCHER):
        return store
    return public_store(store, state)
