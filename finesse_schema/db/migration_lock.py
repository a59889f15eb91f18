"""finesse's migration lock: one advisory lock per database serialises every run that changes it.

The session that holds it says whose it is (``application_name``: the command, the process and its host),
and on PostgreSQL 14 and newer checks every few seconds that its client is still there
(``client_connection_check_interval``), so a killed apply's server session ends soon instead of keeping the
lock until its statement finishes. A run that finds the lock taken waits (``lock_wait_seconds``, or for ever
with ``--wait``), then names the holder: its pid, what it runs, since when, and whether its finesse process
is gone.
"""

from __future__ import annotations

import os
import re
import socket
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Callable, Iterator

from ..core.errors import DatabaseError
from .processes import MY_START, gone, host_tag

LOCK_KEY = 0x66696E6573  # "fines": one advisory lock for every finesse run on a database
CLIENT_CHECK = "2s"
_NAME_RE = re.compile(r"^finesse (\S+) (\d+)/(\d+)@([0-9a-f]{8})")

Progress = Callable[[str], None]


def session_name(command: str) -> str:
    """``finesse apply 1234/5678@0a1b2c3d host``: what, which process, where (at most 63 bytes)."""
    return f"finesse {command} {os.getpid()}/{MY_START}@{host_tag()} {socket.gethostname()}"[:63]


def identify_session(conn, command: str) -> None:  # type: ignore[no-untyped-def]
    """Name the session after this run, and have the server end it soon after this process is gone."""
    conn.exec_driver_sql("SELECT set_config('application_name', %s, false)", (session_name(command),))
    if conn.exec_driver_sql("SELECT current_setting('server_version_num')::int >= 140000").scalar():
        conn.exec_driver_sql("SELECT set_config('client_connection_check_interval', %s, false)", (CLIENT_CHECK,))
    conn.commit()


@contextmanager
def locked(conn, *, wait_seconds: float, progress: Progress) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """This session holds the lock while the block runs; released (after a rollback of anything left open)
    whatever happens."""
    _acquire(conn, wait_seconds, progress)
    try:
        yield
    finally:
        if conn.in_transaction():
            conn.rollback()
        conn.exec_driver_sql("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
        conn.commit()


def _acquire(conn, wait_seconds: float, progress: Progress) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    told = 0.0
    while True:
        got = conn.exec_driver_sql("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).scalar()
        conn.commit()
        if got:
            return
        waited = time.monotonic() - started
        if waited > wait_seconds:
            raise DatabaseError(f"another session holds finesse's migration lock on this database: "
                                f"{describe_holder(conn)}")
        if waited - told >= 10:
            told = waited
            progress(f"waiting for the migration lock ({int(waited)} s): {describe_holder(conn)}")
        time.sleep(0.5)


_HOLDER = """
SELECT a.pid, a.application_name, a.state, coalesce(a.xact_start, a.backend_start), left(a.query, 200),
       a.client_addr::text
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objid = %s AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


def describe_holder(conn) -> str:  # type: ignore[no-untyped-def]
    """Who holds the lock, since when, what it runs, and whether its finesse process is gone."""
    row = conn.exec_driver_sql(_HOLDER, (LOCK_KEY >> 32, LOCK_KEY & 0xFFFFFFFF)).first()
    conn.commit()
    if row is None:
        return "it was released just now; run again"
    pid, name, state, since, query, client = row
    age = int((datetime.now(timezone.utc) - since).total_seconds()) if since else None
    text = f"server pid {pid} ({name or 'no application_name'}" + (f", from {client}" if client else "") + ")"
    if since:
        text += f", since {since:%Y-%m-%d %H:%M:%S %Z} ({age} s)"
    text += f", {state or 'state unknown'}" + (f": {' '.join((query or '').split())}" if state == "active" else "")
    m = _NAME_RE.match(name or "")
    if m and gone(m.group(4), int(m.group(2)), int(m.group(3))):
        text += (f". Its finesse process ({m.group(1)}, pid {m.group(2)} on this machine) is gone: the server ends "
                 f"the session within {CLIENT_CHECK} on PostgreSQL 14 and newer, or when its statement ends. "
                 f"Wait for it with --wait, or end it now: SELECT pg_terminate_backend({pid})")
    else:
        text += ". Wait for it with --wait, or run again later"
    return text
