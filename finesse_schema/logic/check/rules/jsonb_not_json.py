"""FS108 jsonb-not-json: a json column is jsonb (or a table of its own).

json keeps the text as typed: duplicate keys, no indexes, no containment operators.
jsonb is what is meant almost always; and a json document with a fixed shape is
usually rows of a table waiting to happen.

Bad::

    variation: json

Good::

    variation: jsonb    # or: variant_attributes (variant_id, attribute_type_id, value)
"""

from __future__ import annotations

from ....core.findings import Severity
from .registry import rule


@rule("FS108", "jsonb-not-json", Severity.WARNING, "json columns are jsonb (or a normalized table)", __doc__)
def RULE(schema, options):  # type: ignore[no-untyped-def]
    for t in schema.tables:
        for col in t.columns:
            if col.type.replace("[]", "") == "json":
                yield RULE.finding(t, f"column {col.name} is json", "use jsonb, or a table if the shape is fixed",
                                   obj=col, path=f"columns.{col.name}")
