"""FS107 table-without-primary-key: every table has a primary key.

Without one, rows cannot be addressed one by one: no reliable updates, no logical
replication of updates and deletes, duplicates go unnoticed.

Bad::

    audit_events:
      columns:
        happened_at: timestamptz

Good::

    audit_events:
      columns:
        id: {type: uuid, primary_key: true, default: gen_random_uuid()}
        happened_at: timestamptz
"""

from __future__ import annotations

from ....core.findings import Severity
from .registry import rule


@rule("FS107", "table-without-primary-key", Severity.ERROR, "every table has a primary key", __doc__)
def RULE(schema, options):  # type: ignore[no-untyped-def]
    for t in schema.tables:
        if t.primary_key is None:
            yield RULE.finding(t, f"table {t.name} has no primary key",
                               "add id: {type: uuid, primary_key: true, default: gen_random_uuid()}")
