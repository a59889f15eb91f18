"""FS101 uuid-primary-key: a primary key is one UUID column with a generated default.

UUID keys can be made anywhere (application, import, another database) without a
round trip and without colliding; a default means an insert never has to invent one.

Bad::

    orders:
      columns:
        id: {type: serial, primary_key: true}

Good::

    orders:
      columns:
        id: {type: uuid, primary_key: true, default: gen_random_uuid()}
"""

from __future__ import annotations

from ....core.findings import Severity
from .registry import rule

GENERATORS = ("gen_random_uuid(", "uuid_generate_v4(", "uuid_generate_v7(", "uuidv7(", "uuidv4(")


@rule("FS101", "uuid-primary-key", Severity.WARNING, "primary key is a UUID with a generated default", __doc__)
def RULE(schema, options):  # type: ignore[no-untyped-def]
    for t in schema.tables:
        pk = t.primary_key
        if pk is None or t.partition_by:
            continue
        col = t.column(pk.columns[0]) if len(pk.columns) == 1 else None
        if col is None:
            continue  # a composite key (a link table) is judged by its foreign keys, not here
        if col.type != "uuid":
            yield RULE.finding(t, f"primary key {col.name} is {col.type}, not uuid",
                               "use {type: uuid, primary_key: true, default: gen_random_uuid()}", obj=col,
                               path=f"columns.{col.name}")
        elif not col.default or not any(g in col.default.lower() for g in GENERATORS):
            yield RULE.finding(t, f"primary key {col.name} is a uuid without a generated default",
                               "add default: gen_random_uuid()", obj=col, path=f"columns.{col.name}")
