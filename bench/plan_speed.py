"""How long `finesse plan`, `status` and `drift` take, next to bare migra on the same two databases (issue 21).

For generated schemas of 50, 200, 1000 and 5000 tables, 5% of them changed (a column added, an index
added, a column widened), measured in one run on one server, each command a fresh process, the commands
in turn, median of 3 rounds (1 for 5000 tables):

* plan cold: `finesse plan --dry-run` with an empty cache (imports, compiling schema.yaml, scratch
  databases, materializing, diffing both ways, the proof on a copy of the live schema), and its peak memory;
* plan again: the same command with schema.yaml unchanged (the compiled schema, the desired schema and
  the proof come from .finesse/cache/);
* status and drift on a database at schema.yaml (after an apply; in CI), with schema.yaml unchanged;
* migra CLI: the bare `migra --unsafe` command on the live database and one already holding the desired
  schema (it materializes nothing and proves nothing);
* load and compile: schema.yaml to the model and its DDL in a fresh process after its imports, cold and from the cache;
* materialize alone: the compiled DDL run into an empty database, in this process, each round (the part of a
  cold plan that no cache of the proof or the live schema can shed, next to migra).

Targets: plan cold within 3x of the migra CLI on 1000 tables; plan again, status and drift within 1.5x;
loading and compiling 1000 tables within 0.5 s; time growing linearly with tables (the exponent of a
least-squares fit of log time on log tables). Prints the table and writes bench/RESULTS.md.
Run: python bench/plan_speed.py [--sizes 50,200,1000,5000]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import byte_compiled, write_section  # noqa: E402
from finesse_schema.db.connect import composed, connect, identifier, with_database  # noqa: E402
from finesse_schema.db.embedded import embedded_server_url, stop_embedded_server  # noqa: E402
from finesse_schema.db.materialize import materialize  # noqa: E402
from finesse_schema.db.scratch import ScratchServer, scratch_database  # noqa: E402
from finesse_schema.logic.compile.compiler import Compiled, compile_schema  # noqa: E402
from finesse_schema.logic.schema.load import load_schema_text  # noqa: E402

BIN = Path(sys.executable).parent


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


def empty_database(admin: str, name: str) -> str:
    """The URL of database ``name``, made afresh and empty."""
    with connect(admin) as conn:
        conn.execute(composed("DROP DATABASE IF EXISTS {} WITH (FORCE)", identifier(name)))
        conn.execute(composed("CREATE DATABASE {} TEMPLATE template0", identifier(name)))
    return with_database(admin, name)


def build(admin: str, name: str, text: str) -> str:
    url = empty_database(admin, name)
    materialize(url, compile_schema(load_schema_text(text)))
    return url


def materialize_seconds(admin: str, compiled: Compiled) -> float:
    """Seconds to run ``compiled`` into an empty scratch database, as a plan makes one (where a plan makes it:
    the server's finesse_scratch tablespace when it has one), made before the clock starts, dropped after."""
    with scratch_database(ScratchServer(admin, "dev-url"), "bench: materialize alone") as url:
        start = time.perf_counter()
        materialize(url, compiled)
        return time.perf_counter() - start


# load and compile as a command does, in a fresh process after its imports (the collector as entry sets it)
COMPILE_PROBE = """
import sys, time
from pathlib import Path
from finesse_schema.entry import collect_rarely
collect_rarely()
from finesse_schema.api.compile_cache import load_compiled
from finesse_schema.logic.config.settings import Settings
project = Path(sys.argv[1])
settings = Settings(project, project / "schema.yaml", project / "migrations")
start = time.perf_counter()
load_compiled(settings)
print(time.perf_counter() - start)
"""


def load_and_compile(project: Path, *, cached: bool) -> float:
    """Seconds to load and compile ``project``'s schema.yaml in a fresh process: from its cache, or cold (the
    path a plan takes when schema.yaml changed)."""
    env = {k: v for k, v in os.environ.items() if k != "FINESSE_NO_CACHE"} | ({} if cached else
                                                                                {"FINESSE_NO_CACHE": "1"})
    out = subprocess.run([sys.executable, "-c", COMPILE_PROBE, str(project)], env=env, capture_output=True, text=True,
                         check=True)
    return float(out.stdout.strip().splitlines()[-1])


def run(args: list[str], cwd: Path, check: bool = True) -> tuple[float, int]:
    """(seconds, peak resident memory in MiB) of one command, a fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""  # type: ignore[union-attr]
    if check and os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed: {err}")
    return seconds, usage.ru_maxrss // 1024


def measure(admin: str, n: int, work: Path) -> dict:
    print(f"measuring {n} tables ...", file=sys.stderr, flush=True)
    live = build(admin, f"bench_live_{n}", schema_yaml(n, False))
    desired = build(admin, f"bench_desired_{n}", schema_yaml(n, True))
    project = work / f"p{n}"
    project.mkdir(exist_ok=True)
    text = schema_yaml(n, True)
    (project / "schema.yaml").write_text(text)
    (project / "pyproject.toml").write_text(f'[tool.finesse]\ndatabase_url = "{live}"\ndev_url = "{admin}"\n')
    finesse = str(BIN / "finesse")
    sa_url = lambda u: "postgresql+psycopg://" + u[len("postgresql://"):]  # noqa: E731
    compiled = compile_schema(load_schema_text(text))
    times: dict[str, list[float]] = {k: [] for k in ("cold", "again", "status", "drift", "migra", "materialize")}
    memory = 0
    for _ in range(3 if n <= 1000 else 1):  # each command in turn, so that every one sees the same machine
        shutil.rmtree(project / ".finesse", ignore_errors=True)
        cold, peak = run([finesse, "plan", "--dry-run", "-q", "--no-sql"], project)
        memory = max(memory, peak)
        times["cold"].append(cold)
        times["again"].append(run([finesse, "plan", "--dry-run", "-q", "--no-sql"], project)[0])
        times["status"].append(run([finesse, "status", "-q", "--database-url", desired], project)[0])
        times["drift"].append(run([finesse, "drift", "-q", "--database-url", desired], project)[0])
        times["migra"].append(run([str(BIN / "migra"), "--unsafe", sa_url(live), sa_url(desired)], project,
                                  check=False)[0])  # exit 2: changes
        times["materialize"].append(materialize_seconds(admin, compiled))
    cold, again, status, drift, migra, materialized = (statistics.median(times[k]) for k in
                                                       ("cold", "again", "status", "drift", "migra", "materialize"))
    compile_cold = statistics.median(load_and_compile(project, cached=False) for _ in range(3 if n <= 1000 else 1))
    compile_cached = statistics.median(load_and_compile(project, cached=True) for _ in range(3))
    return {"n": n, "cold": cold, "again": again, "status": status, "drift": drift, "migra": migra,
            "materialize": materialized,
            "memory": memory, "compile_cold": compile_cold, "compile_cached": compile_cached}


def exponent(rows: list[dict], key: str) -> float:
    """The slope of log(time) against log(tables), least squares: 1 is linear."""
    xs, ys = [math.log(r["n"]) for r in rows], [math.log(r[key]) for r in rows]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="50,200,1000,5000")
    ap.add_argument("--no-write", action="store_true", help="print only; do not write bench/RESULTS.md")
    args = ap.parse_args()
    byte_compiled()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        admin = embedded_server_url(work / "pgdata", keep_running=False)
        try:
            rows = [measure(admin, int(s), work) for s in args.sizes.split(",")]
        finally:
            stop_embedded_server(work / "pgdata")  # before its folder goes
    header = ("| tables | plan cold (s) | plan again (s) | status (s) | drift (s) | migra CLI (s) | cold / migra "
              "| again / migra | status / migra | drift / migra | plan peak memory (MiB) | load+compile cold (s) "
              "| load+compile cached (s) | materialize alone (s) | materialize / migra |\n" + "|---:" * 15 + "|")
    body = "\n".join(
        f"| {r['n']} | {r['cold']:.2f} | {r['again']:.2f} | {r['status']:.2f} | {r['drift']:.2f} | {r['migra']:.2f} "
        f"| {r['cold'] / r['migra']:.2f}x | {r['again'] / r['migra']:.2f}x | {r['status'] / r['migra']:.2f}x "
        f"| {r['drift'] / r['migra']:.2f}x | {r['memory']} | {r['compile_cold']:.2f} | {r['compile_cached']:.2f} "
        f"| {r['materialize']:.2f} | {r['materialize'] / r['migra']:.2f}x |"
        for r in rows)
    growth = ", ".join(f"{label} {exponent(rows, key):.2f}" for label, key in (
        ("plan cold", "cold"), ("plan again", "again"), ("status", "status"), ("migra", "migra"),
        ("load+compile cold", "compile_cold"))) if len(rows) > 1 else "(one size: no exponent)"
    at = next((r for r in rows if r["n"] == 1000), rows[-1])
    verdict = "; ".join([
        f"plan cold within 3x of migra on {at['n']} tables: {'met' if at['cold'] <= 3 * at['migra'] else '**missed**'}"
        f" ({at['cold'] / at['migra']:.2f}x)",
        *(f"{label} within 1.5x: {'met' if at[key] <= 1.5 * at['migra'] else '**missed**'} "
          f"({at[key] / at['migra']:.2f}x)" for label, key in (("plan again", "again"), ("status", "status"),
                                                               ("drift", "drift"))),
        f"load and compile within 0.5 s: cold {at['compile_cold']:.2f} s, cached {at['compile_cached']:.2f} s "
        f"({'met' if at['compile_cached'] <= 0.5 else '**missed**'} from the cache, "
        f"{'met' if at['compile_cold'] <= 0.5 else '**missed**'} cold)"])
    table = header + "\n" + body
    print(table)
    print(f"growth exponents: {growth}")
    print(verdict)
    if not args.no_write:
        text = (f"## plan_speed ({date.today().isoformat()}, {platform.machine()}, "
                f"{os.cpu_count()} cores, PostgreSQL embedded pgserver 16.2, Python {platform.python_version()})\n\n"
                "`python bench/plan_speed.py`: generated schemas, 5% of the tables changed (a column widened, a "
                "column and an index added). Every command is a fresh process, with finesse's modules "
                "byte-compiled first, as an installed package has them; the commands run in turn, median "
                "of 3 rounds (1 at 5000 tables). Plan cold starts with an empty "
                "cache: it compiles schema.yaml, materializes it in a scratch database, diffs both ways and proves "
                "the plan there (the downgrade, then the upgrade). Plan again is the same command with schema.yaml "
                "unchanged: the compiled schema, the desired schema's inspection and dump, and the proof come "
                "from .finesse/cache/. Status and drift run on a database at schema.yaml. migra is handed a "
                "database that already holds the desired schema and proves nothing. Peak memory is the plan "
                "process's maximum resident set. Materialize alone runs the compiled DDL into an empty scratch "
                "database, each round: what a cold plan pays whatever it caches. finesse's scratch databases "
                "live in the server's tablespace finesse_scratch, which the embedded server keeps in /dev/shm "
                "(memory); the live database and the one migra is handed are ordinary ones, on the disk.\n\n"
                + table
                + "\n\nGrowth (exponent of time against tables, "
                f"1 is linear): {growth}.\n\nTargets (issue 21), at {at['n']} tables: {verdict}.\n")
        write_section("plan_speed", text)


if __name__ == "__main__":
    main()
