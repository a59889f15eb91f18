"""Which finesse process owns a thing a server keeps (a scratch database, a session holding the migration
lock), and whether that process still runs. Standard library only.

A process is told by its host, its pid and its start time: a pid reused by another process is not taken
for the owner. Only processes of this host can be judged.
"""

from __future__ import annotations

import hashlib
import os
import socket
import time


def host_tag() -> str:
    """This host, as 8 hex digits."""
    return hashlib.sha1(socket.gethostname().encode()).hexdigest()[:8]


def start_time(pid: int) -> int | None:
    """When process ``pid`` started, in clock ticks since boot (Linux); None where /proc cannot tell."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return int(fields[19]) if len(fields) > 19 and fields[19].isdigit() else None


MY_START = start_time(os.getpid()) or int(time.time())


def gone(host: str, pid: int, start: int) -> bool:
    """Whether the process (``host``, ``pid``, ``start``) is known to have ended: False for another host's
    (nothing here can tell) and for this one."""
    if host != host_tag() or pid == os.getpid():
        return False
    started = start_time(pid)
    if started is not None:
        return started != start  # the pid belongs to another process now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
