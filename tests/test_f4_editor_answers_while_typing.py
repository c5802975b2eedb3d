"""The menu editor answers a key pressed in a field at once, also while the console's toasts wait for the focus to
leave that field (they would cover it): in `o2o console` (real platform, real cache) at 40x15, Enter in
the form's lowest field says "Saved in the draft." in the editor's status line, over no field, while a rush of
other toasts keeps waiting; once the focus leaves the field those show, and the answer is not said again late.
An answer said as a toast (nothing covered then) that a later answer makes stale goes, not shown again later."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language, t
from tests.support.platform import RunningPlatform
from tests.test_h4_toasts_over_typed_field import RUSH, _console, _form_field, _rush, _toast_regions, _toasts
from tests.test_ui_live import wait_until


@pytest.fixture
def profile(
    shared_platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Profile]:
    """A profile of its own (its cache and draft) on the module's platform: the drafts never reach it."""
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    seed = shared_platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=shared_platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


def _status(screen: object) -> str:
    return str(screen.query_one("#menu-status", Static).render())  # type: ignore[attr-defined]


async def test_the_editor_answers_a_key_in_a_low_field_while_other_toasts_wait(profile: Profile) -> None:
    app = await _console(profile)
    async with app.run_test(size=(40, 15), notifications=True) as pilot:
        await pilot.pause(0.5)
        screen, typed = await _form_field(pilot, app, "groups")
        await _rush(pilot, app)  # news while typing: it waits (it would cover the field)
        assert _toasts(app) == []
        typed.value = typed.value + ", Temperature"  # one more option group, by its English name
        await pilot.press("enter")
        await wait_until(pilot, lambda: t("menu_editor.applied") in _status(screen), timeout=5.0)
        assert typed.has_focus and _toasts(app) == []  # the rush still waits
        assert not any(region.overlaps(typed.region) for region in _toast_regions(app))
        screen.menu_tree.focus()  # the field is left: the rush shows, the answer is not said again
        await wait_until(pilot, lambda: any(RUSH[-1] in text for text in _toasts(app)))
        assert not any(t("menu_editor.applied") in text for text in _toasts(app))


async def test_a_stale_answer_toast_is_not_shown_again(profile: Profile) -> None:
    """80x24: a refused value's toast stands beside the field; fixed and saved, the answer takes the status line
    and the refusal is gone for good, not back when the form is left."""
    app = await _console(profile)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause(0.5)
        screen, typed = await _form_field(pilot, app, "groups")
        kept = typed.value
        typed.value = kept + ", zz"  # no such group: refused, said in a toast that leaves the field in sight
        await pilot.press("enter")
        refused = t("menu_editor.not_saved_field", field=t("menu_editor.field.groups"), problem="")[:12]
        await wait_until(pilot, lambda: any(refused in text for text in _toasts(app)), timeout=5.0)
        typed.value = kept + ", Temperature"
        await pilot.press("enter")
        await wait_until(pilot, lambda: t("menu_editor.applied") in _status(screen), timeout=5.0)
        assert not any(refused in text for text in _toasts(app))
        screen.menu_tree.focus()
        await pilot.pause(0.3)
        assert not any(refused in text for text in _toasts(app))
