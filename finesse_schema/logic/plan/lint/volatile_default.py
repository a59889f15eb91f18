"""FL124 volatile-default: a column with a volatile default is added to an existing table.

A new column whose default is volatile (random(), gen_random_uuid(), clock_timestamp()...) makes
PostgreSQL rewrite the whole table to fill it; a constant or stable default (now()) does not.

Bad::

    token: {type: uuid, default: gen_random_uuid()}     # added to a large table

Good::

    add it without a default, backfill in batches, then set the default
"""

from __future__ import annotations

from ....core.findings import Severity
from ....core.plan import ChangeKind  # noqa: F401
from .registry import lint_rule


VOLATILE = ("random(", "gen_random_uuid(", "uuid_generate_v", "clock_timestamp(", "timeofday(", "nextval(",
            "statement_timestamp(", "txid_current(")


@lint_rule("FL124", "volatile-default", Severity.WARNING, "a column with a volatile default is added to an existing table", __doc__)
def RULE(ctx):  # type: ignore[no-untyped-def]
    for c in ctx.plan.upgrade:
        if c.object_type == "column" and c.kind == ChangeKind.CREATE and c.reason.startswith("default ") \
                and ctx.on_existing_table(c) and any(f in c.reason.lower() for f in VOLATILE):
            yield RULE.finding(ctx, c, f"column {c.object_name}: {c.reason.split(', not null')[0]} is volatile, "
                               f"so adding it rewrites {ctx.table_of(c)}", "add it without a default, backfill in "
                               "batches, then set the default")
