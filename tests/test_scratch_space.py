"""Scratch databases in memory: the embedded server's tablespace finesse_scratch in /dev/shm, which a reboot
empties. Each start is a new process, as each finesse command is (pgserver keeps one server object per process)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest

from finesse_schema.db import scratch
from finesse_schema.db.connect import database_name
from finesse_schema.db.embedded import embedded_server_pid, memory_space, remove_memory_space, stop_embedded_server
from finesse_schema.db.scratch import ScratchServer, create_scratch_database, drop_database, scratch_database

from tests.pg import query, run_sql

pytestmark = pytest.mark.skipif(memory_space(Path("/any")) is None, reason="no /dev/shm with 1 GiB free here")

START = "import sys; from pathlib import Path; from finesse_schema.db.embedded import embedded_server_url; " \
        "print(embedded_server_url(Path(sys.argv[1])))"


def _start(data_dir: Path) -> str:
    """Start (or reuse) the embedded server as a finesse command does; its admin URL."""
    done = subprocess.run([sys.executable, "-c", START, str(data_dir)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    admin = done.stdout.strip().splitlines()[-1]
    scratch._TABLESPACES.pop(admin, None)  # this process learns the server afresh, as a new command would
    return admin


def _crash(data_dir: Path) -> None:
    """Kill the server outright: the postmaster and every process it started."""
    pid = embedded_server_pid(data_dir)
    assert pid is not None
    children = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _parent(p) == pid]
    for victim in (pid, *children):
        try:
            os.kill(victim, signal.SIGKILL)
        except ProcessLookupError:  # a backend that had ended meanwhile
            pass
    while embedded_server_pid(data_dir) is not None:
        time.sleep(0.1)


def _parent(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rpartition(")")[2].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _scratch_tablespace(admin: str) -> str:
    """Where a scratch database is created on the server at ``admin`` (it is dropped afterwards)."""
    with scratch_database(ScratchServer(admin, "embedded"), "where do I live") as url:
        return query(admin, "SELECT t.spcname FROM pg_database d JOIN pg_tablespace t ON t.oid = d.dattablespace "
                            f"WHERE d.datname = '{database_name(url)}'")[0][0]


@pytest.fixture(scope="module")
def data_dir() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="finesse-test-embedded-"))
    data = base / "pgdata"
    try:
        yield data
    finally:
        stop_embedded_server(data)
        remove_memory_space(data)  # a server the last test left killed
        shutil.rmtree(base, ignore_errors=True)


def test_the_embedded_servers_scratch_databases_live_in_memory(data_dir: Path) -> None:
    admin = _start(data_dir)
    folder = memory_space(data_dir)
    assert folder is not None
    with scratch_database(ScratchServer(admin, "embedded"), "in memory") as url:
        oid = query(admin, f"SELECT oid FROM pg_database WHERE datname = '{database_name(url)}'")[0][0]
        assert [p.name for p in folder.glob("PG_*/*")] == [str(oid)]
    assert list(folder.glob("PG_*/*")) == []  # dropped with its files


def test_a_stopped_server_leaves_nothing_in_memory_and_starts_as_after_a_reboot(data_dir: Path) -> None:
    _start(data_dir)
    stop_embedded_server(data_dir)
    assert not memory_space(data_dir).exists()  # type: ignore[union-attr]
    assert _scratch_tablespace(_start(data_dir)) == "finesse_scratch"


def test_after_a_crash_and_a_reboot_the_server_recovers(data_dir: Path) -> None:
    """The crash leaves WAL that creates a scratch database in memory; recovery replays it into the folder the
    reboot took away. PostgreSQL cannot start unless the folder is made again before it starts."""
    admin = _start(data_dir)
    query(admin, "CHECKPOINT")
    name, url = create_scratch_database(ScratchServer(admin, "embedded"), "left by a crash",
                                        scratch.PREFIX + "crash_test")
    run_sql(url, "CREATE TABLE t (id int PRIMARY KEY)")
    _crash(data_dir)
    shutil.rmtree(memory_space(data_dir))  # type: ignore[arg-type]
    admin = _start(data_dir)
    assert query(admin, f"SELECT datname FROM pg_database WHERE datname = '{name}'") == [(name,)]
    drop_database(admin, name)
    assert _scratch_tablespace(admin) == "finesse_scratch"


def test_a_memory_folder_gone_under_a_running_server_gives_way_to_the_disk(data_dir: Path) -> None:
    admin = _start(data_dir)
    shutil.rmtree(memory_space(data_dir))  # type: ignore[arg-type]
    assert _scratch_tablespace(admin) == "pg_default"
    assert _scratch_tablespace(admin) == "pg_default"  # the rest of the process does not try again
    assert _scratch_tablespace(_start(data_dir)) == "finesse_scratch"  # the next command mends the folder


def test_a_server_without_the_tablespace_uses_its_default(pg_admin: str) -> None:
    """Servers finesse does not run (a --dev-url, the target) have no finesse_scratch unless their owner makes
    one; the test session's server has it when /dev/shm has room, so it is dropped and made again here."""
    found = query(pg_admin, "SELECT pg_tablespace_location(oid) FROM pg_tablespace WHERE spcname = 'finesse_scratch'")
    if not found or not found[0][0].startswith("/dev/shm/finesse-"):
        pytest.skip("the session's server has no finesse_scratch of its own")
    query(pg_admin, "DROP TABLESPACE finesse_scratch")  # its folder stays, empty
    try:
        scratch._TABLESPACES.pop(pg_admin, None)
        assert _scratch_tablespace(pg_admin) == "pg_default"
    finally:
        query(pg_admin, f"CREATE TABLESPACE finesse_scratch LOCATION '{found[0][0]}'")
        scratch._TABLESPACES.pop(pg_admin, None)
