"""Run the live probes and the project checks on a database, each bounded by a statement_timeout.

Reads only: every query runs in a read-only transaction that is rolled back. A table
larger than ``sample_above_rows`` (by the planner's estimate) is read through
TABLESAMPLE SYSTEM, and its findings say so. A query that times out, or that the
database rejects, becomes a finding of its own rather than stopping the audit.
"""

from __future__ import annotations

from typing import Callable, Collection

from ..core.findings import Finding, Severity
from ..logic.sql.quoting import qualified
from ..logic.check.live_rules import LIVE_RULES, Probe
from ..logic.check.project_checks import ProjectCheck, counting_sql
from .connect import Error, connect, error_text

Progress = Callable[[str], None]
SAMPLE_ROWS = 1_000_000  # rows a sampled table is read down to, roughly


def enforced_uniques(url: str) -> set[tuple[str, str, tuple[str, ...]]]:
    """(schema, table, columns) of every valid unique index without a predicate: what the database enforces."""
    with connect(url) as conn:
        rows = conn.execute("""
            SELECT n.nspname, c.relname, array_agg(a.attname ORDER BY k.i)
            FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, i)
            JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
            WHERE x.indisunique AND x.indisvalid AND x.indpred IS NULL AND k.i <= x.indnkeyatts
            GROUP BY x.indexrelid, n.nspname, c.relname""").fetchall()
    return {(s, t, tuple(cols)) for s, t, cols in rows}


def _existing_columns(conn) -> dict[tuple[str, str], tuple[set[str], float]]:  # type: ignore[no-untyped-def]
    rows = conn.execute("""
        SELECT n.nspname, c.relname, array_agg(a.attname), max(c.reltuples)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.relkind IN ('r', 'p') GROUP BY 1, 2""").fetchall()
    return {(s, t): (set(cols), float(n)) for s, t, cols, n in rows}


def _run(conn, sql: str, timeout: str) -> tuple:  # type: ignore[no-untyped-def,type-arg]
    with conn.transaction(force_rollback=True):
        conn.execute("SET TRANSACTION READ ONLY")
        conn.execute("SELECT set_config('statement_timeout', %s, true)", (timeout,))
        return conn.execute(sql).fetchone()  # type: ignore[no-any-return]


def _trouble(code: str, subject: str, what: str, exc: BaseException, timeout: str) -> Finding:
    text = error_text(exc)
    timed_out = "statement timeout" in text
    message = (f"{what} was not checked: it took longer than {timeout}" if timed_out
               else f"{what} could not be checked: {text}")
    return Finding(subject, code, message, Severity.WARNING if timed_out else Severity.ERROR,
                   "raise live_statement_timeout in [tool.finesse.check]" if timed_out else "", None, "",
                   LIVE_RULES.get(code, ("",))[0])


def run_probes(url: str, probes: list[Probe], *, timeout: str = "30s", sample_above_rows: int = 5_000_000,
               progress: Progress = lambda _: None) -> list[Finding]:
    findings: list[Finding] = []
    with connect(url) as conn:
        existing = _existing_columns(conn)
        for i, probe in enumerate(probes, start=1):
            t = probe.table
            subject = f"{t.schema}.{t.name}"
            needed = [(t, probe.columns)] + list(probe.others)
            missing = [f"{x.name}.{c}" for x, cols in needed for c in cols
                       if c not in existing.get((x.schema, x.name), (set(), 0))[0]]
            missing += [x.name for x, _ in needed if (x.schema, x.name) not in existing]
            if missing:
                findings.append(Finding(subject, probe.code, f"not checked: {', '.join(sorted(set(missing)))} "
                                        "not in the database yet", Severity.INFO, "", t.loc, "",
                                        LIVE_RULES[probe.code][0]))
                continue
            rows = existing[(t.schema, t.name)][1]
            source, sampled = f"{qualified(t.schema, t.name)} c", ""
            if rows > sample_above_rows:
                percent = max(0.01, min(100.0, 100.0 * SAMPLE_ROWS / rows))
                source = f"{qualified(t.schema, t.name)} c TABLESAMPLE SYSTEM ({percent:.4f}) REPEATABLE (7)"
                sampled = f"counted on a {percent:.2f}% sample of about {int(rows):,} rows"
            progress(f"live check {i}/{len(probes)}: {probe.code} on {t.name}")
            try:
                row = _run(conn, probe.sql.replace("{t}", source), timeout)
            except Error as exc:
                findings.append(_trouble(probe.code, subject, f"{probe.code} on {t.name}", exc, timeout))
                continue
            found = probe.finding(int(row[0] or 0), list(row[1] or []), list(row[2:]), sampled)
            if found:
                findings.append(found)
    return findings


def run_project_checks(url: str, checks: list[ProjectCheck], *, timeout: str = "30s",
                       progress: Progress = lambda _: None) -> list[Finding]:
    findings: list[Finding] = []
    with connect(url) as conn:
        for check in checks:
            progress(f"project check {check.code} ({check.file})")
            try:
                row = _run(conn, counting_sql(check), timeout)
            except Error as exc:
                findings.append(check.failed(error_text(exc)))
                continue
            found = check.finding(int(row[0] or 0), list(row[1] or []))
            if found:
                findings.append(found)
    return findings


def server_version_major(url: str) -> int:
    with connect(url) as conn:
        return conn.info.server_version // 10000


def row_counts(url: str, tables: list[str], *, timeout: str = "10s") -> dict[str, str]:
    """Rows per schema.table: exact when counted within ``timeout``, else the planner's estimate ("about")."""
    out: dict[str, str] = {}
    with connect(url) as conn:
        for name in tables:
            schema, _, table = name.partition(".")
            try:
                row = _run(conn, f"SELECT count(*) FROM {qualified(schema, table)}", timeout)
                out[name] = f"{int(row[0]):,}"
            except Error:
                est = conn.execute("SELECT reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = "
                                   "c.relnamespace WHERE n.nspname = %s AND c.relname = %s", (schema, table)).fetchone()
                out[name] = f"about {int(est[0]):,}" if est and est[0] >= 0 else "unknown"
    return out


def table_sizes(url: str, *, timeout: str = "2s", counted: Collection[str] | None = None
                ) -> tuple[dict[str, int], frozenset[str]]:
    """Rows per schema.table by the planner's estimate (counted, within ``timeout``, for a table never
    analyzed, among ``counted`` when given: the others are left out; taken as huge when the count does not
    finish), and the partitioned tables."""
    with connect(url) as conn:
        rows = conn.execute("""
            SELECT n.nspname, c.relname, c.reltuples::bigint, c.relkind = 'p'
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg_toast%'""").fetchall()
        sizes: dict[str, int] = {}
        for schema, table, estimate, _ in rows:
            if estimate >= 0:
                sizes[f"{schema}.{table}"] = int(estimate)
                continue
            if counted is not None and f"{schema}.{table}" not in counted:
                continue
            try:
                sizes[f"{schema}.{table}"] = int(_run(conn, f"SELECT count(*) FROM {qualified(schema, table)}",
                                                      timeout)[0])
            except Error:
                sizes[f"{schema}.{table}"] = 2**62
    return sizes, frozenset(f"{s}.{t}" for s, t, _, p in rows if p)
