"""Expand and contract: which changes the running application survives, and which wait for its next release.

An *expand* change keeps every query of the old application working: a new table,
a nullable column, an index, a view, a widening type, a dropped NOT NULL. A
*contract* change can break the old code: a drop, a rename, NOT NULL on an
existing column, a narrowing type, a removed default, a new constraint that the
old code's writes may violate. ``finesse plan --split`` writes the expand changes
as one revision and the contract changes as the next, so the application can be
deployed between them; in a single revision, the data section sits between the
two groups, where a backfill belongs.

Which phase a change wants is decided here (:func:`contract_reason`); where it runs, given what it
needs, is decided by the plan's ordering (logic/plan/ordering.py), which sets each change's phase. A single
revision runs its expand changes, its data section, its contract changes, then comments; the plan is
verified in that order.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ...core.plan import Change, ChangeKind

C, A, D = ChangeKind.CREATE, ChangeKind.ALTER, ChangeKind.DROP
_NOT_NULL_END = re.compile(r"\s+not\s+null\s*;?$", re.I)


def contract_reason(c: Change, created_tables: set[str]) -> str:
    """Why ``c`` can break the application that runs before it ('' when it cannot)."""
    existing = c.table not in created_tables
    if c.kind == D and c.object_type not in ("sequence",) or c.destructive:
        return "removes what the old code may use"
    if c.object_type == "column" and c.kind == A:
        if c.reason.startswith("rename"):
            return "the old code uses the old name"
        if c.reason.startswith("set not null") and existing:
            return "the old code may write nulls"
        if c.reason.startswith("drop default"):
            return "the old code may rely on the default"
    if c.object_type == "table" and c.reason.startswith("rename"):
        return "the old code uses the old name"
    if c.object_type == "enum" and c.reason.startswith("rename value"):
        return "the old code uses the old value"
    if c.object_type == "column" and c.kind == C and existing and "not null" in c.reason \
            and "default" not in c.reason and c.reason != "generated":
        return "the old code does not write the new column"
    if c.object_type == "constraint" and c.kind in (C, A) and existing:
        return "the old code's writes may violate it"
    return ""


def partition(changes: tuple[Change, ...]) -> tuple[tuple[Change, ...], tuple[Change, ...]]:
    """(expand, contract): ``changes`` (ordered, their phases set: logic/plan/ordering.py) split by phase,
    each group in its order. A required column added to an existing table goes in nullable with the expand
    changes: the contract (planned from the state between) makes it NOT NULL once the data section and
    the new code have filled it."""
    created = {c.object_name for c in changes if c.kind == C and c.object_type == "table"}
    expand: list[Change] = []
    contract: list[Change] = []
    for c in changes:
        loose = relaxed(c) if c.table not in created else None
        if loose is not None:
            expand.append(replace(loose, phase="expand"))
        elif c.phase == "contract":
            contract.append(c)
        else:
            expand.append(c)
    return tuple(expand), tuple(contract)


def relaxed(c: Change) -> Change | None:
    """A required new column on an existing table, added nullable (the contract makes it NOT NULL, once the
    data section and the new code have filled it); None for any other change."""
    if c.object_type != "column" or c.kind != C or "not null" not in c.reason or "default" in c.reason:
        return None
    sql = _NOT_NULL_END.sub(";", c.sql.rstrip(), count=1)
    if sql == c.sql.rstrip():
        return None
    return replace(c, sql=sql, reason=(c.reason.replace("not null", "").strip(", ") +
                                       " nullable until the contract").strip())


_ADD_COLUMN_RE = re.compile(r'^\s*(alter\s+table\s+.+?)\s+add\s+column\s+(?:if\s+not\s+exists\s+)?'
                            r'("(?:[^"]|"")+"|[\w$]+)', re.I | re.S)


def set_not_null(c: Change) -> Change:
    """The change that makes the column ``c`` adds (nullable, relaxed) NOT NULL."""
    m = _ADD_COLUMN_RE.match(c.sql)
    assert m, c.sql
    return Change(A, "column", c.object_name, f"{m.group(1)} alter column {m.group(2)} set not null;",
                  reason="set not null (added nullable, filled by the data section)", key=c.key)
