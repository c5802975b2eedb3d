"""Every refusal code the platform can answer a device's action with has a sentence of its own in both languages,
never the platform's English `message` (for logs). The codes are read from the platform's source, so a new code
raised without a sentence fails here."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.client.actions import ACTIONS
from o2o_tui.domain.voucher import VoucherRefusal
from o2o_tui.i18n import SUPPORTED, set_language, t
from o2o_tui.sync.explain import action_label, explain

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [*sorted((ROOT / "o2o_tui" / "platform").rglob("*.py")), ROOT / "o2o_tui" / "domain" / "refunds.py"]

# where a refusal's code is written: the function and the position of its `code` argument
_CODE_ARGUMENT = {"conflict": 1, "validation": 2, "ErrorDetail": None, "RefundProblem": 0, "ApiError": None}
# codes given as an expression, and where their values are collected instead
_KNOWN_EXPRESSIONS = {
    "problem.code",  # refunds.py: a RefundProblem's code (RefundProblem("...") calls are read)
    "reason.value",  # vouchers.py: VoucherRefusal (its values are read)
    "code",  # app.py `_on_http`: the codes of Litestar's HTTP errors (the strings of that function are read)
}
# codes no device's action can be refused with (a customer's own requests), or that are not refusals at all
NOT_FOR_DEVICES = {
    "too_many_chases": "a customer's chase",
    "chase_too_soon": "a customer's chase",
    "item_unavailable": "a customer's new order",
    "voucher_sold": "a customer's purchase of a voucher",
    "busy": "503: retried, never final",
    "storage_unavailable": "503: retried, never final",
    "internal": "500: retried, never final",
}
# actions only customers (the simulator) send
CUSTOMER_ACTIONS = {"order.create", "order.chase", "order.cancellation.request"}
SENTINEL = "PLATFORM-ENGLISH-MESSAGE"


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def platform_codes() -> set[str]:
    codes: set[str] = {reason.value for reason in VoucherRefusal}
    unknown: list[str] = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                if node.name == "_on_http":  # Litestar's HTTP errors: status -> code
                    codes |= {
                        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                    } - {ast.get_docstring(node) or ""}
                names = [argument.arg for argument in node.args.args]
                given_last = names[len(names) - len(node.args.defaults) :]
                default = dict(zip(given_last, node.args.defaults, strict=True)).get("code")
                if isinstance(default, ast.Constant) and isinstance(default.value, str):  # conflict(..., code=...)
                    codes.add(default.value)
            if not isinstance(node, ast.Call) or _name(node.func) not in _CODE_ARGUMENT:
                continue
            position = _CODE_ARGUMENT[_name(node.func)]
            given = [k.value for k in node.keywords if k.arg == "code"]
            if not given and position is not None and len(node.args) > position:
                given = [node.args[position]]
            for value in given:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    codes.add(value.value)
                elif ast.unparse(value) not in _KNOWN_EXPRESSIONS:
                    unknown.append(f"{path.relative_to(ROOT)}:{node.lineno}: code={ast.unparse(value)}")
    assert not unknown, f"a code given as an expression this test cannot read: {unknown}"
    return codes


@pytest.fixture(params=SUPPORTED)
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def test_the_codes_are_read_from_the_platform() -> None:
    codes = platform_codes()
    # a few of each kind of site, so that a change of the source's shape cannot empty the list unnoticed
    assert {"conflict", "courier_full", "no_cancellation_request", "hours_overlap", "idempotency_key_reused"} <= codes
    assert {"refund_too_large", "voucher_redeemed", "method_not_allowed", "too_large"} <= codes
    assert set(NOT_FOR_DEVICES) <= codes  # an exception for a code that is gone is removed too


def test_every_code_a_device_can_meet_has_its_own_sentence(language: str) -> None:
    missing = []
    for code in sorted(platform_codes() - set(NOT_FOR_DEVICES)):
        action = "voucher.redeem" if code.startswith("voucher_") else "order.confirm"
        reason = {"code": code, "message": SENTINEL, "order_number": 2}
        said = explain(reason, action=action, target="ord-2")
        fallback = t("sync.explain.other", subject=t("sync.subject.order", number="#0002"), action=action_label(action), code=code)
        if SENTINEL in said or said == fallback:
            missing.append(f"{code}: {said}")
    assert not missing, f"{language}: no sentence of its own for {missing}"


def test_a_code_without_a_sentence_is_named_not_the_platforms_english(language: str) -> None:
    said = explain({"code": "teapot", "message": SENTINEL, "order_number": 2}, action="order.cancellation.accept", target="o")
    assert SENTINEL not in said and "teapot" in said
    if language == "en":
        assert said == "order #0002: the platform refused your acceptance of the cancellation (reason code teapot)"
    else:
        assert said == "订单 #0002：平台拒绝了“同意取消”（原因代码 teapot）"


def test_the_report_of_the_tester_reads_in_each_language(language: str) -> None:
    reason = {"code": "no_cancellation_request", "message": "there is no cancellation request to accept"}
    said = explain({**reason, "order_number": 2}, action="order.cancellation.accept", target="o")
    assert "there is no" not in said
    if language == "en":
        assert said.startswith("order #0002: your acceptance of the cancellation was refused: there was no cancellation")
    else:
        assert said.startswith("订单 #0002：“同意取消”被拒绝：没有待处理的取消申请")


def test_every_action_a_device_sends_has_a_label(language: str) -> None:
    unlabelled = [action for action in ACTIONS if action not in CUSTOMER_ACTIONS and action_label(action) == action]
    assert not unlabelled, f"{language}: {unlabelled}"
