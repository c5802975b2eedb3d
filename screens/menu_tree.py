"""The menu as a tree: categories -> items -> option groups -> options, then every option group on its own.

Labels are plain `Text` built from `safe_text` (a menu is untrusted text: Tree would parse a `str` as markup).
An edit that keeps the shape of the menu updates labels in place; one that changes it rebuilds the tree, keeping
what was expanded and where the cursor was. An item's option groups, the option groups section's groups and a
group's options are added only when first expanded (or when the cursor goes there), so a 500-item menu opens as
fast as its 540 visible lines; the nodes are added in one batch (one relayout, not one per node), and every label
is built from an index of the menu (no search per line).

An item's or option's line keeps its columns at any width: the price first, right-aligned in a column of its own
(a leaf item is indented by the width of the expand arrow its siblings have), then the name, then the tags (sold
out until, unavailable, hidden). A line wider than the tree cuts the name (with an ellipsis), never the price or
a tag (`render_label`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Tree
from textual.widgets._tree import TOGGLE_STYLE
from textual.widgets.tree import TreeNode

from o2o_tui.domain.clock import date_clock, in_zone, month_day, utc_text
from o2o_tui.domain.limits import as_utc
from o2o_tui.domain.menu import Availability, Category, Item, Menu, Option, OptionGroup, localized
from o2o_tui.domain.money import Money
from o2o_tui.i18n import current_language, t
from o2o_tui.menu_edits import Kind, price_text
from o2o_tui.safe_text import safe_text
from screens.keys import localize_bindings
from screens.terminal import FULL, Glyphs, glyphs_of

SECTION = "section"
MIN_NAME = 6  # cells of a name a narrow tree keeps before it drops tags


def pick_words(least: int, most: int) -> str:
    """How many options of a group a customer picks, in words, as a group's line in the tree says it: "Pick 1"
    (as many as at most), "Pick up to 2" (none needed), else "Pick 1-3"."""
    if least == most:
        return t("menu_editor.tree.pick.exactly", count=most)
    if least <= 0:
        return t("menu_editor.tree.pick.up_to", most=most)
    return t("menu_editor.tree.pick.range", least=least, most=most)


@dataclass(frozen=True, slots=True)
class NodeRef:
    """What a line of the tree stands for. `parent`: the category of an item, the item an option group is shown
    under ("" in the groups section), the group of an option."""

    kind: Kind | str
    id: str
    parent: str = ""


def display_name(entity: Category | Item | OptionGroup | Option, lang: str | None = None) -> str:
    return safe_text(localized(entity.name, entity.names, lang or current_language()), one_line=True)


def money_text(money: Money) -> str:
    return price_text(money)


def until_text(moment: datetime, zone: ZoneInfo, now: datetime, *, compact: bool = False) -> str:
    """When a sold-out ends, on the store's clock: "10:00" today, "tomorrow 10:00", "20 Dec 12:00" later this
    year, "1 Jan 2099" in another year (the day is what matters then; the month in words, `clock.month_day`);
    `compact`: "tmrw 10:00", "20 Dec" for a narrow tree. A moment no zone can hold is its UTC text."""
    local = in_zone(moment, zone)
    if local is None:
        return utc_text(moment)
    clock = local.strftime("%H:%M")
    today = in_zone(now, zone)
    if today is None:
        return local.strftime("%Y-%m-%d %H:%M")
    if local.date() == today.date():
        return clock
    if local.date() == today.date() + timedelta(days=1):
        return t("menu_editor.badge.tomorrow_short" if compact else "menu_editor.badge.tomorrow", time=clock)
    if local.year == today.year:
        return month_day(local.date()) if compact else date_clock(local)
    return month_day(local.date(), year=True)


def availability_badge(
    entity: Item | Option, now: datetime, zone: ZoneInfo, *, compact: bool = False
) -> tuple[str, str] | None:
    """(text, style) of what keeps a customer from ordering it now, else None; `compact`: the short words a
    narrow tree shows rather than dropping the tag. A line hidden on the platform is on no customer's menu: not
    sold out to anyone, and tagged as the status line and the queue's header count it (`store_effect.sold_out`:
    hidden ones left out); the tree tags it hidden (its draft's own word)."""
    if entity.hidden:
        return None
    if entity.status is Availability.UNAVAILABLE:
        return t("menu_editor.badge.unavailable"), "bold red"
    until = entity.snooze_until
    if until is not None and as_utc(until) > now:
        at = until_text(until, zone, now, compact=compact)
        key = "menu_editor.badge.sold_out_short" if compact else "menu_editor.badge.sold_out_until"
        return t(key, at=at), "bold yellow"
    return None


class MenuTree(Tree[NodeRef]):
    """The tree. Space marks items (for bulk sold-out / hide), shift+up/down (or K/J) moves the line."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "mark", "menu_editor.key.mark", id="menu.mark"),
        Binding("shift+up,K", "move(-1)", "menu_editor.key.move_up", id="menu.move_up"),
        Binding("shift+down,J", "move(1)", "menu_editor.key.move_down", id="menu.move_down", show=False),
        Binding("right", "expand", "menu_editor.key.expand", show=False, id="menu.expand"),
        Binding("left", "collapse", "menu_editor.key.collapse", show=False, id="menu.collapse"),
    ]

    _adding = 0  # > 0: adding nodes in a batch, one invalidation at its end (class level: Tree.__init__ invalidates)
    _adding_dirty = False
    # called with the cursor's new ref as it moves, before the repaint (the editor's form follows in the same
    # frame); Tree's NodeHighlighted comes only after the repaint
    cursor_moved: Callable[[NodeRef | None], None] | None = None

    class Marked(Message):
        """The set of marked items changed."""

    class MoveRequested(Message):
        def __init__(self, ref: NodeRef, delta: int) -> None:
            super().__init__()
            self.ref = ref
            self.delta = delta

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text(""), id=id)
        localize_bindings(self)
        self.show_root = False
        self.guide_depth = 2
        self.auto_expand = False
        self.marked: set[str] = set()  # item ids
        self._menu: Menu | None = None
        self._live: dict[tuple[str, str], Item | Option] = {}
        self._now = datetime.min
        self._zone = ZoneInfo("UTC")
        self._shape: tuple[object, ...] = ()
        self._by_ref: dict[NodeRef, TreeNode[NodeRef]] = {}
        self._lang = "en"
        self._categories: dict[str, Category] = {}
        self._items: dict[str, Item] = {}
        self._groups: dict[str, OptionGroup] = {}
        self._options: dict[str, Option] = {}
        self._glyphs: Glyphs = FULL  # the app's set, read on mount

    def on_mount(self) -> None:
        """Where the terminal lacks ▶/▼ (vt100, the Linux console: screens/terminal.py) the pointers are ">"/"v";
        on an ASCII terminal the guide lines are ASCII too, and the heavy ones (focused) stay light on the console."""
        glyphs = self._glyphs = glyphs_of(self.app)
        if glyphs.full:
            return
        self.ICON_NODE, self.ICON_NODE_EXPANDED = f"{glyphs.pointer} ", "v "
        light = ("  ", "| ", "`-", "|-") if glyphs.ascii else self.LINES["default"]
        self.LINES = {**self.LINES, "default": light, "bold": light, "double": light}

    # data
    @property
    def cursor_ref(self) -> NodeRef | None:
        node = self.cursor_node
        return node.data if node is not None else None

    def show(self, menu: Menu, live: Menu | None, now: datetime, zone: ZoneInfo) -> None:
        """Show `menu` (the draft) with the availability of `live` (the published menu, pending changes on)."""
        self._menu, self._now, self._zone = menu, now, zone
        self._lang = current_language()
        self._live = {}
        if live is not None:
            for category in live.categories:
                for item in category.items:
                    self._live[("item", item.id)] = item
            for group in live.option_groups:
                for option in group.options:
                    self._live[("option", option.id)] = option
        self._categories = {category.id: category for category in menu.categories}
        self._items = {item.id: item for category in menu.categories for item in category.items}
        self._groups = {group.id: group for group in menu.option_groups}
        self._options = {option.id: option for group in menu.option_groups for option in group.options}
        self.marked &= self._items.keys()
        shape = _shape(menu)
        if shape == self._shape and self._by_ref:
            with self._batched():
                for ref, node in self._by_ref.items():
                    label = self._label(ref)
                    if label != node.label:
                        node.set_label(label)
            return
        self._shape = shape
        with self._batched():
            self._rebuild()

    # adding many nodes: Tree relayouts (and re-splits the label) on every add; once is enough
    @contextmanager
    def _batched(self) -> Iterator[None]:
        self._adding += 1
        try:
            yield
        finally:
            self._adding -= 1
            if not self._adding and self._adding_dirty:
                self._adding_dirty = False
                super()._invalidate()

    def _invalidate(self) -> None:
        if self._adding:  # the lines are rebuilt when next read; the relayout waits for the batch's end
            self._clear_line_cache()
            self._updates += 1
            self._adding_dirty = True
            return
        super()._invalidate()

    def get_label_width(self, node: TreeNode[NodeRef]) -> int:
        # Tree renders every label (a styled copy) to measure it, for each of the 541 lines, on every rebuild of
        # its lines; the width is the toggle icon's (or the leaf's indent) and the label's (render_label's layout)
        label = node.label
        width = label.cell_len if isinstance(label, Text) else cell_len(label)
        return self._lead_width(node) + width

    def _lead_width(self, node: TreeNode[NodeRef]) -> int:
        """The cells before a label: the expand arrow, or as many blanks for a leaf item or group (so its price
        or name lines up with its siblings' that have an arrow)."""
        if node.allow_expand:
            return cell_len(self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE)
        ref = node.data
        return cell_len(self.ICON_NODE) if ref is not None and ref.kind in ("item", "group") else 0

    def _guides_width(self, node: TreeNode[NodeRef]) -> int:
        depth = 0
        parent = node.parent
        while parent is not None and parent is not self.root:
            depth += 1
            parent = parent.parent
        return depth * max(2, self.guide_depth)  # Tree's guide: one line and a blank (guide_depth - 2 more)

    def render_label(self, node: TreeNode[NodeRef], base_style: Style, style: Style) -> Text:
        """Tree's label (the arrow, then the label), with a leaf's indent, and the name cut to what the tree's
        width leaves once the price and the tags are placed."""
        label = node._label
        ref = node.data
        room = self.scrollable_content_region.width - self._guides_width(node) - self._lead_width(node)
        if ref is not None and label.cell_len > room > 0:
            label = self._fitted(ref, room) or label
        label = label.copy()
        label.stylize(style)
        lead = self._lead_width(node)
        if node.allow_expand:
            prefix = Text(
                self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE, base_style + TOGGLE_STYLE
            )
        else:
            prefix = Text(" " * lead, base_style)
        return Text.assemble(prefix, label)

    def process_label(self, label: str | Text) -> Text:
        if isinstance(label, Text) and "\n" not in label.plain:
            return label  # ours: one line already (safe_text(one_line=True)); Tree would split a copy
        return super().process_label(label)

    def watch_cursor_line(self, previous_line: int, line: int) -> None:
        super().watch_cursor_line(previous_line, line)
        if self.cursor_moved is not None and previous_line != line:
            self.cursor_moved(self.cursor_ref)

    _scrolled_for: tuple[Size, Size, Size] | None = None

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # Textual's ScrollView compares the window the compositor gives it with its own virtual size (its lines):
        # they always differ, so every relayout of the screen (the form showing another kind's fields) repainted
        # this scrollbar in one more frame, ~17-33 ms later. Nothing changed for the tree when its size, its
        # lines and its container did not: skip it then (textual is pinned in pyproject.toml).
        key = (size, self.virtual_size, container_size)
        if key == self._scrolled_for and size == self._size:
            return self._container_size != container_size
        self._scrolled_for = key
        return super()._size_updated(size, virtual_size, container_size, layout)

    def availability_of(self, entity: Item | Option, kind: str) -> Item | Option:
        """The entity with its live availability (availability is not part of the draft)."""
        return self._live.get((kind, entity.id), entity)

    def _rebuild(self) -> None:
        menu = self._menu
        assert menu is not None
        expanded = {ref for ref, node in self._by_ref.items() if node.is_expanded}
        first = not self._by_ref
        cursor = self.cursor_ref
        self.clear()
        self._by_ref = {}
        groups = self._groups
        for category in menu.categories:
            ref = NodeRef("category", category.id)
            node = self._add(self.root, ref, expand=first or ref in expanded)
            for item in category.items:
                item_ref = NodeRef("item", item.id, category.id)
                shown = any(g in groups for g in item.option_group_ids)
                item_node = self._add(node, item_ref, expand=item_ref in expanded, leaf=not shown)
                if item_ref in expanded:
                    self._fill(item_node)
        section = NodeRef(SECTION, "groups")
        section_node = self._add(self.root, section, expand=section in expanded)
        if section in expanded:
            self._fill(section_node, expanded)
        if cursor is not None:
            self.select_ref(cursor)

    def _add(
        self, parent: TreeNode[NodeRef], ref: NodeRef, *, expand: bool = False, leaf: bool = False
    ) -> TreeNode[NodeRef]:
        if leaf:
            node = parent.add_leaf(self._label(ref), data=ref)
        else:
            node = parent.add(self._label(ref), data=ref, expand=expand)
        self._by_ref[ref] = node
        return node

    def _fill(
        self, node: TreeNode[NodeRef], expanded: set[NodeRef] | frozenset[NodeRef] = frozenset()
    ) -> None:
        """Add the children of an item (its option groups), of the groups section or of a group (its options),
        the first time they are needed; `expanded`: the groups to open (as they were before a rebuild)."""
        ref = node.data
        if ref is None or node.children or self._menu is None:
            return
        with self._batched():
            if ref.kind == "item":
                item = self._items.get(ref.id)
                for group_id in item.option_group_ids if item is not None else ():
                    group = self._groups.get(group_id)
                    if group is not None:
                        self._add(node, NodeRef("group", group.id, ref.id), leaf=not group.options)
            elif ref.kind == SECTION:
                for group in self._menu.option_groups:
                    group_ref = NodeRef("group", group.id)
                    opened = group_ref in expanded
                    group_node = self._add(node, group_ref, expand=opened, leaf=not group.options)
                    if opened:
                        self._fill(group_node)
            elif ref.kind == "group":
                group = self._groups.get(ref.id)
                place = f"{ref.parent}/{ref.id}" if ref.parent else ref.id  # under an item: "item/group"
                for option in group.options if group is not None else ():
                    self._add(node, NodeRef("option", option.id, place), leaf=True)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeRef]) -> None:
        self._fill(event.node)

    def _materialize(self, ref: NodeRef) -> TreeNode[NodeRef] | None:
        """The node of `ref` (or of the same entity elsewhere), adding the lazy children on its way."""
        node = self._by_ref.get(ref)
        if node is None:
            node = next((n for r, n in self._by_ref.items() if r.kind == ref.kind and r.id == ref.id), None)
        if node is not None or self._menu is None:
            return node
        if ref.kind == "item":
            parent = self._by_ref.get(NodeRef("category", ref.parent)) if ref.parent else None
        elif ref.kind in ("group", "option"):
            section = self._by_ref.get(NodeRef(SECTION, "groups"))
            if section is None:
                return None
            self._fill(section)
            if ref.kind == "group":
                return self._by_ref.get(NodeRef("group", ref.id))
            group_id = next(
                (g.id for g in self._menu.option_groups if any(o.id == ref.id for o in g.options)), ""
            )
            parent = self._by_ref.get(NodeRef("group", group_id))
        else:
            return None
        if parent is not None:
            self._fill(parent)
        return next((n for r, n in self._by_ref.items() if r.kind == ref.kind and r.id == ref.id), None)

    def select_ref(self, ref: NodeRef) -> bool:
        """Move the cursor to `ref` (or the same entity anywhere), expanding its parents. False if absent."""
        node = self._materialize(ref)
        if node is None:
            return False
        parent = node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        self.call_after_refresh(self._cursor_to, node)
        self.move_cursor(node)
        return True

    def _cursor_to(self, node: TreeNode[NodeRef]) -> None:
        if node.tree is self and node.id in self._tree_nodes:
            self.move_cursor(node)

    # labels
    def _label(self, ref: NodeRef) -> Text:
        head, name, tags = self._parts(ref)
        return Text.assemble(head, name, *tags)

    def _fitted(self, ref: NodeRef, room: int) -> Text | None:
        """The label in `room` cells: the price and the tags whole, the name cut (with an ellipsis). When the
        name would keep fewer than MIN_NAME cells, a sold-out tag takes its short words ("[→ tmrw 10:00]"), then
        the last tags give way to one "…"; None when no name fits at all (Tree then cuts the line at its end)."""
        head, name, tags = self._parts(ref)
        tail_cells = sum(tag.cell_len for tag in tags)
        if room - head.cell_len - tail_cells < min(MIN_NAME, name.cell_len):
            head, name, tags = self._parts(ref, compact=True)
        shown, cut = list(tags), False
        while True:
            tail = Text.assemble(*shown, *([(" …" if self._glyphs.full else " ...", "dim")] if cut else []))
            fits = room - head.cell_len - tail.cell_len
            if fits >= min(MIN_NAME, name.cell_len) or not shown:
                break
            shown.pop()
            cut = True
        if fits < min(3, name.cell_len):
            return None
        if name.cell_len > fits:
            name = name.copy()
            if not self._glyphs.full:  # no "…" on an ASCII terminal nor in the Linux console's font: "..."
                name.truncate(max(fits - 3, 0), overflow="crop")
                name.rstrip()  # a double-width character cut in half leaves a blank
                name.append("..."[: fits - name.cell_len])
            else:
                name.truncate(fits, overflow="ellipsis")
        return Text.assemble(head, name, tail)

    def _parts(self, ref: NodeRef, *, compact: bool = False) -> tuple[Text, Text, list[Text]]:
        """A line's label in parts: what comes before the name (an item's or option's price column), the name
        (what a narrow tree cuts), and what follows it (tags, a category's count, a group's min-max); `compact`:
        a sold-out tag in its short words."""
        blank = Text("")
        menu = self._menu
        if menu is None:
            return blank, blank, []
        if ref.kind == SECTION:
            text = t("menu_editor.tree.option_groups", count=len(menu.option_groups))
            return blank, Text(text, style="italic"), []
        missing: tuple[Text, Text, list[Text]] = (blank, Text(safe_text(ref.id, one_line=True)), [])
        if ref.kind == "category":
            category = self._categories.get(ref.id)
            if category is None:
                return missing
            return (
                blank,
                Text(display_name(category, self._lang), "bold"),
                [Text(t("menu_editor.tree.count", count=len(category.items)))],
            )
        if ref.kind == "item":
            item = self._items.get(ref.id)
            if item is None:
                return missing
            live = self.availability_of(item, "item")
            return self._entity_parts(item, live, item.price, marked=item.id in self.marked, compact=compact)
        if ref.kind == "group":
            group = self._groups.get(ref.id)
            if group is None:
                return missing
            return (
                blank,
                Text(display_name(group, self._lang), "italic"),
                [Text("  " + pick_words(group.min, group.max), "dim")],
            )
        option = self._options.get(ref.id)
        if option is None:
            return missing
        live_option = self.availability_of(option, "option")
        return self._entity_parts(option, live_option, option.price, plus=True, compact=compact)

    def _entity_parts(
        self,
        entity: Item | Option,
        live: Item | Option,
        price: Money,
        *,
        marked: bool = False,
        plus: bool = False,
        compact: bool = False,
    ) -> tuple[Text, Text, list[Text]]:
        # the price right-aligned in a column of 7 (a mark takes its first blank), then the name, then the tags:
        # a tag never moves the price or the name out of their columns, and a narrow tree cuts the name
        price_cell = f"{('+' if plus else '') + money_text(price):>7}"
        head = Text()
        if marked:  # "*" where the terminal has no "●" (screens/terminal.py)
            head.append("●" if self._glyphs.full else "*", "bold magenta")
            price_cell = price_cell[1:] if price_cell.startswith(" ") else price_cell
        head.append(price_cell + " ", "bold")
        badge = availability_badge(live, self._now, self._zone, compact=compact)
        name = Text(display_name(entity, self._lang), "strike dim" if badge else "")
        tags: list[Text] = []
        if badge is not None:  # "[sold out -> 10:00]" on an ASCII terminal (the Linux console has "→")
            text = badge[0].replace("→", "->") if self._glyphs.ascii else badge[0]
            tags.append(Text.assemble(" ", (text, badge[1])))
        if entity.hidden:
            tags.append(Text.assemble(" ", (t("menu_editor.badge.hidden"), "italic dim")))
        return head, name, tags

    # keys
    def action_mark(self) -> None:
        ref = self.cursor_ref
        if ref is None or ref.kind != "item":
            return
        if ref.id in self.marked:
            self.marked.discard(ref.id)
        else:
            self.marked.add(ref.id)
        node = self.cursor_node
        if node is not None:
            node.set_label(self._label(ref))
        self.post_message(self.Marked())
        self.action_cursor_down()

    def clear_marks(self) -> None:
        for item_id in list(self.marked):
            self.marked.discard(item_id)
            for ref, node in self._by_ref.items():
                if ref.kind == "item" and ref.id == item_id:
                    node.set_label(self._label(ref))
        self.post_message(self.Marked())

    def action_move(self, delta: int) -> None:
        ref = self.cursor_ref
        if ref is not None and ref.kind != SECTION:
            self.post_message(self.MoveRequested(ref, delta))

    def action_expand(self) -> None:
        node = self.cursor_node
        if node is not None and node.allow_expand:
            node.expand()

    def action_collapse(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded and node.allow_expand:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)


def _shape(menu: Menu) -> tuple[object, ...]:
    return (
        tuple((c.id, tuple((i.id, tuple(i.option_group_ids)) for i in c.items)) for c in menu.categories),
        tuple((g.id, tuple(o.id for o in g.options)) for g in menu.option_groups),
    )


def items_in(menu: Menu) -> Iterable[Item]:
    for category in menu.categories:
        yield from category.items
