"""FL102 drop-column: a column is dropped.

A column is dropped: its data is lost, and the running application may still read it.

Bad::

    the column removed from schema.yaml in the same release that stops reading it

Good::

    release code that no longer reads it, then drop it (plan --split puts the drop in the contract revision)
"""

from __future__ import annotations

from ....core.findings import Severity
from ....core.plan import ChangeKind  # noqa: F401
from .registry import lint_rule


@lint_rule("FL102", "drop-column", Severity.ERROR, "a column is dropped", __doc__)
def RULE(ctx):  # type: ignore[no-untyped-def]
    for c in ctx.plan.upgrade:
        if c.kind == ChangeKind.DROP and c.object_type == "column":
            yield RULE.finding(ctx, c, f"drops column {c.object_name}: its data is lost and code that reads it "
                               "breaks", "deploy code that no longer reads it first")
