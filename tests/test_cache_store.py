"""offline_cache tables, meta, batches, file handling: copies, atomic batches, modes, corrupt and foreign files,
stale temp files, a full disk, read-only."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import msgspec
import orjson
import pytest
from tinydb import TinyDB

from offline_cache import CacheError, open_profile_cache
from offline_cache.storage import AtomicJSONStorage


def order(order_id: str, **extra: object) -> dict[str, object]:
    return {"id": order_id, "status": "CREATED", "customer": {"name": "Ann", "phone": "138****5678"}, **extra}


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return tmp_path / "profile"


def test_documents_go_in_and_out_as_copies(profile: Path) -> None:
    with open_profile_cache(profile) as cache:
        orders = cache.table("orders")
        stored = order("o1", lines=[{"qty": 1}])
        orders.upsert("o1", stored)
        stored["customer"]["name"] = "changed by the caller after storing"
        fetched = orders.get("o1")
        assert fetched is not None
        fetched["customer"]["name"] = "changed by the caller after reading"
        fetched["lines"].append({"qty": 2})
        for doc in orders.all():
            doc["lines"].clear()
        assert orders.get("o1") == order("o1", lines=[{"qty": 1}])


def test_upsert_replaces_rather_than_merges(profile: Path) -> None:
    with open_profile_cache(profile) as cache:
        orders = cache.table("orders")
        orders.upsert("o1", order("o1", cancellation={"reason": "late"}))
        orders.upsert("o1", order("o1"))
        assert "cancellation" not in orders.get("o1")
        assert len(orders) == 1


def test_writes_survive_reopen(profile: Path) -> None:
    with open_profile_cache(profile) as cache:
        orders = cache.table("orders")
        orders.upsert_many({f"o{n}": order(f"o{n}") for n in range(5)})
        orders.remove("o0")
        cache.table("stores").upsert("s1", {"id": "s1", "status": "ONLINE"})
        cache.meta_set("cursor", "c-17")
        cache.meta_set_many({"last_sync": "2026-01-01T00:00:00Z", "nested": {"a": [1, 2]}})
    with open_profile_cache(profile) as cache:
        assert sorted(cache.table("orders").ids()) == ["o1", "o2", "o3", "o4"]
        assert cache.table("stores").get("s1") == {"id": "s1", "status": "ONLINE"}
        assert cache.meta_get("cursor") == "c-17"
        assert cache.meta_get("nested") == {"a": [1, 2]}
        assert cache.meta_get("missing", "default") == "default"
        assert cache.table_names() == ["orders", "stores"]
        assert not cache.created and not cache.was_reset


def test_replace_prune_transform(profile: Path) -> None:
    with open_profile_cache(profile) as cache:
        orders = cache.table("orders")
        orders.upsert_many({f"o{n}": order(f"o{n}", n=n) for n in range(10)})
        orders.replace_all({f"o{n}": order(f"o{n}", n=n) for n in range(5, 15)})
        assert sorted(doc["n"] for doc in orders.all()) == list(range(5, 15))
        assert orders.prune(lambda doc: doc["n"] < 8) == 3
        assert orders.transform(lambda doc: doc["n"] >= 13, lambda doc: {**doc, "customer": None}) == 2
        assert orders.get("o14")["customer"] is None and orders.get("o12")["customer"] is not None
        assert "o5" not in orders and "o8" in orders
    with open_profile_cache(profile) as cache:
        assert len(cache.table("orders")) == 7


def test_each_write_is_one_file_write_and_a_batch_is_one(profile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import offline_cache.storage as storage_module

    writes: list[Path] = []
    real = storage_module.atomic_write

    def counting(path: Path, payload: bytes) -> None:
        writes.append(path)
        real(path, payload)

    with open_profile_cache(profile) as cache:
        monkeypatch.setattr(storage_module, "atomic_write", counting)
        orders = cache.table("orders")
        orders.upsert_many({f"o{n}": order(f"o{n}") for n in range(50)})
        orders.replace_all({"o1": order("o1")})
        assert len(writes) == 2
        with cache.write_batch():
            orders.upsert("o2", order("o2"))
            orders.remove("o1")
            cache.meta_set("cursor", "c-2")
        assert len(writes) == 3
        assert writes == [cache.cache_path] * 3


def test_a_failed_batch_changes_nothing(profile: Path) -> None:
    with open_profile_cache(profile) as cache:
        orders = cache.table("orders")
        orders.upsert("o1", order("o1"))
        cache.meta_set("cursor", "c-1")
        with pytest.raises(RuntimeError), cache.write_batch():
            orders.upsert("o2", order("o2"))
            cache.meta_set("cursor", "c-2")
            raise RuntimeError("fetch failed half-way")
        assert orders.ids() == ["o1"] and cache.meta_get("cursor") == "c-1"
    with open_profile_cache(profile) as cache:
        assert cache.table("orders").ids() == ["o1"] and cache.meta_get("cursor") == "c-1"


def test_values_that_are_not_json_are_refused_before_anything_changes(profile: Path) -> None:
    with open_profile_cache(profile) as cache:
        orders = cache.table("orders")
        with pytest.raises(CacheError) as caught:
            orders.upsert("o1", {"when": object()})
        assert caught.value.code == "invalid_document"
        with pytest.raises(ValueError):
            orders.upsert("", order("x"))
        with pytest.raises(ValueError):
            cache.table("_meta")
        assert len(orders) == 0


def test_directory_0700_files_0600_even_with_a_loose_umask(profile: Path) -> None:
    old = os.umask(0o022)
    try:
        profile.mkdir(mode=0o755)
        with open_profile_cache(profile) as cache:
            cache.table("orders").upsert("o1", order("o1"))
            cache.outbox.append("order.confirm", "order:o1", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE(profile.stat().st_mode) == 0o700
    names = sorted(path.name for path in profile.iterdir())
    assert names == ["cache-v1.json", "lock", "open.lock", "outbox-v1.json", "push.lock"]
    for path in profile.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_schema_version_is_in_the_file_names(profile: Path) -> None:
    with open_profile_cache(profile, schema_version=3) as cache:
        cache.table("orders").upsert("o1", order("o1"))
        assert cache.cache_path.name == "cache-v3.json" and cache.outbox_path.name == "outbox-v3.json"
    with open_profile_cache(profile, schema_version=4) as cache:
        assert len(cache.table("orders")) == 0 and cache.created


def test_stale_temp_files_are_removed_at_open(profile: Path) -> None:
    with open_profile_cache(profile) as cache:
        cache.table("orders").upsert("o1", order("o1"))
    stale = [profile / ".cache-v1.json.tmp-999-abcd", profile / ".outbox-v1.json.tmp-999-ef01"]
    for path in stale:
        path.write_bytes(b'{"half": ')
    keep = profile / "notes.txt"
    keep.write_text("not ours to remove")
    with open_profile_cache(profile) as cache:
        assert sorted(cache.removed_temp_files) == sorted(stale)
        assert cache.table("orders").get("o1") == order("o1")
    assert not any(path.exists() for path in stale) and keep.exists()


@pytest.mark.parametrize(
    "content",
    [b'{"orders": {"o1": {"id": "o1"}}, "_file": {"format"', b"", b"[1, 2]", b'{"orders": {"o1": 5}}', b"\xff\xfe"],
    ids=["truncated", "empty", "not-tables", "not-documents", "binary"],
)
def test_a_corrupt_cache_is_set_aside_and_rebuilt(profile: Path, content: bytes) -> None:
    with open_profile_cache(profile) as cache:
        cache.table("orders").upsert("o1", order("o1"))
        entry = cache.outbox.append("order.confirm", "order:o1", "{}")
    (profile / "cache-v1.json").write_bytes(content)
    with open_profile_cache(profile) as cache:
        assert cache.was_reset and not cache.created
        assert len(cache.table("orders")) == 0
        assert [warning.code for warning in cache.warnings] == ["cache_set_aside"]
        moved_to = cache.warnings[0].moved_to
        assert moved_to is not None and moved_to.name.startswith("cache-v1.json.corrupt-")
        assert moved_to.read_bytes() == content
        assert str(moved_to) in cache.warnings[0]
        assert cache.outbox.get(entry.key) == entry  # the outbox is untouched by a cache reset
        cache.table("orders").upsert("o2", order("o2"))
    with open_profile_cache(profile) as cache:
        assert not cache.was_reset and cache.table("orders").ids() == ["o2"]


def test_a_foreign_file_is_set_aside_never_overwritten(profile: Path) -> None:
    profile.mkdir(mode=0o700)
    foreign = orjson.dumps({"_default": {"1": {"someone": "else"}}})
    (profile / "cache-v1.json").write_bytes(foreign)
    with open_profile_cache(profile) as cache:
        assert cache.was_reset
        assert "not written by this program" in cache.warnings[0].detail
    (profile / "cache-v1.json").write_bytes(foreign)
    with open_profile_cache(profile) as cache:
        assert cache.was_reset
    aside = sorted(profile.glob("cache-v1.json.corrupt-*"))
    assert len(aside) == 2 and all(path.read_bytes() == foreign for path in aside)


def test_a_cache_file_of_another_kind_is_foreign(profile: Path) -> None:
    with open_profile_cache(profile):
        pass
    (profile / "cache-v1.json").write_bytes((profile / "outbox-v1.json").read_bytes())
    with open_profile_cache(profile) as cache:
        assert cache.was_reset and "outbox file of schema version 1" in cache.warnings[0].detail


def test_a_full_disk_keeps_file_and_memory_as_they_were(profile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_profile_cache(profile) as cache:
        orders = cache.table("orders")
        orders.upsert("o1", order("o1"))
        before = cache.cache_path.read_bytes()
        entry = cache.outbox.append("order.confirm", "order:o1", "{}")
        outbox_before = cache.outbox_path.read_bytes()
        real_write = os.write
        calls = 0

        def disk_fills_up(fd: int, data: bytes) -> int:
            nonlocal calls
            calls += 1
            if calls == 1:
                return real_write(fd, bytes(data)[:100])  # the first bytes fit, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "write", disk_fills_up)
        with pytest.raises(CacheError) as caught:
            orders.upsert("o2", order("o2", note="x" * 1000))
        assert caught.value.code == "disk_full" and caught.value.path == cache.cache_path
        calls = 1
        with pytest.raises(CacheError) as caught, cache.write_batch():
            orders.remove("o1")
            cache.meta_set("cursor", "c-9")
        assert caught.value.code == "disk_full"
        calls = 1
        with pytest.raises(CacheError):
            cache.outbox.append("order.ready", "order:o1", "{}")
        calls = 1
        with pytest.raises(CacheError):
            cache.outbox.mark_done(entry.key)
        monkeypatch.undo()
        assert orders.ids() == ["o1"] and cache.meta_get("cursor") is None
        assert [e.key for e in cache.outbox.pending()] == [entry.key]
        assert cache.cache_path.read_bytes() == before and cache.outbox_path.read_bytes() == outbox_before
        assert sorted(path.name for path in profile.iterdir()) == ["cache-v1.json", "lock", "open.lock", "outbox-v1.json", "push.lock"]
        orders.upsert("o3", order("o3"))  # space is back: writing works again
    with open_profile_cache(profile) as cache:
        assert sorted(cache.table("orders").ids()) == ["o1", "o3"]


def test_read_only_reads_and_refuses_writes(profile: Path) -> None:
    with open_profile_cache(profile) as cache:
        cache.table("orders").upsert("o1", order("o1"))
        cache.outbox.append("order.confirm", "order:o1", "{}")
    before = {path.name: path.read_bytes() for path in profile.iterdir() if path.name != "lock"}
    with open_profile_cache(profile, read_only=True) as cache:
        assert cache.read_only
        assert cache.table("orders").get("o1") == order("o1")
        assert len(cache.outbox) == 1
        for write in (
            lambda: cache.table("orders").upsert("o2", order("o2")),
            lambda: cache.meta_set("cursor", "x"),
            lambda: cache.outbox.append("order.ready", "order:o1", "{}"),
        ):
            with pytest.raises(CacheError) as caught:
                write()
            assert caught.value.code == "read_only"
    assert {path.name: path.read_bytes() for path in profile.iterdir() if path.name != "lock"} == before


def test_read_only_on_a_missing_profile_creates_nothing(profile: Path) -> None:
    with open_profile_cache(profile, read_only=True) as cache:
        assert len(cache.table("orders")) == 0 and len(cache.outbox) == 0
    assert not profile.exists()


def test_read_only_shows_a_corrupt_cache_as_empty_without_moving_it(profile: Path) -> None:
    with open_profile_cache(profile):
        pass
    (profile / "cache-v1.json").write_bytes(b"{oops")
    with open_profile_cache(profile, read_only=True) as cache:
        assert cache.was_reset and cache.warnings[0].code == "cache_unreadable"
    assert (profile / "cache-v1.json").read_bytes() == b"{oops"


def test_writes_after_close_are_refused(profile: Path) -> None:
    cache = open_profile_cache(profile)
    orders = cache.table("orders")
    cache.close()
    cache.close()
    with pytest.raises(CacheError) as caught:
        orders.upsert("o1", order("o1"))
    assert caught.value.code == "closed"


def test_the_storage_works_as_a_plain_tinydb_storage(tmp_path: Path) -> None:
    path = tmp_path / "plain.json"
    db = TinyDB(path, storage=AtomicJSONStorage)
    db.table("t").insert({"a": 1})
    db.table("t").update({"b": 2})
    db.close()
    assert orjson.loads(path.read_bytes()) == {"t": {"1": {"a": 1, "b": 2}}}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert TinyDB(path, storage=AtomicJSONStorage).table("t").all() == [{"a": 1, "b": 2}]


def test_a_directory_sync_failure_is_reported_and_memory_follows_the_disk(
    profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import offline_cache.storage as storage_module

    with open_profile_cache(profile) as cache:

        def broken_sync(directory: Path) -> None:
            raise OSError(errno.EIO, "I/O error")

        monkeypatch.setattr(storage_module, "fsync_directory", broken_sync)
        with pytest.raises(CacheError) as caught:
            cache.table("orders").upsert("o1", order("o1"))
        assert caught.value.code == "write_not_durable"
        monkeypatch.undo()
        assert cache.table("orders").get("o1") == order("o1")  # the file was replaced: memory says the same
    with open_profile_cache(profile) as cache:
        assert cache.table("orders").get("o1") == order("o1")


class Customer(msgspec.Struct, frozen=True):
    name: str
    phone: str


class Order(msgspec.Struct, frozen=True):
    id: str
    status: str
    customer: Customer
    lines: list[dict[str, int]] = []


def test_documents_decode_straight_into_structs_as_fresh_objects(profile: Path) -> None:
    with open_profile_cache(profile) as cache:
        orders = cache.table("orders")
        orders.upsert_many({"o1": order("o1", lines=[{"qty": 1}]), "o2": order("o2")})
        one = orders.get_as("o1", Order)
        assert one == Order("o1", "CREATED", Customer("Ann", "138****5678"), [{"qty": 1}])
        one.lines[0]["qty"] = 99
        assert orders.get("o1")["lines"] == [{"qty": 1}]
        assert orders.get_as("missing", Order) is None
        assert sorted(o.id for o in orders.all_as(Order)) == ["o1", "o2"]
        orders.upsert("bad", {"id": "bad"})
        with pytest.raises(msgspec.ValidationError):
            orders.all_as(Order)
        assert sorted(o.id for o in orders.all_as(Order, skip_invalid=True)) == ["o1", "o2"]
