"""PostgreSQL servers for the tests: provisioned by the tests themselves, never mocked.

Order: ``FINESSE_TEST_ADMIN_URL`` (a server where the tests may create databases);
else ``FINESSE_TEST_PG_BIN`` (a folder of PostgreSQL binaries, e.g. the Debian
server's /usr/lib/postgresql/15/bin, started in a temporary directory); else a
testcontainers PostgreSQL when a Docker engine answers; else the embedded
pgserver in a temporary directory.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from finesse_schema.db.connect import composed, connect, identifier, with_database
from finesse_schema.db.embedded import (embedded_server_url, memory_tablespace, remove_memory_space, server_os_user,
                                        stop_embedded_server)
from finesse_schema.db.scratch import drop_database


def _docker_engine_running() -> bool:
    if not shutil.which("docker"):
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@contextmanager
def provision_server(tmp_dir: Path) -> Iterator[tuple[str, str]]:
    """Yield (admin URL, description) of a server the tests own."""
    url = os.environ.get("FINESSE_TEST_ADMIN_URL")
    if url:
        yield url, "FINESSE_TEST_ADMIN_URL"
        return
    bin_dir = os.environ.get("FINESSE_TEST_PG_BIN")
    if bin_dir:
        with local_server(Path(bin_dir), tmp_dir / "local") as url:
            yield url, f"PostgreSQL binaries in {bin_dir}"
        return
    if _docker_engine_running() and not os.environ.get("FINESSE_TEST_NO_DOCKER"):
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16", driver=None) as pg:
            yield pg.get_connection_url(), "testcontainers postgres:16"
        return
    try:
        yield embedded_server_url(tmp_dir / "pgdata", keep_running=False), "embedded pgserver"
    finally:  # now, before the caller removes its folder: pgserver's own stop at exit would find no folder
        stop_embedded_server(tmp_dir / "pgdata")  # and leave the server running


@contextmanager
def fresh_database(admin_url: str, prefix: str = "t") -> Iterator[str]:
    name = f"finesse_test_{prefix}_{secrets.token_hex(4)}"
    with connect(admin_url) as conn:
        conn.execute(composed("CREATE DATABASE {} TEMPLATE template0", identifier(name)))
    try:
        yield with_database(admin_url, name)
    finally:
        drop_database(admin_url, name)


LEGACY = Path(__file__).parent / "fixtures" / "import" / "finesse_legacy"  # a copy of shared/fixtures/finesse-legacy


def psql_path() -> str | None:
    """A psql to run SQL files that use psql variables with (the legacy data generator does)."""
    from finesse_schema.db.embedded import embedded_bin_dir

    for candidate in (os.environ.get("FINESSE_TEST_PG_BIN"), str(embedded_bin_dir())):
        if candidate and (Path(candidate) / "psql").exists():
            return str(Path(candidate) / "psql")
    return shutil.which("psql")


def load_legacy(url: str, scale: int, *, schema: bool = True) -> None:
    """Load the Finesse legacy database (its schema unless ``schema`` is False, and its data at ``scale``)."""
    psql = psql_path()
    if psql is None:
        import pytest

        pytest.skip("no psql to load the legacy data with (its generator needs psql variables)")
    files = (["-f", str(LEGACY / "schema.sql")] if schema else []) + ["-f", str(LEGACY / "data.sql")]
    subprocess.run([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", f"scale={scale}", *files, url],
                   check=True, capture_output=True)


def run_sql(url: str, sql: str) -> None:
    if not sql.strip():
        return
    with connect(url, autocommit=False) as conn:
        conn.execute(sql)  # type: ignore[arg-type]
        conn.commit()


def query(url: str, sql: str) -> list[tuple]:
    """The rows of ``sql`` (none for a statement that returns none), outside a transaction block."""
    with connect(url) as conn:
        cursor = conn.execute(sql)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description is not None else []


@contextmanager
def local_server(bin_dir: Path, base: Path, *, password: str | None = None) -> Iterator[str]:
    """initdb and start the server in ``bin_dir`` on a Unix socket under ``base``; stop it afterwards. With
    ``password``, the server asks for it (scram-sha-256); the URL yielded holds no password.

    PostgreSQL refuses to run as root; as root, the server runs as the unprivileged
    user ``pgserver`` (which the embedded server also uses), created if missing. Like the embedded server,
    it gets the tablespace finesse_scratch in memory where /dev/shm has room.
    """
    import pwd

    base.mkdir(parents=True, exist_ok=True)
    data, sock = base / "data", base / "sock"
    sock.mkdir(exist_ok=True)
    auth = ["--auth=trust"]
    if password is not None:
        (base / "pwfile").write_text(password + "\n")
        auth = ["--auth=scram-sha-256", f"--pwfile={base / 'pwfile'}"]
    prefix: list[str] = []
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("pgserver")
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "pgserver"], check=True)
        for folder in (base, *base.parents[:-1]):  # the server user must reach its folder
            os.chmod(folder, os.stat(folder).st_mode | 0o055)
        subprocess.run(["chown", "-R", "pgserver", str(base)], check=True)
        prefix = ["runuser", "-u", "pgserver", "--"]
    subprocess.run(prefix + [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", *auth,
                             "--encoding=UTF8", "--no-sync"], check=True, capture_output=True)
    subprocess.run(prefix + [str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log"),
                             "-o", f"-k {sock} -c listen_addresses='' -c fsync=off", "start"],
                   check=True, capture_output=True)
    url = f"postgresql://postgres@/postgres?host={sock}"
    try:
        memory_tablespace(url, data, server_os_user())  # its scratch databases in memory, as the embedded server's
        yield url
    finally:
        subprocess.run(prefix + [str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-m", "fast", "stop"],
                       capture_output=True)
        remove_memory_space(data)
