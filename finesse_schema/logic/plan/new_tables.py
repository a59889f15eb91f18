"""What a plan need not do for a table it creates itself: the table is empty when its constraints come.

migra adds every foreign key NOT VALID and validates it in a second statement, so that an existing table
is not locked while its rows are checked. For a table the same plan creates there are no rows to check:
the constraint is added valid at once and the VALIDATE goes (one line in the summary, one statement in the
revision).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ...core.plan import Change, ChangeKind

_NOT_VALID = re.compile(r"\s+not\s+valid(\s*;?\s*)$", re.I)


def validated_at_once(changes: tuple[Change, ...]) -> tuple[Change, ...]:
    """``changes`` with each NOT VALID constraint on a table they create added valid, and its VALIDATE gone."""
    created = {c.object_name for c in changes if c.kind is ChangeKind.CREATE and c.object_type == "table"}
    validated = {c.object_name for c in changes if c.object_type == "constraint" and c.reason == "validate"}
    folded = {c.object_name for c in changes
              if c.kind is ChangeKind.CREATE and c.object_type == "constraint" and c.reason.endswith(" not valid")
              and c.table in created and c.object_name in validated and _NOT_VALID.search(c.sql)}
    if not folded:
        return changes
    out = []
    for c in changes:
        if c.object_name not in folded:
            out.append(c)
        elif c.kind is ChangeKind.CREATE:
            out.append(replace(c, sql=_NOT_VALID.sub(r"\1", c.sql), reason=c.reason.removesuffix(" not valid")))
    return tuple(out)
