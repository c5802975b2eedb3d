"""Build the courier handheld's source for a profile and run the screen. Textual is imported only in `run`."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from pathlib import Path
from typing import Any

from o2o_tui.config import Profile
from o2o_tui.demo_dirs import demo_root_of, handheld_opened, has_ended
from o2o_tui.i18n import t
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
        from o2o_tui.config import ConfigError, load_profile, same_account

        try:
            saved = load_profile(profile.name)
        except ConfigError:  # removed or unreadable meanwhile: keep the login the screen started with
            return profile
        # the console's rule (`config.same_account`): the platform's id, so its other server is the same courier
        return saved if same_account(profile, saved) else profile  # another's login: not this cache's

    def connect() -> tuple[object, object]:
        from o2o_tui.sync.session import make_client, make_engine

        login = current()
        client = make_client(login)
        return make_engine(login, cache, client), client

    def credentials() -> object:
        login = current()
        return login.token, login.url  # the same token saved at the platform's other server: it moves there

    source = CourierSource(cache, profile.courier_id, connect, credentials)
    source.prime()
    return source


def run_courier_console(profile: Profile, *, ascii_only: bool | None = None) -> None:
    from o2o_tui.settings import load_settings
    from screens.courier_app import CourierApp

    app = CourierApp(open_courier_source(profile), ascii_only=ascii_only, keymap=load_settings().keymap)
    demo = _DemoWatch(app) if (root := demo_root_of(os.environ.get("O2O_HOME"))) else None
    if demo is not None and root is not None:
        demo.start(root)
    try:
        app.run(mouse=False)
    finally:
        if demo is not None:
            demo.stop()
    if demo is not None and demo.ended.is_set():  # what was queued went with the demo: nothing is kept
        for line in _folded(t("demo.handheld_ended")):
            print(app.for_terminal(line), file=sys.stderr)
        return
    note = app.exit_note()
    if note:  # under the SSH gate the session closes with the app; the question before quitting said it there
        print(app.for_terminal(note), file=sys.stderr)


def _folded(text: str) -> list[str]:
    """Folded to the terminal's width as `o2o demo` folds its notes (a terminal cuts anywhere)."""
    import shutil

    from o2o_tui.text_fold import fold_indented

    width = shutil.get_terminal_size().columns if sys.stderr.isatty() else 0
    return fold_indented(text, width) if width > 0 else [text]


class _DemoWatch:
    """A handheld opened on an `o2o demo`'s O2O_HOME (`o2o demo --handheld`, or the printed command) closes
    when that demo ends: its platform is gone and its data dir about to be removed (`o2o_tui/demo_dirs.py`)."""

    EVERY_S = 0.3

    def __init__(self, app: Any) -> None:
        self.app = app
        self.ended = threading.Event()
        self._stop = threading.Event()
        self._marker: Path | None = None

    def start(self, root: Path) -> None:
        self._marker = handheld_opened(root)
        threading.Thread(target=self._watch, args=(root,), name="demo-watch", daemon=True).start()

    def _watch(self, root: Path) -> None:
        while not self._stop.wait(self.EVERY_S):
            if not has_ended(root):
                continue
            self.ended.set()
            while not self._stop.is_set():  # until the app is up to hear it (the demo may end as it opens)
                if self.app.is_running:
                    with contextlib.suppress(RuntimeError):
                        self.app.call_from_thread(self.app.exit)
                        return
                self._stop.wait(self.EVERY_S)
            return

    def stop(self) -> None:
        self._stop.set()
        if self._marker is not None:
            with contextlib.suppress(OSError):
                self._marker.unlink()
