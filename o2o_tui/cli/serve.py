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
    """Run the reference platform server."""
    from o2o_tui.platform.db import SchemaTooNew, default_db_url
    from o2o_tui.platform.server import serve as run_server
    from o2o_tui.platform.server_secret import SecretFileError
    from o2o_tui.platform.settings import BadSetting
    from o2o_tui.platform.sqlite_lock import SqliteInUse

    try:
        run_server(host, port, db or default_db_url())
    except BadSetting as error:  # an O2O_* variable of the wrong form: one line naming it
        raise fail(error.message(), Exit.USAGE) from None
    except SecretFileError as error:
        raise fail(error.message(), Exit.ERROR) from None
    except SqliteInUse as error:  # another server on this SQLite file, or its lock file cannot be made: one line
        raise fail(error.message(), Exit.USAGE) from None
    except SchemaTooNew as error:
        raise fail(t("server.schema_too_new", detail=str(error)), Exit.ERROR) from None
    except OSError as error:
        raise fail(t("server.cannot_bind", host=host, port=str(port), detail=str(error)), Exit.ERROR) from None
    except Exception as error:  # a bad URL or an unreachable database: say which, without a traceback
        from sqlalchemy.exc import SQLAlchemyError

        if not isinstance(error, SQLAlchemyError | ImportError):
            raise
        detail = str(error).splitlines()[0]
        raise fail(t("admin.error.database", detail=detail), Exit.ERROR) from None


def register(app: typer.Typer) -> None:
    """Add `o2o serve` to the root app."""
    app.command("serve", help=t("server.cli.help"))(serve)
