"""Whose data a cache holds: the role and the store or courier it is tied to."""

from __future__ import annotations

import msgspec

from o2o_tui.domain.events import EntityKind
from o2o_tui.domain.identity import Me, Role

_CACHED_KINDS: dict[Role, frozenset[EntityKind]] = {
    Role.MERCHANT: frozenset({EntityKind.ORDER, EntityKind.STORE, EntityKind.MENU, EntityKind.COURIER}),
    Role.DISPATCHER: frozenset(EntityKind),
    Role.COURIER: frozenset({EntityKind.COURIER, EntityKind.DELIVERY}),
    Role.CUSTOMER: frozenset({EntityKind.ORDER}),
    Role.ADMIN: frozenset(EntityKind),
}


class Scope(msgspec.Struct, frozen=True):
    role: Role
    store_id: str | None = None
    courier_id: str | None = None

    @classmethod
    def from_me(cls, me: Me) -> Scope:
        return cls(role=me.role, store_id=me.store_id, courier_id=me.courier_id)

    @property
    def sees_store(self) -> bool:
        return self.store_id is not None and self.role in (Role.MERCHANT, Role.DISPATCHER, Role.ADMIN)

    @property
    def sees_fleet(self) -> bool:
        return self.role in (Role.MERCHANT, Role.DISPATCHER, Role.ADMIN)

    @property
    def sees_deliveries(self) -> bool:
        return self.role in (Role.COURIER, Role.DISPATCHER, Role.ADMIN)

    def caches(self, kind: EntityKind) -> bool:
        """Whether this scope keeps entities of `kind` (events of other kinds are not fetched)."""
        return kind in _CACHED_KINDS.get(self.role, frozenset(EntityKind))
