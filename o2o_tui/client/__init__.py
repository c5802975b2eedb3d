"""The platform client: typed httpx calls with strict msgspec decoding and typed errors.

`PlatformClient` (blocking: CLI, simulator, scripts) and `AsyncPlatformClient` (TUI, sync engine) share the
request table (`calls`), the action table (`actions.ACTIONS`) and the answer handling (`wire`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from o2o_tui.client.aio import AsyncPlatformClient
    from o2o_tui.client.sync import PlatformClient

__all__ = ["AsyncPlatformClient", "PlatformClient"]


def __getattr__(name: str) -> Any:
    # imported at first use: httpx costs ~100 ms that a command importing only `client.errors` (every CLI
    # module, through cli/common.py) should not pay before it opens a client, nor `o2o menu edit` before its
    # first paint
    if name == "AsyncPlatformClient":
        from o2o_tui.client.aio import AsyncPlatformClient

        return AsyncPlatformClient
    if name == "PlatformClient":
        from o2o_tui.client.sync import PlatformClient

        return PlatformClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
