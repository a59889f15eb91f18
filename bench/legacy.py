"""The Finesse legacy database for benchmarks: an embedded server of its own, the fixture loaded at a
scale, and (when asked) a copy migrated to the head of migrations/."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from finesse_schema import api  # noqa: E402
from finesse_schema.db.connect import composed, connect, identifier, with_database  # noqa: E402
from finesse_schema.db.embedded import embedded_bin_dir, embedded_server_url, stop_embedded_server  # noqa: E402
from finesse_schema.db.migrations import stamp  # noqa: E402

LEGACY = ROOT / "tests" / "fixtures" / "import" / "finesse_legacy"  # a copy of shared/fixtures/finesse-legacy


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def legacy_server(scale: int) -> Iterator[tuple[str, str, float]]:
    """(admin URL, URL of database legacy, seconds the load took); the server stops afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "pgdata"
        admin = embedded_server_url(data, keep_running=False)
        try:
            with connect(admin) as conn:
                conn.execute(composed("CREATE DATABASE {}", identifier("legacy")))
            url = with_database(admin, "legacy")
            say(f"loading the legacy database at scale {scale}")
            start = time.perf_counter()
            subprocess.run([str(embedded_bin_dir() / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-v",
                            f"scale={scale}", "-f", str(LEGACY / "schema.sql"), "-f", str(LEGACY / "data.sql"),
                            url], check=True, capture_output=True)
            loaded = time.perf_counter() - start
            say(f"loaded in {loaded:.1f} s")
            yield admin, url, loaded
        finally:
            stop_embedded_server(data)


def copy(admin: str, name: str) -> str:
    """A copy of the legacy database (made while nothing else is connected to it); its URL."""
    with connect(admin) as conn:
        conn.execute(composed("CREATE DATABASE {} TEMPLATE {}", identifier(name), identifier("legacy")))
    return with_database(admin, name)


def migrated_copy(admin: str, legacy_url: str, name: str = "improved") -> tuple[str, float]:
    """A copy of the legacy database recorded at 0001 and migrated to head; returns its URL and the seconds
    the migration took."""
    url = copy(admin, name)
    settings = replace(api.find_settings(ROOT), database_url=url, dev_url=admin)
    stamp(url, settings.migrations_path, "0001")
    say("applying migrations/ to the copy")
    start = time.perf_counter()
    api.apply(settings, progress=lambda m: say(f"  {m}"))
    return url, time.perf_counter() - start


def vacuum(url: str) -> None:
    """VACUUM ANALYZE: fresh statistics and visibility maps, as a database in service has."""
    with connect(url) as conn:
        conn.execute("VACUUM ANALYZE")
