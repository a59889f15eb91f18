"""FS106 redundant-indexes: an index that another index (or key) already provides.

Two indexes on the same columns, or one whose columns are the leading columns of
another with the same method and predicate, cost writes and space and give reads
nothing. (A unique index is never redundant: it enforces something.)

Bad::

    indexes:
      - [user_id]
      - [user_id, created_at]

Good::

    indexes:
      - [user_id, created_at]
"""

from __future__ import annotations

from ....core.findings import Severity
from .registry import rule


def _signature(ix):  # type: ignore[no-untyped-def]
    return tuple((e.column, e.expression, e.descending, e.nulls, e.opclass) for e in ix.elements)


@rule("FS106", "redundant-indexes", Severity.WARNING, "no duplicate or prefix-redundant indexes", __doc__)
def RULE(schema, options):  # type: ignore[no-untyped-def]
    for t in schema.tables:
        keys = []
        if t.primary_key:
            keys.append(("primary key " + t.primary_key.name, tuple((c, None, False, None, None)
                                                                    for c in t.primary_key.columns), "btree", None))
        keys += [(f"unique {u.name}", tuple((c, None, False, None, None) for c in u.columns), "btree", None)
                 for u in t.uniques]
        keys += [(f"index {ix.name}", _signature(ix), ix.method, ix.where) for ix in t.indexes]
        for ix in t.indexes:
            if ix.unique or ix.method not in ("btree", "hash"):
                continue
            mine = _signature(ix)
            for label, other, method, where in keys:
                if label == f"index {ix.name}" or method != ix.method or where != ix.where:
                    continue
                same = other == mine
                prefix = ix.method == "btree" and len(other) > len(mine) and other[: len(mine)] == mine
                if same or prefix:
                    # of two identical plain indexes, report only the later one
                    if same and label.startswith("index ") and [i.name for i in t.indexes].index(label[6:]) > \
                            [i.name for i in t.indexes].index(ix.name):
                        continue
                    yield RULE.finding(t, f"index {ix.name} is {'the same as' if same else 'a prefix of'} {label}",
                                       f"drop index {ix.name}", obj=ix, path="indexes")
                    break
