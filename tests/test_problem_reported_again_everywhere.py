"""A courier's problem reported again is one report wherever the repeat comes from (`courier_tasks.earlier_report`,
`SAME_REPORT_S`): the same reason and note on the same delivery within 2 minutes of ANY problem recorded on it
(A, then B, then A again is the first A), from the courier's second device, an older client that does not check,
or `o2o deliveries problem` run twice offline (it checks its outbox, as the handheld does). The platform answers
the repeat 200 with the delivery as it stands: no new problem, no new version, no event. The real server on
loopback, couriers' CLI homes in tmp_path."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from o2o_tui.cli.exits import Exit
from o2o_tui.courier_tasks import SAME_REPORT_S, earlier_report
from o2o_tui.domain.fleet import DeliveryProblem, ProblemReason
from tests.support.platform import Api, RunningPlatform, api
from tests.test_cli_deliveries import _offer
from tests.test_cli_orders import Cli

A = ProblemReason.NOBODY_TO_RECEIVE
B = ProblemReason.ADDRESS_UNKNOWN


def _delivery(running: RunningPlatform, delivery_id: str) -> dict[str, Any]:
    answer: dict[str, Any] = api(running, "dispatcher").get(f"/v1/deliveries/{delivery_id}").json()
    return answer


def _problems(running: RunningPlatform, delivery_id: str) -> list[tuple[str, str]]:
    return [(p["reason"], p["note"]) for p in _delivery(running, delivery_id)["problems"]]


def _device(running: RunningPlatform) -> Api:
    """Another device of the first courier (its own connection, its own Idempotency-Keys)."""
    assert running.seed is not None
    return Api(running.url, running.seed.tokens["courier"])


def _events(running: RunningPlatform, cursor: str, delivery_id: str) -> list[dict[str, Any]]:
    events = api(running, "admin").get("/v1/events", after=cursor, limit=1000).json()["events"]
    return [e for e in events if e["entity_id"] == delivery_id]


def _tapped(moment: datetime) -> dict[str, str]:
    return {"X-Occurred-At": moment.isoformat()}


def test_two_devices_of_one_courier_record_one_problem(running: RunningPlatform) -> None:
    order = _offer(running)
    delivery_id = order["delivery_id"]
    path = f"/v1/deliveries/{delivery_id}/problem"
    handheld, laptop = _device(running), _device(running)
    assert handheld.post(f"/v1/deliveries/{delivery_id}/accept").status_code == 200
    first = handheld.post(path, {"reason": "NOBODY_TO_RECEIVE", "note": "gate 3"})
    assert first.status_code == 200, first.text
    cursor = api(running, "admin").get("/v1/events", after="latest").json()["cursor"]

    again = laptop.post(path, {"reason": "NOBODY_TO_RECEIVE", "note": "gate 3"})  # a key of its own, 1 s later
    assert again.status_code == 200, again.text
    assert again.headers.get("Idempotent-Replayed") is None  # not a replay: the same report under another key
    assert again.json()["version"] == first.json()["version"]
    assert [(p["reason"], p["occurred_at"]) for p in again.json()["problems"]] == [
        ("NOBODY_TO_RECEIVE", first.json()["problems"][0]["occurred_at"])
    ]
    assert _problems(running, delivery_id) == [("NOBODY_TO_RECEIVE", "gate 3")]
    assert _events(running, cursor, delivery_id) == []  # no delivery.updated for a report already on record

    # another note is another report; so is the same one tapped more than SAME_REPORT_S after the first
    assert laptop.post(path, {"reason": "NOBODY_TO_RECEIVE", "note": "gate 4"}).status_code == 200
    later = datetime.now(UTC) + timedelta(seconds=SAME_REPORT_S + 5)  # ahead of the server, inside its 5 minutes
    assert laptop.post(path, {"reason": "NOBODY_TO_RECEIVE", "note": "gate 3"}, headers=_tapped(later)).status_code == 200
    assert _problems(running, delivery_id) == [
        ("NOBODY_TO_RECEIVE", "gate 3"), ("NOBODY_TO_RECEIVE", "gate 4"), ("NOBODY_TO_RECEIVE", "gate 3"),
    ]  # fmt: skip
    assert len(_events(running, cursor, delivery_id)) == 2


def test_a_b_a_within_seconds_records_a_once(running: RunningPlatform) -> None:
    order = _offer(running)
    delivery_id = order["delivery_id"]
    path = f"/v1/deliveries/{delivery_id}/problem"
    older_client = _device(running)  # checks nothing before it sends
    assert older_client.post(f"/v1/deliveries/{delivery_id}/accept").status_code == 200
    for reason in ("ORDER_NOT_READY", "OTHER", "ORDER_NOT_READY"):
        answer = older_client.post(path, {"reason": reason})
        assert answer.status_code == 200, answer.text
    assert _problems(running, delivery_id) == [("ORDER_NOT_READY", ""), ("OTHER", "")]
    # the delivery's latest problem stays B (the store is told of B, not of A again)
    order_now = api(running, "merchant").get(f"/v1/orders/{order['id']}").json()
    assert order_now["delivery_problem"]["reason"] == "OTHER"


def test_the_cli_a_b_a_refuses_the_second_a(running: RunningPlatform, courier: Cli) -> None:
    order = _offer(running)
    ref, delivery_id = order["ref"], order["delivery_id"]
    courier("deliveries", "accept", ref)
    courier("deliveries", "problem", ref, "--reason", "nobody-to-receive")
    courier("deliveries", "problem", ref, "--reason", "address-unknown")
    again = courier("deliveries", "problem", ref, "--reason", "nobody-to-receive", code=Exit.REJECTED)
    assert f"{ref}: nobody to receive already reported at " in again.stderr and "not sent again" in again.stderr
    assert _problems(running, delivery_id) == [("NOBODY_TO_RECEIVE", ""), ("ADDRESS_UNKNOWN", "")]


def test_the_cli_run_twice_offline_queues_one(running: RunningPlatform, courier: Cli) -> None:
    order = _offer(running)
    ref, delivery_id = order["ref"], order["delivery_id"]
    courier("deliveries", "accept", ref)
    running.stop()

    assert "Queued" in courier("deliveries", "problem", ref, "--reason", "address-unknown", "--note", "no sign").stdout
    again = courier("deliveries", "problem", ref, "--reason", "address-unknown", "--note", "no sign",
                    code=Exit.REJECTED)  # fmt: skip
    assert f"{ref}: address unknown already queued at " in again.stderr and "not queued again" in again.stderr
    refused = courier("deliveries", "problem", ref, "--reason", "address-unknown", "--note", "no sign", "--json",
                      code=Exit.REJECTED)  # fmt: skip
    error = json.loads(refused.stderr)["error"]
    assert error["outcome"] == "already_queued" and error["delivery_id"] == delivery_id
    assert error["queued_at"].endswith("Z")
    # another note is another report, queued too
    courier("deliveries", "problem", ref, "--reason", "address-unknown", "--note", "gate 4")
    assert courier.json("deliveries", "show", ref)["pending_actions"] == ["delivery.problem", "delivery.problem"]

    running.restart()
    courier("login", "--url", running.url, "--token", courier.token)  # the port may have changed
    assert courier.json("sync", "--once")["pushed"] == 2
    assert _problems(running, delivery_id) == [("ADDRESS_UNKNOWN", "no sign"), ("ADDRESS_UNKNOWN", "gate 4")]


def test_the_cli_of_a_second_device_is_recorded_once(
    running: RunningPlatform, courier: Cli, tmp_path: Path
) -> None:
    """The courier's second CLI home has not heard of the first report yet (its cache is older): it sends, and the
    platform answers the report on record."""
    order = _offer(running)
    ref, delivery_id = order["ref"], order["delivery_id"]
    other = Cli(tmp_path / "second-home", courier.token)
    other("login", "--url", running.url, "--token", other.token)
    courier("deliveries", "accept", ref)
    other("sync", "--once")  # holds the delivery, no problem on it
    courier("deliveries", "problem", ref, "--reason", "vehicle-problem", "--note", "flat tyre")
    sent = other.json("deliveries", "problem", ref, "--reason", "vehicle-problem", "--note", "flat tyre")
    assert sent["outcome"] == "done"
    assert _problems(running, delivery_id) == [("VEHICLE_PROBLEM", "flat tyre")]


def test_any_recent_problem_counts_not_only_the_latest() -> None:
    at = datetime(2026, 1, 1, 10, 5, tzinfo=UTC)
    a = DeliveryProblem(reason=A, note="", occurred_at=at)
    b = DeliveryProblem(reason=B, note="", occurred_at=at + timedelta(seconds=3))
    assert earlier_report([a, b], A, "", at + timedelta(seconds=6)) is a
    assert earlier_report([a, b], A, "x", at + timedelta(seconds=6)) is None
    assert earlier_report([a, b], A, "", at - timedelta(seconds=SAME_REPORT_S - 1)) is a  # a late-sent older tap
    assert earlier_report([a, b], A, "", at + timedelta(seconds=SAME_REPORT_S)) is None
    again = DeliveryProblem(reason=A, note="", occurred_at=at + timedelta(seconds=SAME_REPORT_S + 30))
    assert earlier_report([a, b, again], A, "", at + timedelta(seconds=SAME_REPORT_S + 40)) is again
