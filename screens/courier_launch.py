"""Build the courier handheld's source for a profile and run the screen. Textual is imported only in `run`."""

from __future__ import annotations

from o2o_tui.config import Profile
from screens.courier_source import CourierSource


def open_courier_source(profile: Profile) -> CourierSource:
    """The sync engine on the profile's cache; raises `CacheLockedError` (naming the holder) when another process
    has it, `ValueError` when the profile is not a courier's."""
    if not profile.courier_id:
        raise ValueError("a courier profile is needed")
    from o2o_tui.sync.session import open_cache

    cache = open_cache(profile)

    def connect() -> tuple[object, object]:
        from o2o_tui.sync.session import make_client, make_engine

        client = make_client(profile)
        return make_engine(profile, cache, client), client

    source = CourierSource(cache, profile.courier_id, connect)
    source.prime()
    return source


def run_courier_console(profile: Profile, *, ascii_only: bool | None = None) -> None:
    from o2o_tui.settings import load_settings
    from screens.courier_app import CourierApp

    app = CourierApp(open_courier_source(profile), ascii_only=ascii_only, keymap=load_settings().keymap)
    app.run(mouse=False)
