"""A publish refused because the platform does not know a field this console sends (an older platform: before
per-language `names`, it answered 422 "Object contains unknown field `names`" at categories[0].items[0].names) is
said as the platform being older than this o2o and needing an update, not as something to fix in the menu
editor. The real platform on loopback behind a stand-in for the older one's menu decoder (every other request
passes through), and the real platform's own 422 for an unknown field, whose wording the sentence is chosen by."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.i18n import set_language
from o2o_tui.sync import explain as explain_module
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_cli_menu import Cli

# what the platform at 27eb30c answered a menu publish from this console (recorded against that tree)
OLD_ANSWER = {
    "error": {
        "code": "validation",
        "message": "Object contains unknown field `names`",
        "field": "categories[0].items[0].names",
    }
}


class OlderMenuPlatform:
    """A loopback proxy to the real platform that refuses a menu publish carrying `names` as the older platform
    did; everything else goes through unchanged."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.refused = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if self.command == "PUT" and self.path.endswith("/menu") and b'"names"' in body:
                    outer.refused += 1
                    self._answer(422, json.dumps(OLD_ANSWER).encode(), {"Content-Type": "application/json"})
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                with httpx.Client(base_url=outer.upstream, timeout=30) as client:
                    answer = client.request(self.command, self.path, content=body, headers=headers)
                kept = {"Content-Type": answer.headers.get("content-type", "application/json")}
                for name in ("etag", "retry-after"):
                    if name in answer.headers:
                        kept[name] = answer.headers[name]
                self._answer(answer.status_code, answer.content, kept)

            def _answer(self, status: int, content: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = _relay

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> OlderMenuPlatform:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")  # the sentences read below directly; a command run in zh leaves its language set
    yield
    set_language(None)


@pytest.fixture
def older(platform: RunningPlatform) -> Iterator[OlderMenuPlatform]:
    with OlderMenuPlatform(platform.url) as running:
        yield running


def test_a_publish_an_older_platform_cannot_read_asks_for_the_platform_updated(
    platform: RunningPlatform, older: OlderMenuPlatform, tmp_path: Path
) -> None:
    assert platform.seed is not None
    cli = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
    cli("login", "--url", older.url, "--token", cli.token)
    cli("sync", "--once")
    sheet = tmp_path / "row.csv"
    sheet.write_text("item_id,category_id,name_en,price\r\nrice,staples,Steamed Rice,3.50\r\n", encoding="utf-8")
    refused = cli("menu", "import", str(sheet), "--partial", code=Exit.REJECTED)
    assert older.refused == 1
    said = " ".join(refused.stderr.split())
    assert "the platform runs an older version than this o2o" in said, said
    assert "categories[0].items[0].names" in said and "needs to update it" in said
    assert "menu editor (m in the console" not in said and "fix it" not in said  # nothing to fix here
    assert "publish it again once the platform is updated" in said  # the draft is kept for then

    listed = {row["action"]: row for row in json.loads(cli("conflicts", "list", "--json", lang="zh").stdout)}
    chinese = listed["menu.publish"]["explanation"]
    assert "平台的版本比本设备上的 o2o 旧" in chinese and "平台升级后重新发布" in chinese, chinese
    assert "在菜单编辑器中修改" not in chinese


def test_other_refused_fields_still_point_at_the_menu_editor() -> None:
    reason = {"code": "validation", "message": "Expected `object`, got `str`", "field": "categories[0].items[0].price"}
    said = explain_module.explain(reason, action="menu.publish", target="st_1")
    assert "did not accept the categories[0].items[0].price" in said and "fix it in the menu editor" in said


def test_the_platforms_own_unknown_field_refusal_is_what_the_sentence_looks_for(platform: RunningPlatform) -> None:
    """The wording is the platform's decoder's (msgspec), the same in the old release and this one."""
    assert platform.seed is not None
    customer, merchant = api(platform, "customer"), api(platform, "merchant")
    try:
        order = customer.post("/v1/orders", order_body(platform.seed.store_id)).json()
        answered = merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 15, "names": {}})
    finally:
        customer.close()
        merchant.close()
    assert answered.status_code == 422, answered.text
    error = answered.json()["error"]
    assert error["code"] == "validation" and error["field"] == "names"
    assert error["message"].startswith(explain_module._UNKNOWN_FIELD)
    said = explain_module.explain(dict(error, status=422), action="order.confirm", target=order["id"])
    assert "the platform runs an older version than this o2o" in said and "field names" in said
