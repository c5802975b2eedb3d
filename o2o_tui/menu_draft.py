"""A menu draft: local edits on top of the published menu they started from, undo/redo, a readable diff, a
three-way rebase after someone else published, and the menu a publish sends. Pure: no I/O.

Availability (`status`, `snooze_until`) is not part of a draft (domain/menu.py): the diff ignores it, the rebase
takes it from the newer published menu, and a publish never undoes a quick sold-out (the server keeps the current
availability of every item and option it already has). `hidden` is part of the draft.

Rebase, per entity (a category, an item, an option group, an option), on its own fields plus its parent (the
category of an item, the group of an option), three ways between the draft's base, mine and theirs: a side that
did not change it takes the other side's; both made the same change: that change; both changed it differently (or
one changed what the other deleted): a conflict, shown as theirs (as mine when they deleted it) until `resolve()`
takes a side. A category or group one side deleted while the merged menu still holds something in it (an item,
an option) is a conflict too, kept until resolved; taking the deleting side deletes what it holds. A group deleted
on either side leaves every item that offered it (on both sides) without it. Order within a parent follows theirs
when they reordered it, else mine; an entity only one side has goes after its predecessor on that side.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

import msgspec

from o2o_tui.domain.menu import Availability, Category, Item, Menu, Names, Option, OptionGroup
from o2o_tui.domain.menu_rules import normalize
from o2o_tui.menu_edits import Kind, all_ids, price_text
from offline_cache import drafts as _drafts

UNDO_MAX = 50
ChangeKind = Literal["added", "removed", "changed", "moved"]
Side = Literal["mine", "theirs"]
Entity = Category | Item | OptionGroup | Option


class MenuDraft(msgspec.Struct, frozen=True):
    store_id: str
    base: Menu  # the published menu the draft started from (its version is the publish's If-Match)
    menu: Menu  # the edited menu
    undo: list[Menu] = []  # earlier `menu`s, oldest first
    redo: list[Menu] = []
    saved_at: datetime | None = None
    # who changed it last: "editor" (a person, in the menu editor) or "import" (`o2o menu import`); an import
    # never publishes a person's edits it did not make (o2o_tui/menu_service.py `unpublished_edits`)
    changed_by: str | None = None


def start(base: Menu) -> MenuDraft:
    return MenuDraft(store_id=base.store_id, base=base, menu=base)


def apply(draft: MenuDraft, edited: Menu) -> MenuDraft:
    """The draft after one edit: the previous menu goes on the undo stack (at most UNDO_MAX), redo is cleared.
    An edit that changes nothing changes nothing."""
    if edited == draft.menu:
        return draft
    undo = [*draft.undo, draft.menu][-UNDO_MAX:]
    return msgspec.structs.replace(draft, menu=edited, undo=undo, redo=[])


def undo(draft: MenuDraft) -> MenuDraft:
    if not draft.undo:
        return draft
    return msgspec.structs.replace(
        draft, menu=draft.undo[-1], undo=draft.undo[:-1], redo=[*draft.redo, draft.menu][-UNDO_MAX:]
    )


def redo(draft: MenuDraft) -> MenuDraft:
    if not draft.redo:
        return draft
    return msgspec.structs.replace(
        draft, menu=draft.redo[-1], redo=draft.redo[:-1], undo=[*draft.undo, draft.menu][-UNDO_MAX:]
    )


def used_ids(draft: MenuDraft) -> set[str]:
    """Every id the draft knows this store's menu had: the published menu's, the edited one's, and those of its
    undo and redo history (a deleted entity's among them). A new entity's id is none of them
    (`menu_edits.new_id`)."""
    menus = (draft.base, draft.menu, *draft.undo, *draft.redo)
    return {entity_id for menu in menus for entity_id in all_ids(menu)}


def is_dirty(draft: MenuDraft) -> bool:
    """Whether publishing the draft would change the published menu's content."""
    return content_key(draft.base) != content_key(draft.menu)


def publish_menu(draft: MenuDraft) -> Menu:
    """The menu to PUT: the draft's content, names normalized, at the version it was edited from."""
    return msgspec.structs.replace(
        normalize(draft.menu), version=draft.base.version, updated_at=draft.base.updated_at
    )


# -- entity records (what the diff and the rebase compare) --------------------------------------------------------

_AVAILABILITY: dict[str, Any] = {"status": Availability.AVAILABLE, "snooze_until": None}


def _own(entity: Entity) -> Entity:
    """The entity's own content: no availability, no children (they are entities of their own)."""
    if isinstance(entity, Category):
        return msgspec.structs.replace(entity, items=[])
    if isinstance(entity, OptionGroup):
        return msgspec.structs.replace(entity, options=[])
    return msgspec.structs.replace(entity, **_AVAILABILITY)


class _Record(msgspec.Struct, frozen=True):
    kind: str
    entity: Any  # the entity itself (with its availability and children, as it is in its menu)
    own: Any  # _own(entity)
    parent: str | None
    index: int


def _records(menu: Menu) -> dict[tuple[str, str], _Record]:
    found: dict[tuple[str, str], _Record] = {}
    for c_index, category in enumerate(menu.categories):
        found[("category", category.id)] = _Record("category", category, _own(category), None, c_index)
        for i_index, item in enumerate(category.items):
            found[("item", item.id)] = _Record("item", item, _own(item), category.id, i_index)
    for g_index, group in enumerate(menu.option_groups):
        found[("group", group.id)] = _Record("group", group, _own(group), None, g_index)
        for o_index, option in enumerate(group.options):
            found[("option", option.id)] = _Record("option", option, _own(option), group.id, o_index)
    return found


def content_key(menu: Menu) -> tuple[Any, ...]:
    """What a publish changes: everything but availability, version and updated_at."""
    return (
        menu.currency,
        tuple((_own(c), tuple(_own(i) for i in c.items)) for c in menu.categories),
        tuple((_own(g), tuple(_own(o) for o in g.options)) for g in menu.option_groups),
    )


# -- diff -------------------------------------------------------------------------------------------------------


class Change(msgspec.Struct, frozen=True):
    """One difference: an entity added or removed, one field of it changed (`fields` names it, `before` and
    `after` are its values as text), or moved (within its parent: `fields` is `["position"]`, before/after the
    1-based places; to another parent: `["category"]` or `["group"]`, before/after the parents' names)."""

    kind: ChangeKind
    entity: Kind
    id: str
    name: str
    fields: list[str] = []
    before: str | None = None
    after: str | None = None
    parent_id: str | None = None  # the category of an item, the group of an option (in the newer menu)
    parent_name: str = ""


# a per-language field and the single text of an older menu it stands in for (screens/menu_form.py shows a
# single text as the Chinese one, so the preview must say it was there)
_NAMED_FIELDS = {"names": "name", "descriptions": "description"}


def _value_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "amount") and hasattr(value, "currency"):
        return price_text(value)  # type: ignore[arg-type]  # a Money
    return str(value)


def field_label(field: str) -> str:
    """A `Change.fields` entry in words in the current language ("name (en)", "价格"), for a person reading a
    preview (`--json` keeps the field paths); a field the catalog does not name keeps its path."""
    from o2o_tui.i18n import t

    key = f"menu_publish.field.{field}"
    text = t(key)
    return field if text == key else text


def hidden_word(hidden: bool) -> str:
    """Whether an item or option is hidden, as the menu says it in the current language ("已隐藏" / "显示")."""
    from o2o_tui.i18n import t

    return t("menu_publish.hidden.yes" if hidden else "menu_publish.hidden.no")


def value_words(change: Change) -> tuple[str, str]:
    """A change's before and after as a person reads them in the current language: `hidden` as a word (not the
    yes/no `--json` and `Change` keep for scripts); any other value as it is. Not yet made safe."""
    before, after = change.before or "", change.after or ""
    if change.fields == ["hidden"]:
        words = {"yes": hidden_word(True), "no": hidden_word(False)}
        return words.get(before, before), words.get(after, after)
    return before, after


def fields_text(fields: list[str]) -> str:
    """The changed fields in words and the colon after them, in the current language ("价格：", "price: ")."""
    from o2o_tui.i18n import t

    return t("menu_publish.fields", fields=t("menu_publish.list_sep").join(field_label(f) for f in fields))


def _field_values(own: Entity) -> dict[str, object]:
    values: dict[str, object] = {}
    for field in own.__struct_fields__:
        if field in ("id", "items", "options", "status", "snooze_until"):
            continue
        value = getattr(own, field)
        if field in _NAMED_FIELDS and isinstance(value, Names):
            single = str(getattr(own, _NAMED_FIELDS[field], ""))
            values[f"{field}.zh"] = value.zh or ("" if value.en else single)
            values[f"{field}.en"] = value.en
        else:
            values[field] = value
    return values


def _changed_fields(old: Entity, new: Entity) -> Iterator[tuple[str, str, str]]:
    before = _field_values(old)
    after = _field_values(new)
    # per language when the per-language texts changed (`name` follows them: not said twice), else as `name`
    said_per_language = {
        single: getattr(old, named, None) != getattr(new, named, None)
        for named, single in _NAMED_FIELDS.items()
    }
    for field, value in after.items():
        if before.get(field) == value:
            continue
        head, _, language = field.partition(".")
        single = _NAMED_FIELDS.get(head, field)
        if single in said_per_language and said_per_language[single] != bool(language):
            continue
        yield field, _value_text(before.get(field)), _value_text(value)


def _summary(record: _Record) -> str | None:
    entity = record.entity
    if isinstance(entity, (Item, Option)):
        return price_text(entity.price)
    return None


def _moved_ids(old_order: list[str], new_order: list[str]) -> set[str]:
    """Ids (present in both lists) outside a longest run of common order: the ones a person moved."""
    old_set = set(old_order)
    new_set = set(new_order)
    a = [i for i in old_order if i in new_set]
    b = [i for i in new_order if i in old_set]
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    kept = {b[j + k] for _, j, size in matcher.get_matching_blocks() for k in range(size)}
    return set(b) - kept


def _children_orders(menu: Menu) -> dict[tuple[str, str | None], list[str]]:
    orders: dict[tuple[str, str | None], list[str]] = {
        ("category", None): [c.id for c in menu.categories],
        ("group", None): [g.id for g in menu.option_groups],
    }
    for category in menu.categories:
        orders[("item", category.id)] = [i.id for i in category.items]
    for group in menu.option_groups:
        orders[("option", group.id)] = [o.id for o in group.options]
    return orders


def diff(old: Menu, new: Menu) -> list[Change]:
    """What publishing `new` over `old` changes, in the order of the newer menu's tree (removed entities follow
    their parent's entries). Availability, version and updated_at are not compared."""
    before = _records(old)
    after = _records(new)
    parent_kind = {"item": "category", "option": "group"}

    def parent_name(kind: str, parent: str | None, records: dict[tuple[str, str], _Record]) -> str:
        if parent is None:
            return ""
        record = records.get((parent_kind[kind], parent))
        return record.entity.name if record is not None else parent

    moved: set[tuple[str, str]] = set()
    old_orders = _children_orders(old)
    for (kind, parent), order in _children_orders(new).items():
        moved.update((kind, i) for i in _moved_ids(old_orders.get((kind, parent), []), order))

    changes: list[Change] = []

    def emit(key: tuple[str, str]) -> None:
        kind, entity_id = key
        entity_kind: Kind = kind  # type: ignore[assignment]  # the record kinds are the four Kinds
        new_record = after.get(key)
        old_record = before.get(key)
        record = new_record or old_record
        assert record is not None
        common = {
            "entity": entity_kind,
            "id": entity_id,
            "name": record.entity.name,
            "parent_id": record.parent,
            "parent_name": parent_name(kind, record.parent, after if new_record else before),
        }
        if old_record is None:
            changes.append(Change(kind="added", after=_summary(record), **common))
            return
        if new_record is None:
            changes.append(Change(kind="removed", before=_summary(record), **common))
            return
        if old_record.parent != new_record.parent:
            field = parent_kind[kind]
            changes.append(
                Change(
                    kind="moved",
                    fields=[field],
                    before=parent_name(kind, old_record.parent, before),
                    after=parent_name(kind, new_record.parent, after),
                    **common,
                )
            )
        elif key in moved:
            changes.append(
                Change(
                    kind="moved",
                    fields=["position"],
                    before=str(old_record.index + 1),
                    after=str(new_record.index + 1),
                    **common,
                )
            )
        for field, was, now in _changed_fields(old_record.own, new_record.own):
            changes.append(Change(kind="changed", fields=[field], before=was, after=now, **common))

    def removed_children(kind: str, parent: str | None) -> list[tuple[str, str]]:
        return [k for k, r in before.items() if r.kind == kind and r.parent == parent and k not in after]

    for category in new.categories:
        emit(("category", category.id))
        for item in category.items:
            emit(("item", item.id))
        for key in removed_children("item", category.id):
            emit(key)
    for key in removed_children("category", None):
        emit(key)
        for item_key in removed_children("item", key[1]):
            emit(item_key)
    for group in new.option_groups:
        emit(("group", group.id))
        for option in group.options:
            emit(("option", option.id))
        for key in removed_children("option", group.id):
            emit(key)
    for key in removed_children("group", None):
        emit(key)
        for option_key in removed_children("option", key[1]):
            emit(option_key)
    return changes


# -- rebase -----------------------------------------------------------------------------------------------------


class Conflict(msgspec.Struct, frozen=True):
    """Both sides changed one entity differently (or one deleted what the other changed or still needs).
    `base`, `mine`, `theirs`: the entity's own content on each side (no availability, no children); None =
    absent there. `*_parent`: the category (item) or group (option) it sits in on each side."""

    entity: Kind
    id: str
    name: str
    base: object | None
    mine: object | None
    theirs: object | None
    base_parent: str | None = None
    mine_parent: str | None = None
    theirs_parent: str | None = None


class Rebase(msgspec.Struct, frozen=True):
    """`draft`: based on theirs, holding theirs plus my non-conflicting changes (each open conflict as theirs).
    `conflicts`: what is left to resolve. The other fields let `resolve()` merge again."""

    draft: MenuDraft
    conflicts: list[Conflict]
    old_base: Menu | None = None
    mine: Menu | None = None
    taken: dict[str, str] = {}  # "kind:id" -> "mine" | "theirs", the conflicts resolved so far


def _compared(record: _Record, dropped: set[str]) -> Any:
    own = record.own
    if dropped and isinstance(own, Item) and dropped.intersection(own.option_group_ids):
        return msgspec.structs.replace(
            own, option_group_ids=[g for g in own.option_group_ids if g not in dropped]
        )
    return own


def _same(a: _Record | None, b: _Record | None, dropped: set[str]) -> bool:
    """Equal content and parent, not counting references to the groups in `dropped` (a group deleted on a side
    takes itself out of every item there: that is the group's change, not the items')."""
    if a is None or b is None:
        return a is b
    return a.parent == b.parent and _compared(a, dropped) == _compared(b, dropped)


def _key_text(key: tuple[str, str]) -> str:
    return f"{key[0]}:{key[1]}"


def _merge(base: Menu, mine: Menu, theirs: Menu, taken: dict[str, str]) -> tuple[Menu, list[Conflict]]:
    b_rec, m_rec, t_rec = _records(base), _records(mine), _records(theirs)
    chosen: dict[tuple[str, str], _Record | None] = {}
    conflicted: dict[tuple[str, str], _Record | None] = {}  # key -> the record shown until resolved
    keys = list(dict.fromkeys([*t_rec, *m_rec, *b_rec]))
    base_groups = {g.id for g in base.option_groups}
    dropped_m = base_groups - {g.id for g in mine.option_groups}
    dropped_t = base_groups - {g.id for g in theirs.option_groups}
    for key in keys:
        b, m, t = b_rec.get(key), m_rec.get(key), t_rec.get(key)
        side = taken.get(_key_text(key))
        if side is not None:
            chosen[key] = m if side == "mine" else t
        elif _same(m, b, dropped_m):
            chosen[key] = t
        elif _same(t, b, dropped_t) or _same(m, t, dropped_m | dropped_t):
            chosen[key] = m
        else:
            conflicted[key] = t if t is not None else m
            chosen[key] = conflicted[key]

    # a parent (or a referenced group) deleted on one side while the merge still needs it: a conflict, kept
    def needed() -> set[tuple[str, str]]:
        wanted: set[tuple[str, str]] = set()
        for (kind, _), record in chosen.items():
            if record is None:
                continue
            if kind == "item":  # (a group's deletion just takes it out of the items that offered it)
                wanted.add(("category", record.parent or ""))
            elif kind == "option":
                wanted.add(("group", record.parent or ""))
        return wanted

    for key in needed():
        if chosen.get(key) is None and _key_text(key) not in taken:
            kept = t_rec.get(key) or m_rec.get(key)
            if kept is not None:
                conflicted[key] = kept
                chosen[key] = kept

    # availability is the live menu's: theirs where they have the entity (they published after my base)
    def live(record: _Record) -> Any:
        entity = record.entity
        their = t_rec.get((record.kind, entity.id))
        if isinstance(entity, (Item, Option)) and their is not None:
            return msgspec.structs.replace(
                entity, status=their.entity.status, snooze_until=their.entity.snooze_until
            )
        return entity

    present = {key: record for key, record in chosen.items() if record is not None}
    groups_kept = {entity_id for kind, entity_id in present if kind == "group"}

    def ordered(kind: str, parent: str | None) -> list[_Record]:
        members = {key[1]: r for key, r in present.items() if key[0] == kind and r.parent == parent}
        t_order = [
            r.entity.id
            for r in sorted(
                (r for r in t_rec.values() if r.kind == kind and r.parent == parent), key=lambda r: r.index
            )
        ]
        m_order = [
            r.entity.id
            for r in sorted(
                (r for r in m_rec.values() if r.kind == kind and r.parent == parent), key=lambda r: r.index
            )
        ]
        b_order = [
            r.entity.id
            for r in sorted(
                (r for r in b_rec.values() if r.kind == kind and r.parent == parent), key=lambda r: r.index
            )
        ]
        common = set(t_order) & set(b_order)
        they_reordered = [i for i in t_order if i in common] != [i for i in b_order if i in common]
        first, second = (t_order, m_order) if they_reordered or not m_order else (m_order, t_order)
        result = [i for i in first if i in members]
        for other in (second, b_order):
            for position, entity_id in enumerate(other):
                if entity_id not in members or entity_id in result:
                    continue
                before = next((p for p in reversed(other[:position]) if p in result), None)
                result.insert(0 if before is None else result.index(before) + 1, entity_id)
        result.extend(sorted(set(members) - set(result)))
        return [members[i] for i in result]

    categories = []
    for record in ordered("category", None):
        items = []
        for item_record in ordered("item", record.entity.id):
            item = live(item_record)
            offered = [g for g in item.option_group_ids if g in groups_kept]
            if offered != item.option_group_ids:
                item = msgspec.structs.replace(item, option_group_ids=offered)
            items.append(item)
        categories.append(msgspec.structs.replace(record.entity, items=items))
    option_groups = [
        msgspec.structs.replace(record.entity, options=[live(o) for o in ordered("option", record.entity.id)])
        for record in ordered("group", None)
    ]
    merged = msgspec.structs.replace(theirs, categories=categories, option_groups=option_groups)

    conflicts = []
    for key in keys:
        if key not in conflicted:
            continue
        b, m, t = b_rec.get(key), m_rec.get(key), t_rec.get(key)
        shown = t or m or b
        assert shown is not None
        conflicts.append(
            Conflict(
                entity=key[0],  # type: ignore[arg-type]  # one of the four Kinds
                id=key[1],
                name=shown.entity.name,
                base=b.own if b else None,
                mine=m.own if m else None,
                theirs=t.own if t else None,
                base_parent=b.parent if b else None,
                mine_parent=m.parent if m else None,
                theirs_parent=t.parent if t else None,
            )
        )
    return merged, conflicts


def _rebased(draft: MenuDraft, theirs: Menu, taken: dict[str, str]) -> Rebase:
    merged, conflicts = _merge(draft.base, draft.menu, theirs, taken)
    new_draft = MenuDraft(
        store_id=draft.store_id, base=theirs, menu=merged, saved_at=draft.saved_at, changed_by=draft.changed_by
    )
    return Rebase(draft=new_draft, conflicts=conflicts, old_base=draft.base, mine=draft.menu, taken=taken)


def rebase(draft: MenuDraft, theirs: Menu) -> Rebase:
    """The draft moved onto `theirs` (the menu someone else published meanwhile). Undo history is dropped: it
    holds menus of the old base."""
    return _rebased(draft, theirs, {})


def holds(live: Menu, draft: MenuDraft) -> bool:
    """Whether `live`, newer than the menu the draft started from, already holds everything the draft would
    publish: the draft's own publish (queued offline, sent since) or the same edits made elsewhere."""
    return live.version > draft.base.version and content_key(normalize(draft.menu)) == content_key(live)


def catch_up(draft: MenuDraft, live: Menu) -> Rebase | None:
    """The draft moved onto `live` when `live` is newer than its base (None: it is not). A draft `live` already
    holds comes back as a fresh draft of `live`; any other is rebased (its names normalized first, as a publish
    sends them, so a name the platform normalized is no conflict)."""
    if live.version <= draft.base.version:
        return None
    if holds(live, draft):
        return Rebase(draft=start(live), conflicts=[])
    return rebase(msgspec.structs.replace(draft, menu=normalize(draft.menu)), live)


def resolve(rebase_: Rebase, entity: Kind, entity_id: str, take: Side) -> Rebase:
    """Settle one conflict by taking my side or theirs; the merged menu is rebuilt."""
    if rebase_.old_base is None or rebase_.mine is None:
        raise ValueError("this rebase does not carry its sides")
    if not any(c.entity == entity and c.id == entity_id for c in rebase_.conflicts):
        raise KeyError(f"no conflict on {entity} {entity_id}")
    taken = {**rebase_.taken, f"{entity}:{entity_id}": take}
    old = MenuDraft(
        store_id=rebase_.draft.store_id,
        base=rebase_.old_base,
        menu=rebase_.mine,
        saved_at=rebase_.draft.saved_at,
        changed_by=rebase_.draft.changed_by,
    )
    return _rebased(old, rebase_.draft.base, taken)


# -- storage ----------------------------------------------------------------------------------------------------
# A saved draft keeps its undo and redo stacks; each of those menus (and the base) is stored against a neighbour:
# a category or group equal to one in the neighbour is stored as that one's index. An edit touches one category or
# group, so a 500-item draft with a full undo stack stays about the size of two menus instead of fifty.


def _shared(entities: list[Any], reference: list[Any]) -> list[Any]:
    by_id = {entity.id: index for index, entity in enumerate(reference)}
    encoded: list[Any] = []
    for position, entity in enumerate(entities):
        index = (
            position if position < len(reference) and reference[position] == entity else by_id.get(entity.id)
        )
        if index is not None and reference[index] == entity:
            encoded.append(index)
        else:
            encoded.append(msgspec.to_builtins(entity))
    return encoded


def _menu_against(menu: Menu, reference: Menu) -> dict[str, Any]:
    doc: dict[str, Any] = msgspec.to_builtins(msgspec.structs.replace(menu, categories=[], option_groups=[]))
    doc["categories"] = _shared(menu.categories, reference.categories)
    doc["option_groups"] = _shared(menu.option_groups, reference.option_groups)
    return doc


def _restored(entities: list[Any], reference: list[Any], kind: type[Any]) -> list[Any]:
    return [
        reference[entry] if isinstance(entry, int) else msgspec.convert(entry, kind) for entry in entities
    ]


def _menu_from(doc: dict[str, Any], reference: Menu) -> Menu:
    shell = msgspec.convert({**doc, "categories": [], "option_groups": []}, Menu)
    return msgspec.structs.replace(
        shell,
        categories=_restored(doc.get("categories", []), reference.categories, Category),
        option_groups=_restored(doc.get("option_groups", []), reference.option_groups, OptionGroup),
    )


def _chain(menus: list[Menu], last_reference: Menu) -> list[dict[str, Any]]:
    """Each menu against the next one (the last against `last_reference`)."""
    if not menus:
        return []
    references = [*menus[1:], last_reference]
    return [_menu_against(menu, ref) for menu, ref in zip(menus, references, strict=True)]


def _unchain(docs: list[dict[str, Any]], last_reference: Menu) -> list[Menu]:
    menus: list[Menu] = []
    reference = last_reference
    for doc in reversed(docs):
        reference = _menu_from(doc, reference)
        menus.append(reference)
    return list(reversed(menus))


def to_doc(draft: MenuDraft) -> dict[str, Any]:
    """The draft as a compact JSON document (see above); `from_doc` reads it back equal."""
    return {
        "store_id": draft.store_id,
        "saved_at": msgspec.to_builtins(draft.saved_at),
        "menu": msgspec.to_builtins(draft.menu),
        "base": _menu_against(draft.base, draft.menu),
        "undo": _chain(
            draft.undo, draft.menu
        ),  # undo[-1] against the menu, each earlier one against the next
        "redo": _chain(draft.redo, draft.menu),  # the same for redo (its last is the next redo step)
        "changed_by": draft.changed_by,
    }


def from_doc(doc: dict[str, Any]) -> MenuDraft:
    """Raises msgspec.ValidationError (or KeyError, IndexError) when the document is not a draft."""
    menu = msgspec.convert(doc["menu"], Menu)
    saved_at = doc.get("saved_at")
    return MenuDraft(
        store_id=str(doc["store_id"]),
        base=_menu_from(doc["base"], menu),
        menu=menu,
        undo=_unchain(list(doc.get("undo", [])), menu),
        redo=_unchain(list(doc.get("redo", [])), menu),
        saved_at=None if saved_at is None else msgspec.convert(saved_at, datetime),
        changed_by=_changed_by(doc.get("changed_by")),
    )


def _changed_by(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _draft_key(draft: MenuDraft) -> str:
    return draft.store_id


def _decode_doc(doc: dict[str, Any]) -> MenuDraft:
    try:
        return from_doc(doc)
    except (KeyError, IndexError) as exc:
        raise ValueError(f"not a menu draft: {exc}") from exc


# `DraftStore(cache)` (offline_cache/drafts.py) stores menu drafts: the cache knows JSON, this module the draft.
_drafts.register_codec(_drafts.DraftCodec(key=_draft_key, encode=to_doc, decode=_decode_doc))
