"""Publishing a menu against the real server: the shared rules answer 422 naming the field, names per language
are normalized, a publish keeps the current availability of items and options (a draft never undoes a quick
sold-out), and one option's availability changes through its own PATCH."""

from __future__ import annotations

import copy

from tests.support.platform import RunningPlatform, api


def _menu_path(store_id: str) -> str:
    return f"/v1/stores/{store_id}/menu"


def _item(menu: dict, item_id: str) -> dict:
    return next(i for c in menu["categories"] for i in c["items"] if i["id"] == item_id)


def _option(menu: dict, option_id: str) -> dict:
    return next(o for g in menu["option_groups"] for o in g["options"] if o["id"] == option_id)


def test_publish_keeps_current_availability_and_takes_the_rest(platform: RunningPlatform) -> None:
    seed = platform.seed
    assert seed is not None
    merchant = api(platform, "merchant")
    path = _menu_path(seed.store_id)
    draft = merchant.get(path).json()  # an editor starts a draft here
    base = draft["version"]
    # meanwhile a quick sold-out of an item and an option goes straight through
    sold_out = merchant.patch(f"{path}/items/mapo-tofu", {"snooze_until": "2099-01-01T00:00:00Z"})
    assert sold_out.status_code == 200, sold_out.text
    option_off = merchant.patch(f"{path}/options/rice-brown", {"status": "UNAVAILABLE"})
    assert option_off.status_code == 200, option_off.text
    assert _option(option_off.json(), "rice-brown")["status"] == "UNAVAILABLE"
    # the draft (started before) changes a price, hides an item, says the item is available, adds an item
    edited = copy.deepcopy(draft)
    _item(edited, "mapo-tofu")["price"]["amount"] = 2700
    _item(edited, "mapo-tofu")["status"] = "AVAILABLE"
    _item(edited, "rice")["hidden"] = True
    _option(edited, "rice-brown")["status"] = "AVAILABLE"
    edited["categories"][0]["items"].append(
        {
            "id": "new-dish",
            "name": "",
            "names": {"zh": "新菜", "en": "New dish"},
            "price": {"amount": 1500, "currency": "CNY"},
            "status": "UNAVAILABLE",  # a new item takes the body's availability
        }
    )
    current = merchant.get(path).json()["version"]
    published = merchant.put(path, edited, headers={"If-Match": str(current)})
    assert published.status_code == 200, published.text
    menu = published.json()
    assert menu["version"] == current + 1 and current > base
    mapo = _item(menu, "mapo-tofu")
    assert mapo["price"]["amount"] == 2700  # the draft's content
    assert mapo["snooze_until"] is not None and mapo["snooze_until"].startswith("2099")  # not undone
    assert _option(menu, "rice-brown")["status"] == "UNAVAILABLE"
    assert _item(menu, "rice")["hidden"] is True  # hidden is part of the menu
    new = _item(menu, "new-dish")
    assert (new["name"], new["status"]) == (
        "新菜",
        "UNAVAILABLE",
    )  # normalized from names; body's availability
    # the option PATCH brings it back; an unknown option is a 404
    back = merchant.patch(f"{path}/options/rice-brown", {"status": "AVAILABLE", "clear_snooze": True})
    assert _option(back.json(), "rice-brown")["status"] == "AVAILABLE"
    assert merchant.patch(f"{path}/options/ghost", {"hidden": True}).status_code == 404
    both = merchant.patch(
        f"{path}/options/rice-brown", {"clear_snooze": True, "snooze_until": "2099-01-01T00:00:00Z"}
    )
    assert both.status_code == 422 and both.json()["error"]["field"] == "clear_snooze"


def test_publishing_the_same_content_with_other_availability_is_no_change(platform: RunningPlatform) -> None:
    seed = platform.seed
    assert seed is not None
    merchant = api(platform, "merchant")
    path = _menu_path(seed.store_id)
    menu = merchant.get(path).json()
    merchant.patch(f"{path}/items/rice", {"status": "UNAVAILABLE"})
    version = merchant.get(path).json()["version"]
    again = merchant.put(path, menu, headers={"If-Match": str(version)})  # availability differs only
    assert again.status_code == 200 and again.json()["version"] == version
    assert _item(again.json(), "rice")["status"] == "UNAVAILABLE"


def test_the_shared_rules_answer_422_naming_the_field(platform: RunningPlatform) -> None:
    seed = platform.seed
    assert seed is not None
    merchant = api(platform, "merchant")
    path = _menu_path(seed.store_id)
    menu = merchant.get(path).json()
    version = str(menu["version"])
    cases = [
        (
            lambda m: _item(m, "rice").update(name="", names={"zh": " ", "en": ""}),
            "categories[2].items[0].name",
        ),
        (lambda m: m["option_groups"][0].update(min=3, max=2), "option_groups[0].min"),
        # spice has three options of at most one each: a min of 4 could never be chosen
        (lambda m: m["option_groups"][0].update(min=4, max=4), "option_groups[0].min"),
        (
            lambda m: m["option_groups"][1]["options"][0].update(id="spice-mild"),
            "option_groups[1].options[0].id",
        ),
        (lambda m: m["categories"][1].update(id="hot-dishes"), "categories[1].id"),
        (
            lambda m: _item(m, "rice").update(option_group_ids=["ghost"]),
            "categories[2].items[0].option_group_ids",
        ),
        (
            lambda m: _item(m, "rice").update(price={"amount": 100, "currency": "USD"}),
            "categories[2].items[0].price",
        ),
        (  # menu text is shown on every device: a terminal escape in it is refused, not stored
            lambda m: m["option_groups"][0]["options"][0].update(name="Mild \x1b]52;c;cGF5\x07"),
            "option_groups[0].options[0].name",
        ),
    ]
    for change, field in cases:
        broken = copy.deepcopy(menu)
        change(broken)
        answer = merchant.put(path, broken, headers={"If-Match": version})
        assert answer.status_code == 422, (field, answer.text)
        assert answer.json()["error"]["field"] == field
        assert answer.json()["error"]["code"] == "validation"
    assert merchant.get(path).json()["version"] == menu["version"]  # nothing was applied


def test_a_quick_sold_out_does_not_make_a_draft_stale(platform: RunningPlatform) -> None:
    """Availability is not part of a draft: a PATCH of it moves the version, not what a draft must have seen."""
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    path = f"/v1/stores/{platform.seed.store_id}/menu"
    draft = merchant.get(path).json()  # the editor opens its draft here
    first_item = draft["categories"][0]["items"][0]["id"]
    sold_out = merchant.patch(f"{path}/items/{first_item}", {"status": "UNAVAILABLE"}).json()
    assert sold_out["version"] == draft["version"] + 1
    assert sold_out["content_version"] == draft["content_version"] or draft["content_version"] == 0
    draft["categories"][0]["items"][1]["price"]["amount"] += 100
    published = merchant.put(path, draft, headers={"If-Match": str(draft["version"])})
    assert published.status_code == 200, published.text
    assert published.json()["categories"][0]["items"][0]["status"] == "UNAVAILABLE"  # the sold-out stands
    hidden = merchant.patch(f"{path}/items/{first_item}", {"hidden": True}).json()  # hiding IS part of the menu
    stale = merchant.put(path, published.json(), headers={"If-Match": str(published.json()["version"])})
    assert stale.status_code == 412 and stale.json()["error"]["current_version"] == hidden["version"]
