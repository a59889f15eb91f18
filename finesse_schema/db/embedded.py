"""The embedded PostgreSQL (pgserver) used when no database is configured. The only pgserver importer.

The server lives in ``<project>/.finesse/pgdata``, listens on a Unix socket only,
and keeps running between commands so later runs start at once. Its scratch databases live in memory
(the tablespace ``finesse_scratch`` in a folder of /dev/shm, see ``memory_tablespace``): creating the
tables of a large schema is mostly file creation, severalfold slower on a disk.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import shutil
import warnings
from pathlib import Path

from ..core.errors import DatabaseError
from .connect import Error, connect, identifier, composed, literal, with_database
from .scratch import SCRATCH_TABLESPACE

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
    mend_memory_space(data_dir, server_os_user())
    if not keep_running:  # registered before pgserver's own stop, so that it runs after it
        atexit.register(remove_memory_space, data_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import pgserver

            server = pgserver.get_server(data_dir, cleanup_mode=None if keep_running else "stop")
        except Exception as exc:  # pgserver raises bare subprocess / assertion errors
            log = data_dir / "log"
            tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
            raise DatabaseError(f"could not start the embedded PostgreSQL in {data_dir}: {exc}\n{tail}") from None
    url = server.get_uri("postgres")
    memory_tablespace(url, data_dir, server_os_user())
    return url


def server_os_user() -> str | None:
    """The operating-system user the embedded server runs as: "pgserver" under root (as pgserver runs it,
    PostgreSQL refuses root), else this process's user (None)."""
    return "pgserver" if hasattr(os, "geteuid") and os.geteuid() == 0 else None


MEMORY_ROOT = Path("/dev/shm")
MEMORY_FREE = 1 << 30  # a scratch database of 1000 tables takes about 50 MB there; below 1 GiB free, the disk


def memory_space(data_dir: Path) -> Path | None:
    """The folder of /dev/shm for the scratch databases of the server in ``data_dir``, or None where there is
    no /dev/shm to write to or it has less than MEMORY_FREE free (a container's default is 64 MB)."""
    try:
        fs = os.statvfs(MEMORY_ROOT)
    except OSError:
        return None
    if not os.access(MEMORY_ROOT, os.W_OK) or fs.f_bavail * fs.f_frsize < MEMORY_FREE:
        return None
    return MEMORY_ROOT / f"finesse-{hashlib.sha1(str(data_dir.resolve()).encode()).hexdigest()[:12]}"


def _folder(path: Path, os_user: str | None) -> None:
    path.mkdir(mode=0o700, exist_ok=True)
    if os_user:
        shutil.chown(path, os_user)


def mend_memory_space(data_dir: Path, os_user: str | None) -> None:
    """Before the server starts: make again the memory folders its tablespaces point to that a reboot emptied
    (/dev/shm is memory). Without them a server that must recover from a crash cannot replay its scratch
    databases' creation, and does not start."""
    links = data_dir / "pg_tblspc"
    if not links.is_dir():
        return
    for link in links.iterdir():
        try:
            target = Path(os.readlink(link))
            if target.parent == MEMORY_ROOT and target.name.startswith("finesse-") and not target.exists():
                _folder(target, os_user)
        except OSError:
            continue  # not a link, or not ours to make: the server says what it misses


def memory_tablespace(admin_url: str, data_dir: Path, os_user: str | None) -> None:
    """Give the server at ``admin_url`` (its data in ``data_dir``, run as ``os_user``) the tablespace
    SCRATCH_TABLESPACE in memory, where scratch databases are created (``scratch.create_scratch_database``),
    or mend its folder after a reboot. Only where ``memory_space`` has room; nothing otherwise, nor when it
    fails: scratch databases then live on the disk, as any other database."""
    location = memory_space(data_dir)
    if location is None:
        return
    if any(location.glob("PG_*")):  # in place: the server wrote its version folder there
        return
    try:
        with connect(admin_url) as conn:
            row = conn.execute("SELECT pg_tablespace_location(oid), 'PG_' || current_setting('server_version_num')"
                               "::int / 10000 || '_' || (SELECT catalog_version_no FROM pg_control_system()) "
                               "FROM pg_tablespace WHERE spcname = %s", (SCRATCH_TABLESPACE,)).fetchone()
            if row is None:
                _folder(location, os_user)
                conn.execute(composed("CREATE TABLESPACE {} LOCATION {}", identifier(SCRATCH_TABLESPACE),
                                      literal(str(location))))
                return
            _folder(Path(row[0]), os_user)  # a reboot emptied /dev/shm: the folder and its version folder
            _folder(Path(row[0]) / row[1], os_user)
    except (OSError, DatabaseError, Error):
        return


def remove_memory_space(data_dir: Path) -> None:
    """Remove the memory folder of a server that is stopped: nothing of a stopped server stays in memory (a
    project deleted after ``finesse server stop`` leaves nothing in /dev/shm)."""
    location = memory_space(data_dir)
    if location is not None and location.exists() and not (data_dir / "postmaster.pid").exists():
        shutil.rmtree(location, ignore_errors=True)


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
    """Stop the embedded server in ``data_dir`` if it is running (its data stays; a pid file that a killed
    server left names no process, and there is nothing to stop)."""
    if embedded_server_pid(data_dir) is None:
        return
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir.resolve().parent))  # as embedded_server_url does
    with warnings.catch_warnings():  # importing pgserver warns about XDG_RUNTIME_DIR; irrelevant here
        warnings.simplefilter("ignore")
        from pgserver._commands import pg_ctl  # pgserver is pinned exactly; its server object caches per folder

    pg_ctl(["-w", "stop", "-m", "fast"], pgdata=data_dir.resolve(), user=server_os_user(), timeout=60)
    remove_memory_space(data_dir)  # the next start makes it again, as after a reboot


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
