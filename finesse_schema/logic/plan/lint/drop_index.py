"""FL104 drop-index: an index is dropped.

An index is dropped: queries that used it scan the table instead.

Bad::

    an index left out of schema.yaml because nobody remembered why it was there

Good::

    check the workload's plans (EXPLAIN) before dropping it
"""

from __future__ import annotations

from ....core.findings import Severity
from ....core.plan import ChangeKind  # noqa: F401
from .registry import lint_rule


@lint_rule("FL104", "drop-index", Severity.WARNING, "an index is dropped", __doc__)
def RULE(ctx):  # type: ignore[no-untyped-def]
    # the index of a dropped key or unique constraint goes with it: that is the constraint's business
    keys = {c.object_name.split(".")[-1] for c in ctx.plan.upgrade
            if c.kind == ChangeKind.DROP and c.object_type == "constraint"}
    for c in ctx.plan.upgrade:
        if c.kind == ChangeKind.DROP and c.object_type == "index" and c.object_name.split(".")[-1] not in keys:
            yield RULE.finding(ctx, c, f"drops index {c.object_name}: queries that used it scan instead",
                               "check the workload's queries first")
