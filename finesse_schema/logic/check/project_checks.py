"""checks/*.sql: a project's own checks. Each file is one query returning the offending rows. Pure.

The header, in SQL comments before the query, names the check::

    -- code: FP001
    -- severity: error
    -- description: stock never goes negative
    -- hint: record an adjustment movement instead of editing stock
    SELECT variant_id, store_id, sum(quantity) FROM inventory_movements GROUP BY 1, 2 HAVING sum(quantity) < 0

Codes start with FP (finesse project); each file's code is unique.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...core.errors import InputError, Location, Problem
from ...core.findings import Finding, Severity

_HEADER_RE = re.compile(r"^--\s*(code|severity|description|hint)\s*:\s*(.*?)\s*$", re.I)
_CODE_RE = re.compile(r"^FP\d{3,}$")
SAMPLES = 3


@dataclass(frozen=True)
class ProjectCheck:
    code: str
    severity: Severity
    description: str
    hint: str
    sql: str
    file: str

    def finding(self, count: int, samples: list) -> Finding | None:  # type: ignore[type-arg]
        if not count:
            return None
        shown = "; ".join(str(s) for s in (samples or [])[:SAMPLES])
        return Finding(f"check {self.file}", self.code, f"{count} row(s): {self.description}"
                       + (f" (e.g. {shown})" if shown else ""), self.severity, self.hint, Location(self.file, 1, 1),
                       "", self.description)

    def failed(self, error: str) -> Finding:
        return Finding(f"check {self.file}", self.code, f"the check could not run: {error}", Severity.ERROR,
                       "fix the query, or the schema it reads", Location(self.file, 1, 1), "", self.description)


def read_project_check(text: str, file: str) -> ProjectCheck:
    """Parse one checks/*.sql file; InputError (file and line) for a missing or bad header."""
    fields: dict[str, str] = {}
    problems: list[Problem] = []
    body: list[str] = []
    for n, line in enumerate(text.splitlines(), start=1):
        m = _HEADER_RE.match(line.strip())
        if m and not body:
            key = m.group(1).lower()
            if key in fields:
                problems.append(Problem(f"{key} is given twice", Location(file, n, 1)))
            fields[key] = m.group(2)
            if key == "code" and not _CODE_RE.match(m.group(2)):
                problems.append(Problem(f"code '{m.group(2)}' is not FP followed by digits", Location(file, n, 1),
                                        hint="e.g. -- code: FP001"))
            if key == "severity" and m.group(2).lower() not in ("info", "warning", "error"):
                problems.append(Problem(f"severity '{m.group(2)}' is not info, warning or error",
                                        Location(file, n, 1)))
        elif line.strip() and not (line.strip().startswith("--") and not body):
            body.append(line)
    for key in ("code", "severity", "description"):
        if key not in fields:
            problems.append(Problem(f"the header has no {key}", Location(file, 1, 1),
                                    hint=f"add a line '-- {key}: ...' before the query"))
    sql = "\n".join(body).strip().rstrip(";").strip()
    if not sql:
        problems.append(Problem("no query after the header", Location(file, 1, 1)))
    if problems:
        raise InputError(problems)
    return ProjectCheck(fields["code"], Severity.parse(fields["severity"]), fields["description"],
                        fields.get("hint", ""), sql, file)


def counting_sql(check: ProjectCheck) -> str:
    """The check's query wrapped to return (count, sample rows as JSON text)."""
    return (f"SELECT count(*), (array_agg(row_to_json(q)::text))[1:{SAMPLES}] FROM (\n{check.sql}\n) q")


def unique_codes(checks: list[ProjectCheck]) -> None:
    seen: dict[str, str] = {}
    problems = []
    for c in checks:
        if c.code in seen:
            problems.append(Problem(f"code {c.code} is also the code of {seen[c.code]}", Location(c.file, 1, 1)))
        seen[c.code] = c.file
    if problems:
        raise InputError(problems)
