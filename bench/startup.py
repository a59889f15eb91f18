"""Start-up time of the finesse command (issue 21): --version and --help at most 0.3 s, validate on the shop's
schema.yaml at most 0.5 s, measured side by side with a bare Python start in the same run (median of --runs,
interleaved), so that a busy machine shows as a slow baseline rather than a slow finesse.
Run: python bench/startup.py [--runs 15] [--no-write]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import byte_compiled, write_section  # noqa: E402

COMMANDS = {
    "python -c pass (baseline)": ([sys.executable, "-c", "pass"], None),
    "finesse --version": ([sys.executable, "-m", "finesse_schema", "--version"], 0.3),
    "finesse --help": ([sys.executable, "-m", "finesse_schema", "--help"], 0.3),
    "finesse validate (the shop)": ([sys.executable, "-m", "finesse_schema", "validate"], 0.5),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    byte_compiled()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for run in range(args.runs):
        names = list(COMMANDS)
        for name in names[run % len(names):] + names[:run % len(names)]:
            start = time.perf_counter()
            subprocess.run(COMMANDS[name][0], cwd=ROOT, capture_output=True, check=True)
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["python -c pass (baseline)"])
    lines = ["| command | median (s) | over bare Python | target | met |", "|---|---:|---:|---:|---|"]
    for name, (_, target) in COMMANDS.items():
        t = statistics.median(times[name])
        lines.append(f"| {name} | {t:.3f} | {t / base:.1f}x | {f'{target} s' if target else ''} | "
                     f"{'' if target is None else 'met' if t <= target else '**missed**'} |")
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        write_section("startup", f"## startup\n\n`python bench/startup.py`: median of {args.runs} interleaved runs "
                      "of each command (a fresh process each time); the api loads each module on first use, so "
                      "--version and --help import no database library.\n\n" + table + "\n")


if __name__ == "__main__":
    main()
