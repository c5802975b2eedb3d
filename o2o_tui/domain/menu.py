"""Menu -> Category -> Item -> OptionGroup -> Option.

Three kinds of "unavailable" stay apart, for items and for options alike: `status=UNAVAILABLE` (no known restore
time), `snooze_until` (sold out until a time, the usual "86") and `hidden` (not shown to customers).
*Availability* is `status` + `snooze_until`: it changes through a single item/option PATCH at once and is not part
of a menu draft (a publish keeps the current availability of every item and option it already had). `hidden` is
part of the menu (it is published with it).

Text per language: `name` is the text every console has always shown; `names` holds it per language (`zh`, `en`).
A customer sees `names.<their language>`, else the other language, else `name` (so an old single name reads as
both); a publish keeps `name` equal to the first non-empty of `names.zh`, `names.en` when `names` is given. So an
imported file's `name` that is neither of its `names` is not dropped where it can be kept: with no `names.zh` it
becomes the Chinese text; where `names.zh` is given that stands (`o2o_tui.menu_io.import_json`; the same for an
item's `description` and `descriptions`).

A cached entity: a field added here bumps `o2o_tui.sync.fetch.MODEL_VERSION` (see `o2o_tui.domain`).
"""

from __future__ import annotations

import enum
from datetime import datetime

import msgspec

from o2o_tui.domain.limits import as_utc, times_in_utc
from o2o_tui.domain.money import Money


class Availability(enum.StrEnum):
    AVAILABLE = "AVAILABLE"
    UNAVAILABLE = "UNAVAILABLE"


LANGUAGES = ("zh", "en")


class Names(msgspec.Struct, frozen=True, omit_defaults=True):
    """One text per language; "" = not given in that language."""

    zh: str = ""
    en: str = ""

    def get(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en


def localized(default: str, names: Names, lang: str) -> str:
    """The text for `lang`: its own, else the other language's, else the single `default` of older menus."""
    own = names.get(lang)
    other = names.en if lang.startswith("zh") else names.zh
    return own or other or default


class Option(msgspec.Struct, frozen=True):
    id: str
    name: str
    price: Money
    max_qty: int = 1
    status: Availability = Availability.AVAILABLE
    names: Names = Names()
    snooze_until: datetime | None = None
    hidden: bool = False

    def __post_init__(self) -> None:
        times_in_utc(self, naive_too=False)  # answered in UTC; a naive (older) one stays for the menu rules to name


class OptionGroup(msgspec.Struct, frozen=True):
    id: str
    name: str
    min: int
    max: int
    options: list[Option]
    names: Names = Names()


class Item(msgspec.Struct, frozen=True):
    id: str
    name: str
    price: Money
    description: str = ""
    status: Availability = Availability.AVAILABLE
    snooze_until: datetime | None = None
    hidden: bool = False
    option_group_ids: list[str] = []
    names: Names = Names()
    descriptions: Names = Names()
    prep_minutes: int | None = None  # None: the store's default

    def __post_init__(self) -> None:
        times_in_utc(self, naive_too=False)  # answered in UTC; a naive (older) one stays for the menu rules to name


class Category(msgspec.Struct, frozen=True):
    id: str
    name: str
    items: list[Item]
    names: Names = Names()


class Menu(msgspec.Struct, frozen=True):
    store_id: str
    version: int
    currency: str
    categories: list[Category]
    option_groups: list[OptionGroup] = []
    updated_at: datetime | None = None
    # the version of the last change a draft must see (a publish, or hiding/showing): a quick availability PATCH
    # moves `version` but not this, so a draft started before it still publishes (If-Match >= content_version)
    content_version: int = 0  # 0: written by an older server; read as `version`

    def __post_init__(self) -> None:
        times_in_utc(self, naive_too=False)  # answered in UTC; a naive (older) one stays for the menu rules to name


def is_orderable(item: Item | Option, now: datetime) -> bool:
    """Whether a customer may order this item or option at `now` (not hidden, not unavailable, not snoozed)."""
    if item.hidden or item.status is Availability.UNAVAILABLE:
        return False
    # a snooze stored without a zone (older servers took one) is read as UTC: comparing it raw would raise
    return item.snooze_until is None or as_utc(item.snooze_until) <= now
