"""FS111 naming-convention: table, column and index names follow the project's convention.

Consistent names make a schema readable and queries writable without quoting. The
patterns are regular expressions in [tool.finesse.check] (``table_name_pattern``,
``column_name_pattern``, ``index_name_pattern``; default lower snake_case).

Bad::

    "OrderLines":
      columns:
        "Qty": integer

Good::

    order_lines:
      columns:
        quantity: integer
"""

from __future__ import annotations

import re

from ....core.findings import Severity
from .registry import rule


@rule("FS111", "naming-convention", Severity.INFO, "names follow the naming convention", __doc__)
def RULE(schema, options):  # type: ignore[no-untyped-def]
    table_re, column_re = re.compile(options.table_name_pattern), re.compile(options.column_name_pattern)
    index_re = re.compile(options.index_name_pattern)
    for t in schema.tables:
        if not table_re.match(t.name):
            yield RULE.finding(t, f"table name {t.name!r} breaks the convention {options.table_name_pattern}")
        for col in t.columns:
            if not column_re.match(col.name):
                yield RULE.finding(t, f"column name {col.name!r} breaks the convention "
                                   f"{options.column_name_pattern}", obj=col, path=f"columns.{col.name}")
        for ix in t.indexes:
            if not index_re.match(ix.name):
                yield RULE.finding(t, f"index name {ix.name!r} breaks the convention {options.index_name_pattern}",
                                   obj=ix, path="indexes")
