"""The platform client: typed httpx calls with strict msgspec decoding and typed errors.

`PlatformClient` (blocking: CLI, simulator, scripts) and `AsyncPlatformClient` (TUI, sync engine) share the
request table (`calls`), the action table (`actions.ACTIONS`) and the answer handling (`wire`).
"""

from __future__ import annotations

from o2o_tui.client.aio import AsyncPlatformClient
from o2o_tui.client.sync import PlatformClient

__all__ = ["AsyncPlatformClient", "PlatformClient"]
