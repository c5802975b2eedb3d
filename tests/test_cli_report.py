"""`o2o report day` against the real server: --json, --csv (each table), the plain text chart; then offline, the
figures kept on the device, said so on stderr; a day never fetched offline is exit 3."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_cli_orders import Cli


def test_report_day_json_csv_plain_then_offline(platform: RunningPlatform, tmp_path: Path) -> None:
    seed = platform.seed
    assert seed is not None
    customer, merchant = api(platform, "customer"), api(platform, "merchant")
    for reason in ("STORE_BUSY", None, None):
        order = customer.post("/v1/orders", order_body(seed.store_id, "TAKEOUT")).json()
        if reason:
            merchant.post(f"/v1/orders/{order['id']}/reject", {"reason_code": reason})
        else:
            merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10})
    cli = Cli(tmp_path / "home", seed.tokens["merchant"])
    cli("login", "--url", platform.url, "--token", cli.token)

    got = cli.json("report", "day")
    report = got["report"]
    assert got["cached"] is False and (report["placed"], report["refused"], report["open"]) == (3, 1, 2)
    today = report["date"]
    hours = list(csv.DictReader(io.StringIO(cli("report", "day", "--csv").stdout_bytes.decode("utf-8-sig"))))
    assert len(hours) == 24 and sum(int(row["placed"]) for row in hours) == 3
    items_csv = cli("report", "day", "--csv", "--what", "items").stdout_bytes.decode("utf-8-sig")
    items = list(csv.DictReader(io.StringIO(items_csv)))
    assert items == [{"date": today, "item_id": "kung-pao-chicken", "name": items[0]["name"], "quantity": "4",
                      "revenue": "164.00", "currency": "CNY"}]
    reasons = cli("report", "day", "--csv", "--what", "reasons").stdout.splitlines()
    assert reasons[1] == f"{today},refused,STORE_BUSY,MERCHANT,1"
    plain = cli("report", "day", "--date", today).stdout
    assert "Orders per hour (peak 3)" in plain and "█" in plain and "Kung Pao" in plain
    store_name = merchant.get(f"/v1/stores/{seed.store_id}").json()["name"]
    # never synced before: the first report pulled, and the store's name titles it, as the console's
    assert plain.splitlines()[0] == f"Figures {today} · {store_name}"
    assert cli("report", "day").stdout.splitlines()[0] == f"Figures {today} · {store_name}"
    kept = next((tmp_path / "home").rglob("reports-v1.json"))
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o600

    platform.stop()  # offline from here
    offline = cli("report", "day", "--json")
    answer = json.loads(offline.stdout)
    zone = ZoneInfo(answer["report"]["timezone"])  # the store's (Shanghai): its clock, not this machine's
    fetched = datetime.fromisoformat(answer["fetched_at"]).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    assert f"As of {fetched}" in offline.stderr
    assert offline.stdout and '"cached":true' in offline.stdout.replace(" ", "")
    assert "Orders per hour" in cli("report", "day").stdout
    cli("report", "day", "--date", "2020-01-01", code=Exit.OFFLINE)
    cli("report", "day", "--date", "yesterday", code=Exit.USAGE)


def test_a_csv_cell_is_inert_in_a_spreadsheet_and_on_a_terminal() -> None:
    from o2o_tui.cli.report import _cell

    assert _cell("=SUM(A1)") == "'=SUM(A1)"
    assert _cell("\x1b[31mRED") == "\ufffd[31mRED"  # a code stored before codes were checked prints inert
    assert _cell("OUT_OF_STOCK") == "OUT_OF_STOCK"
