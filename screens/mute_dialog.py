"""`M` on the queue: how many minutes to silence the console (rows still stand out and turn red meanwhile)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Label

from o2o_tui.i18n import t
from screens.dialogs import NumberPrompt
from screens.widgets.folded_text import FoldedText

MUTE_MIN = 1
MUTE_MAX = 480  # a shift: the same bounds as the `mute_minutes` setting


class MutePrompt(NumberPrompt):
    """The number prompt with the mute's own hint (the prompt's default hint speaks of the store's prep time),
    broken as Chinese is set: "10 分钟" stays on one line."""

    def on_mount(self) -> None:
        super().on_mount()
        hint = t("queue.mute.hint", minutes=self._default)
        self.query_one(".hint", Label).update(FoldedText(Content(hint)))


def mute_prompt(default_minutes: int) -> NumberPrompt:
    """A number prompt (Enter alone takes `default_minutes`); it dismisses with the minutes or None."""
    default = max(MUTE_MIN, min(MUTE_MAX, default_minutes))
    return MutePrompt(Content(t("queue.mute.title")), default, minimum=MUTE_MIN, maximum=MUTE_MAX)
