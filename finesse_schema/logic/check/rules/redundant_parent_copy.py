"""FS105 redundant-parent-copy: a child table repeats a column of a table it references.

A copy of the parent's data in the child (a variant's product_name next to its
product_id) drifts: someone updates one and not the other. Read it through the
foreign key instead. A column counts as a copy when the parent has a column of the
same name and either both reference the same table (a variant's category_id next
to its product's category_id) or the name carries the parent's name
(product_name in a child of products). Generic columns (id, name, created_at...,
[tool.finesse.check] ``generic_columns``) never do.

Bad::

    variants:
      columns:
        product_id: {type: uuid, references: products.id, on_delete: cascade}
        product_name: text        # products has product_name too

Good::

    variants:
      columns:
        product_id: {type: uuid, references: products.id, on_delete: cascade}
    # SELECT v.*, p.product_name FROM variants v JOIN products p ON p.id = v.product_id
"""

from __future__ import annotations

from ....core.findings import Severity
from .registry import rule

MAX_DEPTH = 3


def parent_paths(schema, table, depth: int = MAX_DEPTH):  # type: ignore[no-untyped-def]
    """(parent table, [fk names along the way]) for every table reachable from ``table`` through foreign keys."""
    seen = {table.qualified}
    frontier = [(table, [])]
    for _ in range(depth):
        nxt = []
        for t, path in frontier:
            for fk in t.foreign_keys:
                parent = schema.table(fk.ref_table)
                if parent is None or parent.qualified in seen:
                    continue
                seen.add(parent.qualified)
                step = path + [f"{t.name}.{', '.join(fk.columns)} -> {parent.name}"]
                yield parent, step
                nxt.append((parent, step))
        frontier = nxt


def singular(table_name: str) -> str:
    for plural, single in (("ies", "y"), ("ses", "s"), ("xes", "x"), ("s", "")):
        if table_name.endswith(plural):
            return table_name[: -len(plural)] + single
    return table_name


def _target(table, column: str):  # type: ignore[no-untyped-def]
    """The table a single-column foreign key on ``column`` references, if any."""
    return next((fk.ref_table for fk in table.foreign_keys if fk.columns == (column,)), None)


@rule("FS105", "redundant-parent-copy", Severity.WARNING, "a child repeats a non-key column of a parent", __doc__)
def RULE(schema, options):  # type: ignore[no-untyped-def]
    generic = set(options.generic_columns)
    for t in schema.tables:
        for parent, path in parent_paths(schema, t):
            parent_keys = set(parent.primary_key.columns) if parent.primary_key else set()
            for col in t.columns:
                if col.name in generic or col.name in parent_keys or parent.column(col.name) is None:
                    continue
                mine, theirs = _target(t, col.name), _target(parent, col.name)
                same_reference = mine is not None and mine == theirs
                named_after_parent = col.name.startswith(singular(parent.name) + "_") and mine is None
                if not (same_reference or named_after_parent):
                    continue
                yield RULE.finding(t, f"column {col.name} repeats {parent.name}.{col.name} (via {'; '.join(path)})",
                                   f"drop it and read {parent.name}.{col.name} through the foreign key", obj=col,
                                   path=f"columns.{col.name}")
