"""finesse workload, the pure part: the file of named queries, and the verdict on their times. The database
edge (db/usage/workload_timing.py) times them and compares their answers.

The file is workload.sql's format: each query under a ``-- name: NAME`` line and ending with ``;``; other
comment lines are left out. A query is judged slower when its time on the "after" database over its time
on the "before" one passes ``max_slower`` times its A/A spread: the same query, the same data, timed twice
(two copies, or the before database against itself), so that the noise of the machine is not a verdict.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ...core.errors import InputError, Location, Problem
from ..sql.expressions import SqlError, check_query

_NAME = re.compile(r"^--\s*name:\s*(\S+)\s*$")


def parse_workload(text: str, file: str) -> dict[str, str]:
    """name -> SQL of each query of ``text``, in order; InputError (located) for a file without queries, a
    name used twice, a query that does not end with ';', or SQL before the first name."""
    out: dict[str, str] = {}
    problems: list[Problem] = []
    name, start, body = None, 0, []  # type: ignore[var-annotated]

    def close() -> None:
        sql = "\n".join(body).strip()
        if name is None:
            return
        if not sql.endswith(";"):
            problems.append(Problem(f"query {name} does not end with ';'", Location(file, start, 1), "",
                                    "end each query with ';'"))
            return
        try:  # read-only: it runs on databases that matter, many times
            out[name] = check_query(sql)
        except SqlError as exc:
            said = str(exc).replace("a view is defined by one SELECT, not by", "found").replace("a view's", "its")
            problems.append(Problem(f"query {name} must be one SELECT that changes nothing: {said}",
                                    Location(file, start, 1), "", "one SELECT per -- name: line"))

    for number, line in enumerate(text.splitlines(), 1):
        found = _NAME.match(line.strip())
        if found:
            close()
            name, start, body = found.group(1), number, []
            if name in out:
                problems.append(Problem(f"query name {name} is used twice", Location(file, number, 1), "",
                                        "give each query its own name"))
        elif line.lstrip().startswith("--"):
            continue
        elif name is None and line.strip():
            problems.append(Problem("SQL before the first '-- name:' line", Location(file, number, 1), "",
                                    "put '-- name: NAME' above each query"))
        else:
            body.append(line)
    close()
    if not out and not problems:
        problems.append(Problem("no queries: each needs a '-- name: NAME' line above it", Location(file, 1, 1)))
    if problems:
        raise InputError(problems)
    return out


@dataclass(frozen=True)
class QueryTiming:
    name: str
    before_ms: float  # the server's time per run, median
    after_ms: float
    control_ms: float  # the before query timed again (A/A)
    answer: str  # "same rows", "same rows up to the order it leaves open", or what differs

    @property
    def ratio(self) -> float:
        """How many times faster after is (above 1: faster)."""
        return self.before_ms / self.after_ms if self.after_ms > 0 else math.inf

    @property
    def spread(self) -> float:
        """How far apart two timings of the same thing came out (1.0: not at all)."""
        if self.control_ms <= 0 or self.before_ms <= 0:
            return 1.0
        aa = self.before_ms / self.control_ms
        return max(aa, 1 / aa)

    @property
    def same_answer(self) -> bool:
        return self.answer.startswith("same rows")


@dataclass(frozen=True)
class WorkloadVerdict:
    timings: tuple[QueryTiming, ...]
    max_slower: float

    @property
    def slower(self) -> tuple[QueryTiming, ...]:
        """Queries slower on the after database by more than ``max_slower`` times their A/A spread."""
        return tuple(t for t in self.timings if t.ratio * self.max_slower * t.spread < 1)

    @property
    def different(self) -> tuple[QueryTiming, ...]:
        return tuple(t for t in self.timings if not t.same_answer)

    @property
    def geometric_mean(self) -> float:
        ratios = [t.ratio for t in self.timings if 0 < t.ratio < math.inf]
        return math.exp(sum(map(math.log, ratios)) / len(ratios)) if ratios else 1.0

    @property
    def passed(self) -> bool:
        return not self.slower and not self.different


def workload_table(verdict: WorkloadVerdict) -> str:
    """The timings as a Markdown table, with the verdict under it."""
    lines = ["| query | before (ms) | after (ms) | faster | A/A | answer |", "|---|---:|---:|---:|---:|---|"]
    for t in verdict.timings:
        lines.append(f"| {t.name} | {t.before_ms:.3f} | {t.after_ms:.3f} | {t.ratio:.2f}x | {t.spread:.2f} | "
                     f"{t.answer} |")
    lines.append(f"| **geometric mean** | | | **{verdict.geometric_mean:.2f}x** | | |")
    said = [f"{len(verdict.timings)} queries, geometric mean {verdict.geometric_mean:.2f}x faster"]
    if verdict.slower:
        said.append("slower beyond " + f"{verdict.max_slower}x their A/A spread: "
                    + ", ".join(f"{t.name} ({t.ratio:.2f}x)" for t in verdict.slower))
    if verdict.different:
        said.append("answers differ: " + ", ".join(f"{t.name} ({t.answer})" for t in verdict.different))
    return "\n".join(lines) + "\n\n" + "; ".join(said) + ("" if not verdict.passed else "; none slower") + "\n"
