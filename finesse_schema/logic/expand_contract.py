"""Expand and contract: which changes the running application survives, and which wait for its next release.

An *expand* change keeps every query of the old application working: a new table,
a nullable column, an index, a view, a widening type, a dropped NOT NULL. A
*contract* change can break the old code: a drop, a rename, NOT NULL on an
existing column, a narrowing type, a removed default, a new constraint that the
old code's writes may violate. ``finesse plan --split`` writes the expand changes
as one revision and the contract changes as the next, so the application can be
deployed between them; in a single revision, the data section sits between the
two groups, where a backfill belongs.

An object dropped and created again in the same plan (a view or function
redefined) stays with the group of the changes around it: contract when any
contract change lies between its drop and its create, else expand.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..core.plan import Change, ChangeKind

C, A, D = ChangeKind.CREATE, ChangeKind.ALTER, ChangeKind.DROP
_NOT_NULL_END = re.compile(r"\s+not\s+null\s*;?$", re.I)
_REDEFINED = ("view", "materialized view", "function", "trigger", "policy")


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
    """(expand, contract): ``changes`` split by :func:`contract_reason`, each group in its original order."""
    created = {c.object_name for c in changes if c.kind == C and c.object_type == "table"}
    contract = [bool(contract_reason(c, created)) for c in changes]
    for i, c in enumerate(changes):  # a redefinition: the drop goes with the create that follows it
        if c.kind != D or c.object_type not in _REDEFINED:
            continue
        j = next((j for j in range(i + 1, len(changes)) if changes[j].kind == C
                  and changes[j].object_type == c.object_type and changes[j].object_name == c.object_name), None)
        if j is not None:
            side = any(contract[i + 1:j])
            contract[i] = contract[j] = side or contract[j]
    expand = tuple(c if not k else _relaxed(c) for c, k in zip(changes, contract) if not k or _relaxed(c))
    rest = tuple(c for c, k in zip(changes, contract) if k and not _relaxed(c))
    return expand, rest


def _relaxed(c: Change) -> Change | None:
    """A required new column on an existing table, added nullable (the contract makes it NOT NULL, once the
    data section and the new code have filled it); None for any other change."""
    if c.object_type != "column" or c.kind != C or "not null" not in c.reason or "default" in c.reason:
        return None
    sql = _NOT_NULL_END.sub(";", c.sql.rstrip(), count=1)
    if sql == c.sql.rstrip():
        return None
    return replace(c, sql=sql, reason=(c.reason.replace("not null", "").strip(", ") +
                                       " nullable until the contract").strip())


def boundary(changes: tuple[Change, ...]) -> int:
    """Where the data section goes in a single revision, which is never reordered: before its first contract
    change (so a backfill runs after the columns it fills exist and before NOT NULL is set)."""
    created = {c.object_name for c in changes if c.kind == C and c.object_type == "table"}
    for i, c in enumerate(changes):
        if contract_reason(c, created):
            return i
    return len(changes)
