"""FL111 rename: a table, column or constraint is renamed.

A rename is backward-incompatible: the running application still uses the old name.

Bad::

    columns: {variant_id: {type: uuid, renamed_from: product_id}}    # in the same release as the code change

Good::

    expand: add the new column (or a view with the old shape); contract: drop the old one after the deploy
"""

from __future__ import annotations

from ....core.findings import Severity
from ....core.plan import ChangeKind  # noqa: F401
from .registry import lint_rule


@lint_rule("FL111", "rename", Severity.WARNING, "a table, column or constraint is renamed", __doc__)
def RULE(ctx):  # type: ignore[no-untyped-def]
    for c in ctx.plan.upgrade:
        if c.reason.lower().startswith(("rename from", "rename to", "rename value")) and \
                not c.reason.endswith(", with its column"):  # follows a column's rename, reported once for it
            yield RULE.finding(ctx, c, f"{c.object_type} {c.object_name}: {c.reason}; code using the old name breaks",
                               "keep the old name readable (a view, or both columns) until the code has moved")
