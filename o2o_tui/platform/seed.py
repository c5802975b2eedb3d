"""Accounts and the demo data: stores, users (token shown once, only its hash kept), a bilingual menu, couriers."""

from __future__ import annotations

import random
import uuid

import msgspec
from sqlalchemy import Connection, Engine

from o2o_tui.domain.events import EntityKind
from o2o_tui.domain.fleet import Courier, CourierStatus
from o2o_tui.domain.geo import Address, Position, from_local_metres
from o2o_tui.domain.identity import Role
from o2o_tui.domain.menu import Category, Item, Menu, Option, OptionGroup
from o2o_tui.domain.money import Money
from o2o_tui.domain.store import Store, StoreStatus
from o2o_tui.platform import db, events, fleet, menus, stores
from o2o_tui.platform.auth import hash_token, new_token

DEMO_CENTER = Position(lat=31.2304, lon=121.4737)
DEMO_STORE_NAME = "老王川菜馆 Lao Wang Sichuan Kitchen"


class SeedResult(msgspec.Struct, frozen=True):
    store_id: str
    tokens: dict[
        str, str
    ]  # role -> token: admin, merchant, dispatcher, customer, courier (the first courier's)
    courier_ids: list[str]
    courier_tokens: dict[str, str]  # courier id -> token
    user_ids: dict[str, str] = {}  # role -> user id
    # the courier kept for a person at the handheld screen (`seed_demo(..., handheld=True)`, as `o2o demo` does);
    # also in `courier_ids` and `courier_tokens`, its user id in `user_ids["handheld"]`
    handheld_courier_id: str | None = None


class CreatedUser(msgspec.Struct, frozen=True):
    user_id: str
    role: Role
    token: str
    store_id: str | None = None
    courier_id: str | None = None


class AdminError(ValueError):
    """A bad admin request (unknown store, missing --store for a merchant, ...): `key` is its message key."""

    def __init__(self, key: str, **values: str) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def _id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def create_store(
    conn: Connection,
    *,
    name: str,
    address: Address,
    currency: str = "CNY",
    timezone: str = "Asia/Shanghai",
    own_fleet: bool = True,
    accept_timeout_seconds: int = 300,
    default_prep_minutes: int = 15,
    menu: Menu | None = None,
    store_id: str | None = None,
) -> Store:
    """A new store (ONLINE) with its menu (empty unless given)."""
    db.lock_writers(conn)  # the admin commands write beside running servers: take the writers' turn first
    now = db.utcnow()
    store = Store(
        id=store_id or _id("st"),
        name=name,
        address=address,
        currency=currency,
        timezone=timezone,
        status=StoreStatus(),
        version=1,
        default_prep_minutes=default_prep_minutes,
        accept_timeout_seconds=accept_timeout_seconds,
        own_fleet=own_fleet,
        updated_at=now,
    )
    stores.insert(conn, store)
    menu = (
        msgspec.structs.replace(menu, store_id=store.id, version=1, updated_at=now)
        if menu
        else Menu(store_id=store.id, version=1, currency=currency, categories=[], updated_at=now)
    )
    menus.insert(conn, menu)
    events.append(conn, "store.updated", EntityKind.STORE, store.id, 1, now, store_id=store.id)
    events.append(conn, "menu.updated", EntityKind.MENU, store.id, 1, now, store_id=store.id)
    return store


def create_courier(
    conn: Connection, *, name: str, store_id: str | None, position: Position | None = None, capacity: int = 3
) -> Courier:
    """A new courier, on duty. A `position` given is dated now, like any report, so dispatch counts it stale
    once the courier has reported nothing for a while (an undated one would look current forever)."""
    now = db.utcnow()
    courier = Courier(
        id=_id("cr"),
        name=name,
        status=CourierStatus.IDLE,
        capacity=capacity,
        version=1,
        position=position,
        store_id=store_id,
        updated_at=now,
        position_at=now if position is not None else None,
    )
    fleet.insert_courier(conn, courier)
    events.append(
        conn,
        "courier.updated",
        EntityKind.COURIER,
        courier.id,
        1,
        now,
        store_id=store_id,
        courier_id=courier.id,
    )
    return courier


def create_user(
    conn: Connection,
    *,
    role: Role,
    name: str,
    store_id: str | None = None,
    courier_id: str | None = None,
) -> CreatedUser:
    """A user with a fresh token; a courier user without `courier_id` gets a new courier of `store_id`'s fleet.
    The `store_id` returned is the store the user really acts for: an admin or a customer has none (a `store_id`
    given for one is refused), a courier user has its courier's (a `store_id` naming another is refused)."""
    db.lock_writers(conn)
    if store_id is not None and role not in (Role.MERCHANT, Role.DISPATCHER, Role.COURIER):
        raise AdminError("admin.error.store_not_for_role", role=role.value)
    if store_id is not None and stores.load(conn, store_id) is None:
        raise AdminError("admin.error.no_store", store=store_id)
    if role in (Role.MERCHANT, Role.DISPATCHER) and store_id is None:
        raise AdminError("admin.error.store_needed", role=role.value)
    if role is Role.COURIER:
        if courier_id is None:
            courier_id = create_courier(conn, name=name, store_id=store_id).id
        else:
            courier = fleet.load_courier(conn, courier_id)
            if courier is None:
                raise AdminError("admin.error.no_courier", courier=courier_id)
            if store_id is not None and courier.store_id != store_id:
                if courier.store_id is None:
                    raise AdminError("admin.error.courier_platform", courier=courier_id)
                raise AdminError(
                    "admin.error.courier_other_store", courier=courier_id, store=store_id, actual=courier.store_id
                )
            store_id = courier.store_id  # the courier's fleet is the user's store, --store given or not
    elif courier_id is not None:
        raise AdminError("admin.error.courier_only")
    token = new_token()
    user_id = _id("u")
    conn.execute(
        db.users.insert().values(
            id=user_id,
            name=name,
            role=role.value,
            store_id=store_id if role in (Role.MERCHANT, Role.DISPATCHER) else None,
            courier_id=courier_id,
            token_hash=hash_token(token),
            created_at=db.iso(db.utcnow()),
        )
    )
    return CreatedUser(user_id=user_id, role=role, token=token, store_id=store_id, courier_id=courier_id)


# --- the demo ----------------------------------------------------------------------------------------------------


def _cny(amount: int) -> Money:
    return Money(amount, "CNY")


def _item(item_id: str, name: str, price: int, description: str = "", groups: tuple[str, ...] = ()) -> Item:
    return Item(
        id=item_id, name=name, price=_cny(price), description=description, option_group_ids=list(groups)
    )


def demo_menu() -> Menu:
    spice = OptionGroup(
        id="spice",
        name="辣度 Spice level",
        min=1,
        max=1,
        options=[
            Option(id="spice-mild", name="微辣 Mild", price=_cny(0)),
            Option(id="spice-medium", name="中辣 Medium", price=_cny(0)),
            Option(id="spice-hot", name="特辣 Extra hot", price=_cny(0)),
        ],
    )
    rice = OptionGroup(
        id="rice",
        name="加米饭 Add rice",
        min=0,
        max=2,
        options=[
            Option(id="rice-white", name="白米饭 Steamed rice", price=_cny(300), max_qty=2),
            Option(id="rice-brown", name="糙米饭 Brown rice", price=_cny(400), max_qty=2),
        ],
    )
    ice = OptionGroup(
        id="ice",
        name="温度 Temperature",
        min=0,
        max=1,
        options=[
            Option(id="ice-room", name="常温 Room temperature", price=_cny(0)),
            Option(id="ice-cold", name="冰镇 Chilled", price=_cny(0)),
        ],
    )
    hot = ("spice", "rice")
    categories = [
        Category(
            id="hot-dishes",
            name="热菜 Hot dishes",
            items=[
                _item(
                    "kung-pao-chicken",
                    "宫保鸡丁 Kung Pao Chicken",
                    3800,
                    "鸡丁、花生、干辣椒 Chicken, peanuts, chili",
                    hot,
                ),
                _item(
                    "mapo-tofu",
                    "麻婆豆腐 Mapo Tofu",
                    2600,
                    "嫩豆腐、牛肉末、花椒 Tofu, minced beef, Sichuan pepper",
                    hot,
                ),
                _item(
                    "yuxiang-pork",
                    "鱼香肉丝 Yu Xiang Shredded Pork",
                    3200,
                    "酸甜微辣的肉丝 Sweet, sour and spicy pork",
                    hot,
                ),
                _item(
                    "twice-cooked-pork",
                    "回锅肉 Twice-Cooked Pork",
                    3600,
                    "五花肉、蒜苗 Pork belly, garlic shoots",
                    hot,
                ),
                _item(
                    "boiled-fish",
                    "水煮鱼 Boiled Fish in Chili Oil",
                    6800,
                    "鱼片、豆芽、红油 Fish fillets, bean sprouts, chili oil",
                    hot,
                ),
                _item("dry-fried-beans", "干煸四季豆 Dry-Fried Green Beans", 2400, "", ("spice",)),
            ],
        ),
        Category(
            id="soups",
            name="汤 Soups",
            items=[
                _item("hot-sour-soup", "酸辣汤 Hot and Sour Soup", 1800, "豆腐、木耳、鸡蛋 Tofu, fungus, egg")
            ],
        ),
        Category(
            id="staples",
            name="主食 Staples",
            items=[
                _item("rice", "米饭 Steamed Rice", 300),
                _item("dan-dan-noodles", "担担面 Dan Dan Noodles", 2200, "", ("spice",)),
                _item("egg-fried-rice", "蛋炒饭 Egg Fried Rice", 1800),
            ],
        ),
        Category(
            id="drinks",
            name="饮料 Drinks",
            items=[
                _item("sour-plum", "酸梅汤 Sour Plum Drink", 800, "", ("ice",)),
                _item("herbal-tea", "王老吉 Herbal Tea", 600, "", ("ice",)),
                _item("tsingtao", "青岛啤酒 Tsingtao Beer", 1000, "", ("ice",)),
                _item("cola", "可乐 Coca-Cola", 500, "", ("ice",)),
            ],
        ),
    ]
    return Menu(
        store_id="", version=1, currency="CNY", categories=categories, option_groups=[spice, rice, ice]
    )


DEMO_COURIERS = (
    "张伟 Zhang Wei",
    "王芳 Wang Fang",
    "李强 Li Qiang",
    "刘洋 Liu Yang",
    "陈静 Chen Jing",
    "杨磊 Yang Lei",
    "赵敏 Zhao Min",
    "黄勇 Huang Yong",
    "周杰 Zhou Jie",
    "吴婷 Wu Ting",
)
HANDHELD_COURIER_NAME = "你（手持机） You (handheld)"


def seed_into(conn: Connection, *, handheld: bool = False) -> SeedResult:
    store = create_store(
        conn,
        name=DEMO_STORE_NAME,
        address=Address(
            text="上海市黄浦区南京东路 100 号 100 Nanjing East Rd, Huangpu, Shanghai", position=DEMO_CENTER
        ),
        menu=demo_menu(),
    )
    tokens: dict[str, str] = {}
    user_ids: dict[str, str] = {}
    for role, name, store_id in (
        (Role.ADMIN, "平台管理员 Platform admin", None),
        (Role.MERCHANT, "老王 Lao Wang (counter)", store.id),
        (Role.DISPATCHER, "调度 Dispatcher Xiao Li", store.id),
        (Role.CUSTOMER, "李娜 Li Na", None),
    ):
        user = create_user(conn, role=role, name=name, store_id=store_id)
        tokens[role.value] = user.token
        user_ids[role.value] = user.user_id
    placement = random.Random(17)  # the same streets every demo
    courier_ids: list[str] = []
    courier_tokens: dict[str, str] = {}
    first_courier_user = ""
    for name in DEMO_COURIERS:
        spot = from_local_metres(placement.uniform(-2000, 2000), placement.uniform(-2000, 2000), DEMO_CENTER)
        courier = create_courier(conn, name=name, store_id=store.id, position=spot)
        user = create_user(conn, role=Role.COURIER, name=name, store_id=store.id, courier_id=courier.id)
        courier_ids.append(courier.id)
        courier_tokens[courier.id] = user.token
        first_courier_user = first_courier_user or user.user_id
    tokens["courier"] = courier_tokens[courier_ids[0]]
    user_ids["courier"] = first_courier_user
    handheld_courier_id = None
    if handheld:  # an eleventh courier, waiting at the store and on duty: the ten above ride as before
        courier = create_courier(conn, name=HANDHELD_COURIER_NAME, store_id=store.id, position=DEMO_CENTER)
        user = create_user(
            conn, role=Role.COURIER, name=HANDHELD_COURIER_NAME, store_id=store.id, courier_id=courier.id
        )
        courier_ids.append(courier.id)
        courier_tokens[courier.id] = user.token
        user_ids["handheld"] = user.user_id
        handheld_courier_id = courier.id
    return SeedResult(
        store_id=store.id,
        tokens=tokens,
        courier_ids=courier_ids,
        courier_tokens=courier_tokens,
        user_ids=user_ids,
        handheld_courier_id=handheld_courier_id,
    )


def seed_demo(db_url: str, *, handheld: bool = False) -> SeedResult:
    """Create the demo store, menu, ten couriers and a user of every role in the database at `db_url`; with
    `handheld`, an eleventh courier for a person to drive from the handheld screen."""
    engine = db.open_database(db_url)
    try:
        return seed_engine(engine, handheld=handheld)
    finally:
        engine.dispose()


def seed_engine(engine: Engine, *, handheld: bool = False) -> SeedResult:
    with db.writing(engine) as conn:
        return seed_into(conn, handheld=handheld)
