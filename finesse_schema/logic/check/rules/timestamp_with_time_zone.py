"""FS109 timestamp-with-time-zone: points in time are timestamptz.

timestamp without time zone stores a wall-clock reading with no zone: the same
value means different instants to servers and clients in other zones, and
daylight saving makes some readings ambiguous.

Bad::

    created_at: {type: timestamp, default: now()}

Good::

    created_at: {type: timestamptz, default: now()}
"""

from __future__ import annotations

from ....core.findings import Severity
from .registry import rule


@rule("FS109", "timestamp-with-time-zone", Severity.WARNING, "timestamps are timestamp with time zone", __doc__)
def RULE(schema, options):  # type: ignore[no-untyped-def]
    for t in schema.tables:
        for col in t.columns:
            if col.type.replace("[]", "").startswith("timestamp") and "without time zone" in col.type:
                yield RULE.finding(t, f"column {col.name} is timestamp without time zone",
                                   "use timestamptz", obj=col, path=f"columns.{col.name}")
