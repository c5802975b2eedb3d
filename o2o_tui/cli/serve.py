"""`o2o serve`: run the reference platform server (the database is created or upgraded on start)."""

from __future__ import annotations

import typer

from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import fail
from o2o_tui.i18n import t


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help=t("server.cli.host")),
    # a TCP port: out of range is a usage error naming --port (bind would raise OverflowError, a traceback)
    port: int = typer.Option(8765, "--port", min=0, max=65535, help=t("server.cli.port")),
    db: str | None = typer.Option(None, "--db", envvar="O2O_DB", help=t("server.cli.db")),
) -> None:
    """Run the reference platform server.

    Exit codes (docs/operations.md, README): 2 what was given is wrong (the database URL, an O2O_* setting, the
    secret file, the lock file or the database file's mode, an address to listen on that cannot be); 3 the database
    cannot be reached or refuses the start's writes (disk full, read-only); 7 something else holds what it needs
    (the port is taken, another server serves the SQLite file); 1 anything else."""
    import errno

    from o2o_tui.cli.admin import storage_problem
    from o2o_tui.platform.db import BadDatabaseUrl, SchemaTooNew, default_db_url
    from o2o_tui.platform.server import CannotListen
    from o2o_tui.platform.server import serve as run_server
    from o2o_tui.platform.server_secret import SecretFileError
    from o2o_tui.platform.settings import BadSetting
    from o2o_tui.platform.sqlite_lock import SqliteInUse, SqliteLockFailed

    try:
        run_server(host, port, db or default_db_url())
    except (BadDatabaseUrl, BadSetting, SecretFileError) as error:  # one line naming what to fix
        raise fail(error.message(), Exit.USAGE) from None
    except SqliteLockFailed as error:  # the lock file cannot be made, the file cannot be made private: one line
        raise fail(error.message(), Exit.USAGE) from None
    except SqliteInUse as error:  # another server on this SQLite file: one line naming it
        raise fail(error.message(), Exit.LOCKED) from None
    except SchemaTooNew as error:
        raise fail(t("server.schema_too_new", detail=str(error)), Exit.ERROR) from None
    except CannotListen as error:  # the port taken is another's hold (7); a port or address not ours, a usage error
        taken = error.errno == errno.EADDRINUSE
        detail = error.strerror or str(error)
        message = t("server.cannot_bind", host=host, port=str(port), detail=detail)
        raise fail(message, Exit.LOCKED if taken else Exit.USAGE) from None
    except Exception as error:  # the database out of reach or refusing writes, a missing driver: without a traceback
        from sqlalchemy.exc import SQLAlchemyError

        said = storage_problem(error)
        if said is not None:
            raise fail(said, Exit.OFFLINE) from None
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        if isinstance(error, ImportError):  # postgresql+psycopg without psycopg installed: how it was set up
            raise fail(t("admin.error.database", detail=detail), Exit.USAGE) from None
        if isinstance(error, SQLAlchemyError):
            raise fail(t("admin.error.database", detail=detail), Exit.ERROR) from None
        if isinstance(error, OSError):  # a file the start needs (the secret's directory on a full disk, say)
            raise fail(t("server.start_failed", detail=detail), Exit.ERROR) from None
        raise


def register(app: typer.Typer) -> None:
    """Add `o2o serve` to the root app."""
    app.command("serve", help=t("server.cli.help"))(serve)
