"""`o2o report day --csv` is written as `o2o menu export` writes CSV (UTF-8 with a byte-order mark, CRLF), so a
spreadsheet on Windows shows the Chinese item names rather than mojibake; against the real platform on loopback."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from tests.support.platform import RunningPlatform, api, order_body
from tests.test_cli_orders import Cli


def test_report_csv_has_the_menu_exports_byte_order_mark(platform: RunningPlatform, tmp_path: Path) -> None:
    seed = platform.seed
    assert seed is not None
    customer, merchant = api(platform, "customer"), api(platform, "merchant")
    order = customer.post("/v1/orders", order_body(seed.store_id, "TAKEOUT")).json()
    merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10})
    cli = Cli(tmp_path / "home", seed.tokens["merchant"])
    cli("login", "--url", platform.url, "--token", cli.token)
    cli("sync", "--once")

    menu = cli("menu", "export", "--format", "csv").stdout_bytes
    assert menu.startswith(codecs.BOM_UTF8)
    tables: dict[str, list[dict[str, str]]] = {}
    for what in ("hours", "items", "reasons"):
        data = cli("report", "day", "--csv", "--what", what).stdout_bytes
        assert data.startswith(codecs.BOM_UTF8), what
        assert data.count(b"\r\n") == data.count(b"\n") == len(data.splitlines()), what  # CRLF, as the menu's
        reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))  # as a spreadsheet reads it
        assert reader.fieldnames is not None and reader.fieldnames[0] == "date", what
        tables[what] = list(reader)
    assert [(row["name"], row["quantity"]) for row in tables["items"]] == [("宫保鸡丁 Kung Pao Chicken", "2")]
    assert sum(int(row["placed"]) for row in tables["hours"]) == 1
