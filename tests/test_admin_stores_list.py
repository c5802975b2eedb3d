"""The platform operator finds every store: `GET /v1/stores` (admin only, paginated, filtered by a name substring),
`o2o admin stores` (a store nobody works at yet too, with its state, fleet and staff), `o2o admin create-store`
refusing a name another store already has (case and spaces aside; `--if-missing` for a script run again,
`--allow-duplicate` for a second store on purpose), and `o2o admin users` naming each user's store."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from o2o_tui.client.sync import PlatformClient
from o2o_tui.platform.db import open_database
from tests.support.platform import RunningPlatform, api


def o2o(home: Path, *args: str, code: int = 0, lang: str = "en") -> Any:
    """Run `o2o ARGS` in this process, as a person at a terminal would (no profile, no token)."""
    env = {"O2O_HOME": str(home), "O2O_LANG": lang, "NO_COLOR": "1", "COLUMNS": "200"}
    env |= {"O2O_PROFILE": None, "O2O_TOKEN": None}
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result


def _create(home: Path, db_url: str, name: str, *more: str, code: int = 0) -> Any:
    return o2o(home, "admin", "create-store", "--name", name, "--db", db_url, *more, code=code)


def _made(home: Path, db_url: str, name: str, *more: str) -> str:
    made = json.loads(_create(home, db_url, name, "--json", *more).stdout)
    assert made["created"] is True
    return str(made["store_id"])


# --- the API ------------------------------------------------------------------------------------------------------


def test_an_admin_lists_every_store_by_pages_and_by_a_piece_of_its_name(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:8]
    db_url = shared_platform.db_url
    ids = sorted(_made(tmp_path, db_url, f"Shop{tag} 店{n}", "--allow-duplicate") for n in range(3))
    other = _made(tmp_path, db_url, f"Noodles{tag}")
    admin = api(shared_platform, "admin")

    # the name filter: case, width and spaces aside; a store nobody works at is listed all the same
    for asked in (f"shop{tag}", f"SHOP {tag}", f"ｓｈｏｐ{tag}", f"{tag} 店"):
        page = admin.get("/v1/stores", name=asked).json()
        assert [s["id"] for s in page["stores"]] == ids and page["next_cursor"] is None, asked
    assert [s["id"] for s in admin.get("/v1/stores", name=f"noodles{tag}").json()["stores"]] == [other]
    assert admin.get("/v1/stores", name="no such name " + tag).json() == {"stores": [], "next_cursor": None}
    everything = [s["id"] for s in admin.get("/v1/stores", limit=500).json()["stores"]]
    assert set(ids) | {other, shared_platform.seed.store_id} <= set(everything)  # type: ignore[union-attr]
    assert everything == sorted(everything)

    # pages of one: each store once, in id order, and the last page says there is no more
    seen, cursor = [], None
    for _ in range(5):
        page = admin.get("/v1/stores", name=f"shop {tag}", limit=1, cursor=cursor).json()
        seen += [s["id"] for s in page["stores"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    first = admin.get("/v1/stores", name=f"shop{tag}").json()["stores"][0]
    assert first["name"].startswith(f"Shop{tag} 店") and first["own_fleet"] is True and first["status"]["state"] == "ONLINE"

    with PlatformClient(shared_platform.url, shared_platform.seed.tokens["admin"]) as client:  # type: ignore[union-attr]
        assert [s.id for s in client.iter_stores(name=f"shop{tag}", limit=2)] == ids

    for query, field in (({"limit": 0}, "limit"), ({"limit": 501}, "limit"), ({"cursor": "st_1;--"}, "cursor")):
        refused = admin.get("/v1/stores", **query)
        assert refused.status_code == 422, (query, refused.text)
        assert refused.json()["error"]["field"] == field
    for role in ("merchant", "dispatcher", "customer", "courier"):  # the list is the operator's only
        assert api(shared_platform, role).get("/v1/stores", limit=0).status_code == 403, role


# --- o2o admin create-store ----------------------------------------------------------------------------------------


def test_create_store_refuses_a_name_taken_case_and_spaces_aside(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    first = _made(tmp_path, db_url, "Shop1 店1")

    for again in ("Shop1 店1", "shop1店1", "  SHOP1   店1 ", "ＳＨＯＰ１ 店1"):
        refused = _create(tmp_path, db_url, again, code=Exit.REJECTED)
        assert first in refused.stderr and "--if-missing" in refused.stderr, refused.stderr
        assert refused.stdout == ""
    as_json = _create(tmp_path, db_url, "shop1 店1", "--json", code=Exit.REJECTED)
    error = json.loads(as_json.stderr)["error"]
    assert error["code"] == "rejected" and error["exit"] == 4 and error["store_id"] == first, error
    assert as_json.stdout == ""
    zh = o2o(tmp_path, "admin", "create-store", "--name", "SHOP1 店1", "--db", db_url, code=Exit.REJECTED, lang="zh")
    assert f"门店 {first} 已使用名称" in zh.stderr, zh.stderr

    # a script run again takes the store it made the first time
    kept = _create(tmp_path, db_url, "shop1 店1", "--if-missing")
    assert first in kept.stdout and kept.stderr == f"Database: {tmp_path / 'p.sqlite3'}\n"  # the file it used
    assert json.loads(_create(tmp_path, db_url, "Shop1店1", "--if-missing", "--json").stdout) == {
        "store_id": first,
        "name": "Shop1 店1",
        "created": False,
        "database": str(tmp_path / "p.sqlite3"),
    }
    fresh = json.loads(_create(tmp_path, db_url, "Shop2", "--if-missing", "--json").stdout)
    assert fresh["created"] is True and fresh["store_id"] != first  # missing: made

    # a second store of the name, when asked for in so many words; not both flags at once
    second = _made(tmp_path, db_url, "Shop1 店1", "--allow-duplicate")
    assert second != first
    _create(tmp_path, db_url, "Shop1 店1", "--allow-duplicate", "--if-missing", code=Exit.USAGE)
    listed = json.loads(o2o(tmp_path, "admin", "stores", "--db", db_url, "--json").stdout)["stores"]
    assert sorted(s["id"] for s in listed if s["name"] == "Shop1 店1") == sorted([first, second])
    assert len(listed) == 3  # nothing else was made by the refusals


# --- o2o admin stores and users ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "header", "words"),
    [("en", ["ID", "STATE", "FLEET", "STAFF", "NAME"], ("open", "own", "platform")),
     ("zh", ["编号", "状态", "配送", "员工", "名称"], ("营业中", "自有骑手", "平台骑手"))],
)
def test_stores_lists_a_store_nobody_works_at_with_its_staff_and_fleet(
    tmp_path: Path, lang: str, header: list[str], words: tuple[str, ...]
) -> None:
    db_url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    o2o(tmp_path, "admin", "stores", "--db", db_url, lang=lang, code=Exit.USAGE)  # no database: refused, none made
    open_database(db_url).dispose()  # a platform with no store yet
    o2o(tmp_path, "admin", "stores", "--db", db_url, lang=lang)  # said, exit 0
    staffed = _made(tmp_path, db_url, "面馆 Noodles")
    empty = _made(tmp_path, db_url, "茶铺 Tea\x1b]0;x\x07", "--no-own-fleet")  # a hostile name stays plain
    for role in ("merchant", "dispatcher"):
        o2o(tmp_path, "admin", "create-user", "--role", role, "--store", staffed, "--db", db_url)
    o2o(tmp_path, "admin", "create-user", "--role", "customer", "--db", db_url)

    lines = o2o(tmp_path, "admin", "stores", "--db", db_url, lang=lang).stdout.splitlines()
    assert lines[0].split() == header
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == {staffed, empty}
    assert rows[staffed].split()[1:4] == [words[0], words[1], "2"] and rows[staffed].endswith("面馆 Noodles")
    assert rows[empty].split()[1:4] == [words[0], words[2], "0"] and "\x1b" not in rows[empty]
    for line in lines[1:]:  # columns line up on screen: a Chinese character takes two cells
        state = line.split()[1]
        assert cell_len(line[: line.find(state)]) == cell_len(lines[0][: lines[0].find(header[1])]), lines

    found = json.loads(o2o(tmp_path, "admin", "stores", "--name", "NOODLES", "--db", db_url, "--json").stdout)
    assert [(s["id"], s["staff"], s["own_fleet"], s["state"]) for s in found["stores"]] == [
        (staffed, 2, True, "ONLINE")
    ]
    assert json.loads(o2o(tmp_path, "admin", "stores", "--name", "咖啡", "--db", db_url, "--json").stdout) == {
        "stores": [],
        "database": str(tmp_path / "p.sqlite3"),
    }


def test_stores_sorts_a_name_twice_side_by_side(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    made = [_made(tmp_path, db_url, name, "--allow-duplicate") for name in ("B shop", "A shop", "b Shop")]
    lines = o2o(tmp_path, "admin", "stores", "--db", db_url).stdout.splitlines()[1:]
    assert [line.split()[0] for line in lines] == [made[1], *sorted([made[0], made[2]])]


def test_users_names_each_users_store_beside_its_id(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    store = _made(tmp_path, db_url, "一号店 Shop A")
    o2o(tmp_path, "admin", "create-user", "--role", "merchant", "--store", store, "--name", "Ann", "--db", db_url)
    o2o(tmp_path, "admin", "create-user", "--role", "customer", "--name", "Bo", "--db", db_url)
    shown = o2o(tmp_path, "admin", "users", "--db", db_url).stdout
    assert f"store {store} (一号店 Shop A)" in shown and "store -" in shown, shown
    assert f"门店 {store}（一号店 Shop A）" in o2o(tmp_path, "admin", "users", "--db", db_url, lang="zh").stdout
