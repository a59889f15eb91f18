"""FL122 constraint-not-valid: a foreign key or check on an existing table is added without NOT VALID.

Adding a foreign key or check validates every row while holding a lock that blocks writes
(and, for a foreign key, also locks the parent).

Bad::

    ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users

Good::

    ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users NOT VALID;
    ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_fkey;     -- in a separate step
"""

from __future__ import annotations

from ....core.findings import Severity
from ....core.plan import ChangeKind  # noqa: F401
from .registry import lint_rule


@lint_rule("FL122", "constraint-not-valid", Severity.WARNING, "a foreign key or check on an existing table is added without NOT VALID", __doc__)
def RULE(ctx):  # type: ignore[no-untyped-def]
    validated = {c.object_name for c in ctx.plan.upgrade if c.object_type == "constraint" and c.reason == "validate"}
    for c in ctx.plan.upgrade:
        if c.object_type != "constraint" or c.kind != ChangeKind.CREATE or not ctx.on_existing_table(c):
            continue
        if c.reason in ("foreign key", "check"):
            yield RULE.finding(ctx, c, f"{c.reason} {c.object_name} checks every row of {ctx.table_of(c)} under a "
                               "lock that blocks writes", "add it NOT VALID, then validate it in a separate step")
        elif c.reason in ("foreign key not valid", "check not valid") and c.object_name in validated \
                and not ctx.plan.online:  # an online plan validates in a transaction of its own
            yield RULE.finding(ctx, c, f"{c.reason.replace(' not valid', '')} {c.object_name} is added NOT VALID but "
                               "validated in the same transaction, so writes to "
                               f"{ctx.table_of(c)} wait for the whole scan",
                               "validate it in a separate revision or transaction (finesse plan --online)")
