"""Lock-safe rewriting of a plan, for a database that keeps serving writes while it migrates.

An online plan runs every upgrade step in its own short transaction (each with
lock_timeout and retries, see render_online.py), and rewrites the steps that
would hold a write-blocking lock for as long as a table scan:

* ``CREATE [UNIQUE] INDEX`` on an existing table becomes ``CREATE INDEX
  CONCURRENTLY IF NOT EXISTS``, run outside a transaction (a failed build's
  invalid leftover is dropped before the build is tried again);
* a foreign key or check, which migra already adds NOT VALID and then
  validates, is validated in its own transaction, which only takes a SHARE
  UPDATE EXCLUSIVE lock (writes go on);
* ``SET NOT NULL`` on an existing column goes through a check constraint:
  added NOT VALID, validated, then SET NOT NULL (PostgreSQL 12 and later skip
  the scan when a valid check proves it), then the check is dropped.

Partitioned tables keep plain index builds: PostgreSQL cannot build an index
on a partitioned table concurrently.

Whether a plan needs this is decided from the size of the tables it touches
(:func:`needs_online`), or asked for with ``finesse plan --online``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from enum import Enum

from ...core.plan import Change, ChangeKind, Plan
from ..sql.quoting import quote
from .classify import IDENT, QUALIFIED

C, A, D = ChangeKind.CREATE, ChangeKind.ALTER, ChangeKind.DROP

_INDEX_RE = re.compile(r"^\s*create\s+(unique\s+)?index\s+(?!concurrently\b)", re.I)
_NOT_NULL_RE = re.compile(rf"^\s*alter\s+table\s+(?:only\s+)?({QUALIFIED})\s+alter\s+column\s+({IDENT})\s+set\s+not\s+null",
                          re.I | re.S)


class OnlineMode(str, Enum):
    AUTO = "auto"  # online when a table the plan alters holds more rows than the threshold
    ON = "on"
    OFF = "off"


def created_tables(plan: Plan) -> set[str]:
    return {c.object_name for c in plan.upgrade if c.kind == C and c.object_type == "table"}


def _lock_heavy(change: Change) -> bool:
    """Whether a step holds a write-blocking lock for as long as it reads the table."""
    if change.object_type == "index" and change.kind == C:
        return not change.reason.startswith("concurrently")
    if change.object_type == "constraint":
        return change.reason in ("validate", "foreign key", "check", "unique", "primary key")
    if change.object_type == "column" and change.kind == A:
        return change.reason.startswith(("set not null", "type "))
    return False


def touched_tables(plan: Plan) -> list[str]:
    """Existing tables that a lock-heavy step of ``plan`` works on, sorted."""
    new = created_tables(plan)
    return sorted({c.table for c in plan.upgrade if _lock_heavy(c)} - new)


def needs_online(plan: Plan, rows: dict[str, int], threshold: int, mode: OnlineMode) -> bool:
    """Whether ``plan`` should run online: asked for, or a table it locks for a scan has more than
    ``threshold`` rows (``rows`` by schema.table)."""
    if mode != OnlineMode.AUTO:
        return mode == OnlineMode.ON and not plan.empty
    return any(rows.get(t, 0) > threshold for t in touched_tables(plan))


def check_name(table: str, column: str) -> str:
    """The temporary check constraint that proves ``column`` NOT NULL; at most 63 bytes, stable."""
    base = f"{column}_not_null_finesse"
    if len(base.encode()) <= 63:
        return base
    digest = hashlib.sha1(f"{table}.{column}".encode()).hexdigest()[:8]
    return f"{column.encode()[:40].decode(errors='ignore')}_{digest}_not_null_finesse"


def _not_null_steps(change: Change) -> tuple[Change, ...]:
    m = _NOT_NULL_RE.match(change.sql)
    if m is None:
        return (change,)
    table_sql, column_sql = m.group(1), m.group(2)
    table = change.table
    column = change.object_name.split(".")[-1]
    check = check_name(table, column)
    name = f"{table}.{check}"
    key = ("con", *change.key[1:3], check) if len(change.key) == 4 else ()
    return (
        Change(C, "constraint", name, f"ALTER TABLE {table_sql} ADD CONSTRAINT {quote(check)} "
               f"CHECK ({column_sql} IS NOT NULL) NOT VALID;", reason="check not valid (proves not null)",
               key=key, phase=change.phase),
        Change(A, "constraint", name, f"ALTER TABLE {table_sql} VALIDATE CONSTRAINT {quote(check)};",
               reason="validate", key=key, phase=change.phase),
        replace(change, reason="set not null (no scan: the valid check proves it)"),
        Change(D, "constraint", name, f"ALTER TABLE {table_sql} DROP CONSTRAINT {quote(check)};",
               reason="its job is done", key=key, phase=change.phase),
    )


def _concurrent_index(change: Change) -> Change:
    sql = _INDEX_RE.sub(lambda m: f"CREATE {'UNIQUE ' if m.group(1) else ''}INDEX CONCURRENTLY IF NOT EXISTS ",
                        change.sql, count=1)
    return replace(change, sql=sql, reason=f"concurrently {change.reason}", transactional=False)


def online_plan(plan: Plan, partitioned: frozenset[str] = frozenset()) -> Plan:
    """``plan`` rewritten to run online; ``partitioned`` names the partitioned tables (schema.table)."""
    new = created_tables(plan)
    out: list[Change] = []
    for c in plan.upgrade:
        table = c.table
        existing = table not in new
        if c.object_type == "index" and c.kind == C and existing and table not in partitioned \
                and _INDEX_RE.match(c.sql):
            out.append(_concurrent_index(c))
        elif c.object_type == "column" and c.kind == A and c.reason.startswith("set not null") and existing:
            out.extend(_not_null_steps(c))
        else:
            out.append(c)
    return replace(plan, upgrade=tuple(out), online=True)
