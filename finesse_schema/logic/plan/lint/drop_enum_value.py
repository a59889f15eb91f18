"""FL103 drop-enum-value: an enum value is removed.

An enum value is removed: rows holding it make the change fail, and code writing it breaks.

Bad::

    enums: {order_status: [pending, paid]}    # shipped removed while orders are shipped

Good::

    update the rows to another value first; remove the value in a later revision
"""

from __future__ import annotations

from ....core.findings import Severity
from ....core.plan import ChangeKind  # noqa: F401
from .registry import lint_rule


@lint_rule("FL103", "drop-enum-value", Severity.ERROR, "an enum value is removed", __doc__)
def RULE(ctx):  # type: ignore[no-untyped-def]
    for c in ctx.plan.upgrade:
        if c.object_type == "enum" and c.reason.startswith("values removed"):
            yield RULE.finding(ctx, c, f"enum {c.object_name}: {c.reason}", "update the rows that hold them first")
