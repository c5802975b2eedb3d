"""Layered user settings: environment > `config_dir()/settings.json` > defaults.

- `language`: `O2O_LANG`, else the file's `"language"`, else None (the i18n module then detects from LANG).
- `keymap`: binding id -> key, from the file's `"keymap"` object, overridden by `O2O_KEYMAP`
  (`"queue.accept=y,queue.reject=n"`). Screens look up their binding ids here.
- `ring_every_s`: how often an unanswered new order rings again (seconds, 1..3600, default 20): `O2O_RING_EVERY`,
  else the file's `"ring_every_s"`. An order close to its accept deadline rings four times as often.
- `mute_minutes`: how long `M` on the queue silences the console (1..480, default 10): `O2O_MUTE_MINUTES`, else
  the file's `"mute_minutes"`.
- `voice`: spoken announcements of new orders, cancellation requests and the link (`o2o_tui/voice.py`, through
  espeak-ng; default off): `O2O_VOICE` (1/on/true or 0/off/false), else the file's `"voice"`.
- `simple_mode`: the console opens the simple screen (large numbers, 1-3 for the highlighted order), as
  `o2o console --simple`: `O2O_SIMPLE_MODE`, else the file's `"simple_mode"`.
- `device_name`: this console's name, which a store names as its printing station (auto-accept,
  `o2o_tui/device.py`): `O2O_DEVICE`, else the file's `"device_name"`, else `<host name>-<profile name>`.
- `printer`: the ESC/POS printer for kitchen tickets and receipts (`o2o_tui/printing/`): `"tcp://HOST:9100"`,
  `"file:/path/tickets.bin"` or `"usb:0x04b8:0x0202"`: `O2O_PRINTER` (`off` for none), else the file's
  `"printer"`; unset: no printing and nothing about a printer is shown.
- `printer_cjk`: how the printer prints Chinese: `"native"` (its Chinese mode, FS &; default) or `"image"` (text
  drawn with a CJK font and sent as a picture, for printers without one): `O2O_PRINTER_CJK`, else the file's.
- `printer_paper`: the printer's paper width in mm, `80` (48 columns of font A; default) or `58` (32 columns, most
  small shops' printers): tickets are laid out for it (`o2o_tui/printing/layout.py`). `O2O_PRINTER_PAPER`, else the
  file's `"printer_paper"` (`58`, `"58"` or `"58mm"`); another value is warned about once and 80 mm is used.

A value of the wrong type in the file (`"ring_every_s": "abc"`, `"voice": "yes"`) falls back to that setting's
default, the file's other settings kept; a file that is not a JSON object, or cannot be read, gives the defaults.
Either way one warning line on stderr names the file (and the settings), once per process, and every command and
screen still starts: a typo never stops the console nor silences its counter.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

import msgspec

from o2o_tui.i18n import normalize, t
from o2o_tui.paths import config_dir
from o2o_tui.safe_text import safe_text

SETTINGS_FILE = "settings.json"


RING_EVERY_S = 20.0
MUTE_MINUTES = 10
PAPER_MM = 80  # the printer's paper width when none is set: 80 mm, 48 columns (o2o_tui/printing/layout.py)
PAPERS_MM = (58, 80)


class Settings(msgspec.Struct, frozen=True, forbid_unknown_fields=False):
    language: str | None = None
    keymap: dict[str, str] = {}
    ring_every_s: float = RING_EVERY_S
    mute_minutes: int = MUTE_MINUTES
    voice: bool = False
    simple_mode: bool = False
    device_name: str = ""  # "" = `<host name>-<profile name>` (o2o_tui/device.py)
    printer: str | None = None  # o2o_tui/printing/devices.py: tcp://, file:, usb:
    printer_cjk: str = "native"  # or "image"
    printer_paper: int | str = PAPER_MM  # mm: 80 or 58 (`58mm` in the file too); load_settings answers the int


_warned: set[str] = set()  # the warnings already given by this process (settings are read again and again)


def _warn_once(message: str) -> None:
    """One line on stderr, once per process: through the CLI's `warn` when a command runs (a JSON line under
    `--json`), else plainly (the console, before its screen opens). Never a reason to stop."""
    if message in _warned:
        return
    _warned.add(message)
    output = sys.modules.get("o2o_tui.cli.output")
    if output is not None:
        output.warn(message, "bad_settings")
        return
    with contextlib.suppress(OSError, ValueError, UnicodeError):  # no usable stderr: the defaults apply anyway
        print(safe_text(message, one_line=True), file=sys.stderr, flush=True)


def _from_file() -> Settings:
    """The file's settings; what cannot be used falls back to its default, with a warning (never an error)."""
    path = config_dir() / SETTINGS_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        _warn_once(t("settings.file.unusable", path=str(path), reason=exc.strerror or str(exc)))
        return Settings()
    try:
        return msgspec.json.decode(data, type=Settings)
    except msgspec.DecodeError:  # ValidationError too: not JSON, not an object, a value of the wrong type
        pass
    try:
        document: Any = msgspec.json.decode(data)
    except msgspec.DecodeError:
        document = None
    if not isinstance(document, dict):
        _warn_once(t("settings.file.unusable", path=str(path), reason=t("settings.file.not_object")))
        return Settings()
    kept: dict[str, Any] = {}
    bad: list[str] = []
    for field in msgspec.structs.fields(Settings):
        if field.encode_name not in document:
            continue
        try:  # not strict: "30" for 30 seconds, 1 for true, as a person might write them
            kept[field.name] = msgspec.convert(document[field.encode_name], type=field.type, strict=False)
        except msgspec.ValidationError:
            bad.append(field.encode_name)
    if bad:
        _warn_once(t("settings.file.bad_values", path=str(path), names=", ".join(bad)))
    return Settings(**kept)


def settings_stamp() -> tuple[int, int] | None:
    """When settings.json last changed and its size (None: there is none): a running console looks at it (a stat,
    not a read) and reads the file again only when it changed (the printer and voice follow it)."""
    try:
        found = (config_dir() / SETTINGS_FILE).stat()
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size


def parse_keymap(text: str) -> dict[str, str]:
    """`"a=b, c=d"` -> `{"a": "b", "c": "d"}`; a malformed pair (no `=`, no id, no key) is skipped, named in one
    warning line on stderr (a typo is never silent: the console names unknown ids and clashes, screens/keys.py)."""
    keymap: dict[str, str] = {}
    bad: list[str] = []
    for part in text.split(","):
        if not part.strip():
            continue
        binding_id, equals, keys = part.partition("=")
        keys = keys.strip()
        if not equals or not binding_id.strip() or not keys:
            bad.append(part.strip())
            continue
        keymap[binding_id.strip()] = keys
    if bad:
        _warn_once(t("settings.keymap.malformed", pairs=", ".join(bad)))
    return keymap


def _number(env: str, fallback: float, low: float, high: float) -> float:
    """`$env` as a number within low..high, else `fallback` (itself clamped): a typo never silences a counter."""
    try:
        value = float(os.environ.get(env, "") or fallback)
    except ValueError:
        value = fallback
    if value != value:  # NaN
        value = fallback
    return min(high, max(low, value))


def load_settings() -> Settings:
    base = _from_file()
    language = normalize(os.environ.get("O2O_LANG")) or normalize(base.language)
    keymap = {**base.keymap, **parse_keymap(os.environ.get("O2O_KEYMAP", ""))}
    ring = _number("O2O_RING_EVERY", base.ring_every_s, 1.0, 3600.0)
    mute = int(_number("O2O_MUTE_MINUTES", base.mute_minutes, 1, 480))
    voice = _switch("O2O_VOICE", base.voice)
    simple = _switch("O2O_SIMPLE_MODE", base.simple_mode)
    return Settings(
        language=language,
        keymap=keymap,
        ring_every_s=ring,
        mute_minutes=mute,
        voice=voice,
        simple_mode=simple,
        device_name=(os.environ.get("O2O_DEVICE") or base.device_name).strip(),
        printer=_printer(os.environ.get("O2O_PRINTER"), base.printer),
        printer_cjk="image" if _word("O2O_PRINTER_CJK", base.printer_cjk) == "image" else "native",
        printer_paper=_paper(os.environ.get("O2O_PRINTER_PAPER"), base.printer_paper),
    )


def paper_mm(value: object) -> int | None:
    """`58`, `"58"`, `"58mm"`, `"58 MM"` -> 58 (80 likewise); None for any other width."""
    text = str(value).strip().lower().removesuffix("mm").strip()
    return int(text) if text in {str(mm) for mm in PAPERS_MM} else None


def _paper(env: str | None, fallback: int | str) -> int:
    """`O2O_PRINTER_PAPER` over the file's `printer_paper`; a width not known (a typo): 80 mm, warned about once."""
    value: object = env if env is not None and env.strip() else fallback
    found = paper_mm(value)
    if found is None:
        _warn_once(t("settings.printer_paper.unknown", value=str(value)))
        return PAPER_MM
    return found


def _printer(env: str | None, fallback: str | None) -> str | None:
    """`O2O_PRINTER` over the file's `printer`; empty or `off`/`none`: no printer."""
    value = (env if env is not None else fallback or "").strip()
    return None if value.lower() in ("", "off", "none", "0") else value


def _word(env: str, fallback: str) -> str:
    return (os.environ.get(env) or fallback).strip().lower()


def _switch(env: str, fallback: bool) -> bool:
    """`$env` as on/off ("1", "on", "true", "yes" / "0", "off", "false", "no"), else `fallback`."""
    value = os.environ.get(env, "").strip().lower()
    if value in ("1", "on", "true", "yes"):
        return True
    if value in ("0", "off", "false", "no"):
        return False
    return fallback
