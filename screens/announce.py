"""The console's spoken announcements, said next to the bell: a ringing screen (the queue, the simple screen)
calls `announce(self, sounds)` where it plays `sounds` (`screens.alerts`), and this says what is new in words
(`o2o_tui.voice`) when the `voice` setting is on. Muted (`M`), no sound reaches here, and what still waits
to be said is dropped. Voice on with no engine installed: one warning toast, and the bell goes on alone.
The `voice` setting is followed while the console runs: settings.json is looked at (a stat) on each sound and read
again only when it changed, so turning voice on or off there takes effect at the next sound, with no restart.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol
from weakref import WeakKeyDictionary

from textual.message import Message

from o2o_tui.i18n import t
from o2o_tui.settings import load_settings, settings_stamp
from o2o_tui.voice import Announcement, Announcer, Kind, Speaker, find_engine
from screens.alerts import Alerts, Sound
from screens.console_messages import ConsoleHost, Say
from screens.source import LinkState


class RingingScreen(Protocol):
    """What `announce` reads from the screen that rings."""

    alerts: Alerts

    @property
    def host(self) -> ConsoleHost: ...

    def post_message(self, message: Message) -> bool: ...


@dataclass
class Voice:
    speaker: Speaker | None  # None: voice off, or no engine
    announcer: Announcer = field(default_factory=Announcer)
    stamp: tuple[int, int] | None = None  # settings.json as the `voice` setting was read from it
    on: bool = False  # the `voice` setting as last read


_VOICES: WeakKeyDictionary[object, Voice] = WeakKeyDictionary()


def _muted_check(screen: RingingScreen) -> Callable[[], bool]:
    """Whether `screen` is muted now, without keeping it alive (the voices are kept per screen, weakly)."""
    ref = weakref.ref(screen)

    def muted() -> bool:
        alive = ref()
        return alive is not None and alive.alerts.is_muted(alive.host.now())

    return muted


def voice_of(screen: RingingScreen) -> Voice:
    """The screen's voice, set up the first time (settings read, engine found, a missing engine said once), and
    again when settings.json changed since (voice turned on or off there)."""
    voice = _VOICES.get(screen)
    stamp = settings_stamp()
    if voice is not None and stamp == voice.stamp:
        return voice
    on = load_settings().voice
    if voice is None:
        voice = Voice(None)
        _VOICES[screen] = voice
    elif on == voice.on:
        voice.stamp = stamp  # another setting changed
        return voice
    voice.stamp, voice.on = stamp, on
    if voice.speaker is not None:  # turned off (or read again): what waits is dropped
        voice.speaker.close()
        voice.speaker = None
    if on:
        engine = find_engine()
        if engine is None:
            screen.post_message(Say(t("voice.no_engine"), severity="warning", timeout=20))
        else:
            voice.speaker = Speaker(engine, muted=_muted_check(screen))
    return voice


def announcements(voice: Voice, screen: RingingScreen, sounds: list[Sound]) -> list[Announcement]:
    """What `sounds` mean in words: the orders newly waiting, the link going down or coming back; the platform
    down (STORAGE_DOWN) and this device unable to save (CANNOT_SAVE: a full disk) each in their own words, as
    their banners say them, and the end of the latter as saving again (the link never went)."""
    host = screen.host
    said: list[Announcement] = []
    if Sound.NEW_ORDER in sounds or Sound.URGENT in sounds:
        said += voice.announcer.orders((entry.order for entry in host.source.orders()), host.now())
    # the link's words say what its toast says: a disabled account asks the store or the administrator (logging in
    # again cannot help), and its enabling again is said as such
    reason = screen.alerts.link_sound_reason
    if Sound.OFFLINE in sounds:
        link = host.source.link()
        if reason == "disabled":
            said.append(Announcement(Kind.LINK, t("voice.disabled")))
        elif reason == "cannot_save" or link.state is LinkState.CANNOT_SAVE:  # the link is up: this disk is not
            full = link.save_fault == "disk_full"  # as the banner says it: a full disk, or another write failure
            said.append(Announcement(Kind.LINK, t("voice.disk_full" if full else "voice.cannot_save")))
        elif link.state is LinkState.STORAGE_DOWN:  # answering, reading nothing: the platform is down, not the net
            said.append(Announcement(Kind.LINK, t("voice.storage_down")))
        else:
            said.append(Announcer.link(False, unauthorized=link.state is LinkState.UNAUTHORIZED))
    if Sound.BACK_ONLINE in sounds:
        if reason == "enabled_again":
            said.append(Announcement(Kind.LINK, t("voice.enabled_again")))
        elif reason == "saving_again":  # the link never went: the disk takes writes again
            said.append(Announcement(Kind.LINK, t("voice.saving_again")))
        else:
            said.append(Announcer.link(True))
    return said


def announce(screen: RingingScreen, sounds: list[Sound]) -> None:
    """Say what `sounds` are about, when voice is on (cheap when there is nothing to say: once a second)."""
    voice = voice_of(screen)
    if voice.speaker is not None and sounds:
        voice.speaker.say(announcements(voice, screen, sounds))


def silence(screen: RingingScreen) -> None:
    """Drop what waits to be said (the counter muted the console)."""
    voice = _VOICES.get(screen)
    if voice is not None and voice.speaker is not None:
        voice.speaker.silence()
