from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from finesse_schema.logic.config.settings import Settings

from tests.pg import fresh_database, local_server, provision_server

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


@pytest.fixture(scope="session")
def contrib_admin(pg_admin: str) -> str:
    """Admin URL of a server with the contrib extensions the corpora use: the session's own when it has them,
    else Debian's postgresql-NN server started in a temporary folder (.ci/run installs it where missing)."""
    from tests.corpus import contrib_bin_dir, has_contrib

    if has_contrib(pg_admin):
        yield pg_admin
        return
    bin_dir = contrib_bin_dir()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server with contrib here (Debian: apt-get install postgresql-15)")
    base = Path(tempfile.mkdtemp(prefix="finesse-test-contrib-"))
    try:
        with local_server(bin_dir, base / "server") as url:
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
