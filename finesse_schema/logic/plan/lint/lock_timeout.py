"""FL131 missing-lock-timeout: apply runs without a lock_timeout.

Without lock_timeout, a statement that waits for a lock (behind a long transaction) makes
every query after it wait too: the table is down until the lock comes.

Bad::

    [tool.finesse]
    lock_timeout = "0"

Good::

    [tool.finesse]
    lock_timeout = "5s"     # the default; apply retries when it is not granted
"""

from __future__ import annotations

from ....core.findings import Severity
from ....core.plan import ChangeKind  # noqa: F401
from .registry import lint_rule


@lint_rule("FL131", "missing-lock-timeout", Severity.ERROR, "apply runs without a lock_timeout", __doc__)
def RULE(ctx):  # type: ignore[no-untyped-def]
    if ctx.plan.upgrade and ctx.lock_timeout.strip() in ("", "0", "0s", "0ms"):
        yield RULE.finding(ctx, None, "apply would run these statements without a lock_timeout",
                           "set lock_timeout in [tool.finesse] (default 5s)")
