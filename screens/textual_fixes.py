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
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

_original_compositor_refresh = Screen._compositor_refresh


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


def install() -> None:
    """Replace `Screen._compositor_refresh` (once; any number of calls)."""
    if Screen._compositor_refresh is not _compositor_refresh:
        Screen._compositor_refresh = _compositor_refresh  # type: ignore[method-assign]
