"""FL130 drop-used-index: the plan drops an index the live database's queries have been using.

An index the database has is there because its application used it; a workload file is a sample, not
the application. At plan time finesse reads pg_stat_user_indexes: an index scanned more than
``used_index_scans`` times ([tool.finesse.check], default 10) since the statistics were reset is an
error, unless an index schema.yaml keeps serves every query it served (its keys a leading prefix of the
other's, the same predicate, method and uniqueness). Suppress it with the reason where the drop is meant.

Bad::

    orders_status_idx left out of schema.yaml: scanned 48,210 times in 30 days, and nothing replaces it

Good::

    indexes: [[status, created_at]]   -- serves every query (status) served, so (status) can go
"""

from __future__ import annotations

from ....core.findings import Severity
from ....core.plan import ChangeKind
from ...check.index_use import desired_indexes, served_by
from .registry import lint_rule


@lint_rule("FL130", "drop-used-index", Severity.ERROR, "the plan drops an index the live queries use", __doc__)
def RULE(ctx):  # type: ignore[no-untyped-def]
    stats = ctx.index_statistics
    if stats is None:
        return
    live = {ix.qualified: ix for ix in stats.indexes}
    kept = desired_indexes(ctx.model) if ctx.model is not None else []
    keys = {c.object_name for c in ctx.plan.upgrade if c.kind == ChangeKind.DROP and c.object_type == "constraint"}
    for c in ctx.plan.upgrade:
        ix = live.get(c.object_name)
        if c.kind != ChangeKind.DROP or c.object_type != "index" or ix is None or ix.scans <= ctx.used_index_scans:
            continue
        if ix.constraint is not None and f"{ix.table_name}.{ix.constraint}" in keys:
            continue  # the key goes with its index: the constraint's change says so
        if served_by(ix, [k for k in kept if k.table_name == ix.table_name]) is not None:
            continue
        yield RULE.finding(ctx, c, f"drops index {ix.qualified} ({', '.join(ix.keys)}"
                           + (f" WHERE {ix.predicate}" if ix.predicate else "") + f"), scanned {ix.scans:,} times "
                           f"in {stats.age} of statistics, and no index schema.yaml keeps serves its queries",
                           "keep it, or index columns that lead with its own; if the drop is meant, suppress "
                           "FL130 for this table with the reason", table=ix.table_name)
