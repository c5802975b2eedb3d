"""schemathesis against the real platform server: every operation of `/openapi.json`, with the token of every role.

`fuzz_operations` draws cases for each operation (positive or negative data), sends each with a role's bearer
token and a fresh Idempotency-Key, runs the response checks and collects every failure instead of stopping at the
first, so one run names all of them. Path ids are drawn half from ids that exist (the seed's store, couriers and
menu items; orders in each state; their deliveries) and half from the generator, so the fuzzer reaches the
handlers and not only the 404 of an unknown id.

Used by tests/test_fuzz_api.py (bounded: a gate in the suite) and bench/fuzz.py (deep: `python -m bench fuzz`).
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.platform import Api, order_body

ROLES = ("admin", "merchant", "dispatcher", "courier", "customer")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# negative cases (data the schema forbids) must be refused too: a 201 for lat 91 is a finding once the schema says so
NEGATIVE_CHECKS = [*CHECKS, negative_data_rejection]
# a long-poll with a digit cursor past the end holds up to 60 s: the fuzzer's `wait` is cut to this
MAX_WAIT_SECONDS = 0.05
ANSWER_SHOWN = 600  # characters of an answer kept in a finding
# drawing a whole Menu body costs ~0.2 s (the other bodies ~5 ms): its operation gets this share of the examples
COSTLY = {"PUT /v1/stores/{store_id}/menu": 0.25}


# X-Occurred-At (the tap time) is read by every mutation but not declared in the OpenAPI: the harness draws it,
# mostly absent, else from the calendar's edges, naive, far past or future (docs/api.md: at most 7 days old, with
# an offset, else a 422 naming it; a time ahead of the server's is a fast device clock, taken as the server's time)
OCCURRED_AT_REFUSED = (
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00Z",
    "2024-05-01T12:00:00",  # naive
    "2000-01-01T00:00:00+00:00",  # far past
    "yesterday",
)
OCCURRED_AT_FAST = (
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59.999999Z",
    "2999-01-01T00:00:00+00:00",  # far future
)
OCCURRED_AT_EDGES = OCCURRED_AT_REFUSED + OCCURRED_AT_FAST
OCCURRED_AT_OUT_OF_RANGE = "X-Occurred-At out of range accepted"
MUTATIONS = ("POST", "PUT", "PATCH", "DELETE")
# (schema url, operation, mode) that had no case to draw (a negative case for an operation with no constrained
# input): hypothesis spends ~1 s finding that out, so the other roles skip it
_NOTHING_TO_DRAW: set[tuple[str, str, str]] = set()


@dataclass(frozen=True)
class Finding:
    """One failed check: the first case that showed it (of its operation, kind and status)."""

    operation: str  # "POST /v1/orders"
    kind: str  # the check's title: "Server error", "Undocumented HTTP status code", ...
    role: str
    status: int
    request: str  # method, path with query, body (shortened)
    answer: str  # the answer body (shortened)
    detail: str  # what the check says

    def key(self) -> tuple[str, str, int]:
        return (self.operation, self.kind, self.status)


@dataclass
class FuzzReport:
    findings: dict[tuple[str, str, int], Finding] = field(default_factory=dict)
    counts: Counter[tuple[str, str, int]] = field(default_factory=Counter)  # how many cases showed each
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)  # the harness itself (a refused connection, ...)
    unsatisfiable: list[str] = field(default_factory=list)  # operation and mode with no case to draw

    def add(self, finding: Finding) -> None:
        self.counts[finding.key()] += 1
        self.findings.setdefault(finding.key(), finding)

    def by_operation_and_kind(self) -> Counter[tuple[str, str]]:
        table: Counter[tuple[str, str]] = Counter()
        for (operation, kind, _status), count in self.counts.items():
            table[(operation, kind)] += count
        return table

    def by_kind(self) -> Counter[str]:
        kinds: Counter[str] = Counter()
        for (_operation, kind, _status), count in self.counts.items():
            kinds[kind] += count
        return kinds

    def summary(self) -> str:
        lines = [
            f"{self.cases} cases in {self.seconds:.1f} s; answers by status: "
            + ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items())),
            f"{len(self.findings)} distinct failures (operation, kind, status); cases failing by kind: "
            + (", ".join(f"{kind}: {n}" for kind, n in self.by_kind().most_common()) or "none"),
        ]
        for key in sorted(self.findings):
            finding = self.findings[key]
            lines.append(
                f"- {finding.operation} [{finding.kind}] {finding.status} x{self.counts[key]} as {finding.role}\n"
                f"    request: {finding.request}\n    answer: {finding.answer}\n    check: {finding.detail}"
            )
        lines.extend(f"! {error}" for error in self.errors[:20])
        return "\n".join(lines)


@dataclass(frozen=True)
class KnownIds:
    """Ids that exist on the server, per path parameter name."""

    by_parameter: dict[str, list[str]]


def load_schema(url: str) -> Any:
    """The served document without its bearer scheme: the harness sends each role's real token itself (from the
    scheme, schemathesis would draw and break an Authorization header of its own, which the harness overwrites,
    and then expect the request it never sent to be refused)."""
    document = requests.get(f"{url}/openapi.json", timeout=30).json()
    document.get("components", {}).pop("securitySchemes", None)
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict):
                operation.pop("security", None)
    schema = schemathesis.openapi.from_dict(document)
    schema.config.base_url = url
    return schema


def _shorten(text: str, limit: int = ANSWER_SHOWN) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"


def _request_text(response: requests.Response) -> str:
    request = response.request
    body = request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    shown = f"{request.method} {request.path_url}"
    if body:
        shown += f" body={_shorten(str(body), 400)}"
    return shown


# --- known ids: a few orders in each state, their deliveries ---------------------------------------------------


def seed_known_ids(url: str, tokens: dict[str, str], store_id: str, courier_ids: list[str]) -> KnownIds:
    """Orders in several states (created, confirmed, ready, assigned, picked up, cancelled) and their deliveries."""
    customer, merchant = Api(url, tokens["customer"]), Api(url, tokens["merchant"])
    courier = Api(url, tokens["courier"])
    order_ids: list[str] = []
    delivery_ids: list[str] = []
    try:
        me = courier.get("/v1/me").json()
        courier_id = me.get("courier_id") or courier_ids[0]

        def new_order(kind: str = "DELIVERY") -> str:
            body = order_body(store_id, kind)
            answer = customer.post("/v1/orders", body)
            assert answer.status_code in (200, 201), answer.text
            order_ids.append(body["id"])
            return str(body["id"])

        new_order()  # CREATED
        cancelled = new_order()
        customer.post(f"/v1/orders/{cancelled}/cancel", {"reason": "fuzz seed"})
        confirmed = [new_order(), new_order()]  # CONFIRMED, the second with a pending cancellation request
        for order_id in confirmed:
            merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 10})
        customer.post(f"/v1/orders/{confirmed[1]}/cancellation", {"reason": "fuzz seed"})
        takeout = new_order("TAKEOUT")
        merchant.post(f"/v1/orders/{takeout}/confirm", {"preparation_minutes": 5})
        merchant.post(f"/v1/orders/{takeout}/ready")
        for step in range(2):  # assigned (PENDING delivery); picked up
            order_id = new_order()
            merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 5})
            delivery = merchant.post(f"/v1/orders/{order_id}/assign", {"courier_id": courier_id})
            if delivery.status_code >= 300:
                continue
            delivery_id = delivery.json()["id"]
            delivery_ids.append(delivery_id)
            if step == 1:
                courier.post(f"/v1/deliveries/{delivery_id}/accept")
                courier.post(f"/v1/deliveries/{delivery_id}/arrived-at-merchant")
                code = merchant.get(f"/v1/orders/{order_id}").json().get("pickup_code")
                courier.post(f"/v1/deliveries/{delivery_id}/picked-up", {"code": code})
        menu = merchant.get(f"/v1/stores/{store_id}/menu").json()
        item_ids = [item["id"] for category in menu.get("categories", []) for item in category["items"]]
    finally:
        customer.close()
        merchant.close()
        courier.close()
    return KnownIds(
        {
            "store_id": [store_id],
            "order_id": order_ids,
            "courier_id": list(courier_ids),
            "delivery_id": delivery_ids,
            "item_id": item_ids[:4],
            "action": [
                "accept",
                "reject",
                "arrived-at-merchant",
                "picked-up",
                "arrived-at-customer",
                "delivered",
                "return",
                "returned",
            ],
        }
    )


# --- the run -----------------------------------------------------------------------------------------------------


def _path_choices(operation: Any, known: KnownIds) -> st.SearchStrategy[dict[str, str] | None]:
    """None (keep what the generator drew) or a dict of existing ids for the operation's path parameters."""
    names = [parameter.name for parameter in operation.path_parameters]
    pools = [known.by_parameter.get(name) or [] for name in names]
    if not names or not all(pools):
        return st.none()
    chosen = st.fixed_dictionaries(
        {name: st.sampled_from(pool) for name, pool in zip(names, pools, strict=True)}
    )
    return st.one_of(chosen, st.none())  # existing ids first: the simplest examples reach the handlers


def _adjust(case: Any, ids: dict[str, str] | None) -> None:
    negative_path = case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH)
    if ids and not negative_path:  # a path the generator made invalid on purpose stays as it is
        case.path_parameters = {**(case.path_parameters or {}), **ids}
    if case.query and "wait" in case.query:
        wait = case.query["wait"]
        if isinstance(wait, (int, float)) and not isinstance(wait, bool) and wait > MAX_WAIT_SECONDS:
            case.query["wait"] = MAX_WAIT_SECONDS


def _record(report: FuzzReport, operation: str, role: str, response: Any, failures: list[Failure]) -> None:
    for failure in failures:
        report.add(
            Finding(
                operation=operation,
                kind=failure.kind_title if failure.title != OCCURRED_AT_OUT_OF_RANGE else failure.title,
                role=role,
                status=response.status_code,
                request=_request_text(response),
                answer=_shorten(response.text),
                detail=_shorten(f"{failure.title}: {failure.message}", 400),
            )
        )


def _label(operation: Any) -> str:
    return f"{operation.method.upper()} {operation.path}"


def _fuzz_one(
    report: FuzzReport,
    session: requests.Session,
    operation: Any,
    role: str,
    token: str,
    known: KnownIds,
    mode: schemathesis.GenerationMode,
    examples: int,
    extra_checks: tuple[Any, ...] = (),
) -> None:
    label = _label(operation)
    nothing = (str(operation.base_url), label, mode.value)
    if nothing in _NOTHING_TO_DRAW:
        report.unsatisfiable.append(f"{label} {mode.value}")
        return
    examples = max(1, round(examples * COSTLY.get(label, 1.0)))
    occurred = st.none()
    if operation.method.upper() in MUTATIONS:
        occurred = st.one_of(st.none(), st.sampled_from(OCCURRED_AT_EDGES))
    strategy = st.tuples(
        operation.as_strategy(generation_mode=mode), _path_choices(operation, known), occurred
    )

    accepted: list[Any] = []  # the first case answered 2xx: the edge sweep sends it again

    def send(case: Any, occurred_at: str | None) -> None:
        sent = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
        if occurred_at is not None:
            sent["X-Occurred-At"] = occurred_at
        try:
            response = case.call(session=session, headers=sent, timeout=30)
        except requests.RequestException as error:
            report.errors.append(f"{label} as {role}: {error!r}")
            return
        report.cases += 1
        report.statuses[response.status_code] += 1
        try:
            checks = NEGATIVE_CHECKS if mode is schemathesis.GenerationMode.NEGATIVE else CHECKS
            if occurred_at is None and checks is CHECKS:  # X-Occurred-At is not in the schema: its 422 is not
                checks = [*checks, *extra_checks]
            case.validate_response(response, checks=checks, headers=sent)
        except FailureGroup as group:
            _record(report, label, role, response, list(group.exceptions))
        if response.status_code < 300 and not accepted:
            accepted.append(case)
        if occurred_at in OCCURRED_AT_REFUSED and response.status_code < 300:
            failure = Failure(
                operation=label, title=OCCURRED_AT_OUT_OF_RANGE, message=f"X-Occurred-At: {occurred_at}"
            )
            _record(report, label, role, response, [failure])

    @hypothesis.settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=hypothesis.Verbosity.quiet,
    )
    @hypothesis.given(drawn=strategy)
    def run(drawn: tuple[Any, dict[str, str] | None, str | None]) -> None:
        case, ids, occurred_at = drawn
        _adjust(case, ids)
        send(case, occurred_at)

    try:
        run()
    except hypothesis.errors.Unsatisfiable:  # nothing to make invalid (no input, or none constrained)
        report.unsatisfiable.append(f"{label} {mode.value}")
        _NOTHING_TO_DRAW.add(nothing)
    if accepted and operation.method.upper() in MUTATIONS and mode is schemathesis.GenerationMode.POSITIVE:
        for edge in OCCURRED_AT_EDGES:  # every edge once on a request the handler took: deterministic
            send(accepted[0], edge)


def fuzz_operations(
    url: str,
    tokens: dict[str, str],
    known: KnownIds,
    *,
    examples: int,
    modes: tuple[schemathesis.GenerationMode, ...] = (schemathesis.GenerationMode.POSITIVE,),
    roles: Iterable[str] = ROLES,
    report: FuzzReport | None = None,
    progress: Callable[[str], None] | None = None,
    extra_checks: tuple[Any, ...] = (),
) -> FuzzReport:
    """Draw `examples` cases per operation, role and mode; derandomized (the same cases on every run)."""
    report = report or FuzzReport()
    schema = load_schema(url)
    operations = [result.ok() for result in schema.get_all_operations()]
    session = requests.Session()
    started = time.perf_counter()
    for role in roles:
        for operation in operations:
            for mode in modes:
                _fuzz_one(report, session, operation, role, tokens[role], known, mode, examples, extra_checks)
            if progress is not None:
                progress(f"{role} {_label(operation)}: {report.cases} cases, {len(report.findings)} failures")
    session.close()
    report.seconds += time.perf_counter() - started
    return report


def findings_markdown(report: FuzzReport, title: str) -> str:
    """The findings as a markdown section (for /tmp/fuzz_findings.md and the bench's --out)."""
    lines = [f"## {title}", "", "```", report.summary(), "```", ""]
    return "\n".join(lines)


def dump_json(report: FuzzReport) -> str:
    return json.dumps(
        {
            "cases": report.cases,
            "seconds": round(report.seconds, 1),
            "statuses": dict(report.statuses),
            "by_kind": dict(report.by_kind()),
            "findings": [
                {**finding.__dict__, "count": report.counts[key]}
                for key, finding in sorted(report.findings.items())
            ],
        },
        ensure_ascii=False,
        indent=1,
    )


# --- stateful: chains of linked operations (ids one answer gives are used by the next request) ---------------------


def fuzz_stateful(
    url: str, tokens: dict[str, str], role: str, *, scenarios: int, steps: int, report: FuzzReport
) -> FuzzReport:
    """schemathesis's state machine over the links it infers from the OpenAPI (an order's id from `POST /v1/orders`
    or `GET /v1/orders` into `/v1/orders/{order_id}/...`), as `role`; every step's failures are collected."""
    schema = load_schema(url)
    machine = schema.as_state_machine()
    session = requests.Session()
    token = tokens[role]

    class Collecting(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            _adjust(case, None)
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
            return {"session": session, "headers": headers, "timeout": 30}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            report.cases += 1
            report.statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=kwargs.get("headers"))
            except FailureGroup as group:
                _record(
                    report, f"{_label(case.operation)} (stateful)", role, response, list(group.exceptions)
                )

    started = time.perf_counter()
    try:
        Collecting.run(
            settings=hypothesis.settings(
                max_examples=scenarios,
                stateful_step_count=steps,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
                verbosity=hypothesis.Verbosity.quiet,
            )
        )
    except Exception as error:  # the machine itself (not a check: those are collected above)
        report.errors.append(f"stateful as {role}: {error!r}"[:2000])
    finally:
        session.close()
        report.seconds += time.perf_counter() - started
    return report
