"""Simulated customers: bilingual names, masked-looking phone numbers, addresses around the store, notes."""

from __future__ import annotations

import math
import random

import msgspec

from o2o_tui.domain.geo import Address, Position, from_local_metres

_SURNAMES = (("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
             ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"))  # fmt: skip
_GIVEN = (("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"), ("磊", "Lei"),
          ("婷", "Ting"), ("杰", "Jie"), ("欣怡", "Xinyi"), ("子轩", "Zixuan"), ("浩然", "Haoran"),
          ("雨桐", "Yutong"), ("思远", "Siyuan"), ("晓梅", "Xiaomei"))  # fmt: skip
_WESTERN = ("Emma Wilson", "Lucas Martin", "Sophie Müller", "Daniel Kim", "Olivia Brown", "Mateo García",
            "Hannah Schmidt", "Noah Dubois")  # fmt: skip
_STREETS = (("建国路", "Jianguo Rd"), ("朝阳北路", "Chaoyang North Rd"), ("光华路", "Guanghua Rd"),
            ("东三环中路", "East 3rd Ring Middle Rd"), ("工体北路", "Gongti North Rd"), ("三里屯路", "Sanlitun Rd"),
            ("团结湖路", "Tuanjiehu Rd"), ("金台路", "Jintai Rd"))  # fmt: skip
_PHONE_PREFIXES = ("138", "139", "150", "186", "188", "135", "177")

ORDER_NOTES = ("少辣 less spicy", "不要香菜 no cilantro", "请放门口 leave it at the door", "餐具两份 two sets of cutlery",
               "请勿敲门，宝宝在睡觉 please don't knock, baby sleeping", "no cilantro", "多放葱 extra scallion",
               "到了打电话 call when you arrive")  # fmt: skip
LINE_NOTES = ("少辣 less spicy", "不要香菜 no cilantro", "多放葱 extra scallion", "不要花生 no peanuts",
              "酱汁分开 sauce on the side", "少盐 less salt")  # fmt: skip


class Customer(msgspec.Struct, frozen=True):
    name: str
    phone: str
    address: Address


def customer_name(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return rng.choice(_WESTERN)
    surname, surname_latin = rng.choice(_SURNAMES)
    given, given_latin = rng.choice(_GIVEN)
    return f"{surname}{given} {surname_latin} {given_latin}"


def phone_number(rng: random.Random) -> str:
    return rng.choice(_PHONE_PREFIXES) + "".join(str(rng.randrange(10)) for _ in range(8))


def address_near(
    rng: random.Random, origin: Position | None, *, min_m: float = 400, max_m: float = 4000
) -> Address:
    """A street address uniformly spread (by area) in a ring around the store."""
    street, street_latin = rng.choice(_STREETS)
    number, unit, room = rng.randrange(1, 300), rng.randrange(1, 6), rng.randrange(101, 2800)
    text = f"{street}{number}号{unit}单元{room} / No. {number} {street_latin}, Unit {unit}, Room {room}"
    if origin is None:
        return Address(text=text)
    radius = math.sqrt(rng.uniform(min_m**2, max_m**2))
    angle = rng.uniform(0, 2 * math.pi)
    return Address(
        text=text, position=from_local_metres(radius * math.cos(angle), radius * math.sin(angle), origin)
    )


def new_customer(rng: random.Random, store_position: Position | None) -> Customer:
    return Customer(customer_name(rng), phone_number(rng), address_near(rng, store_position))
