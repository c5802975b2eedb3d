"""The link line: CONNECTING / ONLINE / OFFLINE / RESYNCING / LOG IN AGAIN, queued actions, time since the last
good answer, store state."""

from __future__ import annotations

from datetime import datetime

from textual.content import Content
from textual.widget import Widget

from o2o_tui.domain.store import Store, StoreState
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from screens.source import LinkState, LinkStatus


def since_text(last: datetime | None, now: datetime) -> str:
    """Coarse on purpose (changes at most once a minute), so an idle screen writes nothing."""
    if last is None:
        return t("ui.link.never")
    minutes = int(max(0.0, (now - last).total_seconds()) // 60)
    if minutes < 1:
        return t("ui.link.just_now")
    if minutes < 60:
        return t("ui.link.minutes_ago", minutes=minutes)
    return t("ui.link.hours_ago", hours=minutes // 60)


def link_parts(
    link: LinkStatus, store: Store | None, now: datetime, width: int
) -> list[str | tuple[str, str]]:
    compact = width < 60
    parts: list[str | tuple[str, str]] = [(f" {t(f'ui.link.state.{link.state.value}')} ", "bold reverse")]
    stale = link.last_sync_at is None or (now - link.last_sync_at).total_seconds() >= 60
    if link.state is not LinkState.ONLINE or stale:
        since = since_text(link.last_sync_at, now)
        parts.append(" " + (since if compact else t("ui.link.synced", since=since)))
    if link.pending:
        parts.append(" · " + (f"~{link.pending}" if compact else t("ui.link.pending", count=link.pending)))
    if link.conflicts:
        parts.append(
            (
                " · " + (f"!{link.conflicts}" if compact else t("ui.link.conflicts", count=link.conflicts)),
                "bold",
            )
        )
    if link.state is LinkState.OFFLINE:
        parts.append(("\n" if compact else " · ", ""))
        parts.append((t("ui.link.offline_hint"), "bold"))
    elif link.state is LinkState.UNAUTHORIZED:  # not an outage: waiting will not help
        parts.append(("\n" if compact else " · ", ""))
        parts.append((t("ui.link.unauthorized_hint"), "bold"))
    if store is not None:
        state = store.status.state
        if state is not StoreState.ONLINE:
            parts.append((" · " + t(f"ui.store.state.{state.value}"), "bold"))
        if not compact:
            parts.append(" · " + safe_text(store.name, one_line=True))
    return parts


class StatusBar(Widget):
    DEFAULT_CSS = """
    StatusBar { height: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._inputs: tuple[LinkStatus, Store | None, datetime] | None = None
        self._content = Content("")
        self._state: LinkState | None = None

    def _update(self) -> None:
        """Rebuild for the current width; repaint (and resize to its lines) only when the text changed."""
        width = self.size.width
        if self._inputs is None or not width:
            return
        link, store, now = self._inputs
        content = Content.assemble(*link_parts(link, store, now, width))
        if content == self._content:
            return
        self._content = content
        lines = min(3, max(1, len(content.wrap(width))))
        if self.styles.height is None or self.styles.height.value != lines:
            self.styles.height = lines
        self.refresh()

    def show(self, link: LinkStatus, store: Store | None, now: datetime) -> None:
        self._inputs = (link, store, now)
        if link.state is not self._state:
            self._state = link.state
            for state in LinkState:
                self.set_class(state is link.state, f"-{state.value.lower()}")
        self._update()

    def on_resize(self) -> None:
        self._update()

    def render(self) -> Content:
        return self._content
