"""What migra gets wrong about partitioned tables and NOT VALID constraints (see db/gaps.py for the rest).

* A partitioned table's index is created on the parent only (PostgreSQL builds the partitions' own), and
  an index or key a partition inherits is neither created nor dropped on the partition by itself.
* A constraint the target has NOT VALID is added NOT VALID once and never validated; a foreign key of a
  partitioned table is added valid at once (PostgreSQL refuses NOT VALID there).
"""

from __future__ import annotations

import re

from ..logic.sql.quoting import qualified, quote
from .gaps import Extras


_CREATE_INDEX_RE = re.compile(r'^\s*create\s+(?:unique\s+)?index\s+(?:concurrently\s+)?("(?:[^"]|"")+"|[\w$]+)\s+on\s+'
                              r'(only\s+)?("(?:[^"]|"")+"|[\w$]+)\s*\.\s*("(?:[^"]|"")+"|[\w$]+)', re.I)
_DROP_INDEX_RE = re.compile(r'^\s*drop\s+index\s+(?:concurrently\s+)?(?:if\s+exists\s+)?'
                            r'("(?:[^"]|"")+"|[\w$]+)\s*\.\s*("(?:[^"]|"")+"|[\w$]+)', re.I)
_TABLE_RE = re.compile(r'^\s*(create|drop)\s+table\s+(?:if\s+(?:not\s+)?exists\s+)?'
                       r'("(?:[^"]|"")+"|[\w$]+)\s*\.\s*("(?:[^"]|"")+"|[\w$]+)', re.I)
_CONSTRAINT_RE = re.compile(r'^\s*alter\s+table\s+("(?:[^"]|"")+"|[\w$]+)\s*\.\s*("(?:[^"]|"")+"|[\w$]+)\s+'
                            r'(add|drop|validate)\s+constraint\s+(?:if\s+exists\s+)?("(?:[^"]|"")+"|[\w$]+)', re.I)
_USING_INDEX_RE = re.compile(r'^\s*alter\s+table\s+("(?:[^"]|"")+"|[\w$]+)\s*\.\s*("(?:[^"]|"")+"|[\w$]+)\s+'
                             r'add\s+constraint\s+("(?:[^"]|"")+"|[\w$]+)\s+(?:primary\s+key|unique)\s+using\s+index', re.I)


def _unq(ident: str) -> str:
    return ident[1:-1].replace('""', '"') if ident.startswith('"') else ident


def fix_partition_indexes(statements: list[str], source: Extras, target: Extras,
                          constraint_defs: dict[tuple[str, str, str], str]) -> list[str]:
    """Make migra's index statements work on partitioned tables (see the module docstring)."""
    tables = {"create": set(), "drop": set()}
    indexes = {"create": set(), "drop": set()}
    for stmt in statements:
        if m := _TABLE_RE.match(stmt):
            tables[m.group(1).lower()].add((_unq(m.group(2)), _unq(m.group(3))))
        elif m := _CREATE_INDEX_RE.match(stmt):
            indexes["create"].add((_unq(m.group(3)), _unq(m.group(1))))
        elif m := _DROP_INDEX_RE.match(stmt):
            indexes["drop"].add((_unq(m.group(1)), _unq(m.group(2))))
    keyed = {(s, n) for (s, _t, n) in constraint_defs}  # indexes that back a key constraint
    out = []
    for stmt in statements:
        if (c := _CONSTRAINT_RE.match(stmt)) and (_unq(c.group(1)), _unq(c.group(2)), _unq(c.group(4))) in (
                source.inherited_constraints if c.group(3).lower() == "drop" else target.inherited_constraints):
            continue  # created, validated and dropped with the parent table's constraint
        if m := _CREATE_INDEX_RE.match(stmt):
            schema, name, table = _unq(m.group(3)), _unq(m.group(1)), _unq(m.group(4))
            parent = target.index_parents.get((schema, name))
            if parent and (parent in indexes["create"] or (schema, table) in tables["create"]):
                continue  # PostgreSQL creates it with its parent index or its partition
            if m.group(2) and (schema, table) in target.partitioned:
                if (schema, name) in keyed:
                    continue  # the key constraint is added from its definition, below
                stmt = stmt[:m.start(2)] + stmt[m.end(2):]  # ON ONLY -> ON: cascade to the partitions
        elif m := _DROP_INDEX_RE.match(stmt):
            if (_unq(m.group(1)), _unq(m.group(2))) in source.index_parents:
                continue  # an attached partition index goes only with its parent index or its partition
        elif (m := _TABLE_RE.match(stmt)) and m.group(1).lower() == "drop":
            parent = source.partition_parents.get((_unq(m.group(2)), _unq(m.group(3))))
            if parent and parent in tables["drop"]:
                continue  # dropped with its partitioned table
        elif m := _USING_INDEX_RE.match(stmt):
            schema, table, name = _unq(m.group(1)), _unq(m.group(2)), _unq(m.group(3))
            if (schema, table) in target.partitioned and (schema, table, name) in constraint_defs:
                stmt = (f"alter table {qualified(schema, table)} add constraint {quote(name)} "
                        f"{constraint_defs[(schema, table, name)]};")
        out.append(stmt)
    return out


_DOUBLE_NOT_VALID_RE = re.compile(r"\s+NOT VALID\s+not valid\s*;\s*$", re.I)


def keep_not_valid(statements: list[str], target: Extras) -> list[str]:
    """A constraint the target has NOT VALID: add it once NOT VALID, and do not validate it. A foreign key
    of a partitioned table is added valid at once (PostgreSQL refuses NOT VALID there), and not validated."""
    out = []
    for stmt in statements:
        c = _CONSTRAINT_RE.match(stmt)
        key = (_unq(c.group(1)), _unq(c.group(2)), _unq(c.group(4))) if c else None
        on_partitioned = key is not None and key[:2] in target.partitioned
        if c and c.group(3).lower() == "validate" and (key in target.unvalidated or on_partitioned):
            continue
        stmt = _DOUBLE_NOT_VALID_RE.sub(" NOT VALID;", stmt)
        if c and c.group(3).lower() == "add" and on_partitioned:
            stmt = _TRAILING_NOT_VALID_RE.sub(";", stmt)
        out.append(stmt)
    return out


_TRAILING_NOT_VALID_RE = re.compile(r"\s+not valid\s*;?\s*$", re.I)


def created_indexes(statements: list[str]) -> set[tuple[str, str]]:
    """(schema, name) of each index ``statements`` create."""
    return {(_unq(m.group(3)), _unq(m.group(1))) for s in statements if (m := _CREATE_INDEX_RE.match(s))}
