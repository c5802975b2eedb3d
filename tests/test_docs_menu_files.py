"""docs/menu-files.md's tea-shop example stays a file `o2o menu import` takes: read from the doc as it is written,
imported with `menu_io.import_json`, and by a new store's merchant through the CLI (dry run, then the import)
against the real platform on loopback; README points to the doc where it says option groups are made in JSON."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from o2o_tui import menu_io
from o2o_tui.cli import app
from tests.support.platform import ROOT, RunningPlatform, start_platform

DOC = ROOT / "docs" / "menu-files.md"


def doc_example() -> bytes:
    """The first ```json block of the doc, exactly as a person would copy it."""
    found = re.search(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert found, "docs/menu-files.md has no ```json example"
    return found.group(1).encode("utf-8")


def test_the_example_reads_as_a_menu_with_both_groups() -> None:
    menu = menu_io.import_json(doc_example(), "CNY")
    groups = {group.id: group for group in menu.option_groups}
    sweetness, toppings = groups["sweetness"], groups["toppings"]
    assert (sweetness.min, sweetness.max) == (1, 1)  # exactly one
    assert {option.price.amount for option in sweetness.options} == {0}
    assert (toppings.min, toppings.max) == (0, 3)  # none to three
    assert {option.id: option.price.amount for option in toppings.options} == {
        "pearls": 200,
        "coconut-jelly": 200,
        "pudding": 300,
    }
    assert {option.id: option.max_qty for option in toppings.options}["pudding"] == 2
    items = {item.id: item for category in menu.categories for item in category.items}
    assert items["milk-tea"].option_group_ids == ["sweetness", "toppings"]
    assert items["milk-tea"].names.en == "Milk tea" and items["milk-tea"].price.amount == 1500


def _admin(*args: str, home: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", "from o2o_tui.cli import main; main()", *args, "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "O2O_HOME": str(home), "O2O_LANG": "en"},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


@pytest.fixture
def new_store(tmp_path: Path) -> Iterator[tuple[RunningPlatform, str, str]]:
    """A platform with one new, empty store (CNY) and its merchant's token, as README's set-up makes them."""
    db_url = f"sqlite:///{tmp_path / 'platform.sqlite3'}"
    store_id = str(
        _admin("admin", "create-store", "--name", "茶铺 Tea shop", "--db", db_url, home=tmp_path)["store_id"]
    )
    user = _admin(
        "admin", "create-user", "--role", "merchant", "--store", store_id, "--db", db_url, home=tmp_path
    )
    running = start_platform(tmp_path, seed=False, db_url=db_url)
    try:
        yield running, store_id, str(user["token"])
    finally:
        running.stop()


def test_a_new_store_imports_the_example_from_the_cli(
    new_store: tuple[RunningPlatform, str, str], tmp_path: Path
) -> None:
    running, store_id, token = new_store
    env: dict[str, str | None] = {"O2O_HOME": str(tmp_path / "counter"), "O2O_LANG": "en", "NO_COLOR": "1"}
    env |= {"COLUMNS": "200", "O2O_PROFILE": None, "O2O_TOKEN": None}

    def o2o(*args: str) -> Any:
        result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, (args, result.exit_code, result.stdout, result.stderr)
        return result

    o2o("login", "--url", running.url, "--token", token)
    o2o("sync", "--once")
    empty = json.loads(o2o("menu", "export").stdout)
    assert empty["option_groups"] == [] and empty["categories"] == []  # where the person starts
    tea = tmp_path / "tea.json"
    tea.write_bytes(doc_example())
    dry = json.loads(o2o("menu", "import", str(tea), "--dry-run", "--json").stdout)
    assert dry["would_import"] and dry["stops"] == []
    o2o("menu", "import", str(tea), "--json")
    with httpx.Client(
        base_url=running.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as client:
        menu = client.get(f"/v1/stores/{store_id}/menu").json()
    groups = {group["id"]: group for group in menu["option_groups"]}
    assert (groups["sweetness"]["min"], groups["sweetness"]["max"]) == (1, 1)
    assert (groups["toppings"]["min"], groups["toppings"]["max"]) == (0, 3)
    pudding = next(option for option in groups["toppings"]["options"] if option["id"] == "pudding")
    assert pudding["price"] == {"amount": 300, "currency": "CNY"} and pudding["max_qty"] == 2
    items = {item["id"]: item for category in menu["categories"] for item in category["items"]}
    assert items["milk-tea"]["option_group_ids"] == ["sweetness", "toppings"]
    assert items["lemon-tea"]["option_group_ids"] == ["sweetness"]


def test_readme_points_to_the_json_example() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/menu-files.md" in readme
