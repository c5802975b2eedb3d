"""The customer's personal data in an order or a delivery, blanked `O2O_PURGE_PERSONAL_HOURS` after it ended.

One rule for both sides: the platform blanks its stored documents and answers with it (platform/personal.py,
jobs.purge_personal) and every device blanks its cached copies with it (sync/retention.py), so a device never keeps
what the server no longer has.

A rule maps a path in the document as the API carries it (JSON) to what replaces the value: dotted keys, where
`name[]` steps into every element of the list `name`. A path a document does not have (an older server's, a null
`cancellation`) is skipped.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

PURGE_PERSONAL_HOURS = 6.0  # the default window, for the server and the devices alike

ORDER_PERSONAL: Mapping[str, Any] = MappingProxyType(
    {
        "customer.name": "",
        "customer.phone": "",
        "customer.address": None,  # the text and the position of the customer's door
        "note": "",
        "lines[].note": "",
        "cancellation.reason": "",
        "chases[].note": "",  # the customer's own words when chasing the order
        "chases[].text": "",  # the store's free-text answer to them
    }
)

DELIVERY_PERSONAL: Mapping[str, Any] = MappingProxyType(
    {
        "customer_name": "",
        "customer_phone": "",
        "dropoff.text": "",
        "dropoff.position": None,
        "note": "",
        "problems[].note": "",
    }
)


@functools.cache
def _steps(path: str) -> tuple[tuple[tuple[str, bool], ...], str]:
    """`a.b[].c` -> ((("a", False), ("b", True)), "c"): each parent key, whether it is a list, and the leaf."""
    *parents, leaf = path.split(".")
    return tuple((part.removesuffix("[]"), part.endswith("[]")) for part in parents), leaf


def _places(doc: Any, path: str) -> Iterator[tuple[dict[str, Any], str]]:
    """Each (mapping, key) where `path` reaches a value of `doc`."""
    parents, leaf = _steps(path)
    nodes: list[Any] = [doc]
    for name, is_list in parents:
        found = [node[name] for node in nodes if isinstance(node, dict) and name in node]
        nodes = [item for value in found if isinstance(value, list) for item in value] if is_list else found
    for node in nodes:
        if isinstance(node, dict) and leaf in node:
            yield node, leaf


def needs_blanking(doc: Mapping[str, Any], rule: Mapping[str, Any]) -> bool:
    """Whether some personal field of `doc` still holds something."""
    return any(node[key] != blank for path, blank in rule.items() for node, key in _places(doc, path))


def blank_personal(doc: dict[str, Any], rule: Mapping[str, Any]) -> dict[str, Any]:
    """`doc` (changed in place) with every personal field of `rule` blanked; everything else as it was."""
    for path, blank in rule.items():
        for node, key in _places(doc, path):
            node[key] = blank
    return doc
