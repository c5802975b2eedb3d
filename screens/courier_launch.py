"""Build the courier handheld's source for a profile and run the screen. Textual is imported only in `run`."""

from __future__ import annotations

import sys

from o2o_tui.config import Profile
from screens.courier_source import CourierSource


def open_courier_source(profile: Profile) -> CourierSource:
    """The sync engine on the profile's cache; raises `CacheLockedError` (naming the holder) when another process
    has it, `ValueError` when the profile is not a courier's."""
    if not profile.courier_id:
        raise ValueError("a courier profile is needed")
    from o2o_tui.sync.session import open_cache

    cache = open_cache(profile)

    def current() -> Profile:
        """The profile as saved now: `o2o login` run again while the handheld is open gives a new token."""
        from o2o_tui.config import ConfigError, load_profile

        try:
            saved = load_profile(profile.name)
        except ConfigError:  # removed or unreadable meanwhile: keep the login the screen started with
            return profile
        same_user = (saved.url, saved.courier_id) == (profile.url, profile.courier_id)
        return saved if same_user else profile  # another courier's login under this name: not this cache's

    def connect() -> tuple[object, object]:
        from o2o_tui.sync.session import make_client, make_engine

        login = current()
        client = make_client(login)
        return make_engine(login, cache, client), client

    def credentials() -> object:
        return current().token

    source = CourierSource(cache, profile.courier_id, connect, credentials)
    source.prime()
    return source


def run_courier_console(profile: Profile, *, ascii_only: bool | None = None) -> None:
    from o2o_tui.settings import load_settings
    from screens.courier_app import CourierApp

    app = CourierApp(open_courier_source(profile), ascii_only=ascii_only, keymap=load_settings().keymap)
    app.run(mouse=False)
    note = app.exit_note()
    if note:  # under the SSH gate the session closes with the app; the question before quitting said it there
        print(app.for_terminal(note), file=sys.stderr)
