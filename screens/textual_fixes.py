"""One repaint fix for Textual 8.2.8 (pinned in pyproject.toml), installed by `SteadyKeysApp`.

A screen that shows through the one in front (the queue, dimmed behind the accept dialog) hands its changed
regions to the screen in front, which repaints them. Textual 8.2.8 then also marks the screen behind as needing
a repaint of those regions itself (`_repaint_required = True`, in `Screen._compositor_refresh`). It is not in
front, so that repaint is handed over again, and again, each time it next goes idle (after any message it
handles: a ticking clock, a blur, the dialog's own push): behind an open dialog the whole screen was sent again
every 20-40 ms while anything happened, 5 KB each time, and a key pressed in a dialog waited behind those frames.

The fix hands the regions over once. The screen behind still repaints in full when it comes back to the front
(Textual refreshes a resumed screen). tests/test_quick_keys.py checks the method still has the shape this
relies on.

A double-width character (Chinese) on top of a widget's edge is drawn whole (tests/test_wide_cut.py). The
compositor cuts each line at the edges of every widget on it, the hidden ones too, and Rich turns a character cut
in two into two spaces: a toast over the menu editor's divider read "有可撤销的操作" for "没有可撤销的操作". Where
the widget on top owns the cells on both sides of such a cut, its piece left of the cut now takes the whole
character and the piece right of it starts one cell later (the cell under the right half is hidden anyway), and
a partial repaint that ends at such a cut (the pane under the toast) also sends the character's right half; a
line with no such character gets the very chops Textual 8.2.8 makes.

A paste into a field (every `Input` here is one line) keeps all its text (tests/test_paste_whole.py): Textual
8.2.8 kept its first line only and put control characters in as they came. Line breaks and tabs become spaces
and control characters U+FFFD (`safe_text(one_line=True)`, as untrusted text is shown everywhere); a line break
at the very end (a whole line copied) is dropped. A field's `max_length` takes what fits (Textual refused the
whole paste); its `restrict` still judges the result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rich.cells import get_character_cell_size
from textual import events
from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Input

from o2o_tui.safe_text import safe_text

_original_compositor_refresh = Screen._compositor_refresh
# Textual's own, copied below with the fix (tests/test_wide_cut.py fails when they change)
_TEXTUAL_RENDER_CHOPS = Compositor._render_chops
_TEXTUAL_RENDER_PARTIAL_UPDATE = Compositor.render_partial_update


def _compositor_refresh(self: Screen[Any]) -> None:
    app = self.app
    dirty = self._compositor._dirty_regions
    if not app.is_inline and self is not app.screen and dirty and self in app._background_screens:
        regions = list(dirty)
        self._set_dirty(*regions)
        app.screen.refresh(*regions)
        dirty.clear()
        self._dirty_widgets.clear()
        app._update_mouse_over(self)
        return
    _original_compositor_refresh(self)


def _wide_cuts(strip: Strip, x: int, cuts: Sequence[int]) -> set[int]:
    """Those of `cuts` (screen columns) that fall inside a double-width character of `strip`, drawn from `x`."""
    if strip.text.isascii():
        return set()
    inside: set[int] = set()
    wanted = set(cuts)
    position = x
    for segment in strip:
        if segment.control:
            continue
        for character in segment.text:
            width = get_character_cell_size(character)
            if width == 2 and position + 1 in wanted:
                inside.add(position + 1)
            position += width
    return inside


def _whole(strip: Strip, x: int, cuts: Sequence[int], won: set[int]) -> dict[int, tuple[int, Strip] | None]:
    """For a line of one widget cut at `cuts` (its own edges included), of which it owns the pieces starting at
    `won`: the pieces that change so that no double-width character is cut in two, by where they start. Each
    becomes (where it now starts, its strip), or None when nothing is left of it."""
    inner = [cut for before, cut in zip(cuts, cuts[1:-1], strict=False) if cut in won and before in won]
    moved = _wide_cuts(strip, x, inner) if inner else set()
    if not moved:
        return {}
    changed: dict[int, tuple[int, Strip] | None] = {}
    for start, end in zip(cuts, cuts[1:], strict=False):
        if start in won and (start in moved or end in moved):
            new_start = start + 1 if start in moved else start
            new_end = end + 1 if end in moved else end
            if new_start < new_end:
                changed[start] = (new_start, strip.crop(new_start - x, new_end - x))
            else:
                changed[start] = None  # one cell, the right half of the character the piece before now holds
    return changed


def _chops(
    self: Compositor, crop: Region, is_rendered_line: Callable[[int], bool]
) -> tuple[list[dict[int, Strip | None]], dict[int, set[int]]]:
    """Textual 8.2.8's `Compositor._render_chops`, then the pieces `_whole` changes put in place; and by line, the
    cuts that now fall inside a character drawn whole."""
    cuts = self.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    mended: dict[int, dict[int, tuple[int, Strip] | None]] = {}
    for region, clip, strips in self._get_renders(crop):
        render_region = region.intersection(clip)
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips, strict=False):
            if not is_rendered_line(y):
                continue
            chops_line = chops[y]
            final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            won: set[int] = set()
            pieces = strip.divide([cut - render_x for cut in final_cuts[1:]])
            for cut, piece in zip(final_cuts, pieces, strict=False):
                if chops_line.get(cut) is None:  # painted front to back: the first piece for a cut wins
                    chops_line[cut] = piece
                    won.add(cut)
            if len(won) > 1 and (changed := _whole(strip, render_x, final_cuts, won)):
                mended.setdefault(y, {}).update(changed)
    inside: dict[int, set[int]] = {}
    for y, changed in mended.items():  # after every widget had its turn: they look the pieces up by the cuts
        line: dict[int, Strip | None] = {}
        for start, kept in chops[y].items():
            if start not in changed:
                line[start] = kept
            elif (moved := changed[start]) is not None:
                line[moved[0]] = moved[1]
        chops[y] = line
        inside[y] = {start for start, moved in changed.items() if moved is None or moved[0] != start}
    return chops, inside


def _render_chops(
    self: Compositor, crop: Region, is_rendered_line: Callable[[int], bool]
) -> Sequence[Mapping[int, Strip]]:
    """Textual 8.2.8's `Compositor._render_chops`, no double-width character cut in two where one widget owns
    both sides of the cut."""
    chops, _ = _chops(self, crop, is_rendered_line)
    return chops  # type: ignore[return-value]  # Textual's own annotation: no None is left on a rendered line


def _render_partial_update(self: Compositor) -> ChopsUpdate | None:
    """Textual 8.2.8's `Compositor.render_partial_update`, with each piece's end where the next piece now starts
    (the same as the cuts, but on a line `_chops` mended), and a region to repaint that ends inside a character
    drawn whole (a pane under a toast) taking in its right half: the terminal is sent whole characters only."""
    screen_region = self.size.region
    update_regions = self._dirty_regions.copy()
    self._dirty_regions.clear()
    if not update_regions:
        return None
    crop = Region.from_union(list(update_regions)).intersection(screen_region)
    spans = list(self._regions_to_spans(update_regions))
    is_rendered_line = {y for y, _, _ in spans}.__contains__
    chops, inside = _chops(self, crop, is_rendered_line)
    if inside:
        spans = [(y, x1, x2 + 1 if x2 in inside.get(y, ()) else x2) for y, x1, x2 in spans]
    chop_ends = [[*list(line)[1:], cut_set[-1]] for line, cut_set in zip(chops, self.cuts, strict=True)]
    return ChopsUpdate(chops, spans, chop_ends)


def _input_on_paste(self: Input, event: events.Paste) -> None:
    """A paste goes into a one-line field whole (see the module's docstring)."""
    event.stop()
    text = safe_text(event.text.rstrip("\r\n"), one_line=True)
    if not text:
        return
    start, end = sorted(self.selection)
    if self.max_length:
        text = text[: max(0, self.max_length - (len(self.value) - (end - start)))]
        if not text:
            self.restricted()  # full: as a key typed into a full field
            return
    self.replace(text, start, end)


def install() -> None:
    """Replace `Screen._compositor_refresh`, the compositor's chops and `Input`'s paste (once; any number of
    calls)."""
    if Input._on_paste is not _input_on_paste:
        Input._on_paste = _input_on_paste  # type: ignore[method-assign]
    if Screen._compositor_refresh is not _compositor_refresh:
        Screen._compositor_refresh = _compositor_refresh  # type: ignore[method-assign]
    if Compositor._render_chops is not _render_chops:
        Compositor._render_chops = _render_chops  # type: ignore[method-assign]
        Compositor.render_partial_update = _render_partial_update  # type: ignore[method-assign]
