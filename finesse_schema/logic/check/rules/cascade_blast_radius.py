"""FS110 cascade-blast-radius: one delete cascades into at most N tables.

ON DELETE CASCADE chains multiply: deleting one user may delete their orders, the
orders' lines, the lines' refunds... A chain longer than ``max_cascade_tables``
([tool.finesse.check], default 3) deletes more than anyone reviewing the delete
expects. The finding shows the longest path.

Bad::

    users <- orders (cascade) <- order_details (cascade) <- refunds (cascade) <- refund_notes (cascade)

Good::

    users <- orders (restrict): an order outlives a deleted user; or archive instead of deleting.
"""

from __future__ import annotations

from ....core.findings import Severity
from ....core.model import FkAction
from .registry import rule


def cascade_children(schema):  # type: ignore[no-untyped-def]
    out = {}
    for t in schema.tables:
        for fk in t.foreign_keys:
            if fk.on_delete == FkAction.CASCADE and fk.ref_table != t.qualified:
                out.setdefault(fk.ref_table, []).append(t)
    return out


@rule("FS110", "cascade-blast-radius", Severity.WARNING, "a delete cascades into at most N tables", __doc__)
def RULE(schema, options):  # type: ignore[no-untyped-def]
    children = cascade_children(schema)
    for t in schema.tables:
        reached, longest = {t.qualified}, [t.name]
        stack = [(t, [t.name])]
        while stack:
            node, path = stack.pop()
            for child in sorted(children.get(node.qualified, []), key=lambda c: (c.schema, c.name)):
                if child.qualified in reached:
                    continue
                reached.add(child.qualified)
                step = path + [child.name]
                if len(step) > len(longest):
                    longest = step
                stack.append((child, step))
        count = len(reached) - 1
        if count > options.max_cascade_tables:
            yield RULE.finding(t, f"deleting a row of {t.name} cascades into {count} tables "
                               f"(longest path: {' -> '.join(longest)})",
                               "make some of these foreign keys restrict or set null")
