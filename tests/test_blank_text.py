"""Text that shows nothing counts as blank wherever a name (or a required note) must not be: spaces, and also
zero-width and other format characters (Cf) that the not-blank rule once let through (`limits.blank`)."""

from __future__ import annotations

import pytest

from o2o_tui.domain.chases import ChaseReply, ChaseReplyBody, body_problem
from o2o_tui.domain.limits import blank
from o2o_tui.domain.menu import Item, Names
from o2o_tui.domain.menu_rules import item_problems
from o2o_tui.domain.money import Money

INVISIBLE = ["", "   ", "\u3000", "\u200b", "\u200b\u200c\u200d", "\ufeff", "\u00ad", "\u2060\u200e\u200f", "\u2066\u2069", "\u3164"]
SEEN = ["a", " 王 ", "\u200bA", "👋", "\u0301", "\x1b"]


@pytest.mark.parametrize("text", INVISIBLE)
def test_spaces_and_format_characters_alone_are_blank(text: str) -> None:
    assert blank(text)


@pytest.mark.parametrize("text", SEEN)
def test_anything_that_draws_is_not(text: str) -> None:
    assert not blank(text)


def test_a_menu_item_named_only_by_zero_width_characters_has_no_name() -> None:
    nameless = Item(id="x", name="", price=Money(100, "CNY"), names=Names(zh="\u200b", en="\ufeff"))
    assert [p.code for p in item_problems(nameless, "CNY")] == ["empty_name"]
    named = Item(id="x", name="", price=Money(100, "CNY"), names=Names(zh="\u200b面"))
    assert item_problems(named, "CNY") == []


def test_a_chase_answer_of_zero_width_characters_is_no_answer() -> None:
    assert body_problem(ChaseReplyBody(ChaseReply.TEXT, text="\u200b\u200d")) is not None
