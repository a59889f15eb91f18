"""Where the time of a 1000-table `finesse plan` goes, before and after the speed work (issue 21).

Builds the live database of bench/plan_speed.py (1000 tables, 5% to change) on an embedded server, then
runs `finesse plan --dry-run` in-process for two checkouts, each in a fresh Python: the revision given
by --before (a git worktree of it) and this checkout, the latter cold (empty cache) and again (schema.yaml
unchanged). Each step's time is the wall time from its progress message to the next one (steps that run
side by side, like materializing and copying, share the clock: the sum is the plan's wall time).

Run: python bench/plan_profile.py [--before cf14bea] [--tables 1000] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.plan_speed import build, schema_yaml  # noqa: E402
from bench.results import byte_compiled, write_section  # noqa: E402
from finesse_schema.db.embedded import embedded_server_url, stop_embedded_server  # noqa: E402

# run in the checkout under test: the plan's progress messages with their times, as JSON
PROBE = """
import json, sys, time
from pathlib import Path
start = time.perf_counter()
from finesse_schema import api
marks = [("importing finesse, reading and compiling schema.yaml", 0.0)]  # until the first message
def note(message):
    marks.append((message, time.perf_counter() - start))
settings = api.find_settings(Path(sys.argv[1]))
api.plan(settings, dry_run=True, progress=note)
marks.append(("done", time.perf_counter() - start))
import finesse_schema
print(json.dumps({"code": finesse_schema.__file__, "marks": marks}))
"""
# progress messages name databases and counts; a step is what is left
_VARYING = [(re.compile(r"planning .*"), "planning (resolving the databases)"),
            (re.compile(r"\(scratch: .*\)"), ""), (re.compile(r"postgresql://\S+"), "URL"),
            (re.compile(r"\d+ (rows|tables?)"), r"N \1")]


def step(message: str) -> str:
    for pattern, repl in _VARYING:
        message = pattern.sub(repl, message)
    return message.strip()


def profile(checkout: Path, project: Path, env: dict[str, str]) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", PROBE, str(project)], cwd=project, capture_output=True, text=True,
                         env={**env, "PYTHONPATH": str(checkout)}, check=False)
    if out.returncode != 0:
        raise SystemExit(f"plan in {checkout} failed: {out.stderr[-2000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if not Path(result["code"]).resolve().is_relative_to(checkout.resolve()):
        raise SystemExit(f"the plan ran {result['code']}, not the checkout {checkout}")
    marks = result["marks"]
    steps: dict[str, float] = {}
    for (message, at), (_, following) in zip(marks, marks[1:]):
        steps[step(message)] = steps.get(step(message), 0.0) + following - at
    return steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--before", default="cf14bea", help="the revision to compare with (before the speed work)")
    ap.add_argument("--tables", type=int, default=1000)
    ap.add_argument("--no-write", action="store_true", help="print only; do not write bench/RESULTS.md")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        before = work / "before"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(before), args.before],
                       check=True, capture_output=True)
        for checkout in (before, ROOT):
            byte_compiled(checkout)
        admin = embedded_server_url(work / "pgdata", keep_running=False)
        try:
            live = build(admin, "profile_live", schema_yaml(args.tables, False))
            project = work / "project"
            project.mkdir()
            (project / "schema.yaml").write_text(schema_yaml(args.tables, True))
            (project / "pyproject.toml").write_text(f'[tool.finesse]\ndatabase_url = "{live}"\n'
                                                    f'dev_url = "{admin}"\n')
            env = dict(os.environ)
            runs = {"before": profile(before, project, env), "after, cold": profile(ROOT, project, env),
                    "after, again": profile(ROOT, project, env)}
        finally:
            stop_embedded_server(work / "pgdata")
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)],
                           capture_output=True)
    names = list(dict.fromkeys(n for r in runs.values() for n in r))
    lines = ["| step | " + " | ".join(f"{k} (s)" for k in runs) + " |", "|---" + "|---:" * len(runs) + "|"]
    for name in names:
        lines.append(f"| {name} | " + " | ".join(f"{r[name]:.2f}" if name in r else "" for r in runs.values()) + " |")
    lines.append("| **total** | " + " | ".join(f"**{sum(r.values()):.2f}**" for r in runs.values()) + " |")
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        write_section("plan_profile", (
            f"## plan_profile ({date.today().isoformat()}, {platform.machine()}, {os.cpu_count()} cores, PostgreSQL "
            f"embedded pgserver 16.2, Python {platform.python_version()})\n\n"
            f"`python bench/plan_profile.py`: where the time of `finesse plan --dry-run` on {args.tables} generated "
            f"tables (5% changed) goes, at {args.before} (before the speed work of issue 21) and now, cold (empty "
            "cache) and again (schema.yaml unchanged), in one run on one server. A step's time runs from its "
            "progress message to the next (steps that run side by side share the clock).\n\n" + table + "\n"))


if __name__ == "__main__":
    main()
