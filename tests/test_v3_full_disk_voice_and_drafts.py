"""Full-disk and drafts leftovers (v3):

1. The voice says the platform down (STORAGE_DOWN) and this device unable to save (CANNOT_SAVE: a full disk, or
   another write failure) in their own words, as their banners do, not as "Offline", and the end of a full disk as
   saving again (the link never went). The rules on real alerts; the console on the real platform with a recording
   speech engine and a disk that fills up (os.write raising ENOSPC for the profile's files, as the product's other
   full-disk tests make it).
2. Ctrl+C in the menu editor quits at once; when the draft could not be written (NOT SAVED) the note printed after
   quitting says the last change was NOT kept, never that it is saved in the draft.
3. A draft that no longer decodes, in an otherwise good drafts file, is said when the editor opens, and is copied
   beside the drafts file, whole, before the first save replaces it (the copy failing fails the save: nothing
   replaced). Real platform on loopback, real profile cache; English and Chinese.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language, t
from offline_cache import open_profile_cache
from offline_cache.drafts import DRAFTS_TABLE, DraftCodec, DraftStore
from offline_cache.errors import CacheError
from offline_cache.storage import load_tables
from screens.alerts import Alerts
from screens.announce import Voice, announcements
from screens.menu_editor import MenuEditorApp
from screens.menu_source import source_for_profile
from screens.source import LinkState, LinkStatus
from tests.support.platform import RunningPlatform
from tests.test_console_voice_and_request_ring import _console, _voice_on
from tests.test_d1_console_disk_full import FullDisk
from tests.test_ui_live import _place, wait_until
from tests.test_ui_menu_editor_quit_keeps import _said, _saved_price, _type_price

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["en", pytest.param("zh", marks=pytest.mark.deep)])  # zh: `python -m bench deep`
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


@pytest.fixture
def profile(
    lang: str, platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Profile:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    seed = platform.seed
    assert seed is not None
    return save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )


def _toasts(app: Any) -> list[str]:
    return [str(toast.message) for toast in app._notifications]


# -- 1. the voice ----------------------------------------------------------------------------------------------


@dataclass
class _Source:
    status: LinkStatus

    def link(self) -> LinkStatus:
        return self.status

    def orders(self) -> list[Any]:
        return []


@dataclass
class _Host:
    source: _Source

    def now(self) -> datetime:
        return NOW


@dataclass
class _Screen:
    """What `announcements` reads of a ringing screen: real alert rules, the link as the source says it."""

    source: _Source
    alerts: Alerts = field(default_factory=Alerts)

    @property
    def host(self) -> _Host:
        return _Host(self.source)

    def post_message(self, message: Any) -> bool:
        return True


def _said_for(screen: _Screen, status: LinkStatus) -> list[str]:
    screen.source.status = status
    sounds, _toast = screen.alerts.link_changed(status, NOW)
    return [said.text for said in announcements(Voice(None), screen, sounds)]  # type: ignore[arg-type]


def test_each_link_trouble_is_said_in_its_own_words(lang: str) -> None:
    online = LinkStatus(LinkState.ONLINE, last_sync_at=NOW)
    screen = _Screen(_Source(online))
    assert _said_for(screen, online) == []
    platform_down = LinkStatus(LinkState.STORAGE_DOWN, error=t("sync.error.storage_down"), last_sync_at=NOW)
    assert _said_for(screen, platform_down) == [t("voice.storage_down")]
    assert _said_for(screen, online) == [t("voice.back_online")]  # the link did go: nothing arrived
    full = LinkStatus(LinkState.CANNOT_SAVE, error="why", save_fault="disk_full", last_sync_at=NOW)
    assert _said_for(screen, full) == [t("voice.disk_full")]
    assert _said_for(screen, online) == [t("voice.saving_again")]  # the link never went: saving again
    failing = LinkStatus(LinkState.CANNOT_SAVE, error="why", save_fault="write_failed", last_sync_at=NOW)
    assert _said_for(screen, failing) == [t("voice.cannot_save")]  # not blaming the disk
    _said_for(screen, online)
    assert _said_for(screen, LinkStatus(LinkState.OFFLINE, error="down")) == [t("voice.offline")]
    words = {t(key) for key in ("voice.storage_down", "voice.disk_full", "voice.cannot_save", "voice.offline")}
    assert len(words) == 4  # four different sentences
    assert all(len(word) <= 45 for word in words)  # short, as the other announcements


async def test_the_console_says_a_full_disk_and_saving_again(
    platform: RunningPlatform, profile: Profile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _voice_on(tmp_path, monkeypatch)
    disk = FullDisk(monkeypatch, Path(os.environ["O2O_HOME"]))
    app = _console(profile, poll_wait=0.5, backoff_cap=1.0, save_retry_every=0.5)
    from tests.test_voice import spoken

    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state is LinkState.ONLINE)
        disk.full = True
        await asyncio.to_thread(_place, platform)  # fetched, but cannot be stored
        await wait_until(pilot, lambda: app.source.link().state is LinkState.CANNOT_SAVE)
        await wait_until(pilot, lambda: any(t("voice.disk_full") in line for line in spoken(log)))
        assert not any(t("voice.offline") in line for line in spoken(log)), spoken(log)
        disk.full = False
        seen: set[LinkState] = set()  # a loaded machine may time a poll out meanwhile: then "back online" is right

        def ended() -> bool:
            seen.add(app.source.link().state)
            return any(t(key) in line for line in spoken(log) for key in ("voice.saving_again", "voice.back_online"))

        await wait_until(pilot, ended)
        if LinkState.OFFLINE not in seen:
            assert any(t("voice.saving_again") in line for line in spoken(log)), spoken(log)
            assert not any(t("voice.back_online") in line for line in spoken(log)), spoken(log)


# -- 2. Ctrl+C on a draft that could not be written ------------------------------------------------------------


class DraftsFullDisk:
    """`os.write` into the drafts file (its temp file, its copies) fails with ENOSPC while `full`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.full = False
        self.refused = 0
        real = os.write

        def write(fd: int, data: Any) -> int:
            if self.full:
                try:
                    name = os.readlink(f"/proc/self/fd/{fd}")
                except OSError:
                    name = ""
                if "drafts-v" in name:
                    self.refused += 1
                    raise OSError(errno.ENOSPC, "No space left on device")
            return real(fd, data)

        monkeypatch.setattr(os, "write", write)


async def test_ctrl_c_on_an_unwritten_draft_says_the_change_was_not_kept(
    platform: RunningPlatform, profile: Profile, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    disk = DraftsFullDisk(monkeypatch)
    app: Any = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _type_price(pilot, app, "17")
        disk.full = True
        await pilot.press("enter")  # the price goes into the draft: the write fails (NOT SAVED)
        await wait_until(pilot, lambda: disk.refused > 0 and not screen.saved)
        await pilot.press("ctrl+c")  # immediate, as by design
        await wait_until(pilot, lambda: not app.is_running)
    said = "".join(_said(capsys).split())  # the terminal folds long lines (Chinese mid-word)
    not_kept = "".join(t("menu_editor.quit.not_kept", error="@").split()).split("@")
    assert not_kept[0] in said and not_kept[1] in said, said
    assert "full" in said  # why, in the cache's own words
    assert "".join(t("menu_editor.quit.draft_kept", count=1).split()) not in said
    assert t("menu_editor.field.price") not in said  # never "what you typed ... is saved in the draft"
    assert await _saved_price(profile) == 2600  # indeed not kept: the published price opens


async def test_ctrl_c_with_the_form_typed_on_a_full_disk_says_not_kept(
    platform: RunningPlatform, profile: Profile, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The form holds a typed price (no Enter) when Ctrl+C saves it into the draft, and that write fails."""
    disk = DraftsFullDisk(monkeypatch)
    app: Any = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(40, 15)) as pilot:
        await _type_price(pilot, app, "18")
        disk.full = True
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: not app.is_running)
    said = "".join(_said(capsys).split())
    assert "".join(t("menu_editor.quit.not_kept", error="@").split()).split("@")[0] in said, said
    assert "".join(t("menu_editor.quit.form_saved", name="@", fields="@").split()).split("@")[-1] not in said, said
    assert await _saved_price(profile) == 2600


# -- 3. a draft that no longer decodes ---------------------------------------------------------------------------


def _spoil_saved_draft(profile: Profile) -> tuple[Path, dict[str, Any]]:
    """This store's saved draft made undecodable (as another version might have written it), the file still
    good; (the drafts file, the spoiled document)."""
    [path] = [found for found in Path(os.environ["O2O_HOME"]).rglob("drafts-v*.json") if found.name[-5:] == ".json"]
    tables = json.loads(path.read_text(encoding="utf-8"))
    [key] = tables[DRAFTS_TABLE]
    doc = tables[DRAFTS_TABLE][key]
    doc["menu"]["categories"] = "written by o2o 9"
    path.write_text(json.dumps(tables), encoding="utf-8")
    return path, doc


async def _save_a_draft(profile: Profile) -> None:
    """A draft saved by the editor (a price changed with Enter), the editor closed."""
    app: Any = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _type_price(pilot, app, "19")
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.saved and screen._dirty())
        app.exit()
    assert await _saved_price(profile) == 1900


async def test_an_unreadable_draft_is_said_and_copied_aside_before_it_is_replaced(
    platform: RunningPlatform, profile: Profile
) -> None:
    await _save_a_draft(profile)
    path, spoiled = _spoil_saved_draft(profile)
    app: Any = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _type_price(pilot, app, "21")
        opened = t("menu_editor.draft_unreadable", file=path.name)
        assert any(" ".join(opened.split()) in " ".join(toast.split()) for toast in _toasts(app)), _toasts(app)
        assert [p.name for p in path.parent.glob("*unreadable*")] == []  # nothing copied yet: nothing replaced
        app.clear_notifications()
        await pilot.press("enter")  # the first save: the unreadable draft is copied aside, then replaced
        await wait_until(pilot, lambda: screen.saved and bool(_toasts(app)))
        [copy] = list(path.parent.glob("*unreadable*"))
        said = " ".join(" ".join(_toasts(app)).split())
        assert " ".join(t("menu_editor.draft_copied", path=str(copy)).split()) in said, said
        await pilot.press("escape")
        await pilot.press("enter")  # a second save: nothing more to copy
        await pilot.pause(0.3)
        assert list(path.parent.glob("*unreadable*")) == [copy]
        app.exit()
    tables = load_tables(copy)
    assert tables is not None and list(tables[DRAFTS_TABLE].values()) == [spoiled]  # whole, as it was
    assert copy.stat().st_mode & 0o777 == 0o600
    assert await _saved_price(profile) == 2100  # the new draft is the one the drafts file holds


_CODEC: DraftCodec[dict[str, Any]] = DraftCodec(
    key=lambda draft: str(draft["id"]),
    encode=lambda draft: dict(draft),
    decode=lambda doc: doc if doc.get("v") == 1 else (_ for _ in ()).throw(ValueError("not version 1")),
)


def test_a_copy_that_cannot_be_written_replaces_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_profile_cache(tmp_path / "cache") as cache:
        DraftStore(cache, _CODEC).save({"id": "s1", "v": 2, "edits": "only copy"})
        store = DraftStore(cache, _CODEC)
        assert store.load("s1") is None and [w.code for w in store.warnings] == ["draft_unreadable"]
        disk = DraftsFullDisk(monkeypatch)
        disk.full = True
        with pytest.raises(CacheError) as raised:
            store.save({"id": "s1", "v": 1})
        assert raised.value.code == "disk_full"
        disk.full = False
        assert list(Path(cache.directory).glob("*unreadable*")) == []  # no half copy left
        again = DraftStore(cache, _CODEC)
        assert again._table.get("s1") == {"id": "s1", "v": 2, "edits": "only copy"}  # not replaced
        copy = again.save({"id": "s1", "v": 1})
        assert copy is not None and copy.parent == Path(cache.directory)
        assert again.save({"id": "s1", "v": 1}) is None  # a readable draft is replaced without a copy
        kept = load_tables(copy)
        assert kept is not None and kept[DRAFTS_TABLE] == {"s1": {"id": "s1", "v": 2, "edits": "only copy"}}
        assert DraftStore(cache, _CODEC).load("s1") == {"id": "s1", "v": 1}


async def test_ctrl_c_saving_over_an_unreadable_draft_says_where_the_copy_is(
    platform: RunningPlatform, profile: Profile, capsys: pytest.CaptureFixture[str]
) -> None:
    """The first save is the one Ctrl+C makes of the typed form: the copy is named in the note after quitting."""
    await _save_a_draft(profile)
    capsys.readouterr()
    path, _spoiled = _spoil_saved_draft(profile)
    app: Any = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await _type_price(pilot, app, "22")
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: not app.is_running)
    [copy] = list(path.parent.glob("*unreadable*"))
    said = "".join(_said(capsys).split())
    assert "".join(t("menu_editor.draft_copied", path=str(copy)).split()) in said, said
    assert await _saved_price(profile) == 2200
