"""FS112 foreign-key-types: a foreign key's columns have the types of the columns they reference.

PostgreSQL accepts any pair of types it can compare (integer against bigint), so such a key works; but
its column cannot hold every value the parent's can (an integer child of a bigint key fails the day the
parent passes 2^31), and each lookup through it casts.

Bad::

    users: {columns: {id: bigserial}}
    issues: {columns: {user_id: {type: integer, references: users.id}}}

Good::

    issues: {columns: {user_id: {type: bigint, references: users.id}}}
"""

from __future__ import annotations

from ....core.findings import Severity
from ...schema.types import stored_type
from .registry import rule


@rule("FS112", "foreign-key-types", Severity.WARNING, "foreign key columns have the referenced columns' types",
      __doc__)
def RULE(schema, options):  # type: ignore[no-untyped-def]
    tables = {t.qualified: t for t in schema.tables}
    for t in schema.tables:
        for fk in t.foreign_keys:
            parent = tables.get(fk.ref_table)
            if parent is None:
                continue
            for mine, theirs in zip(fk.columns, fk.ref_columns):
                a, b = t.column(mine), parent.column(theirs)
                if a and b and stored_type(a.type) != stored_type(b.type):
                    yield RULE.finding(t, f"foreign key column {mine} is {stored_type(a.type)} but "
                                          f"{parent.name}.{theirs} is {stored_type(b.type)}",
                                       f"make {mine} {stored_type(b.type)}", obj=fk, path=f"columns.{mine}")
