"""The outbox: durable appends, order, states, conflicts, and a corrupt outbox that blocks instead of vanishing."""

from __future__ import annotations

import asyncio
import threading
import uuid
from pathlib import Path

import orjson
import pytest

from offline_cache import CorruptOutboxError, EntryState, open_profile_cache


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return tmp_path / "profile"


def test_append_assigns_key_seq_and_time_and_survives_reopen(profile: Path) -> None:
    body = '{"preparation_minutes": 12, "note": "不要辣"}'
    with open_profile_cache(profile) as cache:
        first = cache.outbox.append("order.confirm", "order:o1", body, base_version=3)
        second = cache.outbox.append("order.ready", "order:o1", "{}", occurred_at="2026-01-02T03:04:05Z")
        assert uuid.UUID(first.key).version == 4
        assert (first.seq, second.seq) == (1, 2)
        assert first.occurred_at.endswith("Z") and second.occurred_at == "2026-01-02T03:04:05Z"
        assert first.state is EntryState.PENDING and first.attempts == 0 and first.rejection is None
    with open_profile_cache(profile) as cache:
        assert cache.outbox.pending() == [first, second]
        assert cache.outbox.get(first.key).body == body  # byte for byte
        assert cache.outbox.get(first.key).base_version == 3


def test_pending_is_in_append_order_and_per_target(profile: Path) -> None:
    with open_profile_cache(profile) as cache:
        keys = [cache.outbox.append("order.confirm", f"order:o{n % 3}", "{}").key for n in range(9)]
        assert [entry.key for entry in cache.outbox.pending()] == keys
        assert [entry.key for entry in cache.outbox.pending_for("order:o1")] == keys[1::3]
        assert len(cache.outbox) == 9


def test_states_attempts_done_and_conflicts(profile: Path) -> None:
    with open_profile_cache(profile) as cache:
        outbox = cache.outbox
        a = outbox.append("order.confirm", "order:o1", "{}")
        b = outbox.append("order.ready", "order:o1", "{}")
        c = outbox.append("order.confirm", "order:o2", "{}")
        assert outbox.mark_sent(a.key).state is EntryState.SENT
        outbox.record_attempt(a.key, "connection reset")
        outbox.record_attempt(a.key, "timeout")
        assert (outbox.get(a.key).attempts, outbox.get(a.key).last_error) == (2, "timeout")
        assert [entry.key for entry in outbox.pending()] == [a.key, b.key, c.key]  # sent is still pending
        outbox.mark_done(a.key)
        reason = {"status": 409, "error": {"code": "illegal_transition", "from": "CANCELLED", "to": "CONFIRMED"}}
        outbox.mark_rejected(c.key, reason)
        reason["status"] = 500  # the caller's dict is not the stored one
        assert outbox.get(a.key) is None
        assert [entry.key for entry in outbox.pending()] == [b.key] and len(outbox) == 1
        (conflict,) = outbox.conflicts()
        assert conflict.key == c.key and conflict.state is EntryState.REJECTED
        assert conflict.rejection["status"] == 409
        conflict.rejection["status"] = 0  # nor is what it hands out
        assert outbox.get(c.key).rejection["status"] == 409
    with open_profile_cache(profile) as cache:
        assert [entry.key for entry in cache.outbox.conflicts()] == [c.key]
        assert cache.outbox.dismiss(b.key) is False  # a pending entry is not a conflict to dismiss
        assert cache.outbox.dismiss(c.key) is True
        assert cache.outbox.dismiss(c.key) is False
        assert cache.outbox.conflicts() == [] and len(cache.outbox) == 1
        with pytest.raises(KeyError):
            cache.outbox.mark_sent(a.key)


def test_mark_done_many_is_one_write(profile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import offline_cache.storage as storage_module

    with open_profile_cache(profile) as cache:
        keys = [cache.outbox.append("order.confirm", f"order:o{n}", "{}").key for n in range(5)]
        writes = []
        real = storage_module.atomic_write
        monkeypatch.setattr(storage_module, "atomic_write", lambda path, data: (writes.append(path), real(path, data)))
        assert cache.outbox.mark_done_many([keys[0], keys[2], "not-a-key", keys[4]]) == 3
        assert writes == [cache.outbox_path]
        assert [entry.key for entry in cache.outbox.pending()] == [keys[1], keys[3]]
    with open_profile_cache(profile) as cache:
        assert len(cache.outbox) == 2


def test_seq_keeps_growing_after_entries_are_done(profile: Path) -> None:
    with open_profile_cache(profile) as cache:
        for _ in range(3):
            cache.outbox.mark_done(cache.outbox.append("order.confirm", "order:o1", "{}").key)
    with open_profile_cache(profile) as cache:
        assert cache.outbox.append("order.confirm", "order:o1", "{}").seq == 4


def test_a_given_key_is_kept_and_cannot_be_used_twice(profile: Path) -> None:
    key = str(uuid.uuid4())
    with open_profile_cache(profile) as cache:
        assert cache.outbox.append("order.confirm", "order:o1", "{}", key=key).key == key
        with pytest.raises(ValueError):
            cache.outbox.append("order.confirm", "order:o1", "{}", key=key)
        with pytest.raises(TypeError):
            cache.outbox.append("order.confirm", "order:o1", {"not": "serialized"})  # type: ignore[arg-type]
        assert len(cache.outbox) == 1


def test_the_outbox_is_its_own_small_file(profile: Path) -> None:
    with open_profile_cache(profile) as cache:
        cache.table("orders").upsert_many({f"o{n}": {"id": f"o{n}", "pad": "x" * 1000} for n in range(200)})
        before = cache.cache_path.read_bytes()
        cache.outbox.append("order.confirm", "order:o1", "{}")
        assert cache.cache_path.read_bytes() == before
        assert cache.outbox_path.stat().st_size < 1000


@pytest.mark.parametrize(
    "content",
    [
        b'{"entries": {"k": {"key": "k", "seq": 1',
        b"",
        b'{"_file": {"format": {"app": "offline_cache", "kind": "outbox", "schema_version": 1}},'
        b' "entries": {"k": {"key": "k", "seq": "one"}}}',
        b'{"_default": {"1": {}}}',
    ],
    ids=["truncated", "empty", "bad-entry", "foreign"],
)
def test_a_corrupt_outbox_blocks_and_is_left_as_it_is(profile: Path, content: bytes) -> None:
    with open_profile_cache(profile) as cache:
        cache.table("orders").upsert("o1", {"id": "o1"})
    outbox_path = profile / "outbox-v1.json"
    outbox_path.write_bytes(content)
    cache_before = (profile / "cache-v1.json").read_bytes()
    with pytest.raises(CorruptOutboxError) as caught:
        open_profile_cache(profile)
    error = caught.value
    assert error.code == "corrupt_outbox" and error.path == outbox_path
    assert str(outbox_path) in str(error) and "never sent" in str(error)
    assert outbox_path.read_bytes() == content
    assert (profile / "cache-v1.json").read_bytes() == cache_before
    assert sorted(path.name for path in profile.iterdir()) == ["cache-v1.json", "lock", "open.lock", "outbox-v1.json", "push.lock"]
    with pytest.raises(CorruptOutboxError):
        open_profile_cache(profile, read_only=True)
    outbox_path.rename(profile / "outbox-kept-by-the-user.json")  # what the message tells the user to do
    with open_profile_cache(profile) as cache:  # the failed opens released the lock
        assert len(cache.outbox) == 0 and cache.table("orders").get("o1") == {"id": "o1"}


def test_an_outbox_of_another_schema_version_is_reported(profile: Path) -> None:
    with open_profile_cache(profile, schema_version=1) as cache:
        cache.outbox.append("order.confirm", "order:o1", "{}")
    with open_profile_cache(profile, schema_version=2) as cache:
        assert [warning.code for warning in cache.warnings] == ["other_outbox"]
        assert cache.warnings[0].path == profile / "outbox-v1.json"
    stored = orjson.loads((profile / "outbox-v1.json").read_bytes())
    assert len(stored["entries"]) == 1


async def test_calls_from_async_code_run_on_the_single_cache_thread(profile: Path) -> None:
    with open_profile_cache(profile) as cache:
        threads: set[str] = set()

        def append(n: int) -> str:
            threads.add(threading.current_thread().name)
            return cache.outbox.append("order.confirm", f"order:o{n}", "{}").key

        keys = await asyncio.gather(*(cache.call(append, n) for n in range(20)))
        assert len(threads) == 1 and threads.pop().startswith("offline-cache")
        assert [entry.key for entry in cache.outbox.pending()] == list(keys)
        assert cache.executor._max_workers == 1
