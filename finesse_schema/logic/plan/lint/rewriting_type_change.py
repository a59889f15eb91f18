"""FL123 rewriting-type-change: a type change rewrites the whole table.

Most type changes rewrite the table and its indexes under an ACCESS EXCLUSIVE lock; only a few
(varchar longer, varchar to text, numeric with more precision and the same scale) do not.

Bad::

    id: bigint       # was integer, on a table of 50 million rows

Good::

    add a new column, backfill it in batches, switch over (expand and contract)
"""

from __future__ import annotations

from ....core.findings import Severity
from ....core.plan import ChangeKind  # noqa: F401
from .registry import lint_rule


def binary_compatible(reason: str) -> bool:
    """Whether a ``type old -> new`` change keeps the table as it is (no rewrite)."""
    import re

    m = re.match(r"type (.+?) -> (.+?)(?: \(|$)", reason)
    if not m:
        return False
    old, new = m.group(1), m.group(2)
    if new == "text" and old.startswith(("character varying", "text")):
        return True
    vo, vn = re.match(r"character varying(?:\((\d+)\))?$", old), re.match(r"character varying(?:\((\d+)\))?$", new)
    if vo and vn:
        return vn.group(1) is None or (vo.group(1) is not None and int(vn.group(1)) >= int(vo.group(1)))
    no, nn = re.match(r"numeric\((\d+),(\d+)\)$", old), re.match(r"numeric(?:\((\d+),(\d+)\))?$", new)
    if no and nn:
        return nn.group(1) is None or (nn.group(2) == no.group(2) and int(nn.group(1)) >= int(no.group(1)))
    return False


@lint_rule("FL123", "rewriting-type-change", Severity.WARNING, "a type change rewrites the whole table", __doc__)
def RULE(ctx):  # type: ignore[no-untyped-def]
    for c in ctx.plan.upgrade:
        if c.object_type == "column" and c.reason.startswith("type ") and ctx.on_existing_table(c) \
                and not binary_compatible(c.reason):
            yield RULE.finding(ctx, c, f"column {c.object_name}: {c.reason.split(' (')[0]} rewrites "
                               f"{ctx.table_of(c)} under an exclusive lock",
                               "add a new column and backfill it in batches instead")
