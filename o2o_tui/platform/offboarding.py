"""Offboarding: disabling a user (and enabling it again), and standing a courier down when it can no longer act.

A disabled user's token is refused (401 `user_disabled`); a staff member then simply cannot log in. A courier
cannot act on what it holds any more, so it is taken off duty at once, by the same path as going off duty
(`fleet.set_courier_state`: its offers are given back, and what it accepted but has not picked up is taken off it
as a dispatcher's unassign does), so dispatch plans those orders anew. Food already picked up stays with its
delivery (no courier can take the bag from another): the dispatch board flags those orders, their courier being
off duty, as it does for any courier gone off duty with food. Off duty, the courier is never suggested, and the
server refuses to assign to it (409 `courier_offline`). Revoking a courier's token stands it down the same way.
"""

from __future__ import annotations

import msgspec
from sqlalchemy import Connection

from o2o_tui.domain.fleet import CourierStatus
from o2o_tui.domain.identity import Role
from o2o_tui.domain.requests import CourierStateBody
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.platform import auth, db, fleet
from o2o_tui.platform.auth import Caller
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.errors import conflict, not_found

# the steps before pickup a disabled courier is relieved of (going off duty does it: `fleet.GIVEN_BACK_OFF_DUTY`)
_RELEASED = fleet.GIVEN_BACK_OFF_DUTY - {DeliveryStatus.PENDING}
# who does it from `o2o admin ...` (the action log names it)
CLI_ADMIN = Caller(user_id="o2o-admin", name="o2o admin", role=Role.ADMIN)


class UserState(msgspec.Struct, frozen=True):
    """The answer to disabling or enabling a user (the API's body and `--json`)."""

    user_id: str
    role: str
    disabled: bool
    changed: bool  # False: it already was so
    courier_id: str | None = None
    # what standing the courier down gave back: offers returned, accepted orders taken off it for reassignment,
    # and the orders whose food it already carries (they stay with it)
    offers_returned: list[str] = msgspec.field(default_factory=list)
    orders_released: list[str] = msgspec.field(default_factory=list)
    orders_kept: list[str] = msgspec.field(default_factory=list)


class StoodDown(msgspec.Struct, frozen=True):
    offers_returned: list[str]
    orders_released: list[str]
    orders_kept: list[str]


def cli_ctx(conn: Connection) -> Ctx:
    return Ctx(conn=conn, caller=CLI_ADMIN, now=db.utcnow())


def stand_down(ctx: Ctx, courier_id: str) -> StoodDown:
    """Take the courier off duty (its offers given back, as going off duty does) and take off it the orders it
    accepted but has not picked up (as an unassign does: nobody holds them, dispatch plans them anew). Food picked
    up stays with it. Run as an admin (`ctx.caller`)."""
    if fleet.load_courier(ctx.conn, courier_id) is None:
        return StoodDown([], [], [])
    held = fleet._active_deliveries(ctx.conn, courier_id)
    # the off-duty path: it gives back the offers and takes off the courier what it accepted but has not picked
    # up (end reason UNASSIGNED); none of it counts as its refusal (an admin's choice, not the courier's)
    fleet.set_courier_state(ctx, courier_id, CourierStateBody(status=CourierStatus.OFFLINE), stood_down=True)
    return StoodDown(
        offers_returned=[d.order_id for d in held if d.status is DeliveryStatus.PENDING],
        orders_released=[d.order_id for d in held if d.status in _RELEASED],
        orders_kept=[d.order_id for d in held if d.status not in fleet.GIVEN_BACK_OFF_DUTY],
    )


def set_user_disabled(ctx: Ctx, user_id: str, disabled: bool) -> UserState:
    """Disable (or enable) `user_id`; a disabled courier is stood down. 404 for an unknown user; an admin may not
    disable itself (it would lock itself out)."""
    auth.require_role(ctx.caller, (Role.ADMIN,))
    user = auth.find_user(ctx.conn, user_id)
    if user is None:
        raise not_found("user")
    if disabled and user.user_id == ctx.caller.user_id:
        raise conflict("an administrator cannot disable itself", code="self_disable")
    if disabled and user.role is Role.ADMIN and not other_admin_can_act(ctx.conn, user_id):
        # from `o2o admin` (no user of its own): nobody could administer the platform over the API any more
        raise conflict("the only administrator that can act: no one could administer the platform", code="last_admin")
    changed = auth.set_disabled(ctx.conn, user_id, disabled, db.iso(ctx.now))
    if changed:
        ctx.record("user", user_id, "disable" if disabled else "enable")
    down = StoodDown([], [], [])
    if disabled and user.courier_id is not None:  # again even when already disabled: an admin may have put it back
        down = stand_down(ctx, user.courier_id)
    return UserState(
        user_id=user_id,
        role=user.role.value,
        disabled=disabled,
        changed=changed,
        courier_id=user.courier_id,
        offers_returned=down.offers_returned,
        orders_released=down.orders_released,
        orders_kept=down.orders_kept,
    )


def other_admin_can_act(conn: Connection, user_id: str) -> bool:
    """Whether an administrator other than `user_id` is neither disabled nor holds a revoked token."""
    return any(
        row.role == Role.ADMIN.value and row.id != user_id and not row.disabled and not row.revoked
        for row in auth.list_users(conn)
    )


def revoke_token(ctx: Ctx, user_id: str) -> UserState | None:
    """Revoke the user's token (`auth.revoke_token`); a courier, which can no longer act, is stood down as a
    disabled one is. None: no such user."""
    user = auth.find_user(ctx.conn, user_id)
    if user is None or not auth.revoke_token(ctx.conn, user_id):
        return None
    ctx.record("user", user_id, "revoke_token")
    down = stand_down(ctx, user.courier_id) if user.courier_id is not None else StoodDown([], [], [])
    return UserState(
        user_id=user_id,
        role=user.role.value,
        disabled=auth.is_disabled(ctx.conn, user_id),
        changed=True,
        courier_id=user.courier_id,
        offers_returned=down.offers_returned,
        orders_released=down.orders_released,
        orders_kept=down.orders_kept,
    )
