from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from finesse_schema.logic.config.settings import Settings

from tests.pg import fresh_database, provision_server

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="Rewrite golden files from current output.")


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def pg_admin() -> str:
    """Admin URL of the PostgreSQL server this test session owns.

    Its data lives outside pytest's temporary folder: another pytest run on the machine resets
    that folder to mode 0700, which would lock out the server's own (unprivileged) user."""
    base = Path(tempfile.mkdtemp(prefix="finesse-test-pg-"))
    try:
        with provision_server(base) as (url, _origin):
            yield url
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def live_db(pg_admin: str) -> str:
    with fresh_database(pg_admin, "live") as url:
        yield url


def make_settings(project: Path, schema_path: Path, *, database_url: str, dev_url: str) -> Settings:
    return Settings(project_dir=project, schema_path=schema_path, migrations_path=project / "migrations",
                    database_url=database_url, dev_url=dev_url)
