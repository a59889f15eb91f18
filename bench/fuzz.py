"""The generative differential test (tests/generative), run for as long as you give it.

Each example is one generated schema and one valid edit of it, checked end to end on a real server by
tests/generative/differential.py: the plan converges and applies, the database then dumps as the target built
directly, the downgrade gives the start back, and the target imports exactly. The search runs in rounds of
hypothesis, one seed a round (the first is ``--seed``, so a run reproduces). A failing example is shrunk by
hypothesis; its signature (the kind of step that failed and the error with names blanked) makes it one distinct
failure, written with the shrunk schemas A and B to bench/fuzz-failures/; later rounds no longer stop at that
signature, so the search goes on to find others.

Printed, and written to the ``fuzz`` section of bench/RESULTS.md: the minutes, the examples tried, examples per
minute, the server, and every distinct failure.

Run: python bench/fuzz.py --minutes 60 [--seed 0] [--no-write]
The server is the tests' own (tests/pg.py: FINESSE_TEST_PG_BIN, FINESSE_TEST_ADMIN_URL, else embedded).
"""

from __future__ import annotations

import argparse
import platform
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from finesse_schema.db.connect import connect  # noqa: E402
from tests.generative.differential import check_pair, yaml_text  # noqa: E402
from tests.generative.schemas import schema_pairs  # noqa: E402
from tests.pg import provision_server  # noqa: E402

FAILURES = ROOT / "bench" / "fuzz-failures"
ROUND = 25  # examples a round (about a minute): a new seed each round; the time is checked between rounds


def signature(problem: str) -> str:
    """What makes two failures the same bug: the step (the first line) and the error (the last line: PostgreSQL's
    message, where the step ran SQL), with names and numbers blanked."""
    lines = [line.strip() for line in problem.strip().splitlines() if line.strip()] or [""]
    text = lines[0] if len(lines) == 1 else f"{lines[0]} {lines[-1]}"
    text = re.sub(r'"[^"]*"', '"…"', text)
    text = re.sub(r"'[^']*'", "'…'", text)
    return re.sub(r"\d+", "N", text)[:240]


class Found(AssertionError):
    """A failing example whose signature the run has not seen: hypothesis shrinks it."""


@dataclass
class Search:
    admin: str
    deadline: float
    work: Path
    tried: int = 0
    known: dict[str, tuple[dict, dict, list[str]]] = field(default_factory=dict)
    last: tuple[dict, dict, list[str]] | None = None  # the latest failing example of a new signature

    def example(self, pair: tuple[dict, dict]) -> None:
        a, b = pair
        self.tried += 1
        try:
            problems = check_pair(self.admin, a, b, Path(tempfile.mkdtemp(dir=self.work)))
        except Exception as exc:  # a generated schema finesse refuses, or a bug: a failure like any other
            problems = [f"raised {type(exc).__name__}: {exc}"]
        if not problems:
            return
        key = signature(problems[0])
        if key in self.known:
            return
        self.last = (a, b, problems)
        raise Found(key)

    def round(self, number: int) -> None:
        @settings(max_examples=ROUND, deadline=None, database=None, suppress_health_check=list(HealthCheck),
                  phases=[Phase.generate, Phase.shrink], report_multiple_bugs=False, print_blob=False)
        @given(pair=schema_pairs())
        def run(pair: tuple[dict, dict]) -> None:
            self.example(pair)

        self.last = None
        try:
            seed(number)(run)()
        except Exception as exc:  # Found, or hypothesis's Flaky when a shrunk example no longer fails
            if self.last is None:
                raise
            a, b, problems = self.last  # hypothesis replays the shrunk example last
            key = signature(problems[0])
            self.known[key] = self.last
            print(f"  failure {len(self.known)}: {key} ({type(exc).__name__})", flush=True)


def write_failures(known: dict[str, tuple[dict, dict, list[str]]]) -> list[str]:
    FAILURES.mkdir(exist_ok=True)
    for old in FAILURES.glob("*.md"):
        old.unlink()
    lines = []
    for number, (key, (a, b, problems)) in enumerate(sorted(known.items()), 1):
        path = FAILURES / f"failure_{number:02d}.md"
        path.write_text(f"# {key}\n\n## A\n\n```yaml\n{yaml_text(a)}```\n\n## B\n\n```yaml\n{yaml_text(b)}```\n\n"
                        "## Problems\n\n```\n" + "\n\n".join(problems) + "\n```\n", encoding="utf-8")
        lines.append(f"| {number} | `{key}` | {path.relative_to(ROOT)} |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="finesse-fuzz-") as tmp, provision_server(Path(tmp)) as (admin, origin):
        with connect(admin) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
        search = Search(admin, time.monotonic() + args.minutes * 60, Path(tmp))
        started = time.monotonic()
        number = args.seed
        print(f"fuzz: {args.minutes:g} min on PostgreSQL {version} ({origin}), from seed {args.seed}", flush=True)
        while time.monotonic() < search.deadline:
            search.round(number)
            number += 1
            print(f"  seed {number - 1} done: {search.tried} examples, {len(search.known)} distinct failures",
                  flush=True)
        minutes = (time.monotonic() - started) / 60
    rate = search.tried / minutes if minutes else 0.0
    rows = write_failures(search.known) if not args.no_write else []
    summary = (f"{search.tried} examples in {minutes:.1f} min ({rate:.1f} a minute), seeds {args.seed} to "
               f"{number - 1}, {len(search.known)} distinct failures")
    print(summary)
    for key, (a, b, problems) in search.known.items():
        print(f"  {key}")
        if args.no_write:
            print("A:\n" + yaml_text(a) + "B:\n" + yaml_text(b) + "\n".join(problems))
    if not args.no_write:
        text = [f"## fuzz ({date.today()}, {platform.machine()}, PostgreSQL {version}, {origin})", "",
                "`python bench/fuzz.py --minutes N`: generated schemas and valid edits, each planned, applied, "
                "compared with the target built directly, taken down and imported (tests/generative).", "",
                summary + ".", ""]
        if rows:
            text += ["| # | failure (shrunk) | schemas and problems |", "|---|---|---|", *rows, ""]
        write_section("fuzz", "\n".join(text))
    return 1 if search.known else 0


if __name__ == "__main__":
    raise SystemExit(main())
