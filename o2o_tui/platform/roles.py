"""Which roles may ever call a route, checked before anything of the request is read.

A route names the roles that may call it in its `opt` (`opt=may(Role.MERCHANT)`: admin too, unless `admin=False`
for what only the party itself does: a customer's purchase, a courier's food brought back).
`role_guard`, the app's first guard, authenticates the caller (401) and refuses any other role with 403 before the
other guards run and before Litestar decodes the body or the query: a role that may never do an action hears so,
not that its body was malformed (a 422 would invite it to fix the body and try again). Whatever depends on more
than the role (another store's order: 404; a merchant of a store without its own fleet: 403) is still the
service's to decide, and the services keep their own role checks too.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from o2o_tui.domain.identity import Role
from o2o_tui.platform.errors import forbidden
from o2o_tui.platform.state import Platform

ROLES_OPT = "roles"


def may(*roles: Role, admin: bool = True) -> dict[str, Any]:
    """A route's `opt` naming the roles that may ever call it (and admin, unless `admin` is False)."""
    return {ROLES_OPT: frozenset((*roles, Role.ADMIN) if admin else roles)}


def allowed_roles(handler: BaseRouteHandler) -> frozenset[Role] | None:
    """The roles a route names (None: the route does not restrict roles)."""
    roles = handler.opt.get(ROLES_OPT)
    return roles if isinstance(roles, frozenset) else None


def role_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """401 without a valid token, 403 for a role the route does not name; nothing for a route that names none."""
    roles = allowed_roles(handler)
    if roles is None:
        return
    platform: Platform = connection.app.state.platform
    caller = platform.caller_of(connection.headers.get("authorization"))
    if caller.role not in roles:
        raise forbidden()
