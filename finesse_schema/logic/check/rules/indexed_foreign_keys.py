"""FS103 indexed-foreign-keys: the columns of every foreign key lead some index.

Without one, every delete or key update of the parent scans the whole child table
(under a lock), and joins from parent to children cannot use an index.

Bad::

    order_details:
      columns:
        order_id: {type: uuid, references: orders.id, on_delete: cascade}

Good::

    order_details:
      columns:
        order_id: {type: uuid, references: orders.id, on_delete: cascade}
      indexes:
        - [order_id]
"""

from __future__ import annotations

from ....core.findings import Severity
from .registry import rule


def leading_columns(table) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    """The column lists of every index, key and unique constraint of ``table`` (expressions stop a list)."""
    out = []
    if table.primary_key:
        out.append(tuple(table.primary_key.columns))
    out += [tuple(u.columns) for u in table.uniques]
    for ix in table.indexes:
        if ix.method not in ("btree", "hash") or ix.where:
            continue
        cols = []
        for e in ix.elements:
            if not e.column:
                break
            cols.append(e.column)
        out.append(tuple(cols))
    return out


@rule("FS103", "indexed-foreign-keys", Severity.WARNING, "the columns of every foreign key lead an index", __doc__)
def RULE(schema, options):  # type: ignore[no-untyped-def]
    for t in schema.tables:
        heads = leading_columns(t)
        for fk in t.foreign_keys:
            n = len(fk.columns)
            if not any(set(h[:n]) == set(fk.columns) for h in heads if len(h) >= n):
                yield RULE.finding(t, f"foreign key {fk.name} ({', '.join(fk.columns)}) has no index leading on "
                                   "its columns", f"add indexes: [[{', '.join(fk.columns)}]]", obj=fk,
                                   path="foreign_keys")
