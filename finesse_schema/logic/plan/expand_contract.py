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

A single revision is ordered the same way (:func:`data_order`): expand changes,
its data section, contract changes, comments; the plan is verified in that order.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ...core.plan import Change, ChangeKind

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


_ADD_COLUMN_RE = re.compile(r'^\s*(alter\s+table\s+.+?)\s+add\s+column\s+(?:if\s+not\s+exists\s+)?'
                            r'("(?:[^"]|"")+"|[\w$]+)', re.I | re.S)


def _set_not_null(c: Change) -> Change:
    """The change that makes the column ``c`` adds (nullable, relaxed) NOT NULL."""
    m = _ADD_COLUMN_RE.match(c.sql)
    assert m, c.sql
    return Change(A, "column", c.object_name, f"{m.group(1)} alter column {m.group(2)} set not null;",
                  reason="set not null (added nullable, filled by the data section)")


def _sides(changes: tuple[Change, ...]) -> list[bool | None]:
    """For each change of a single revision: True when it goes after the data section (contract), False
    when before (expand), None for a comment (it goes last, once what it comments exists).

    A dropped constraint goes before the data section (it only ever refused rows). Moving an expand
    change before contract changes must not put it before what it needs:

    * a redefinition (the same object dropped, then created: a view over a changed table, an index built
      again), with the redefinitions that overlap it (a view over that view), stays on one side: contract
      when a contract change lies between, and then a column type change between waits with it (the
      dropped view was in its way). A trigger, function or policy redefined waits only for a column
      alteration between its halves: nothing else can be what it is created from;
    * a change to an object that a contract change before it already changed waits too (a column's
      default is set after its type changes, an identity after the old default is dropped);
    * any other change than adding an object (a table, column, index, function, trigger...) or loosening
      a column waits when a contract change comes before it: a new view reads what they change, a drop
      may remove what they still need (a sequence the default dropped before it used), a sequence's
      position is set once its identity exists."""
    created = {c.object_name for c in changes if c.kind == C and c.object_type == "table"}
    side: list[bool | None] = [None if c.object_type == "comment" else
                               False if _loosens(c) else bool(contract_reason(c, created)) for c in changes]
    pairs = []
    for i, c in enumerate(changes):
        if c.kind != D or c.object_type == "comment":
            continue
        j = next((j for j in range(i + 1, len(changes)) if changes[j].kind == C
                  and changes[j].object_type == c.object_type and changes[j].object_name == c.object_name), None)
        if j is not None:
            pairs.append((i, j))
    blocks: list[tuple[int, int, set[int]]] = []  # overlapping redefinitions, merged
    for i, j in sorted(pairs):
        if blocks and i < blocks[-1][1]:
            a, b, members = blocks[-1]
            blocks[-1] = (a, max(b, j), members | {i, j})
        else:
            blocks.append((i, j, {i, j}))
    for a, b, members in blocks:
        inside = [k for k in range(a, b + 1) if k not in members]
        if all(changes[m].object_type in ("trigger", "function", "policy") for m in members):
            contract = any(side[k] and changes[k].object_type == "column" and changes[k].kind == A for k in inside)
        else:
            contract = any(side[k] for k in inside)
        for m in members:
            side[m] = contract
        if contract:
            for k in inside:
                if changes[k].object_type == "column" and changes[k].reason.startswith("type "):
                    side[k] = True
    in_block = {m for _, _, members in blocks for m in members}
    changed: set[tuple[str, str]] = set()
    seen_contract = False
    for i, c in enumerate(changes):
        key = (c.object_type, c.object_name)
        if side[i] is False and (key in changed or (seen_contract and i not in in_block and not _movable(c, created))):
            side[i] = True
        if side[i]:
            changed.add(key)
            seen_contract = True
    return side


_ADDED = ("schema", "extension", "enum", "type", "domain", "sequence", "table", "column", "index", "function",
          "trigger", "policy", "collation")


def _loosens(c: Change) -> bool:
    """A dropped constraint: the data section never needs it, and a downgrade's data section may put back
    rows it would refuse (the rows moved aside before the upgrade added it)."""
    return c.kind == D and c.object_type == "constraint"


def _movable(c: Change, created: set[str]) -> bool:
    """Whether ``c`` can run before contract changes that precede it: it adds an object that needs only
    what exists or is added before it (a key of a new table too), or it loosens a column, or it is a
    session setting."""
    if c.object_type == "constraint" and c.table in created or _loosens(c):
        return True
    if c.kind == C:
        return c.object_type in _ADDED
    if c.object_type == "setting":
        return True
    return c.kind == A and c.object_type in ("column", "enum") and not c.destructive and not c.reason.startswith(
        ("rename", "set not null", "drop default"))


def data_order(changes: tuple[Change, ...], *, relax: bool = False) -> tuple[Change, ...]:
    """The changes of a single revision in the order its data section needs: the expand changes, then (where
    the data section runs) the contract ones, then the comments; each group in migra's order.

    ``relax``: a required column added to an existing table goes in nullable with the expand changes and
    is made NOT NULL first among the contract ones, so the data section can fill it (a downgrade that puts
    back a dropped column; the data section restores its values)."""
    if relax:
        created = {c.object_name for c in changes if c.kind == C and c.object_type == "table"}
        relaxed = [(_relaxed(c) if c.table not in created else None) for c in changes]
        not_null = tuple(_set_not_null(c) for c, r in zip(changes, relaxed) if r is not None)
        changes = tuple(r or c for c, r in zip(changes, relaxed))
    else:
        not_null = ()
    side = _sides(changes)
    expand = tuple(c for c, s in zip(changes, side) if s is False)
    contract = tuple(c for c, s in zip(changes, side) if s is True)
    comments = tuple(c for c, s in zip(changes, side) if s is None)
    return expand + not_null + contract + comments


def boundary(changes: tuple[Change, ...]) -> int:
    """Where the data section goes in a single revision (ordered by :func:`data_order`): before its first
    contract change, so a backfill runs after the columns it fills exist and before NOT NULL is set. Renames
    that open a plan (migra diffed the renamed schema) run first, and do not count."""
    start = next((i for i, c in enumerate(changes) if not c.reason.startswith("rename")), len(changes))
    side = _sides(changes[start:])
    return next((start + i for i, s in enumerate(side) if s), len(changes))
