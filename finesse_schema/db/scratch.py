"""Scratch databases: created for one job, always dropped afterwards (also on error or Ctrl-C).

A process killed outright (SIGKILL, a lost machine) cannot drop its own. Each name says whose it is,
``finesse_scratch_<host>_<pid>_<start>_<random>`` (the host's hash, the process id and the process's start
time, so that a reused pid is not taken for the owner), and every run on the same host drops the scratch
databases whose owner is gone before it creates its own.

A server with the tablespace SCRATCH_TABLESPACE, where finesse's role may create, gets its scratch databases
there: the embedded server keeps one in memory (``embedded.memory_tablespace``), and any server's owner may
make one (on a RAM disk, say). Where creating a database there fails (its folder is gone), the default
tablespace serves, for the rest of the process.
"""

from __future__ import annotations

import os
import re
import secrets
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from ..core.errors import DatabaseError
from .connect import (
    Error,
    composed,
    connect,
    error_text,
    identifier,
    literal,
    mask_url,
    with_database,
)
from .processes import MY_START, gone, host_tag

PREFIX = "finesse_scratch_"
SCRATCH_TABLESPACE = "finesse_scratch"


@dataclass(frozen=True)
class ScratchServer:
    """A server on which finesse may create and drop databases, and why it was chosen."""

    admin_url: str
    origin: str  # "target", "embedded" or "dev-url"

    def describe(self) -> str:
        return f"{self.origin} server {mask_url(self.admin_url)}"


def can_create_databases(url: str) -> bool:
    try:
        with connect(url) as conn:
            row = conn.execute("SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
            return bool(row and row[0])
    except DatabaseError:
        return False


def choose_scratch_server(live_url: str | None, dev_url: str | None,
                          embedded: Callable[[], str]) -> ScratchServer:
    """--dev-url when given; else the target server when we may create databases there; else embedded."""
    if dev_url:
        return ScratchServer(dev_url, "dev-url")
    if live_url and can_create_databases(live_url):
        return ScratchServer(live_url, "target")
    return ScratchServer(embedded(), "embedded")


_OWNER = f"{host_tag()}_{os.getpid()}_{MY_START}"
_NAME_RE = re.compile(rf"^{PREFIX}([0-9a-f]{{8}})_(\d+)_(\d+)_[0-9a-f]+$")


def _new_name() -> str:
    return f"{PREFIX}{_OWNER}_{secrets.token_hex(3)}"


def owner_gone(name: str) -> bool:
    """Whether the scratch database ``name`` belongs to a process of this host that no longer runs."""
    m = _NAME_RE.match(name)
    return bool(m) and gone(m.group(1), int(m.group(2)), int(m.group(3)))  # type: ignore[union-attr]


_REAPED: set[str] = set()


def drop_orphaned_scratch_databases(server: ScratchServer) -> list[str]:
    """Drop the scratch databases on ``server`` whose owner (a finesse process of this host) is gone; once per
    server and process. Returns their names."""
    if server.admin_url in _REAPED:
        return []
    _REAPED.add(server.admin_url)
    try:
        with connect(server.admin_url) as conn:
            names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                                 (PREFIX.replace("_", "\\_") + "%",)).fetchall()]
    except (DatabaseError, Error):
        return []
    gone = [n for n in names if owner_gone(n)]
    for name in gone:
        try:
            drop_database(server.admin_url, name)
        except (DatabaseError, Error):
            pass  # another run dropped it first, or we may not: it stays for the next run
    return gone


_TABLESPACES: dict[str, bool] = {}  # admin URL: whether scratch databases go in SCRATCH_TABLESPACE there
# What failing there says about the tablespace: a file error (its folder is gone: a RAM disk after a reboot),
# no room, or it was dropped meanwhile
_TABLESPACE_FAILED = ("58", "53", "42704")


def _use_tablespace(conn, admin_url: str) -> bool:  # type: ignore[no-untyped-def]
    if admin_url not in _TABLESPACES:
        row = conn.execute("SELECT has_tablespace_privilege(oid, 'CREATE') FROM pg_tablespace WHERE spcname = %s",
                           (SCRATCH_TABLESPACE,)).fetchone()
        _TABLESPACES[admin_url] = bool(row and row[0])
    return _TABLESPACES[admin_url]


def _create_database(conn, admin_url: str, name: str) -> None:  # type: ignore[no-untyped-def]
    create = composed("CREATE DATABASE {} TEMPLATE template0", identifier(name))
    if _use_tablespace(conn, admin_url):
        try:
            conn.execute(composed("{} TABLESPACE {}", create, identifier(SCRATCH_TABLESPACE)))
            return
        except Error as exc:
            if not (getattr(exc, "sqlstate", None) or "").startswith(_TABLESPACE_FAILED):
                raise
            _TABLESPACES[admin_url] = False  # the default tablespace serves
    conn.execute(create)


def create_scratch_database(server: ScratchServer, purpose: str = "", name: str | None = None) -> tuple[str, str]:
    """Create an empty database on ``server`` (in SCRATCH_TABLESPACE where it may); return (name, URL). The
    caller must drop it."""
    name = name or _new_name()
    try:
        with connect(server.admin_url) as conn:
            _create_database(conn, server.admin_url, name)
            if purpose:
                conn.execute(composed("COMMENT ON DATABASE {} IS {}", identifier(name),
                                      literal(f"finesse scratch: {purpose}")))
    except Error as exc:
        raise DatabaseError(f"cannot create a scratch database on {server.describe()}: {error_text(exc)}") from None
    return name, with_database(server.admin_url, name)


def _finish(fn: Callable[[], None]) -> tuple[BaseException | None, BaseException | None]:
    """Run cleanup to the end even if Ctrl-C or SIGTERM arrives meanwhile.

    Returns (the interrupt that arrived, the error the cleanup itself raised), either may be None.
    """
    interrupted: BaseException | None = None
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(fn)
        while True:
            try:
                wait([future])
                break
            except BaseException as exc:  # noqa: BLE001 - finish cleaning up first
                interrupted = interrupted or exc
    return interrupted, future.exception()


@contextmanager
def scratch_database(server: ScratchServer, purpose: str = "") -> Iterator[str]:
    """Create an empty database on ``server``; yield its URL; drop it whatever happens."""
    with scratch_databases(server, [purpose]) as urls:
        yield urls[0]


@contextmanager
def scratch_databases(server: ScratchServer, purposes: list[str]) -> Iterator[list[str]]:
    """Several scratch databases, created at once; all dropped whatever happens.

    The names are chosen before anything is created, and one cleanup (which a
    further Ctrl-C or SIGTERM cannot cut short) first lets every creation finish,
    then drops every chosen name that exists: no moment leaves a database that
    nothing will drop.
    """
    drop_orphaned_scratch_databases(server)
    names = [_new_name() for _ in purposes]
    pool = ThreadPoolExecutor(max_workers=max(1, len(purposes)))
    futures = []
    body_failed = False
    try:
        futures = [pool.submit(create_scratch_database, server, p, n) for p, n in zip(purposes, names)]
        wait(futures)
        for f in futures:
            if f.exception() is not None:
                raise f.exception()  # type: ignore[misc]
        yield [f.result()[1] for f in futures]
    except BaseException:
        body_failed = True
        raise
    finally:
        def cleanup() -> None:
            wait(futures)  # a creation still running would otherwise finish after the drop
            pool.shutdown()
            with ThreadPoolExecutor(max_workers=max(1, len(names))) as drops:
                for f in [drops.submit(drop_database, server.admin_url, n) for n in names]:
                    f.result()

        late, error = _finish(cleanup)
        if error is not None:
            raise DatabaseError(f"could not drop scratch database(s) {', '.join(names)} on {server.describe()}: "
                                f"{error}; drop them by hand")
        if late is not None and not body_failed:
            raise late


def drop_database(admin_url: str, name: str) -> None:
    with connect(admin_url) as conn:
        conn.execute(composed("DROP DATABASE IF EXISTS {} WITH (FORCE)", identifier(name)))
