"""How long `finesse check --live` takes on the Finesse legacy database at scale 10.

Loads tests/fixtures/import/finesse_legacy (schema.sql, data.sql with psql -v scale=10,
about 560 MB) into an embedded server, then measures in one run: the model rules
alone, and the full live audit (every live probe and the repo's checks/*.sql),
median of 3 in-process runs, plus the count of findings.

Target (issue 5): the live checks at scale 10 finish in under 20 s.
Run: python bench/check_speed.py [--scale 10] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from dataclasses import replace
from datetime import date

from legacy import LEGACY, ROOT, legacy_server

from bench.results import write_section
from finesse_schema import api
from finesse_schema.logic.config.settings import Settings, read_settings

CONFIG = ROOT / "tests" / "fixtures" / "check_legacy" / "pyproject.toml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=int, default=10)
    ap.add_argument("--no-write", action="store_true", help="print only; do not write bench/RESULTS.md")
    args = ap.parse_args()
    with legacy_server(args.scale) as (_, url, load):
        settings = replace(Settings(ROOT, LEGACY / "expected.yaml", ROOT / "migrations", database_url=url),
                           check=read_settings(CONFIG.read_text(), ROOT).check)
        static, live, findings = [], [], 0
        for _ in range(3):
            t0 = time.perf_counter()
            api.check(settings)
            t1 = time.perf_counter()
            report = api.check(settings, live=True)
            t2 = time.perf_counter()
            static.append(t1 - t0)
            live.append(t2 - t1)
            findings = len(report.findings)
    m_static, m_live = statistics.median(static), statistics.median(live)
    met = "met" if m_live < 20 else "**missed**"
    table = ("| scale | load (s) | model rules (s) | check --live (s) | findings |\n|---:|---:|---:|---:|---:|\n"
             f"| {args.scale} | {load:.1f} | {m_static:.2f} | {m_live:.2f} | {findings} |")
    print(table)
    if not args.no_write:
        write_section("check_speed", (
            f"## check_speed ({date.today().isoformat()}, {platform.machine()}, {os.cpu_count()} cores, "
            f"PostgreSQL embedded pgserver 16.2, Python {platform.python_version()})\n\n"
            f"`python bench/check_speed.py`: the Finesse legacy database at scale {args.scale}; the model rules "
            "alone, and `finesse check --live` (model rules, every live probe, checks/*.sql), median of 3.\n\n"
            + table + f"\n\nTarget (issue 5): live checks at scale 10 under 20 s: {met}.\n"))


if __name__ == "__main__":
    main()
