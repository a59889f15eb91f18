"""The indexes a database has and how its application uses them: which one serves another's queries, which are
never scanned, which foreign keys no index serves. Pure: db/usage/index_usage.py reads the catalog and the statistics.

An index serves every query another served only when the other's key columns are a leading prefix of its
own, with the same predicate (a partial index serves only its rows), the same method, and, for a unique
index, the same columns and uniqueness too (it enforces something). The rules:

FS206 unused-index         never scanned since the statistics were reset (a unique or key index enforces
                           something, and is not reported)
FS207 redundant-index      another index serves every query it can (a duplicate, or a leading prefix)
FS208 foreign-key-unindexed  no index leads with a foreign key's columns: a delete or key update of the
                           parent scans the whole child table, and joins from the parent cannot use one
"""

from __future__ import annotations

from dataclasses import dataclass

from ...core.findings import Finding, Severity
from ...core.model import Schema

INDEX_RULES = {
    "FS206": ("unused-index", Severity.WARNING, "an index never scanned since the statistics were reset"),
    "FS207": ("redundant-index", Severity.WARNING, "an index whose queries another index serves"),
    "FS208": ("foreign-key-unindexed", Severity.WARNING, "a foreign key no index leads with"),
}


@dataclass(frozen=True)
class LiveIndex:
    schema: str
    table: str
    name: str
    keys: tuple[str, ...]  # column names; an expression as "(its text)"
    predicate: str | None = None
    unique: bool = False
    method: str = "btree"
    constraint: str | None = None  # the key or unique constraint it enforces
    scans: int = 0

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def table_name(self) -> str:
        return f"{self.schema}.{self.table}"


@dataclass(frozen=True)
class IndexStatistics:
    indexes: tuple[LiveIndex, ...]
    since: str | None  # when the statistics were last reset (None: never, since the cluster began)
    age: str  # how long they have been gathered, for people ("12 days")
    foreign_keys: tuple[tuple[str, str, str, tuple[str, ...]], ...] = ()  # (schema, table, name, columns)


def serves(other: LiveIndex, index: LiveIndex) -> bool:
    """Whether ``other`` serves every query ``index`` serves (see the module's docstring)."""
    if other.name == index.name and other.schema == index.schema:
        return False
    if (other.schema, other.table, other.method, other.predicate) != (index.schema, index.table, index.method,
                                                                    index.predicate):
        return False
    if index.method != "btree" and other.keys != index.keys:
        return False
    if other.keys[:len(index.keys)] != index.keys:
        return False
    return not index.unique or (other.unique and other.keys == index.keys)


def served_by(index: LiveIndex, others: list[LiveIndex] | tuple[LiveIndex, ...]) -> LiveIndex | None:
    """The first of ``others`` (by name) that serves ``index``'s queries, or None."""
    return next((o for o in sorted(others, key=lambda o: o.name) if serves(o, index)), None)


def desired_indexes(schema: Schema) -> list[LiveIndex]:
    """The indexes schema.yaml asks for, as keys finesse can compare with live ones (a predicate only when
    the index has none: predicates are compared as the catalog prints them, which schema.yaml does not)."""
    out = []
    for t in schema.tables:
        if t.primary_key is not None:
            out.append(LiveIndex(t.schema, t.name, t.primary_key.name, tuple(t.primary_key.columns), None, True,
                                 constraint=t.primary_key.name))
        for u in t.uniques:
            out.append(LiveIndex(t.schema, t.name, u.name, tuple(u.columns), None, True, constraint=u.name))
        for ix in t.indexes:
            if ix.where is not None or ix.include:
                continue
            keys = tuple(e.column if e.column and not e.descending and not e.opclass
                         else f"({e.expression or e.column})" for e in ix.elements)
            out.append(LiveIndex(t.schema, t.name, ix.name, keys, None, ix.unique, ix.method))
    return out


def _finding(code: str, subject: str, message: str, hint: str) -> Finding:
    name, severity, _ = INDEX_RULES[code]
    return Finding(subject, code, message, severity, hint, None, "", name)


def index_findings(stats: IndexStatistics) -> list[Finding]:
    """FS206, FS207 and FS208 over what the database has."""
    out = []
    by_table: dict[str, list[LiveIndex]] = {}
    for ix in stats.indexes:
        by_table.setdefault(ix.table_name, []).append(ix)
    for ix in sorted(stats.indexes, key=lambda i: (i.table_name, i.name)):
        if ix.scans == 0 and not ix.unique and ix.constraint is None:
            out.append(_finding("FS206", ix.table_name, f"index {ix.qualified} was never scanned in {stats.age} of "
                                "statistics", "drop it if the whole application has run in that time (a rare "
                                "report's index looks unused until month end)"))
        other = served_by(ix, by_table[ix.table_name])
        if other is None or ix.constraint is not None:
            continue
        duplicate = other.keys == ix.keys and other.unique == ix.unique
        if duplicate and other.constraint is None and ix.name < other.name:
            continue  # a pair of duplicates is reported once, at the later name
        what = f"duplicates {other.qualified}" if duplicate else \
            f"is a leading prefix of {other.qualified} ({', '.join(other.keys)}), which serves every query it can"
        out.append(_finding("FS207", ix.table_name, f"index {ix.qualified} ({', '.join(ix.keys)}) {what}",
                            f"drop {ix.qualified}: {other.qualified} serves its queries"))
    for schema, table, name, columns in stats.foreign_keys:
        indexes = by_table.get(f"{schema}.{table}", [])
        if not any(ix.predicate is None and ix.method == "btree" and set(ix.keys[:len(columns)]) == set(columns)
                   for ix in indexes):
            out.append(_finding("FS208", f"{schema}.{table}", f"foreign key {name} ({', '.join(columns)}) has no index "
                                "that leads with its columns: deleting or re-keying a parent row scans the table",
                                f"index ({', '.join(columns)})"))
    return out
