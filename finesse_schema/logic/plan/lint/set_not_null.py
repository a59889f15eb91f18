"""FL113 set-not-null: NOT NULL is added to an existing column.

NOT NULL on an existing column scans the whole table under an exclusive lock, and fails on
the first null; code that still writes nulls breaks.

Bad::

    email: {type: text, nullable: false}     # was nullable, on a large table

Good::

    add CHECK (email IS NOT NULL) NOT VALID, validate it, then SET NOT NULL (no scan since PostgreSQL 12)
"""

from __future__ import annotations

from ....core.findings import Severity
from ....core.plan import ChangeKind  # noqa: F401
from .registry import lint_rule


@lint_rule("FL113", "set-not-null", Severity.WARNING, "NOT NULL is added to an existing column", __doc__)
def RULE(ctx):  # type: ignore[no-untyped-def]
    for c in ctx.plan.upgrade:
        if c.object_type == "column" and c.reason.startswith("set not null") and ctx.on_existing_table(c):
            if "no scan" in c.reason:  # online: the lock is short, the contract with the application remains
                yield RULE.finding(ctx, c, f"column {c.object_name} becomes NOT NULL: code that still writes nulls "
                                   "to it fails", "deploy code that always writes it before this revision")
                continue
            yield RULE.finding(ctx, c, f"column {c.object_name}: set not null scans {ctx.table_of(c)} under an "
                               "exclusive lock", "go through a validated CHECK (col IS NOT NULL) NOT VALID")
