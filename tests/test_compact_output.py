"""`screens.compact_output`: a reset followed (after cursor moves only) by the same style is dropped; the screen a
terminal shows is the same (checked with pyte), with fewer bytes."""

from __future__ import annotations

import pyte

from screens.compact_output import compact_frame

STYLE = "\x1b[1;38;5;222;48;5;60m"
OTHER = "\x1b[38;5;250;48;5;233m"


def _clock_frame(rows: int) -> str:
    """What Textual writes for `rows` one-cell clock updates in one column, all in one style."""
    return "\n".join(f"\x1b[{y + 2};12H{STYLE}{y % 10}\x1b[0m" for y in range(rows))


def _show(data: str) -> list[tuple[str, str, str, bool]]:
    screen = pyte.Screen(40, 24)
    stream = pyte.Stream(screen)
    stream.feed("\x1b[38;5;100mprefix\x1b[0m" + data + "after")
    return [(c.data, c.fg, c.bg, c.bold) for line in range(24) for c in screen.buffer[line].values()]


def test_same_style_runs_after_moves_drop_the_reset_and_the_style() -> None:
    frame = _clock_frame(20)
    compact = compact_frame(frame)
    # the frame's first style sits on whatever came before the frame: only from the second on is it known
    assert compact.count(STYLE) == 2 and compact.endswith("\x1b[0m")
    assert len(compact) < len(frame) / 2
    assert _show(compact) == _show(frame)


def test_a_different_style_text_or_erase_keeps_the_reset() -> None:
    frames = [
        f"\x1b[2;1H{STYLE}a\x1b[0m\x1b[3;1H{OTHER}b\x1b[0m",  # another style
        f"\x1b[2;1H{STYLE}a\x1b[0m plain \x1b[3;1H{STYLE}b\x1b[0m",  # default-style text in between
        f"\x1b[2;1H{STYLE}a\x1b[0m\x1b[K\x1b[3;1H{STYLE}b\x1b[0m",  # an erase paints with the current colours
        f"\x1b[2;1H{OTHER}{STYLE}a\x1b[0m\x1b[3;1H{STYLE}b\x1b[0m",  # stacked styles: the sum is not STYLE
    ]
    for frame in frames:
        assert _show(compact_frame(frame)) == _show(frame), repr(frame)
        assert compact_frame(frame).count("\x1b[0m") == frame.count("\x1b[0m"), repr(frame)


def test_frames_without_a_reset_pass_through() -> None:
    assert compact_frame("\x1b[2;1Hplain") == "\x1b[2;1Hplain"


def test_a_line_feed_before_an_absolute_move_is_dropped() -> None:
    frame = f"\x1b[2;1H{STYLE}a\x1b[0m\n\x1b[3;1H{STYLE}b\x1b[0m"
    assert "\n" not in compact_frame(frame)
    assert _show(compact_frame(frame)) == _show(frame)


def test_a_move_to_the_next_line_start_becomes_cr_and_cursor_down() -> None:
    frame = "\n".join(f"\x1b[{y + 2};1H{STYLE}{y % 10}\x1b[0m" for y in range(20))
    compact = compact_frame(frame)
    assert compact.count("\r\x1b[B") == 19
    assert _show(compact) == _show(frame)
