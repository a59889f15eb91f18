"""FL121 index-not-concurrent: an index on an existing table is built without CONCURRENTLY.

CREATE INDEX without CONCURRENTLY blocks every write to the table until it is built.

Bad::

    CREATE INDEX orders_user_id_idx ON orders (user_id)

Good::

    CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id)   -- outside a transaction
"""

from __future__ import annotations

from ....core.findings import Severity
from ....core.plan import ChangeKind  # noqa: F401
from .registry import lint_rule


@lint_rule("FL121", "index-not-concurrent", Severity.WARNING, "an index on an existing table is built without CONCURRENTLY", __doc__)
def RULE(ctx):  # type: ignore[no-untyped-def]
    for c in ctx.plan.upgrade:
        if c.kind == ChangeKind.CREATE and c.object_type == "index" and not c.reason.startswith("concurrently") \
                and ctx.on_existing_table(c):
            yield RULE.finding(ctx, c, f"index {c.object_name} on {ctx.table_of(c)} is built without CONCURRENTLY: "
                               "writes wait until it is done", "build it concurrently (finesse plan --online)")
