"""FL101 drop-table: a table is dropped.

A table is dropped: every row in it is gone, and code that reads it breaks.

Bad::

    tables: {orders: ...}        # legacy_orders left out of schema.yaml

Good::

    keep it, rename it (renamed_from), or back it up and drop it in a contract revision
"""

from __future__ import annotations

from ....core.findings import Severity
from ....core.plan import ChangeKind  # noqa: F401
from .registry import lint_rule


@lint_rule("FL101", "drop-table", Severity.ERROR, "a table is dropped", __doc__)
def RULE(ctx):  # type: ignore[no-untyped-def]
    for c in ctx.plan.upgrade:
        if c.kind == ChangeKind.DROP and c.object_type == "table":
            yield RULE.finding(ctx, c, f"drops table {c.object_name} and every row in it",
                               "keep it, rename it (renamed_from), or drop it in a contract revision after a backup")
