"""The server's secret: 32 random bytes in a file outside the database, so a copy of the database alone gives away
no redeemable voucher code.

With it the server keys the voucher codes' hash (an HMAC: a bare SHA-256 of a 12-digit number is undone by trying
every code) and seals the code in the stored answer to a purchase (replayed for its Idempotency-Key). Only the
standard library is used: the seal is HMAC-SHA256 in counter mode as the keystream (XORed with the text) and an
HMAC-SHA256 tag over the version, the context, the nonce and the ciphertext (encrypt-then-MAC), each with its own
key derived from the secret. The file is `platform-secret.key` in the data dir (or `O2O_SECRET_FILE`), made 0600
on the first start; the database's `meta` keeps a check value of it, so a server started with another or no file
refuses to start instead of making every code unknown (docs/operations.md, Backups).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from o2o_tui.domain.voucher import normalize_code
from o2o_tui.i18n import t
from o2o_tui.paths import data_dir
from o2o_tui.platform import db
from o2o_tui.platform.settings import Settings

FILE_NAME = "platform-secret.key"
CHECK_KEY = "secret_check"  # meta: which secret this database was used with
KEY_BYTES = 32
_SEALED = "s1."  # a sealed text starts so; a plain voucher code is 12 digits
_NONCE = 16
_TAG = 32
_BLOCK = 32


class SecretFileError(RuntimeError):
    """The secret file is missing, another one, or unreadable; `message()` tells the operator what to do."""

    def __init__(self, key: str, path: Path, detail: str = "") -> None:
        super().__init__(f"{key}: {path} {detail}".strip())
        self.key = key
        self.path = path
        self.detail = detail

    def message(self) -> str:
        return t(self.key, path=str(self.path), detail=self.detail)


class SealBroken(ValueError):
    """A sealed text that this secret did not seal (another key, or altered)."""


@dataclass(frozen=True)
class ServerSecret:
    key: bytes

    def _derived(self, purpose: str) -> bytes:
        return hmac.digest(self.key, f"o2o/{purpose}".encode(), "sha256")

    def check_value(self) -> str:
        """What the database keeps to recognise this secret (it reveals nothing of the key)."""
        return self._derived("check").hex()[:32]

    def platform_id(self) -> str:
        """The platform's name for clients (`/v1/me`): the same on every server of this database (they share the
        secret), another on another platform's; 12 hex digits of a derived key, so it reveals nothing of it."""
        return self._derived("platform-id").hex()[:12]

    def code_hash(self, code: str) -> str:
        """The voucher code's keyed hash (64 hex digits): `vouchers.code_hash` of codes bought since schema 7."""
        digits = normalize_code(code).encode()
        return hmac.new(self._derived("voucher-code"), digits, hashlib.sha256).hexdigest()

    def seal(self, text: str, context: str) -> str:
        """`text` encrypted and authenticated, bound to `context` (the stored answer's user and key)."""
        nonce = secrets.token_bytes(_NONCE)
        plain = text.encode()
        cipher = bytes(a ^ b for a, b in zip(plain, self._keystream(nonce, len(plain)), strict=True))
        tag = self._tag(context, nonce, cipher)
        return _SEALED + base64.urlsafe_b64encode(nonce + cipher + tag).decode()

    def unseal(self, sealed: str, context: str) -> str:
        if not is_sealed(sealed):
            raise SealBroken("not sealed")
        try:
            raw = base64.urlsafe_b64decode(sealed[len(_SEALED) :].encode())
        except ValueError as error:
            raise SealBroken("not base64") from error
        if len(raw) < _NONCE + _TAG:
            raise SealBroken("too short")
        nonce, cipher, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
        if not hmac.compare_digest(tag, self._tag(context, nonce, cipher)):
            raise SealBroken("wrong tag")
        plain = bytes(a ^ b for a, b in zip(cipher, self._keystream(nonce, len(cipher)), strict=True))
        return plain.decode()

    def _keystream(self, nonce: bytes, length: int) -> bytes:
        key = self._derived("seal-stream")
        blocks = (length + _BLOCK - 1) // _BLOCK
        stream = b"".join(hmac.digest(key, nonce + n.to_bytes(4, "big"), "sha256") for n in range(blocks))
        return stream[:length]

    def _tag(self, context: str, nonce: bytes, cipher: bytes) -> bytes:
        bound = context.encode()
        message = _SEALED.encode() + len(bound).to_bytes(4, "big") + bound + nonce + cipher
        return hmac.digest(self._derived("seal-tag"), message, "sha256")


def is_sealed(text: str) -> bool:
    return text.startswith(_SEALED)


def secret_path(settings: Settings) -> Path:
    return Path(settings.secret_file).expanduser() if settings.secret_file else data_dir() / FILE_NAME


def _read(path: Path) -> ServerSecret:
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError) as error:
        raise SecretFileError("server.secret_unreadable", path, str(error)) from None
    if len(key) != KEY_BYTES:
        raise SecretFileError("server.secret_unreadable", path, f"expected {KEY_BYTES * 2} hex digits")
    return ServerSecret(key)


def _create(path: Path) -> None:
    """Write a new secret at `path` unless one is there: written whole under a temporary name, then linked into
    place, so another process starting at the same moment reads either no file or the whole one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_bytes(KEY_BYTES).hex() + "\n")
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


_LOADED: dict[Path, ServerSecret] = {}
_RECORDED = select(db.meta.c.value).where(db.meta.c.key == CHECK_KEY)


def of(settings: Settings) -> ServerSecret:
    """The secret named by the settings, made on first use (`open_checked` makes and checks it at start)."""
    path = secret_path(settings)
    known = _LOADED.get(path)
    if known is None:
        try:
            if not path.exists():
                _create(path)
        except OSError as error:
            raise SecretFileError("server.secret_unreadable", path, str(error)) from None
        known = _LOADED[path] = _read(path)
    return known


def open_checked(engine: Engine, settings: Settings) -> ServerSecret:
    """The secret for this database: made on the first start; refused when the database was used with another
    secret, or with one and the file is gone (a new secret would make every stored code unknown)."""
    path = secret_path(settings)
    with db.writing(engine) as conn:
        recorded = conn.execute(_RECORDED).scalar_one_or_none()
        if recorded is not None and not path.exists():
            raise SecretFileError("server.secret_missing", path)
        secret = of(settings)
        if recorded is None:
            conn.execute(db.meta.insert().values(key=CHECK_KEY, value=secret.check_value()))
        elif recorded != secret.check_value():
            raise SecretFileError("server.secret_mismatch", path)
    return secret
