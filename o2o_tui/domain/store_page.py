"""A page of stores: `GET /v1/stores` (admin only), the platform operator's list of every store."""

from __future__ import annotations

import msgspec

from o2o_tui.domain.store import Store


class StorePage(msgspec.Struct, frozen=True):
    """Stores ordered by id; `next_cursor` continues the listing (null at the end)."""

    stores: list[Store]
    next_cursor: str | None = None
