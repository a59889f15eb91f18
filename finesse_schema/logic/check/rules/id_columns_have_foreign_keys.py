"""FS104 id-columns-have-foreign-keys: every column named like ``<thing>_id`` is backed by a foreign key.

A column that holds another row's id without a foreign key lets orphans in: the
parent is deleted, or the id was never right, and nothing notices. Where a column
only looks like a reference (an id in another system), exempt it with a reason in
[tool.finesse.check].

Bad::

    orders:
      columns:
        user_id: uuid

Good::

    orders:
      columns:
        user_id: {type: uuid, references: users.id, on_delete: restrict}
"""

from __future__ import annotations

from ....core.findings import Severity
from .registry import rule


def implied_parent(schema, table, column: str, suffix: str):  # type: ignore[no-untyped-def]
    """The table that ``column`` (``user_id``) most likely refers to: users, user, or None."""
    if not column.endswith(suffix) or column == suffix.lstrip("_"):
        return None
    thing = column[: -len(suffix)]
    names = {t.name: t for t in schema.tables if t.schema == table.schema}
    names.update({t.name: t for t in schema.tables if t.schema == "public" and t.name not in names})
    for candidate in (thing + "s", thing + "es", thing[:-1] + "ies" if thing.endswith("y") else None, thing):
        if candidate and candidate in names:
            return names[candidate]
    return None


@rule("FS104", "id-columns-have-foreign-keys", Severity.ERROR, "every <thing>_id column is backed by a foreign key",
      __doc__)
def RULE(schema, options):  # type: ignore[no-untyped-def]
    suffix = options.reference_suffix
    for t in schema.tables:
        covered = {c for fk in t.foreign_keys for c in fk.columns}
        pk = set(t.primary_key.columns) if t.primary_key and len(t.primary_key.columns) == 1 else set()
        for col in t.columns:
            if not col.name.endswith(suffix) or col.name in covered or col.name in pk:
                continue
            parent = implied_parent(schema, t, col.name, suffix)
            target = f"{parent.name}.{parent.primary_key.columns[0]}" if parent and parent.primary_key else None
            yield RULE.finding(t, f"column {col.name} looks like a reference"
                               + (f" to {parent.name}" if parent else "") + " but has no foreign key",
                               f"add references: {target} with an on_delete" if target else
                               "add a foreign key, or exempt the column with a reason in [tool.finesse.check]",
                               obj=col, path=f"columns.{col.name}")
