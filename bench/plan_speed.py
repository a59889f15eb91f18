"""How long `finesse plan` takes, next to bare migra on the same two databases.

For 50, 200 and 1000 generated tables, with 5% of them changed (a column added,
an index added, a column widened), measures in one run on one server:

* finesse cold: a fresh `finesse plan --dry-run` process (imports, scratch
  databases, materialize, diff both ways, full verification);
* finesse warm: `api.plan(dry_run=True)` in this process, median of 3;
* migra cold: the bare `migra --unsafe` command on the live database and a
  database already holding the desired schema;
* migra warm: migra in this process on the same two databases, median of 3.

Targets (issue 2): finesse within 3x of bare migra on 1000 tables; under 1.5 s
for 50 tables warm. Prints the table and writes bench/RESULTS.md.
Run: python bench/plan_speed.py [--sizes 50,200,1000]
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
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from finesse_schema import api  # noqa: E402
from finesse_schema.db.connect import composed, connect, identifier, with_database  # noqa: E402
from finesse_schema.db.diff import diff_statements, inspect_database  # noqa: E402
from finesse_schema.db.embedded import embedded_server_url, stop_embedded_server  # noqa: E402
from finesse_schema.db.materialize import materialize  # noqa: E402
from finesse_schema.logic.compile.compiler import compile_schema  # noqa: E402
from finesse_schema.logic.config.settings import Settings  # noqa: E402
from finesse_schema.logic.schema.load import load_schema_text  # noqa: E402


def schema_yaml(n: int, changed: bool) -> str:
    lines = ["tables:"]
    step = 20  # every 20th table changes: 5%
    for i in range(n):
        ch = changed and i % step == 0
        lines += [f"  t{i:04d}:", "    columns:",
                  "      id: {type: bigint, primary_key: true, identity: always}",
                  f"      name: {{type: varchar({120 if ch else 80}), nullable: false}}",
                  "      created_at: {type: timestamptz, nullable: false, default: now()}",
                  "      amount: {type: \"numeric(12,2)\", default: 0}"]
        if i:
            lines.append(f"      parent_id: {{type: bigint, references: t{i - 1:04d}.id, on_delete: cascade}}")
        if ch:
            lines.append("      note: text")
        lines += ["    indexes:", "      - [created_at]"]
        if i:
            lines.append("      - [parent_id]")
        if ch:
            lines.append("      - [name, created_at]")
    return "\n".join(lines) + "\n"


def build(admin: str, name: str, text: str) -> str:
    with connect(admin) as conn:
        conn.execute(composed("DROP DATABASE IF EXISTS {} WITH (FORCE)", identifier(name)))
        conn.execute(composed("CREATE DATABASE {} TEMPLATE template0", identifier(name)))
    url = with_database(admin, name)
    materialize(url, compile_schema(load_schema_text(text)))
    return url


def timed(fn, repeat: int = 1) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def measure(admin: str, n: int, work: Path) -> dict:
    live = build(admin, f"bench_live_{n}", schema_yaml(n, False))
    desired = build(admin, f"bench_desired_{n}", schema_yaml(n, True))
    project = work / f"p{n}"
    project.mkdir(exist_ok=True)
    (project / "schema.yaml").write_text(schema_yaml(n, True))
    (project / "pyproject.toml").write_text(f'[tool.finesse]\ndatabase_url = "{live}"\n')
    settings = Settings(project, project / "schema.yaml", project / "migrations", database_url=live)
    finesse_bin = Path(sys.executable).parent / "finesse"
    migra_bin = Path(sys.executable).parent / "migra"
    sa_url = lambda u: "postgresql+psycopg://" + u[len("postgresql://"):]  # noqa: E731

    cold = timed(lambda: subprocess.run([str(finesse_bin), "--project", str(project), "plan", "--dry-run", "-q",
                                         "--no-sql"], check=True, capture_output=True))
    result = api.plan(settings, dry_run=True)  # warm-up
    warm = timed(lambda: api.plan(settings, dry_run=True), 3)
    migra_cold = timed(lambda: subprocess.run([str(migra_bin), "--unsafe", sa_url(live), sa_url(desired)],
                                              capture_output=True))
    def migra_inproc() -> None:
        diff_statements(inspect_database(live, ("public",)), inspect_database(desired, ("public",)))
    migra_inproc()
    migra_warm = timed(migra_inproc, 3)
    return {"n": n, "changes": len(result.plan.upgrade), "cold": cold, "warm": warm,
            "migra_cold": migra_cold, "migra_warm": migra_warm}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="50,200,1000")
    ap.add_argument("--no-write", action="store_true", help="print only; do not write bench/RESULTS.md")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        admin = embedded_server_url(work / "pgdata", keep_running=False)
        rows = []
        try:
            for n in (int(s) for s in args.sizes.split(",")):
                print(f"measuring {n} tables ...", file=sys.stderr, flush=True)
                rows.append(measure(admin, n, work))
        finally:
            stop_embedded_server(work / "pgdata")  # before its folder goes
    header = ("| tables | changes | finesse cold (s) | finesse warm (s) | migra CLI (s) | migra in-process (s) "
              "| cold / migra CLI | warm / migra in-process |\n|---:|---:|---:|---:|---:|---:|---:|---:|")
    body = "\n".join(
        f"| {r['n']} | {r['changes']} | {r['cold']:.2f} | {r['warm']:.2f} | {r['migra_cold']:.2f} | "
        f"{r['migra_warm']:.2f} | {r['cold'] / r['migra_cold']:.2f}x | {r['warm'] / r['migra_warm']:.2f}x |"
        for r in rows)
    table = header + "\n" + body
    print(table)
    if not args.no_write:
        text = (f"## plan_speed ({date.today().isoformat()}, {platform.machine()}, "
                f"{os.cpu_count()} cores, PostgreSQL embedded pgserver 16.2, Python {platform.python_version()})\n\n"
                "`python bench/plan_speed.py`: generated schemas, 5% of tables changed (column widened, column and "
                "index added); finesse plan includes materializing schema.yaml, diffing both ways and the full "
                "verification (copy of live, upgrade, re-diff, downgrade, re-diff). Cold = a fresh process; "
                "warm = in-process, median of 3. migra is given a database that already holds the desired "
                "schema, so it does none of that work.\n\n" + table + "\n")
        write_section("plan_speed", text)


if __name__ == "__main__":
    main()
