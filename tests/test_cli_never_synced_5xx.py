"""`o2o orders list` (and `orders show`) on a profile that never synced pulls first; when the platform answers that
pull with a server error (5xx) the read exits 1 and says the platform's problem (README, exit codes: a read that
met a 5xx), not `[]` with "the platform did not answer". Unreachable keeps its documented behaviour (exit 0, the
`never_synced` warning: tests/test_cli_orders_scripts.py). Real `o2o` commands (typer's runner), the real platform
on loopback behind the fault proxy, or a tiny real HTTP server on loopback that answers 500 to everything."""

from __future__ import annotations

import json
import threading
from collections.abc import Generator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.cli.exits import Exit
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform, start_platform
from tests.test_cli_orders import Cli


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path_factory.mktemp("platform"))
    try:
        yield platform
    finally:
        platform.stop()


class _Answers500(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        body = b'{"error": {"code": "internal", "message": "database is down"}}'
        self.send_response(getattr(self.server, "status", 500))
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server_500() -> Iterator[str]:
    yield from _serving(500)


def _serving(status: int) -> Generator[str, None, None]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answers500)
    server.status = status  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _errors(result: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stderr.splitlines() if line.strip()]


def _move_profile(home: Path, url: str) -> None:
    """The logged-in profile now talks to `url` (the platform behind it broke after the login)."""
    path = next(home.rglob("profiles.json"))
    data = json.loads(path.read_text("utf-8"))
    text = json.dumps(data)
    data = json.loads(text.replace(json.dumps(_url_in(data))[1:-1], url))
    path.write_text(json.dumps(data), "utf-8")


def _url_in(data: Any) -> str:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "url" and isinstance(value, str):
                return value
            found = _url_in(value)
            if found:
                return found
    if isinstance(data, list):
        for value in data:
            found = _url_in(value)
            if found:
                return found
    return ""


def test_a_500_on_the_first_pull_exits_1_and_says_so(
    running: RunningPlatform, server_500: str, tmp_path: Path
) -> None:
    assert running.seed is not None
    cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    _move_profile(tmp_path / "home", server_500)

    result = cli("orders", "list", "--json", code=Exit.ERROR)
    assert result.stdout == ""  # no `[]`: the list is not known to be empty
    [error] = _errors(result)  # the error, and no `never_synced` warning beside it
    assert error["error"]["exit"] == int(Exit.ERROR), error
    assert "did not answer" not in error["error"]["message"]

    said = cli("orders", "list", code=Exit.ERROR)
    assert said.stdout == "" and said.stderr.strip() and "did not answer" not in said.stderr
    cli("orders", "show", "42", code=Exit.ERROR)  # the other read that pulls first on a fresh profile


def test_a_503_through_the_proxy_exits_1_and_unreachable_stays_exit_0(
    running: RunningPlatform, tmp_path: Path
) -> None:
    assert running.seed is not None
    port = int(running.url.rsplit(":", 1)[1].strip("/"))
    with FaultProxy(port) as proxy:
        url = f"http://127.0.0.1:{proxy.port}"
        cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
        cli("login", "--url", url, "--token", cli.token)
        proxy.http_503()
        [error] = _errors(cli("orders", "list", "--json", code=Exit.ERROR))
        assert error["error"]["exit"] == int(Exit.ERROR)
        proxy.drop()  # no answer at all: the documented never_synced warning, `[]`, exit 0
        result = cli("orders", "list", "--json")
        assert json.loads(result.stdout) == []
        assert [w["warning"] for w in _errors(result)] == ["never_synced"]
        proxy.pass_through()
        assert isinstance(cli.json("orders", "list"), list)  # and once it answers, the pull fills the cache
        assert "never_synced" not in cli.outputs[-1]


def test_a_refused_token_on_the_first_pull_says_log_in_again(running: RunningPlatform, tmp_path: Path) -> None:
    assert running.seed is not None
    cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    serving = _serving(401)
    _move_profile(tmp_path / "home", next(serving))
    try:
        [error] = _errors(cli("orders", "list", "--json", code=Exit.AUTH))  # the platform answered: not "offline"
        assert error["error"]["code"] == "auth", error
    finally:
        serving.close()


@pytest.mark.parametrize(
    "args",
    [("menu", "show"), ("menu", "export", "--format", "csv"), ("store", "hours"), ("store", "status"), ("report", "day")],
    ids=lambda args: " ".join(args),
)
def test_the_other_reads_that_pull_first_say_a_500_too(
    running: RunningPlatform, server_500: str, tmp_path: Path, args: tuple[str, ...]
) -> None:
    """Not "not synced yet" (exit 6) nor an empty answer: the platform's problem, exit 1."""
    assert running.seed is not None
    cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    _move_profile(tmp_path / "home", server_500)
    said = cli(*args, code=Exit.ERROR)
    assert "500" in said.stderr and "did not answer" not in said.stderr, said.stderr
