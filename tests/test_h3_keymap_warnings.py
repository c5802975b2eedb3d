"""A user keymap that takes a key from another binding, or names an id that is none, is said at start (as lazygit
checks its config): `O2O_KEYMAP=queue.accept=y` left the chase reply (`y`) with no key and no word;
`queue.acept=y` (a typo) was ignored without one. A malformed pair of `O2O_KEYMAP` is named on stderr."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from o2o_tui import settings
from o2o_tui.i18n import set_language
from screens import keys
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_store


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _app(keymap: dict[str, str], said: list[str]) -> MerchantApp:
    app = MerchantApp(
        MemoryOrderSource(sample_entries(), store=sample_store()), clock=lambda: FROZEN_NOW, keymap=keymap
    )
    real_say = app.say

    def say(text: str, **kwargs: object) -> None:
        said.append(text)
        real_say(text, **kwargs)  # type: ignore[arg-type]

    app.say = say  # type: ignore[method-assign]
    return app


async def _said_at_start(keymap: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setattr(keys, "KEYMAP_CHECK_S", 0.1)
    said: list[str] = []
    app = _app(keymap, said)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await asyncio.sleep(0.6)
        await pilot.pause()
    return said


async def test_a_key_taken_and_an_unknown_id_are_said_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    said = await _said_at_start({"queue.accept": "y", "queue.acept": "y"}, monkeypatch)
    warnings = [text for text in said if text.startswith("Your keymap")]
    assert len(warnings) == 1, said  # one toast for all of it
    lines = warnings[0].splitlines()
    assert "y is now Accept; Reply has no key left" in lines, lines
    assert "queue.acept is not a key name this console knows: ignored" in lines, lines


async def test_a_clean_keymap_says_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # a key no one has, a swap (each keeps a key), and another app's id (the handheld's): nothing to say
    keymap = {"queue.accept": "z", "queue.reject": "p", "queue.preparing": "x", "handheld.back": "0,escape"}
    said = await _said_at_start(keymap, monkeypatch)
    assert not [text for text in said if text.startswith("Your keymap")], said


def test_keymap_problems_in_chinese() -> None:
    set_language("zh")
    classes = keys._binding_classes(keys.CONSOLE_MODULES)
    problems = keys.keymap_problems({"queue.accept": "question_mark"}, classes, keys.OTHER_APPS)
    assert problems == ["? 现在是“接单”；“帮助”已没有按键"], problems


def test_a_malformed_pair_is_named_on_stderr(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "_warned", set())
    assert settings.parse_keymap("queue.accept=y, queue.reject, =n, queue.ready=") == {"queue.accept": "y"}
    err = capsys.readouterr().err
    assert "queue.reject, =n, queue.ready=" in err and "O2O_KEYMAP" in err, err
    assert settings.parse_keymap("queue.accept=y,") == {"queue.accept": "y"}  # a trailing comma is no mistake
    assert capsys.readouterr().err == ""
