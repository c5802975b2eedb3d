"""The merchant console without the offline cache (`o2o console --no-cache`) takes a new `o2o login` by itself, as
the engine's console does (`screens/launch.py` `watch_login`): while the platform refuses the token or does not
answer, the profile is read every `LOGIN_CHECK_S` s; another login of the same account and platform
(`config.same_account`) is sent from then on, to the server it was made at, with no restart; someone else's is
not taken (`other_login`, said by the app)."""

from __future__ import annotations

import asyncio
import contextlib

from o2o_tui.config import Profile, saved_login
from screens.client_source import ClientOrderSource
from screens.source import LinkState, SourceChange

LOGIN_CHECK_S = 2.0


class LoginClientOrderSource(ClientOrderSource):
    """`ClientOrderSource` for `profile`, following a new login of its account saved meanwhile."""

    def __init__(self, client: object, profile: Profile, **options: object) -> None:
        assert profile.store_id
        super().__init__(client, profile.store_id, **options)  # type: ignore[arg-type]
        self._login = profile
        self.logins_taken = 0  # new logins taken while running (the app says "Logged in again" once each)
        self.other_login = False  # the profile now holds another account's or platform's login: not taken

    async def run(self) -> None:
        while True:
            polling = asyncio.create_task(ClientOrderSource.run(self), name="client-source")
            watcher = asyncio.create_task(self._watch_login(), name="client-login")
            try:
                done, _ = await asyncio.wait({polling, watcher}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (watcher, polling):
                    if not task.done():
                        task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            if polling in done:
                polling.result()
                return
            # a new login was taken: asked again at once (a refusal waited 30 s before asking again)

    async def _watch_login(self) -> None:
        """Returns once a new login of this account was taken; reads nothing while the platform answers."""
        while True:
            await asyncio.sleep(LOGIN_CHECK_S)
            if self.link().state not in (LinkState.UNAUTHORIZED, LinkState.OFFLINE):
                continue
            saved, other = await asyncio.to_thread(saved_login, self._login)
            if saved is None:
                if other != self.other_login:
                    self.other_login = other
                    self._emit(SourceChange(link=True))
                continue
            client = self._client
            if saved.url != self._login.url:
                client.set_base_url(saved.url)
            client.set_token(saved.token)
            self._login = saved
            self.logins_taken += 1
            self.other_login = False
            self._loaded = False  # loaded again at once: ONLINE as soon as it answers, not after a long poll
            self._set_state(LinkState.CONNECTING)
            return
