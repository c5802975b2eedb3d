"""A console meeting an older platform, and a platform telling which consoles call it.

1. An action the platform has no route for (an older platform: `order.delay`, `order.food_received` and
   `delivery.food_back` came after 7232bfb and 2260a29) is said to be unsupported by a platform older than this
   o2o, not as the order "no longer exists on the platform": the platform's router answers a route it lacks with
   `Not Found`, an entity it lacks with `no such order`. The real platform on loopback behind a stand-in for the
   older one that sends a delay to a path the real platform does not have, so the 404 is the real router's own.
2. Every request carries `User-Agent: o2o/<version> (...)`, and the platform says each version once in its log.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.client import AsyncPlatformClient, PlatformClient
from o2o_tui.client.errors import NotFound, PlatformError, unknown_route
from o2o_tui.i18n import set_language
from o2o_tui.platform.client_versions import client_product
from o2o_tui.sync.explain import explain
from o2o_tui.sync.rejection import rejection_reason
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_cli_menu import Cli

OLDER = "this platform does not support your delay, so it was not applied: it runs an older version than this o2o"


class OlderPlatform:
    """A loopback proxy to the real platform that has no delay route, as the platform before it had none: a
    delay is sent on to a path the real platform lacks (its router answers); everything else goes through."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.lacked = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path
                if self.command == "POST" and path.endswith("/delay"):
                    outer.lacked += 1
                    path += "-not-in-this-version"
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                with httpx.Client(base_url=outer.upstream, timeout=30) as client:
                    answer = client.request(self.command, path, content=body, headers=headers)
                self.send_response(answer.status_code)
                self.send_header("Content-Type", answer.headers.get("content-type", "application/json"))
                for name in ("etag", "retry-after"):
                    if name in answer.headers:
                        self.send_header(name, answer.headers[name])
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = _relay

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> OlderPlatform:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


@pytest.fixture
def older(platform: RunningPlatform) -> Iterator[OlderPlatform]:
    with OlderPlatform(platform.url) as running:
        yield running


def _accepted_order(platform: RunningPlatform) -> dict[str, Any]:
    assert platform.seed is not None
    customer, merchant = api(platform, "customer"), api(platform, "merchant")
    try:
        order = customer.post("/v1/orders", order_body(platform.seed.store_id, "TAKEOUT")).json()
        accepted = merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 15})
        assert accepted.status_code == 200, accepted.text
        return dict(accepted.json())
    finally:
        customer.close()
        merchant.close()


def test_a_delay_an_older_platform_lacks_says_the_platform_is_older(
    platform: RunningPlatform, older: OlderPlatform, tmp_path: Path
) -> None:
    assert platform.seed is not None
    order = _accepted_order(platform)
    cli = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
    cli("login", "--url", older.url, "--token", cli.token)
    cli("sync", "--once")

    refused = cli("orders", "delay", "1", "--minutes", "10", code=Exit.REJECTED)
    assert older.lacked == 1
    said = " ".join(refused.stderr.split())
    assert OLDER in said and "whoever runs the platform needs to update it" in said, said
    assert "no longer exists" not in said

    listed = json.loads(cli("conflicts", "list", "--json").stdout)
    assert [row["action"] for row in listed] == ["order.delay"]
    assert listed[0]["reason"]["message"] == "Not Found"  # the platform's own words, kept
    assert OLDER in listed[0]["explanation"]
    chinese = json.loads(cli("conflicts", "list", "--json", lang="zh").stdout)[0]["explanation"]
    assert "平台不支持“延长出餐”" in chinese and "平台的版本比本设备上的 o2o 旧" in chinese, chinese
    assert "已不存在" not in chinese

    shown = json.loads(cli("orders", "list", "--json").stdout)  # the order is still in the queue, accepted
    assert [(row["id"], row["status"]) for row in shown] == [(order["id"], "CONFIRMED")]


def test_the_platform_tells_a_route_it_lacks_from_an_order_it_lacks(platform: RunningPlatform) -> None:
    """The real platform's answers, as the client reads them and the engine keeps them."""
    order = _accepted_order(platform)
    assert platform.seed is not None
    merchant = PlatformClient(platform.url, platform.seed.tokens["merchant"])
    raw = api(platform, "merchant")
    try:
        with pytest.raises(NotFound) as gone:
            merchant.get_order(str(uuid.uuid4()))
        no_route = raw.post(f"/v1/orders/{order['id']}/not-in-this-version", {"minutes": 10})
        no_method = raw.put(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 15})
    finally:
        merchant.close()
        raw.close()

    assert gone.value.message == "no such order" and not gone.value.unknown_route
    missing = rejection_reason(gone.value, {"number": 7, "status": "CONFIRMED", "type": "TAKEOUT"})
    said = explain(missing, action="order.delay", target=order["id"])
    assert said == "order #0007 no longer exists on the platform, so your delay was not applied"

    assert no_route.status_code == 404 and no_route.json()["error"] == {"code": "not_found", "message": "Not Found"}
    assert unknown_route("not_found", "Not Found")
    lacking = NotFound(status=404, code="not_found", message="Not Found")
    assert lacking.unknown_route and "runs an older version than this o2o" in lacking.i18n_message()
    reason = rejection_reason(lacking, {"number": 7, "status": "CONFIRMED", "type": "TAKEOUT"})
    assert explain(reason, action="order.delay", target=order["id"]).startswith("order #0007: " + OLDER)

    assert no_method.status_code == 405 and no_method.json()["error"]["code"] == "method_not_allowed"
    error = no_method.json()["error"]
    refused = PlatformError(status=405, code=error["code"], message=error["message"])
    assert "runs an older version than this o2o" in refused.i18n_message()
    reason = rejection_reason(refused, None)
    assert "this platform does not support your accept" in explain(reason, action="order.confirm", target="o_1")


def test_food_back_on_a_cancelled_delivery_says_the_platform_is_older_not_cancelled() -> None:
    """The order's state is not why an action the platform lacks was refused: said before it."""
    reason = {"code": "not_found", "message": "Not Found", "status": 404, "order_number": 3, "current_status": "CANCELLED"}
    said = explain(reason, action="delivery.food_back", target="dl_1")
    assert "this platform does not support your food back at the store" in said, said
    assert "cancel" not in said


def test_every_request_names_the_o2o_version_and_the_platform_says_each_once(platform: RunningPlatform) -> None:
    assert platform.seed is not None
    token = platform.seed.tokens["merchant"]
    product = f"o2o/{version('o2o')}"
    with PlatformClient(platform.url, token) as client:
        client.me()
        client.me()
        sent = client._http.headers["user-agent"]

    async def twice() -> None:
        async with AsyncPlatformClient(platform.url, token) as client:
            await client.me()
            await client.me()

    asyncio.run(twice())
    assert sent.startswith(product + " (Python ") and client_product(sent.encode()) == product
    raw = platform.client("merchant")
    try:  # an o2o from before versions were sent, and callers that are not o2o: said as they are, or not at all
        for agent in ("o2o-console/0.1", "o2o-console/0.1", "curl/8.5.0", "o2o/1.0;x", "o2o/" + "9" * 60):
            assert raw.get("/v1/me", headers={"User-Agent": agent}).status_code == 200
    finally:
        raw.close()

    log = platform.log_text()
    assert log.count(f"client {product} first seen") == 1, log
    assert log.count("client o2o-console/0.1 first seen") == 1, log
    assert "curl" not in log and "client o2o/1.0" not in log and "client o2o/9" not in log
    assert token not in log
