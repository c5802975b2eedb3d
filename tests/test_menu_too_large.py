"""A menu too large for the platform never jams the sync queue (a tester's HIGH defect).

Against the real server on loopback, its body limit set low (O2O_MAX_BODY_BYTES) so the files stay small, except
where the client's own check against the platform's default limit is tested (a real 20,000-row GB18030 sheet):

- the client refuses, before anything is queued, a publish larger than the platform's limit (exit 2, the draft
  untouched), with `--online` too;
- the server's 413 reaches a client that writes its whole body before reading (httpx), instead of a reset
  connection the client took for "unreachable" and retried forever; a proxy's 413 page is final too;
- a publish the platform refuses as too large lands in the conflicts and the store pause queued behind it goes;
- `--online` that does not go through queues nothing; `o2o menu discard` drops the queued publish too.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.client import errors as e
from o2o_tui.client.aio import AsyncPlatformClient
from o2o_tui.client.wire import Call, mutation_headers
from o2o_tui.domain.limits import REQUEST_BODY_MAX
from o2o_tui.platform.settings import Settings
from o2o_tui.sync.session import profile_cache
from offline_cache.drafts import DraftStore
from tests.support.badserver import Canned, running_badserver
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform, api, start_platform

SERVER_LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    running = start_platform(tmp_path_factory.mktemp("h20"), env={"O2O_MAX_BODY_BYTES": str(SERVER_LIMIT)})
    try:
        yield running
    finally:
        running.stop()


class Cli:
    def __init__(self, home: Path) -> None:
        self.home = home

    def __call__(self, *args: str, code: int | None = 0) -> Any:
        env: dict[str, str | None] = {"O2O_HOME": str(self.home), "O2O_LANG": "en", "NO_COLOR": "1"}
        env |= {"COLUMNS": "200", "O2O_PROFILE": None, "O2O_TOKEN": None}
        result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, (args, result.exit_code, result.stdout[-2000:], result.stderr)
        return result

    def outbox(self) -> tuple[list[Any], list[Any]]:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("O2O_HOME", str(self.home))
            with profile_cache(None, read_only=True) as (_, cache):
                return cache.outbox.pending(), cache.outbox.conflicts()

    def draft(self, store_id: str) -> Any:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("O2O_HOME", str(self.home))
            with profile_cache(None, read_only=True) as (_, cache):
                return DraftStore(cache).load(store_id)


@pytest.fixture
def proxied(server: RunningPlatform, tmp_path: Path) -> Iterator[tuple[Cli, FaultProxy]]:
    with FaultProxy(urlparse(server.url).port or 0) as proxy:
        cli = Cli(tmp_path / "home")
        cli("login", "--url", f"http://127.0.0.1:{proxy.port}", "--token", merchant_token(server))
        yield cli, proxy


def sheet(path: Path, rows: int) -> Path:
    """A whole menu as a Chinese spreadsheet saves it: GB18030, 400 items a category."""
    lines = ["category_name_zh,name_zh,price"]
    lines += [f"分类{i // 400:02d},菜品第{i:05d}号,{10 + i % 50}.50" for i in range(rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


def merchant_token(server: RunningPlatform) -> str:
    assert server.seed is not None
    return server.seed.tokens["merchant"]


def store_of(server: RunningPlatform) -> str:
    assert server.seed is not None
    return server.seed.store_id


def server_store(server: RunningPlatform, part: str = "") -> dict[str, Any]:
    merchant = api(server, "merchant")
    try:
        answer: dict[str, Any] = merchant.get(f"/v1/stores/{store_of(server)}{part}").json()
        return answer
    finally:
        merchant.close()


def test_the_client_checks_the_platforms_own_limit() -> None:
    assert Settings().max_body_bytes == REQUEST_BODY_MAX == 4 * 1024 * 1024


# `o2o menu import` checks the size before it looks at `--online` (cli/menu.py `_check_size`, then
# `_send_publish`): the suite imports without it, `--online` runs in `python -m bench deep`.
@pytest.mark.parametrize("online", [False, pytest.param(True, marks=pytest.mark.deep)])
def test_a_menu_larger_than_the_platform_takes_is_refused_before_anything_is_queued(
    server: RunningPlatform, tmp_path: Path, online: bool
) -> None:
    cli = Cli(tmp_path / "home")
    cli("login", "--url", server.url, "--token", merchant_token(server))
    big = sheet(tmp_path / "big.csv", 20_000)  # ~560 KB of GB18030: a publish of ~4.9 MB, over 4 MiB
    before = server_store(server, "/menu")["version"]
    result = cli("menu", "import", str(big), *(["--online"] if online else []), code=2)
    said = " ".join(result.stderr.split())
    assert "4.9 MB" in said and "at most 4.0 MB" in said and "Split the menu" in said and "20,000" in said
    assert "nothing queued" in said
    assert cli.outbox() == ([], [])
    assert cli.draft(store_of(server)) is None  # the draft untouched: there was none
    cli("store", "pause")  # nothing ahead of it: sent at once
    assert server_store(server)["status"]["state"] == "PAUSED"
    cli("store", "resume")
    assert server_store(server, "/menu")["version"] == before


def test_a_413_reaches_a_client_that_writes_its_whole_body_first(server: RunningPlatform) -> None:
    async def put(size: int) -> Any:
        token = merchant_token(server)
        async with AsyncPlatformClient(server.url, token, timeout=10.0) as client:
            call = Call(
                "PUT",
                f"/v1/stores/{store_of(server)}/menu",
                object,
                content=b" " * size,
                headers=mutation_headers(str(uuid.uuid4()), None, None),
            )
            return await client.call(call)

    for _ in range(3):  # 8 MiB in memory (no file): far more than the socket buffers hold, so a server that
        # closed with the body unread reset the connection before the client read its 413 (ReadError: Unreachable)
        with pytest.raises(e.TooLarge) as refused:
            asyncio.run(put(8 * 1024 * 1024))
        assert refused.value.is_final and refused.value.status == 413 and refused.value.code == "too_large"


def test_a_proxys_413_page_is_final_too() -> None:
    async def put(url: str) -> Any:
        async with AsyncPlatformClient(url, "tok", timeout=5.0) as client:
            headers = mutation_headers("k", None, None)
            return await client.call(
                Call("PUT", "/v1/stores/s1/menu", object, content=b"{}", headers=headers)
            )

    page = Canned(
        413, b"<html>413 Request Entity Too Large</html>", "text/html"
    )  # nginx's client_max_body_size
    for bad in running_badserver():
        bad.answer("/v1/stores/s1/menu", page)
        with pytest.raises(e.TooLarge) as refused:
            asyncio.run(put(bad.url))
        assert refused.value.is_final and refused.value.status == 413


def test_a_publish_refused_as_too_large_goes_to_the_conflicts_and_the_queue_moves_on(
    server: RunningPlatform, proxied: tuple[Cli, FaultProxy], tmp_path: Path
) -> None:
    cli, proxy = proxied
    big = sheet(
        tmp_path / "big.csv", 1_000
    )  # a publish of ~250 KB: under the client's limit, over the server's
    cli("menu", "show")  # the menu cached, then the link goes
    proxy.drop()
    cli("menu", "import", str(big), code=None)
    cli("store", "pause", code=None)
    pending, _ = cli.outbox()
    assert [entry.action for entry in pending] == ["menu.publish", "store.status"]
    proxy.pass_through()
    said = cli("sync", "--once", code=4).stdout  # exit 4: something was refused
    assert "pushed 1, refused 1" in said and "queued 0" in said
    pending, conflicts = cli.outbox()
    assert pending == []
    assert [(c.action, c.rejection["code"], c.rejection["status"]) for c in conflicts] == [
        ("menu.publish", "too_large", 413)
    ]
    assert server_store(server)["status"]["state"] == "PAUSED"  # the pause behind it went
    status = cli("sync", "status").stdout
    assert "OFFLINE" not in status and "queued 0" in status
    listed = " ".join(cli("conflicts", "list").stdout.split())
    assert "larger than the platform accepts" in listed and "fewer items" in listed
    cli("store", "resume")


def test_online_that_does_not_go_through_queues_nothing(
    server: RunningPlatform, proxied: tuple[Cli, FaultProxy], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, proxy = proxied
    cli("menu", "show")  # the menu cached
    real_me = AsyncPlatformClient.me

    async def me_then_cut(
        self: AsyncPlatformClient,
    ) -> Any:  # the link goes right after the reachability check
        answer = await real_me(self)
        proxy.drop()
        return answer

    monkeypatch.setattr(AsyncPlatformClient, "me", me_then_cut)
    small = sheet(tmp_path / "small.csv", 5)
    before = server_store(server, "/menu")["version"]
    state = server_store(server)["status"]["state"]
    result = cli("menu", "import", str(small), "--online", code=3)
    assert "Not queued" in result.stderr
    assert cli.outbox() == ([], [])
    assert cli.draft(store_of(server)) is None  # put back as it was found
    cli("store", "pause" if state != "PAUSED" else "resume", "--online", code=3)
    assert cli.outbox() == ([], [])
    proxy.pass_through()
    monkeypatch.setattr(AsyncPlatformClient, "me", real_me)
    cli("sync", "--once")
    assert server_store(server, "/menu")["version"] == before
    assert server_store(server)["status"]["state"] == state


def test_discard_drops_the_queued_publish_with_the_draft(
    server: RunningPlatform, proxied: tuple[Cli, FaultProxy], tmp_path: Path
) -> None:
    cli, proxy = proxied
    small = sheet(tmp_path / "small.csv", 5)
    before = server_store(server, "/menu")["version"]
    cli("menu", "show")
    proxy.drop()
    cli("menu", "import", str(small), code=None)
    assert [entry.action for entry in cli.outbox()[0]] == ["menu.publish"]
    said = cli("menu", "discard", "--json")
    assert json.loads(said.stdout)["dropped_publishes"] == 1
    assert cli.outbox() == ([], [])
    assert cli.draft(store_of(server)) is None
    proxy.pass_through()
    cli("sync", "--once")
    assert server_store(server, "/menu")["version"] == before


def test_the_editors_publish_of_a_menu_too_large_is_refused_before_it_is_queued(
    server: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import msgspec

    from o2o_tui import menu_draft
    from o2o_tui.config import load_profile
    from o2o_tui.i18n import set_language
    from screens.menu_source import source_for_profile

    cli = Cli(tmp_path / "home")
    cli("login", "--url", server.url, "--token", merchant_token(server))
    cli("sync", "--once")
    monkeypatch.setenv("O2O_HOME", str(cli.home))
    set_language("en")

    async def publish_big() -> Any:
        source = source_for_profile(load_profile(None))
        try:
            await source.load()
            menu = source.menu()
            assert menu is not None
            model = menu.categories[0].items[0]
            categories = [
                msgspec.structs.replace(
                    menu.categories[0],
                    id=f"big-{c}",
                    name=f"分类{c:02d}",
                    items=[
                        msgspec.structs.replace(model, id=f"big-{c}-{i}", name=f"菜品第{c * 400 + i:05d}号")
                        for i in range(400)
                    ],
                )
                for c in range(50)
            ]
            draft = menu_draft.start(menu)
            big = msgspec.structs.replace(draft, menu=msgspec.structs.replace(menu, categories=categories))
            return await source.publish(big)
        finally:
            await source.close()

    try:
        answer = asyncio.run(publish_big())
    finally:
        set_language(None)
    assert answer.outcome == "refused"
    assert "nothing queued" in answer.message and "at most 4.0 MB" in answer.message
    assert cli.outbox() == ([], [])
