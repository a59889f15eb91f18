"""PostgreSQL servers for the tests: provisioned by the tests themselves, never mocked.

Order: ``FINESSE_TEST_ADMIN_URL`` (a server where the tests may create databases),
else a testcontainers PostgreSQL when a Docker engine answers, else the embedded
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
from finesse_schema.db.embedded import embedded_server_url
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
    if _docker_engine_running() and not os.environ.get("FINESSE_TEST_NO_DOCKER"):
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16", driver=None) as pg:
            yield pg.get_connection_url(), "testcontainers postgres:16"
        return
    yield embedded_server_url(tmp_dir / "pgdata", keep_running=False), "embedded pgserver"


@contextmanager
def fresh_database(admin_url: str, prefix: str = "t") -> Iterator[str]:
    name = f"finesse_test_{prefix}_{secrets.token_hex(4)}"
    with connect(admin_url) as conn:
        conn.execute(composed("CREATE DATABASE {} TEMPLATE template0", identifier(name)))
    try:
        yield with_database(admin_url, name)
    finally:
        drop_database(admin_url, name)


def run_sql(url: str, sql: str) -> None:
    if not sql.strip():
        return
    with connect(url, autocommit=False) as conn:
        conn.execute(sql)  # type: ignore[arg-type]
        conn.commit()


def query(url: str, sql: str) -> list[tuple]:
    with connect(url) as conn:
        return conn.execute(sql).fetchall()  # type: ignore[arg-type]
