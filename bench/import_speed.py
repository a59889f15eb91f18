"""How long `finesse import` takes on large databases, next to pg_dump --schema-only of the same database.

The databases: tests/fixtures/import/generated_500/schema.sql (written by bench/gen_import_schema.py): 500
tables in five schemas, 1,000 secondary indexes (plus the primary key and unique indexes), foreign keys,
checks, enums, comments; and lago (114 tables, a real schema: ../shared/corpus/realworld/lago.sql, or
FINESSE_CORPUS), which needs the contrib extensions (Debian's postgresql-NN, found as the tests find it).
Measured in one run on one server, each database:

* import cold: a fresh `finesse import --no-verify` process, wall time;
* import warm: in-process, median of 3, split into catalog reads, building the
  model, and writing the YAML (which includes reading it back to prove it exact);
* import with verification: a fresh `finesse import` process (it also plans the
  written YAML against the database and expects nothing);
* pg_dump --schema-only of the same database, for scale.

Target (issue 4): import of 500 tables and 1,000 indexes under 10 s.
Run: python bench/import_speed.py [--no-write]  (the server: Debian's with contrib when installed, else embedded,
in which case lago is left out)
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from finesse_schema.db.catalog import read_catalog, user_schemas  # noqa: E402
from finesse_schema.db.connect import composed, connect, identifier, with_database  # noqa: E402
from finesse_schema.db.dump import dump_schema  # noqa: E402
from finesse_schema.db.embedded import embedded_server_url, stop_embedded_server  # noqa: E402
from finesse_schema.logic.importing.from_catalog import import_schema  # noqa: E402
from finesse_schema.logic.importing.import_yaml import schema_yaml  # noqa: E402
from tests.corpus import contrib_bin_dir, corpus_dir, load_with_psql  # noqa: E402
from tests.pg import local_server  # noqa: E402

SCHEMA_SQL = ROOT / "tests" / "fixtures" / "import" / "generated_500" / "schema.sql"


def _timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _cli(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "finesse_schema.cli", *args], cwd=cwd, check=True,
                   capture_output=True, text=True)
    return time.perf_counter() - start


def measure(admin: str, work: Path, sql: Path) -> dict:
    name = f"import_bench_{sql.stem}"
    with connect(admin) as conn:
        conn.execute(composed("CREATE DATABASE {}", identifier(name)))
    url = with_database(admin, name)
    load_with_psql(url, sql)
    work = work / sql.stem
    work.mkdir()
    with connect(url) as conn:
        tables, indexes = conn.execute(
            "SELECT count(*) FILTER (WHERE relkind = 'r'), count(*) FILTER (WHERE relkind = 'i') FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', "
            "'information_schema', 'pg_toast')").fetchone()  # type: ignore[misc]
    (work / "pyproject.toml").write_text(f'[tool.finesse]\ndatabase_url = "{url}"\ndev_url = "{admin}"\n')
    cold = _cli(["import", "--no-verify", "--force", "-q"], work)
    verified = _cli(["import", "--force", "-q"], work)
    phases: dict[str, list[float]] = {"catalog": [], "model": [], "yaml": [], "total": []}
    for _ in range(3):
        t_catalog, rows = _timed(lambda: read_catalog(url, user_schemas(url)))
        t_model, (model, _unsupported) = _timed(lambda: import_schema(rows))
        t_yaml, (text, not_exact) = _timed(lambda: schema_yaml(model))
        assert not not_exact, not_exact
        for key, value in (("catalog", t_catalog), ("model", t_model), ("yaml", t_yaml),
                           ("total", t_catalog + t_model + t_yaml)):
            phases[key].append(value)
    t_dump, _ = _timed(lambda: dump_schema(url))
    return {"name": sql.parent.name if sql.name == "schema.sql" else sql.stem, "tables": tables, "indexes": indexes,
            "cold": cold, "verified": verified, "dump": t_dump,
            "yaml_bytes": len(text.encode()), **{k: statistics.median(v) for k, v in phases.items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-write", action="store_true", help="print only; do not write bench/RESULTS.md")
    args = ap.parse_args()
    corpus = corpus_dir()
    sources = [SCHEMA_SQL] + ([corpus / "realworld" / "lago.sql"] if corpus else [])
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bin_dir = contrib_bin_dir()
        with (local_server(bin_dir, work / "server") if bin_dir else _embedded(work)) as admin:
            with connect(admin) as conn:
                server = f"PostgreSQL {conn.execute('SHOW server_version').fetchone()[0]}"  # type: ignore[index]
                has_contrib = conn.execute("SELECT count(*) FROM pg_available_extensions "
                                           "WHERE name = 'unaccent'").fetchone()[0]  # type: ignore[index]
            rows = [measure(admin, work, sql) for sql in sources if has_contrib or sql == SCHEMA_SQL]
    table = ("| schema | tables | indexes | import cold (s) | import warm (s) | catalog / model / YAML (s) | "
             "import + verification (s) | pg_dump --schema-only (s) | warm / pg_dump | YAML (KB) |\n"
             "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|\n" + "\n".join(
                 f"| {r['name']} | {r['tables']} | {r['indexes']} | {r['cold']:.2f} | {r['total']:.2f} | "
                 f"{r['catalog']:.2f} / {r['model']:.2f} / {r['yaml']:.2f} | {r['verified']:.2f} | {r['dump']:.2f} | "
                 f"{r['total'] / r['dump']:.2f}x | {r['yaml_bytes'] // 1024} |" for r in rows))
    big = rows[0]
    met = "met" if big["cold"] < 10 else "**missed**"
    print(table)
    if not args.no_write:
        write_section("import_speed", (
            f"## import_speed ({date.today().isoformat()}, {platform.machine()}, {os.cpu_count()} cores, "
            f"{server}, Python {platform.python_version()})\n\n"
            "`python bench/import_speed.py`: tests/fixtures/import/generated_500 (500 tables in five schemas, 1,000 "
            "secondary indexes besides the key indexes) and lago (114 tables, from the real-world corpus). Cold = a "
            "fresh `finesse import --no-verify` process; warm = in-process, median of 3 (the YAML phase includes "
            "reading the YAML back to prove it exact); verification = a fresh `finesse import`, which also plans "
            "the YAML against the database.\n\n"
            + table + f"\n\nTarget (issue 4): under 10 s for 500 tables and 1,000 indexes: {met} "
            f"({big['cold']:.2f} s cold, {big['verified']:.2f} s with verification).\n"))


@contextmanager
def _embedded(work: Path) -> Iterator[str]:
    try:
        yield embedded_server_url(work / "pgdata", keep_running=False)
    finally:
        stop_embedded_server(work / "pgdata")


if __name__ == "__main__":
    main()
