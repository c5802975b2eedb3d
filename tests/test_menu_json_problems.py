"""`o2o menu import FILE.json` names every problem of a JSON menu, each at its text line, against the real
platform with a real cache: an unknown field is one problem among the others (not a stop), a value of the wrong
type, a group whose min is above its max and an option group id the menu does not have (named) are all listed;
the decoder's messages are in the console's language."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.i18n import set_language, t
from o2o_tui.menu_io import MenuImportError, import_json
from tests.support.platform import RunningPlatform
from tests.test_menu_import_scripts import Cli, seed


def _logged_in(platform: RunningPlatform, tmp_path: Path) -> Cli:
    cli = Cli(tmp_path / "home", seed(platform).tokens["merchant"])
    cli.login(platform.url)
    cli("sync", "--once")
    return cli


def _faulty(cli: Cli, tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """The exported menu with five faults, and the text line each one is on."""
    exported = tmp_path / "cur.json"
    cli("menu", "export", "-o", str(exported))
    menu: Any = json.loads(exported.read_text(encoding="utf-8"))
    menu["categories"][0]["hidden"] = False  # a category has no `hidden`
    menu["categories"][1]["items"][0]["bogus"] = 1
    menu["categories"][0]["items"][1]["price"]["amount"] = 12.5
    menu["categories"][0]["items"][0]["option_group_ids"] = ["nope"]
    menu["option_groups"][0]["min"] = menu["option_groups"][0]["max"] + 1
    text = json.dumps(menu, ensure_ascii=False, indent=2)
    lines = text.splitlines()

    def line_of(needle: str, after: int = 0) -> int:
        return next(number for number, line in enumerate(lines, 1) if number > after and needle in line)

    first_item = line_of('"items"')
    second_category = line_of('"id": "' + menu["categories"][1]["id"] + '"')
    places = {
        "categories[1].items[0].bogus": line_of('"bogus"'),
        "categories[0].items[1].price.amount": line_of("12.5"),
        "categories[0].items[0].option_group_ids": line_of('"nope"'),  # the line of the id the menu lacks
        "option_groups[0].min": line_of('"min"'),
    }
    # the category's own `hidden` comes after its items (json.dumps keeps the order the keys were added)
    places["categories[0].hidden"] = next(
        number
        for number, line in enumerate(lines, 1)
        if first_item < number < second_category and line == '      "hidden": false'
    )
    path = tmp_path / "bad.json"
    path.write_text(text + "\n", encoding="utf-8")
    return path, places


def test_every_json_problem_is_listed_at_its_line(platform: RunningPlatform, tmp_path: Path) -> None:
    cli = _logged_in(platform, tmp_path)
    bad, places = _faulty(cli, tmp_path)
    refused = cli("menu", "import", str(bad), "--dry-run", "--json", code=Exit.USAGE)
    errors = json.loads(refused.stderr.splitlines()[-1])["error"]["errors"]
    found = {e["field"]: e for e in errors}
    assert set(found) == set(places), errors
    for field, line in places.items():
        assert found[field]["line"] == line, (field, found[field])
        assert found[field]["column"] > 0 and found[field]["row"] is None
    assert "`nope`" in found["categories[0].items[0].option_group_ids"]["message"]
    assert "`hidden`" in found["categories[0].hidden"]["message"]

    said = cli("menu", "import", str(bad), "--dry-run", code=Exit.USAGE, lang="zh").stdout
    assert "Object contains" not in said and "Expected `" not in said
    set_language("zh")
    try:
        assert t("menu_cli.json.unknown_field", field="hidden") in said
        assert t("menu_cli.json.unknown_option_group", id="nope") in said
    finally:
        set_language(None)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda m: m.update(currency="cny"), "menu_cli.json.currency_code"),
        (lambda m: m["categories"][0]["items"][0].update(status="GONE"), "menu_cli.json.enum_value"),
        (lambda m: m["categories"][0]["items"][0].update(snooze_until="soon"), "menu_cli.json.datetime"),
        (lambda m: m["categories"][0]["items"][0]["price"].pop("amount"), "menu_cli.json.missing_field"),
    ],
)
def test_each_decoder_message_shape_reads_in_chinese(platform: RunningPlatform, tmp_path: Path, change: Any, key: str) -> None:
    cli = _logged_in(platform, tmp_path)
    exported = tmp_path / "cur.json"
    cli("menu", "export", "-o", str(exported))
    menu = json.loads(exported.read_text(encoding="utf-8"))
    change(menu)
    menu["categories"][1]["items"][0]["bogus"] = 1  # and one more problem after it
    set_language("zh")
    try:
        with pytest.raises(MenuImportError) as refused:
            import_json(json.dumps(menu, ensure_ascii=False, indent=2).encode())
        messages = [p.message for p in refused.value.problems]
        prefix = t(key, field="amount", value="'GONE'").split("`")[0].split("：")[0]
        assert any(m.startswith(prefix) for m in messages), messages
        assert any(p.field == "categories[1].items[0].bogus" for p in refused.value.problems)
        assert all(p.line > 0 for p in refused.value.problems), refused.value.problems
        assert not any(m.startswith(("Expected", "Object", "Invalid")) for m in messages)
    finally:
        set_language(None)
