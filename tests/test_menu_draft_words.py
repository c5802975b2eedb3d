"""What a menu draft's preview says, in words: a one-name item's old name is shown as its Chinese name (as the
editor's form shows it), every field the diff names has a label in both languages, and the demo menu's
descriptions are bilingual like its names. The last test imports a sheet through `o2o menu import --dry-run`
against the real platform on loopback."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest
from typer.testing import CliRunner

from o2o_tui import menu_draft as md
from o2o_tui import menu_edits as edits
from o2o_tui.cli import app
from o2o_tui.domain.menu import Category, Item, Menu, Names, Option, OptionGroup
from o2o_tui.domain.money import Money
from o2o_tui.i18n import catalog, set_language
from o2o_tui.menu_io import CSV_COLUMNS
from o2o_tui.platform.seed import demo_menu
from tests.support.platform import RunningPlatform

COL = {name: index for index, name in enumerate(CSV_COLUMNS)}
BEANS = "干煸四季豆 Dry-Fried Green Beans"  # the demo's single name
HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


def demo() -> Menu:
    return msgspec.structs.replace(demo_menu(), store_id="store-1")


def changed(old: Menu, new: Menu) -> list[tuple[str, str | None, str | None]]:
    return [(c.fields[0], c.before, c.after) for c in md.diff(old, new) if c.kind == "changed"]


def test_an_english_name_added_to_a_one_name_item_is_the_only_change_said() -> None:
    base = demo()
    new = edits.update_item(base, "dry-fried-beans", names=Names(zh=BEANS, en="Dry-Fried Green Beans"))
    assert changed(base, new) == [("names.en", "", "Dry-Fried Green Beans")]


def test_a_new_chinese_name_of_a_one_name_item_shows_the_old_name_as_its_old_value() -> None:
    base = demo()
    new = edits.update_item(base, "dry-fried-beans", names=Names(zh="干煸四季豆（小份）", en="Small beans"))
    assert changed(base, new) == [
        ("names.zh", BEANS, "干煸四季豆（小份）"),
        ("names.en", "", "Small beans"),
    ]


def test_a_one_description_item_reads_its_description_as_the_chinese_one() -> None:
    base = demo()
    old = next(i for c in base.categories for i in c.items if i.id == "mapo-tofu").description
    new = edits.update_item(base, "mapo-tofu", descriptions=Names(zh=old, en="Tofu, minced beef"))
    assert changed(base, new) == [("descriptions.en", "", "Tofu, minced beef")]


def test_a_renamed_one_name_item_is_still_said_as_its_name() -> None:
    base = demo()
    new = edits.update_item(base, "dry-fried-beans", name="四季豆")
    assert changed(base, new) == [("name", BEANS, "四季豆")]


def test_an_english_only_name_stays_english() -> None:
    """A name given only in English is no Chinese name: adding the Chinese one shows it was empty."""
    base = edits.update_item(demo(), "cola", name="Cola", names=Names(en="Cola"))
    new = edits.update_item(base, "cola", names=Names(zh="可乐", en="Cola"))
    assert changed(base, new) == [("names.zh", "", "可乐")]


def _every_field(menu: Menu) -> set[str]:
    """Every field path a diff of `menu` can name: each entity with all its fields changed, moved and moved
    to another parent."""
    cny = "CNY"
    other = Menu(
        store_id=menu.store_id,
        version=menu.version,
        currency=cny,
        categories=[
            Category(id="c", name="x", names=Names(zh="x", en="x"), items=[]),
            Category(id="d", name="y", items=[
                Item(id="i", name="x", price=Money(1, cny), description="x", hidden=True, option_group_ids=["g"],
                     names=Names(zh="x", en="x"), descriptions=Names(zh="x", en="x"), prep_minutes=3),
            ]),
        ],
        option_groups=[
            OptionGroup(id="h", name="y", min=0, max=1, options=[]),
            OptionGroup(id="g", name="x", min=1, max=2, names=Names(zh="x", en="x"), options=[
                Option(id="o", name="x", price=Money(1, cny), max_qty=3, hidden=True, names=Names(zh="x", en="x")),
            ]),
        ],
    )  # fmt: skip
    base = Menu(
        store_id=menu.store_id,
        version=menu.version,
        currency=cny,
        categories=[
            Category(id="c", name="a", items=[
                Item(id="i", name="a", price=Money(2, cny), option_group_ids=[]),
            ]),
            Category(id="d", name="b", items=[]),
        ],
        option_groups=[
            OptionGroup(id="g", name="a", min=0, max=1, options=[]),
            OptionGroup(id="h", name="b", min=0, max=1, options=[
                Option(id="o", name="a", price=Money(2, cny)),
            ]),
        ],
    )  # fmt: skip
    found = {field for change in md.diff(base, other) for field in change.fields}
    renamed = edits.update_item(base, "i", name="z")  # a single name changed alone is said as `name`
    found |= {field for change in md.diff(base, renamed) for field in change.fields}
    return found


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_field_a_preview_names_is_said_in_words(language: str) -> None:
    fields = _every_field(demo())
    assert {"name", "names.zh", "names.en", "descriptions.zh", "price", "hidden", "prep_minutes"} <= fields
    assert {"option_group_ids", "min", "max", "max_qty", "category", "group", "position"} <= fields
    set_language(language)
    labels = {field: md.field_label(field) for field in sorted(fields)}
    for field, label in labels.items():
        assert f"menu_publish.field.{field}" in catalog(language), field
        assert "." not in label and "_" not in label, (field, label)  # words, not a field path
        if language == "zh":
            assert HAN.search(label) and not LATIN.search(label), (field, label)
    assert labels["names.en"] == ("英文名称" if language == "zh" else "name (en)")
    assert md.field_label("no-such-field") == "no-such-field"


def test_the_demo_menu_describes_its_dishes_in_both_languages_like_its_names() -> None:
    items = [item for category in demo_menu().categories for item in category.items]
    described = [item for item in items if item.description]
    assert len(described) >= 5
    for item in described:
        assert HAN.search(item.description) and LATIN.search(item.description), (item.id, item.description)
        assert item.descriptions == Names() and item.names == Names()  # single texts, as its names are


# --- the CLI's preview against the real platform -----------------------------------------------------------------


def _cli(home: Path, *args: str, lang: str = "en") -> Any:
    env: dict[str, str | None] = {"O2O_HOME": str(home), "O2O_LANG": lang, "NO_COLOR": "1"}
    env |= {"COLUMNS": "200", "O2O_PROFILE": None, "O2O_TOKEN": None}
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, (args, result.exit_code, result.stdout, result.stderr)
    return result


def test_import_preview_of_an_english_name_says_only_the_english_name(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    assert platform.seed is not None
    home = tmp_path / "home"
    _cli(home, "login", "--url", platform.url, "--token", platform.seed.tokens["merchant"])
    exported = tmp_path / "menu.csv"
    _cli(home, "menu", "export", "-o", str(exported))
    rows = list(csv.reader(io.StringIO(exported.read_bytes().decode("utf-8-sig"), newline="")))
    beans = next(r for r in rows if r[COL["item_id"]] == "dry-fried-beans")
    beans[COL["name_en"]] = "Dry-Fried Green Beans"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    edited = tmp_path / "edited.csv"
    edited.write_bytes(out.getvalue().encode("utf-8-sig"))

    dry = json.loads(_cli(home, "menu", "import", str(edited), "--dry-run", "--json").stdout)
    said = [(c["id"], c["fields"], c["before"], c["after"]) for c in dry["changes"]]
    assert said == [("dry-fried-beans", ["names.en"], "", "Dry-Fried Green Beans")]
    text = _cli(home, "menu", "import", str(edited), "--dry-run", lang="zh").stdout
    lines = [line for line in text.splitlines() if line.startswith("~")]
    assert len(lines) == 1 and lines[0].endswith("： -> Dry-Fried Green Beans"), lines
    assert "names.zh" not in text and "中文名称" not in text  # no blank old Chinese name said
