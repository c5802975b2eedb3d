"""The form beside the tree: the fields of one category, item, option group or option.

Enter in any field (or a change of the hidden box) posts `MenuForm.Applied` with every field's text and the fields
the person changed; the editor checks it (price as decimal text, `menu_rules`) and applies the changed fields to
the draft (a field left as it was keeps what is stored: an empty Chinese name shown from the single `name` stays
empty) or shows each problem under its field. Menu text is untrusted: an `Input` never parses markup, but it does
pass ESC and C1 bytes to the terminal, so every value is shown through `safe_text` (U+FFFD for a control or bidi
character). A field shown so differs from what is stored: a hint says so, and Enter in that field saves the
names or descriptions as shown (typing in it does too). Labels come from the catalog.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Checkbox, Input, Label, Static

from o2o_tui.domain.menu import Category, Item, Option, OptionGroup
from o2o_tui.i18n import t
from o2o_tui.menu_edits import price_text
from o2o_tui.safe_text import holds_unsafe, safe_text
from screens.dialogs import AsciiInput
from screens.menu_tree import NodeRef
from screens.terminal import glyphs_of
from screens.widgets.folded_text import FoldedLabel

Entity = Category | Item | OptionGroup | Option
Values = dict[str, str | bool]

FIELDS: dict[str, tuple[str, ...]] = {
    "category": ("name_zh", "name_en"),
    "item": ("name_zh", "name_en", "price", "desc_zh", "desc_en", "prep", "groups", "hidden"),
    "group": ("name_zh", "name_en", "min", "max"),
    "option": ("name_zh", "name_en", "price", "max_qty", "hidden"),
}
_RESTRICT = {"price": r"[0-9.]*", "prep": r"[0-9]*", "min": r"[0-9]*", "max": r"[0-9]*", "max_qty": r"[0-9]*"}
# a menu_rules problem path's last part -> the form field that shows it
_FIELD_OF = {
    "name": "name_zh",
    "names.zh": "name_zh",
    "names.en": "name_en",
    "description": "desc_zh",
    "descriptions.zh": "desc_zh",
    "descriptions.en": "desc_en",
    "price": "price",
    "price.amount": "price",
    "price.currency": "price",
    "prep_minutes": "prep",
    "option_group_ids": "groups",
    "min": "min",
    "max": "max",
    "max_qty": "max_qty",
    "id": "name_zh",
}


def field_for(suffix: str) -> str | None:
    """The form field of a problem path's tail (`price`, `names.en`, `option_group_ids[1]`), else None."""
    base = suffix.split("[", 1)[0] if suffix.startswith("option_group_ids") else suffix
    return _FIELD_OF.get(base)


# the fields that are saved together: a name (or description) is the pair of its languages
PAIRS: dict[str, tuple[str, str]] = {
    "name_zh": ("name_zh", "name_en"),
    "name_en": ("name_zh", "name_en"),
    "desc_zh": ("desc_zh", "desc_en"),
    "desc_en": ("desc_zh", "desc_en"),
}


def unsafe_fields(entity: Entity) -> set[str]:
    """The form fields under which to say that stored text holds control or bidi characters (shown as U+FFFD): a
    name's (one line) or a description's (line breaks allowed), as `menu_rules` judges them. The single `name` or
    `description` of an older menu is shown in the Chinese field."""
    found: set[str] = set()
    texts = [
        ("name_zh", entity.names.zh, True),
        ("name_en", entity.names.en, True),
        ("name_zh", entity.name, True),
    ]
    if isinstance(entity, Item):
        descriptions = entity.descriptions
        texts += [
            ("desc_zh", descriptions.zh, False),
            ("desc_en", descriptions.en, False),
            ("desc_zh", entity.description, False),
        ]
    for field, text, one_line in texts:
        if holds_unsafe(text, one_line=one_line):
            found.add(field)
    return found


def values_of(kind: str, entity: Entity, groups_text: Callable[[Sequence[str]], str] = ", ".join) -> Values:
    """The form's text for `entity` (an old single name shows as the Chinese name; `groups_text`: an item's option
    groups as the field shows them)."""
    names = entity.names
    values: Values = {"name_zh": names.zh or ("" if names.en else entity.name), "name_en": names.en}
    if isinstance(entity, Item):
        values |= {
            "price": price_text(entity.price),
            "desc_zh": entity.descriptions.zh or ("" if entity.descriptions.en else entity.description),
            "desc_en": entity.descriptions.en,
            "prep": "" if entity.prep_minutes is None else str(entity.prep_minutes),
            "groups": groups_text(entity.option_group_ids),
            "hidden": entity.hidden,
        }
    elif isinstance(entity, OptionGroup):
        values |= {"min": str(entity.min), "max": str(entity.max)}
    elif isinstance(entity, Option):
        values |= {"price": price_text(entity.price), "max_qty": str(entity.max_qty), "hidden": entity.hidden}
    return values


class HiddenBox(Checkbox):
    """Textual's checkbox, drawn `[X]` / `[ ]` where the terminal lacks the full glyph set (screens/terminal.py: an
    ASCII terminal, the Linux console): its `▐X▌` needs half blocks, and its X tells on from off by colour alone
    (the same on a terminal with few colours or none)."""

    def render(self) -> Content:
        if glyphs_of(self.app).full:
            return super().render()
        label = self.label.pad(1, 1).stylize_before(self.get_visual_style("toggle--label"))
        return Content.assemble(("[X]" if self.value else "[ ]", "bold" if self.value else ""), label)


class MenuForm(VerticalScroll):
    """Built once with every field; `load()` shows the ones of the entity's kind."""

    ALL_FIELDS: ClassVar[tuple[str, ...]] = (
        "name_zh",
        "name_en",
        "price",
        "desc_zh",
        "desc_en",
        "prep",
        "groups",
        "min",
        "max",
        "max_qty",
        "hidden",
    )

    class Applied(Message):
        """`values`: every field's text as shown; `changed`: the fields to save (typed in, toggled, or Enter in a
        field whose stored text holds control characters; a name or description as both languages)."""

        def __init__(self, ref: NodeRef, values: Values, changed: frozenset[str] = frozenset()) -> None:
            super().__init__()
            self.ref = ref
            self.values = values
            self.changed = changed

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ref: NodeRef | None = None
        self._loading = False
        self._shown: tuple[str, ...] | None = None  # the fields on show (None: not set yet)
        self._inputs: dict[str, Input] = {}
        self._errors = True  # an error label may be on show (show_problems): the next load hides them
        self._base: Values = {}  # what each field showed when loaded (or last saved): unchanged = not saved
        self._unsafe: set[str] = set()  # fields whose stored text holds control characters (unsafe_fields)
        self.groups_text: Callable[[Sequence[str]], str] = ", ".join  # the editor's: by the groups' names

    def compose(self) -> ComposeResult:
        yield Static("", id="form-title")
        # every line broken as Chinese is set (`FoldedLabel`): never "。" first nor "（" last at 40 columns
        yield FoldedLabel("", id="form-error-general", classes="field-error")
        for name in self.ALL_FIELDS:
            if name == "hidden":
                yield HiddenBox(t("menu_editor.field.hidden"), id="field-hidden", compact=True)
            else:
                label = Content(t(f"menu_editor.field.{name}"))
                yield FoldedLabel(label, id=f"label-{name}", classes="field-label")
                # a price or a count takes what a Chinese input method types ("３９．５" is 39.5), names do not
                field = AsciiInput if name in _RESTRICT else Input
                yield field(
                    id=f"field-{name}",
                    restrict=_RESTRICT.get(name),
                    compact=True,
                    select_on_focus=False,
                    max_length=500 if name.startswith("desc") else 100,
                )
            yield FoldedLabel("", id=f"error-{name}", classes="field-error")

    def on_mount(self) -> None:
        self._inputs = {field.id.removeprefix("field-"): field for field in self.query(Input) if field.id}
        for field in self._inputs.values():
            field.cursor_blink = False
        self._show_fields(())

    def _show_fields(self, shown: tuple[str, ...]) -> None:
        """Show the fields of a kind. The same fields as before (the cursor moved to another item): nothing to
        do, so moving along the tree only changes values in place and never relayouts the form."""
        if shown == self._shown:
            self._hide_errors()
            return
        self._shown = shown
        for name in self.ALL_FIELDS:
            visible = name in shown
            self.query_one(f"#field-{name}").display = visible
            if name != "hidden":
                self.query_one(f"#label-{name}").display = visible
            self.query_one(f"#error-{name}").display = False
        self.query_one("#form-error-general").display = False
        self._errors = False

    def _hide_errors(self) -> None:
        if self._errors:
            self._errors = False
            for name in self.ALL_FIELDS:
                self.query_one(f"#error-{name}").display = False
            self.query_one("#form-error-general").display = False

    def load(self, ref: NodeRef | None, entity: Entity | None) -> None:
        """Show `entity` (None: an empty form with a hint)."""
        self.ref = ref
        title = self.query_one("#form-title", Static)
        if ref is None or entity is None or ref.kind not in FIELDS:
            title.update(Content(t("menu_editor.form.nothing")), layout=False)
            self._show_fields(())
            self._base, self._unsafe = {}, set()
            return
        title.update(  # one line (menu_editor.tcss): no relayout for a new title
            Content.assemble(
                (t(f"menu_editor.kind.{ref.kind}"), "bold"),
                "  ",
                (safe_text(entity.id, one_line=True), "dim"),
            ),
            layout=False,
        )
        shown = FIELDS[ref.kind]
        self._show_fields(shown)
        self._loading = True
        try:
            for name, value in values_of(ref.kind, entity, self.groups_text).items():
                if name == "hidden":
                    self.query_one("#field-hidden", Checkbox).value = bool(value)
                elif name in shown:
                    # never the stored text itself: an Input passes ESC and C1 bytes to the terminal
                    self._put(name, safe_text(value, one_line=True))
        finally:
            self.call_after_refresh(self._loaded)
        self._base = self.values()
        self._unsafe = unsafe_fields(entity) & set(shown)
        self._show_hints()

    def restore(self, values: Values) -> None:
        """Put back what was typed (`values`, of the line now loaded) after a load: unsaved, it shows as changed."""
        for name, value in values.items():
            if name in self._inputs and name in FIELDS.get(self.ref.kind if self.ref else "", ()):
                self._put(name, str(value))

    def _put(self, name: str, text: str) -> None:
        """Show `text` in the field `name`, the cursor where typing appends to it (its end) once the field has the
        focus (`on_descendant_focus`): the Input keeps the cursor where the previous line's text left it otherwise,
        and typing lands inside the new text. Unfocused (the wide layout's form beside the tree) the text shows
        from its start."""
        field = self._inputs[name]
        field.value = text
        field.cursor_position = len(text) if field.has_focus else 0

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """A field given the focus takes typing at the end of its text, as in every form (Ctrl+U clears it)."""
        field = event.widget
        if isinstance(field, Input) and field in self._inputs.values():
            field.cursor_position = len(field.value)

    def _loaded(self) -> None:
        self._loading = False

    def values(self) -> Values:
        kind = self.ref.kind if self.ref else ""
        out: Values = {}
        for name in FIELDS.get(kind, ()):
            if name == "hidden":
                out[name] = self.query_one("#field-hidden", Checkbox).value
            else:
                out[name] = self.query_one(f"#field-{name}", Input).value
        return out

    def changed(self, submitted: str | None = None) -> frozenset[str]:
        """The fields to save: those whose text differs from what was loaded (a name or description pair as a
        whole), and the pair of `submitted` (the field Enter was pressed in) when its stored text holds control
        characters: Enter there saves it as shown."""
        values = self.values()
        found = {name for name, value in values.items() if value != self._base.get(name)}
        if submitted in self._unsafe:
            found.add(submitted)
        for name in list(found):
            found.update(pair for pair in PAIRS.get(name, ()) if pair in values)
        return frozenset(found)

    def typed_in(self) -> frozenset[str]:
        """The fields whose text differs from what was loaded (without the other language of a pair): what to
        name when they are saved."""
        return frozenset(name for name, value in self.values().items() if value != self._base.get(name))

    def saved(self, changed: frozenset[str]) -> None:
        """The `changed` fields are in the draft as shown now: what is shown is what an untouched field means
        from here on, and the saved fields hold no control character any more."""
        self._base = self.values()
        self._unsafe -= changed

    def _hint(self, name: str) -> str:
        if name in self._unsafe and self.values().get(name) == self._base.get(name):
            return t("menu_editor.form.unsafe")
        return ""

    def _show_hints(self) -> None:
        for name in self._unsafe:
            label = self.query_one(f"#error-{name}", Label)
            label.update(Content(self._hint(name)))
            label.display = True
            self._errors = True

    def show_problems(self, problems: dict[str, str], general: str = "") -> None:
        """Each message under its field ("" clears it, leaving a field's control-character hint); `general`:
        what names no field."""
        for name in self.ALL_FIELDS:
            label = self.query_one(f"#error-{name}", Label)
            text = " ".join(part for part in (problems.get(name, ""), self._hint(name)) if part)
            label.update(Content(safe_text(text)))
            label.display = bool(text)
        general_label = self.query_one("#form-error-general", Label)
        general_label.update(Content(safe_text(general)))
        general_label.display = bool(general)
        self._errors = True

    def focus_first(self) -> None:
        shown = FIELDS.get(self.ref.kind if self.ref else "", ())
        if shown:
            self.query_one(f"#field-{shown[0]}").focus()

    def focus_field(self, name: str) -> None:
        if self.ref is not None and name in FIELDS.get(self.ref.kind, ()):
            self.query_one(f"#field-{name}").focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.ref is not None:
            submitted = (event.input.id or "").removeprefix("field-")
            self.post_message(self.Applied(self.ref, self.values(), self.changed(submitted)))

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        # `load` setting the box (a hidden line) may be answered after `_loading` is over: what it shows is no edit
        if self.ref is not None and not self._loading and event.value != self._base.get("hidden"):
            self.post_message(self.Applied(self.ref, self.values(), self.changed()))
