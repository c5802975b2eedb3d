"""`python -m o2o_tui.platform --host 127.0.0.1 --port 8765 --db URL`: the reference platform server."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn


def _port(text: str) -> int:
    """A TCP port 0-65535 (0: any free one): out of range is argparse's one-line usage refusal, as `o2o serve`
    refuses it, not bind's OSError traceback."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not in the range 0-65535")
    return port


def main(argv: list[str] | None = None) -> None:
    """Exit codes as `o2o serve`'s (docs/operations.md): 2 what was given is wrong (the database URL, an O2O_*
    setting, the lock file, an address not ours to listen on, psycopg missing), 3 the database out of reach or
    refusing the start's writes, 7 the port taken, 1 anything else; but 2 for a SQLite file another server serves
    and 1 for the secret file, as documented for this module. Each one line on stderr, never a traceback."""
    import errno

    from o2o_tui.platform.db import BadDatabaseUrl, SchemaTooNew, default_db_url
    from o2o_tui.platform.server import CannotListen, serve
    from o2o_tui.platform.server_secret import SecretFileError
    from o2o_tui.platform.settings import BadSetting
    from o2o_tui.platform.sqlite_lock import SqliteInUse

    parser = argparse.ArgumentParser(prog="python -m o2o_tui.platform")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=_port, default=8765)
    parser.add_argument("--db", default=None, help="SQLAlchemy URL (default: a SQLite file in the data dir)")
    args = parser.parse_args(argv)
    try:
        serve(args.host, args.port, args.db or default_db_url())
    except (BadDatabaseUrl, BadSetting) as error:  # one line naming what to fix, password as ***
        _refuse(error.message(), 2)
    except SecretFileError as error:
        _refuse(error.message(), 1)
    except SqliteInUse as error:  # another server on the file, or its lock file cannot be made
        _refuse(error.message(), 2)
    except SchemaTooNew as error:
        from o2o_tui.i18n import t

        _refuse(t("server.schema_too_new", detail=str(error)), 1)
    except CannotListen as error:  # the port taken is another's hold (7); an address or port not ours (2)
        from o2o_tui.i18n import t

        detail = error.strerror or str(error)
        _refuse(t("server.cannot_bind", host=args.host, port=str(args.port), detail=detail),
                7 if error.errno == errno.EADDRINUSE else 2)  # fmt: skip
    except Exception as error:  # the database out of reach or refusing writes, a missing driver
        said = _start_failure(error)
        if said is None:
            raise
        _refuse(*said)


def _refuse(message: str, code: int) -> NoReturn:
    print(message, file=sys.stderr)
    sys.exit(code)


def _start_failure(error: Exception) -> tuple[str, int] | None:
    """What `o2o serve` says of a start the database stopped, and its exit code; None for a bug (its traceback)."""
    from sqlalchemy.exc import SQLAlchemyError

    from o2o_tui.cli.admin import storage_problem
    from o2o_tui.i18n import t

    said = storage_problem(error)
    if said is not None:
        return said, 3
    detail = str(error).splitlines()[0] if str(error) else type(error).__name__
    if isinstance(error, ImportError):  # postgresql+psycopg without psycopg installed: how it was set up
        return t("admin.error.database", detail=detail), 2
    if isinstance(error, SQLAlchemyError):
        return t("admin.error.database", detail=detail), 1
    if isinstance(error, OSError):  # a file the start needs (the secret's directory on a full disk, say)
        return t("server.start_failed", detail=detail), 1
    return None


if __name__ == "__main__":
    main()
