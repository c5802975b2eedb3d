"""The column titles above the queue, fitted with the same widths as the rows."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from o2o_tui.i18n import t
from screens import order_format as fmt


class QueueHeader(Widget):
    DEFAULT_CSS = """
    QueueHeader { height: 1; width: 1fr; color: $text-muted; text-style: bold; }
    """

    def render(self) -> Content:
        cols = fmt.columns_for(self.size.width)
        parts = [" " * cols.mark, fmt.fit(t("ui.column.number"), cols.number), " "]
        parts += [fmt.fit(t("ui.column.clock"), cols.clock, align="right"), " "]
        status_title = t("ui.column.status") if cols.status >= 6 else t("ui.column.status_short")
        parts += [fmt.fit(status_title, cols.status), " "]
        if cols.type:
            parts += [fmt.fit(t("ui.column.type"), cols.type), " "]
        if cols.customer:
            parts += [fmt.fit(t("ui.column.customer"), cols.customer), " "]
        parts += [
            fmt.fit(t("ui.column.items"), cols.items),
            " ",
            fmt.fit(t("ui.column.total"), cols.total, align="right"),
        ]
        return Content.assemble(*parts)
