"""FL112 narrowing-type: a column type is narrowed.

A column's type changes to one that may not hold every value: the change fails, or values are cut.

Bad::

    name: varchar(40)     # was varchar(200)

Good::

    check the longest value first; keep the wider type
"""

from __future__ import annotations

from ....core.findings import Severity
from ....core.plan import ChangeKind  # noqa: F401
from .registry import lint_rule


@lint_rule("FL112", "narrowing-type", Severity.ERROR, "a column type is narrowed", __doc__)
def RULE(ctx):  # type: ignore[no-untyped-def]
    for c in ctx.plan.upgrade:
        if c.object_type == "column" and c.reason.startswith("type ") and c.destructive:
            yield RULE.finding(ctx, c, f"column {c.object_name}: {c.reason}", "keep the wider type, or check the "
                               "data (finesse plan's preflight counts the values that do not fit)")
