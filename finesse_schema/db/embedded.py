"""The embedded PostgreSQL (pgserver) used when no database is configured. The only pgserver importer.

The server lives in ``<project>/.finesse/pgdata``, listens on a Unix socket only,
and keeps running between commands so later runs start at once.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

from ..core.errors import DatabaseError
from .connect import connect, identifier, composed, with_database

DEFAULT_DATABASE = "finesse"


def embedded_server_url(data_dir: Path, *, keep_running: bool = True) -> str:
    """Start (or reuse) the embedded server in ``data_dir`` and return the URL of its postgres database.

    ``keep_running``: leave it running for the next command (the default for users);
    False stops it when this process exits (tests, benchmarks).
    """
    data_dir = data_dir.resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir.parent))
    logging.getLogger("pgserver").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import pgserver

            server = pgserver.get_server(data_dir, cleanup_mode=None if keep_running else "stop")
        except Exception as exc:  # pgserver raises bare subprocess / assertion errors
            log = data_dir / "log"
            tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
            raise DatabaseError(f"could not start the embedded PostgreSQL in {data_dir}: {exc}\n{tail}") from None
    return server.get_uri("postgres")


def embedded_database_url(data_dir: Path, database: str = DEFAULT_DATABASE) -> str:
    """URL of ``database`` on the embedded server, created on first use."""
    admin = embedded_server_url(data_dir)
    with connect(admin) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone():
            conn.execute(composed("CREATE DATABASE {}", identifier(database)))
    return with_database(admin, database)


def embedded_bin_dir() -> Path | None:
    """Where pgserver keeps its PostgreSQL binaries (pg_dump among them), if it is installed."""
    try:
        with warnings.catch_warnings():  # importing pgserver warns about XDG_RUNTIME_DIR; irrelevant here
            warnings.simplefilter("ignore")
            from pgserver._commands import POSTGRES_BIN_PATH
    except Exception:  # pragma: no cover - pgserver missing or changed layout
        return None
    return Path(POSTGRES_BIN_PATH)


def stop_embedded_server(data_dir: Path) -> None:
    """Stop the embedded server in ``data_dir`` if it is running (its data stays)."""
    if not (data_dir / "postmaster.pid").exists():
        return
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir.resolve().parent))  # as embedded_server_url does
    with warnings.catch_warnings():  # importing pgserver warns about XDG_RUNTIME_DIR; irrelevant here
        warnings.simplefilter("ignore")
        from pgserver._commands import pg_ctl  # pgserver is pinned exactly; its server object caches per folder

    user = "pgserver" if hasattr(os, "geteuid") and os.geteuid() == 0 else None  # as pgserver runs it
    pg_ctl(["-w", "stop", "-m", "fast"], pgdata=data_dir.resolve(), user=user, timeout=60)


def embedded_server_pid(data_dir: Path) -> int | None:
    """The pid of the embedded server running in ``data_dir``, or None when none runs there."""
    pid_file = data_dir / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, as another user (pgserver runs it as "pgserver" under root)
        pass
    return pid
