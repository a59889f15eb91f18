"""The shop's 12 most frequent reads, legacy against improved, at scale 10 (issue 7).

Loads the legacy fixture (tests/fixtures/import/finesse_legacy = shared/fixtures/finesse-legacy),
copies it, migrates the copy to head, VACUUM ANALYZEs both; then, for each query of workload.sql and
its counterpart in bench/workload_improved.sql:

* asserts they answer the same: the full answer (without the outer LIMIT) is the same multiset of
  rows, and the limited answer the same rows; where the query leaves them open (LIMIT without an
  ORDER BY that decides), the same number of rows, each a row of the other side's full answer;
* runs the legacy query on a second copy of the legacy database too (A/A): how far two medians of the
  same plan on the same data drift apart here, the noise the ratios sit in;
* times them in one run, interleaved (each side takes each place in the round in turn), median of
  --runs: the server's time (the query run in a loop by a PL/pgSQL function, its plan cached as a
  prepared statement's is, every row read: no round trip, no parsing) and the wall time of a prepared
  statement from this process (with the round trip).

Targets: every query at least 2.5x faster, none slower, geometric mean at least 4x (server time).
Run: python bench/workload.py [--scale 10] [--runs 25] [--no-write]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import time
from datetime import date
from pathlib import Path

from legacy import ROOT, copy, legacy_server, migrated_copy, say, vacuum

from bench.results import write_section
from finesse_schema.db.connect import connect
from finesse_schema.db.usage.workload_timing import execution_ms, loops_for, same_answer, server_loop
from finesse_schema.logic.check.workload import parse_workload

LEGACY_SQL = ROOT / "tests" / "fixtures" / "import" / "finesse_legacy" / "workload.sql"  # shared/fixtures copy
IMPROVED_SQL = ROOT / "bench" / "workload_improved.sql"


def queries(path: Path) -> dict[str, str]:
    """name -> SQL of each "-- name:" query (finesse workload's reading of the file)."""
    return parse_workload(path.read_text(encoding="utf-8"), str(path))


def wall_ms(conn, sql: str) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    conn.execute(sql, prepare=True).fetchall()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=int, default=10)
    ap.add_argument("--runs", type=int, default=25)
    ap.add_argument("--no-write", action="store_true", help="print only; do not write bench/RESULTS.md")
    args = ap.parse_args()
    old, new = queries(LEGACY_SQL), queries(IMPROVED_SQL)
    assert list(old) == list(new), "workload_improved.sql must have the queries of workload.sql, in order"
    with legacy_server(args.scale) as (admin, legacy_url, loaded):
        control_url = copy(admin, "control")
        improved_url, migrated = migrated_copy(admin, legacy_url)
        for url in (legacy_url, control_url, improved_url):
            vacuum(url)
        results = []
        with connect(legacy_url) as legacy, connect(improved_url) as improved, connect(control_url) as control:
            for name in old:
                answer = same_answer(legacy, improved, old[name], new[name])
                assert answer.startswith("same rows"), f"{name}: {answer}"
                loops = loops_for(legacy, old[name])  # one measurement takes about 20 ms on the legacy side
                fn_old = server_loop(legacy, name, old[name], loops)
                fn_new = server_loop(improved, name, new[name], loops)
                fn_control = server_loop(control, name, old[name], loops)
                for _ in range(3):  # warm the caches
                    execution_ms(legacy, fn_old, loops), execution_ms(improved, fn_new, loops)
                    execution_ms(control, fn_control, loops)
                    wall_ms(legacy, old[name]), wall_ms(improved, new[name])
                ex: dict[str, list[float]] = {"legacy": [], "improved": [], "control": []}
                wall: dict[str, list[float]] = {"legacy": [], "improved": []}
                sides = [("legacy", legacy, fn_old), ("improved", improved, fn_new), ("control", control, fn_control)]
                for run in range(args.runs):  # interleaved: every side sees the same machine
                    # and takes every place in the round in turn (the first place ran up to 25% faster)
                    for side, conn, fn in sides[run % 3:] + sides[:run % 3]:
                        ex[side].append(execution_ms(conn, fn, loops))
                    wall["legacy"].append(wall_ms(legacy, old[name]))
                    wall["improved"].append(wall_ms(improved, new[name]))
                r = {k: statistics.median(v) for k, v in ex.items()}
                w = {k: statistics.median(v) for k, v in wall.items()}
                results.append((name, r["legacy"], r["improved"], w["legacy"], w["improved"], answer,
                                r["legacy"] / r["control"]))
                say(f"{name}: {r['legacy']:.3f} -> {r['improved']:.3f} ms ({r['legacy'] / r['improved']:.1f}x); "
                    f"A/A {r['legacy'] / r['control']:.2f}; {answer}")
    ratios = [lo / im for _, lo, im, *_ in results]
    wall_ratios = [wl / wi for _, _, _, wl, wi, *_ in results]
    spread = [max(aa, 1 / aa) for *_, aa in results]
    geo = math.exp(sum(map(math.log, ratios)) / len(ratios))
    wall_geo = math.exp(sum(map(math.log, wall_ratios)) / len(wall_ratios))
    lines = ["| query | legacy (ms) | improved (ms) | faster | A/A | wall legacy (ms) | wall improved (ms) | wall faster "
             "| answer |", "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for (name, lo, im, wl, wi, answer, aa), ratio, wratio in zip(results, ratios, wall_ratios):
        lines.append(f"| {name} | {lo:.3f} | {im:.3f} | {ratio:.2f}x | {aa:.2f} | {wl:.3f} | {wi:.3f} | {wratio:.1f}x "
                     f"| {answer} |")
    lines.append(f"| **geometric mean** | | | **{geo:.1f}x** | | | | **{wall_geo:.1f}x** | |")
    table = "\n".join(lines)
    print(table)
    slowest = min(ratios)
    below = [name for (name, *_), r in zip(results, ratios) if r < 2.5]
    # slower: below 1 by more than the same query's A/A spread (two copies of the same data, same plan)
    slower = [f"{name} ({r:.2f}x, A/A spread {sp:.2f})" for (name, *_), r, sp in zip(results, ratios, spread)
              if r * sp < 1]
    verdict = (f"every query at least 2.5x faster: {'met' if not below else '**missed**'} (slowest {slowest:.2f}x"
               + (f"; below 2.5x: {', '.join(below)}" if below else "") + "); "
               f"none slower beyond its A/A spread: {'met' if not slower else '**missed**: ' + ', '.join(slower)}; "
               f"geometric mean at least 4x: {'met' if geo >= 4 else '**missed**'} ({geo:.1f}x)")
    wall_verdict = (f"by wall time, with the round trip from Python (about the same fixed cost on both sides), the "
                    f"slowest is {min(wall_ratios):.1f}x and the geometric mean {wall_geo:.1f}x")
    print(verdict)
    if not args.no_write:
        write_section("workload", (
            f"## workload ({date.today().isoformat()}, {platform.machine()}, {os.cpu_count()} cores, PostgreSQL "
            f"embedded pgserver 16.2, Python {platform.python_version()})\n\n"
            f"`python bench/workload.py`: the 12 queries of workload.sql on the legacy database at scale "
            f"{args.scale} (loaded in {loaded:.0f} s) and those of bench/workload_improved.sql on a copy migrated to "
            f"head (the migration took {migrated:.0f} s); both VACUUM ANALYZEd; median of {args.runs} interleaved "
            "runs each. Server time is the query run in a loop inside the server (PL/pgSQL, plan cached, every row "
            "read), per run; A/A is the legacy query's median on the legacy database over its median on a second "
            "copy of it (1.00 when the machine is quiet); wall time is a prepared "
            "statement run from Python over the Unix socket. Every pair is asserted to answer the same (the full "
            "answer as a multiset, and the limited one).\n\n" + table + f"\n\nTargets (issue 7), on server time: "
            f"{verdict}. Also: {wall_verdict}.\n"))


if __name__ == "__main__":
    main()
