"""Which roles may ever call a route, checked before anything of the request is read.

A route names the roles that may call it in its `opt` (`opt=may(Role.MERCHANT)`: admin too, unless `admin=False`
for what only the party itself does: a customer's purchase, a courier's food brought back).
`role_guard`, the app's first guard, authenticates the caller (401) and refuses any other role with 403 before the
other guards run and before Litestar decodes the body or the query: a role that may never do an action hears so,
not that its body was malformed (a 422 would invite it to fix the body and try again). Whatever depends on more
than the role (another store's order: 404; a merchant of a store without its own fleet: 403) is still the
service's to decide, and the services keep their own role checks too.

A request with a body meets admission (admission.py) before the app: it asks `route_roles` with the caller its
token names, so a role that may never call the route hears this 403 before the body's size (413) or a wait for a
body slot, as it does with a chunked body or none.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException
from litestar.handlers.base import BaseRouteHandler
from litestar.utils import normalize_path

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


def route_roles(app: Any, method: str, path: str) -> frozenset[Role] | None:
    """The roles the route `app` (the Litestar app) answers `method path` with names, as `role_guard` reads them;
    None when the route names none, or there is no such route or method (the app answers its 404 or 405)."""
    router = getattr(app, "asgi_router", None)
    if router is None:  # not the Litestar app (a test's bare ASGI app): the app's own guard decides
        return None
    try:
        _asgi, handler, *_ = router.handle_routing(
            path=normalize_path(path), method="GET" if method == "HEAD" else method
        )
    except HTTPException:
        return None
    return allowed_roles(handler)
