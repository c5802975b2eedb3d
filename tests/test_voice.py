"""Spoken announcements (o2o_tui/voice.py): real speech rendered to WAV by espeak-ng, and the speaker's queue
driven through a fake engine (a tiny shell script that records its arguments: a real subprocess)."""

from __future__ import annotations

import array
import math
import shutil
import stat
import sys
import time
import wave
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from o2o_tui.domain.order import Cancellation, OrderStatus, OrderType, Party
from o2o_tui.i18n import set_language, t
from o2o_tui.voice import (
    MAX_SINGLE,
    Announcement,
    Announcer,
    Kind,
    Speaker,
    coalesce,
    engine_command,
    find_engine,
)
from tests.test_ui_samples import FROZEN_NOW, sample_order


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def fake_engine(tmp_path: Path, *, seconds: float = 0.0) -> tuple[Path, Path]:
    """(program, log): a speech engine that appends its arguments (one line per call) and takes `seconds`."""
    log = tmp_path / "spoken.log"
    program = tmp_path / "fake-espeak"
    program.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{log}'\nsleep {seconds}\n", encoding="utf-8")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return program, log


def spoken(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def wait_for_lines(log: Path, count: int, timeout: float = 5.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while len(spoken(log)) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return spoken(log)


# real speech
def _wav_facts(path: Path) -> tuple[float, float]:
    """(duration in seconds, RMS of the 16-bit samples) of a mono WAV file (RIFF header parsed by `wave`)."""
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
        frames = wav.readframes(wav.getnframes())
        duration = wav.getnframes() / wav.getframerate()
    samples = array.array("h", frames)
    if sys.byteorder == "big":
        samples.byteswap()
    rms = math.sqrt(sum(sample * sample for sample in samples) / max(1, len(samples)))
    return duration, rms


@pytest.mark.parametrize(
    ("language", "low", "high"),
    [("en", 1.0, 5.0), ("zh", 1.2, 7.0)],  # "New order 42, delivery." ~2 s; "新订单 42 号，外卖。" ~3 s
)
def test_an_announcement_is_spoken_to_a_wav_of_plausible_length(
    tmp_path: Path, language: str, low: float, high: float
) -> None:
    engine = shutil.which("espeak-ng")
    if engine is None:
        pytest.skip("espeak-ng is not installed (apt install espeak-ng; .ci/run installs it)")
    set_language(language)
    text = t("voice.new_order", number=42, type=t("voice.type.DELIVERY"))
    assert ("42" in text) and (("新订单" in text) if language == "zh" else ("New order" in text))
    out = tmp_path / f"{language}.wav"
    import subprocess

    subprocess.run(engine_command(engine, language, text, wav=out), check=True, timeout=30)
    duration, rms = _wav_facts(out)
    assert low <= duration <= high, f"{language}: {duration:.2f} s for {text!r}"
    assert rms > 500, f"{language}: RMS {rms:.0f} is near silence"


def test_the_chinese_voice_says_more_than_the_english_one_for_a_longer_sentence(tmp_path: Path) -> None:
    """A voice that cannot read the text (a missing language) says nothing or spells a few letters: a sentence
    twice as long lasts clearly longer."""
    engine = shutil.which("espeak-ng")
    if engine is None:
        pytest.skip("espeak-ng is not installed (apt install espeak-ng; .ci/run installs it)")
    import subprocess

    durations = []
    for text in ("新订单 42 号。", "新订单 42 号，外卖。新订单 43 号，自取。"):
        out = tmp_path / f"{len(text)}.wav"
        subprocess.run(engine_command(engine, "zh", text, wav=out), check=True, timeout=30)
        durations.append(_wav_facts(out)[0])
    assert durations[1] > durations[0] * 1.5


# the engine
def test_the_engine_is_espeak_ng_else_espeak_else_none(tmp_path: Path) -> None:
    on_path = {"espeak": "/usr/bin/espeak"}
    assert find_engine({}, on_path.get) == "/usr/bin/espeak"
    on_path["espeak-ng"] = "/usr/bin/espeak-ng"
    assert find_engine({}, on_path.get) == "/usr/bin/espeak-ng"
    assert find_engine({}, {}.get) is None
    assert find_engine({"O2O_VOICE_ENGINE": "/nowhere/talker"}, shutil.which) is None
    program, _ = fake_engine(tmp_path)
    assert find_engine({"O2O_VOICE_ENGINE": str(program)}, shutil.which) == str(program)


def test_the_voice_follows_the_language() -> None:
    assert engine_command("/usr/bin/espeak-ng", "zh", "好")[:3] == ["/usr/bin/espeak-ng", "-v", "cmn"]
    assert engine_command("/usr/bin/espeak", "zh", "好")[:3] == ["/usr/bin/espeak", "-v", "zh"]
    assert engine_command("/usr/bin/espeak-ng", "en", "hi")[-1] == "hi"


# the queue
def _new(number: int) -> Announcement:
    return Announcement(Kind.NEW_ORDER, t("voice.new_order", number=number, type=t("voice.type.DELIVERY")))


def test_coalescing_keeps_what_waits_short() -> None:
    offline = Announcer.link(False)
    online = Announcer.link(True)
    burst = [_new(n) for n in range(1, 21)]
    assert coalesce(burst) == [Announcement(Kind.NEW_ORDER, "20 new orders.", 20)]
    assert coalesce(burst[:MAX_SINGLE]) == burst[:MAX_SINGLE]
    assert coalesce([offline, _new(1), online]) == [online, _new(1)]  # only the latest link change
    cancel = Announcement(Kind.CANCEL_REQUEST, "x")
    assert [item.count for item in coalesce([*burst, cancel, cancel, cancel])] == [20, 3]


def test_a_burst_of_twenty_orders_is_two_sentences(tmp_path: Path) -> None:
    program, log = fake_engine(tmp_path, seconds=0.3)
    speaker = Speaker(str(program), language=lambda: "en")
    started = time.monotonic()
    speaker.say([_new(1)])
    assert wait_for_lines(log, 1) == [f"-v en -s 150 {_new(1).text}"]  # the first is being said
    for number in range(2, 21):  # the rest arrive one by one while it speaks
        speaker.say([_new(number)])
    assert time.monotonic() - started < 0.3  # `say` never waits for the engine
    assert speaker.wait_idle(5)
    assert [line.split(" ", 4)[-1] for line in spoken(log)] == [_new(1).text, "19 new orders."]


def test_the_latest_link_change_is_said_and_mute_drops_what_waits(tmp_path: Path) -> None:
    program, log = fake_engine(tmp_path, seconds=0.2)
    muted = False
    speaker = Speaker(str(program), language=lambda: "zh", muted=lambda: muted)
    set_language("zh")
    speaker.say([_new(7)])
    wait_for_lines(log, 1)
    speaker.say([Announcer.link(False)])
    speaker.say([Announcer.link(True)])
    assert speaker.wait_idle(5)
    assert [line.split(" ", 4)[-1] for line in spoken(log)] == ["新订单 7 号，外卖。", "网络已恢复。"]
    assert spoken(log)[0].startswith("-v cmn ")
    speaker.say([_new(8)])
    wait_for_lines(log, 3)
    muted = True  # `M` while the sentence is said: what waits is dropped
    speaker.say([_new(9), Announcer.link(False)])
    assert speaker.wait_idle(5)
    assert len(spoken(log)) == 3 and speaker.pending() == []


def test_an_engine_that_fails_or_hangs_does_not_stop_the_next_sentence(tmp_path: Path) -> None:
    hanging = tmp_path / "hang"
    hanging.write_text("#!/bin/sh\nsleep 30\n", encoding="utf-8")
    hanging.chmod(0o755)
    speaker = Speaker(str(hanging), language=lambda: "en", timeout_s=0.2)
    speaker.say([_new(1), Announcer.link(False)])
    assert speaker.wait_idle(5)
    assert speaker.failures == 2
    missing = Speaker(str(tmp_path / "gone"), language=lambda: "en")
    missing.say([_new(1)])
    assert missing.wait_idle(5) and missing.failures == 1


# what is said
def test_each_order_is_announced_once_as_new_and_once_for_a_cancellation_request() -> None:
    announcer = Announcer()
    order = sample_order(42, OrderStatus.CREATED, minutes_ago=1)
    takeout = sample_order(43, OrderStatus.CREATED, minutes_ago=1, order_type=OrderType.TAKEOUT)
    late = sample_order(44, OrderStatus.CREATED, minutes_ago=6)  # past its accept deadline: never said
    assert [a.text for a in announcer.orders([order, takeout, late], FROZEN_NOW)] == [
        "New order 42, delivery.",
        "New order 43, takeout.",
    ]
    assert announcer.orders([order, takeout, late], FROZEN_NOW + timedelta(seconds=20)) == []
    asks = sample_order(
        42,
        OrderStatus.CONFIRMED,
        minutes_ago=1,
        cancellation=Cancellation(requested_by=Party.CUSTOMER, reason_code="CHANGED_MIND"),
    )
    assert [a.text for a in announcer.orders([asks], FROZEN_NOW)] == [
        "Order 42: the customer asks to cancel."
    ]
    assert announcer.orders([asks], FROZEN_NOW) == []


@pytest.mark.parametrize(
    ("party", "said"),
    [
        (Party.MERCHANT, "Order 45: the store asks to cancel."),
        (Party.PLATFORM, "Order 45: the platform asks to cancel."),  # an admin's request
    ],
)
def test_a_request_to_cancel_is_said_as_whoever_asked(party: Party, said: str) -> None:
    asks = sample_order(45, OrderStatus.CONFIRMED, minutes_ago=1, cancellation=Cancellation(requested_by=party, reason_code="OTHER"))
    assert [a.text for a in Announcer().orders([asks], FROZEN_NOW)][-1:] == [said]  # after its "new order"
