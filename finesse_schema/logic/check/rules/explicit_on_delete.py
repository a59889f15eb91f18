"""FS102 explicit-on-delete: every foreign key states what happens when its parent row is deleted.

PostgreSQL's default (NO ACTION) is a fine answer, but only when someone chose it:
deleting a user must not silently delete their order history, nor silently fail.

Bad::

    user_id: {type: uuid, references: users.id}

Good::

    user_id: {type: uuid, references: users.id, on_delete: restrict}
"""

from __future__ import annotations

from ....core.findings import Severity
from .registry import rule


@rule("FS102", "explicit-on-delete", Severity.WARNING, "every foreign key states its on_delete", __doc__)
def RULE(schema, options):  # type: ignore[no-untyped-def]
    for t in schema.tables:
        for fk in t.foreign_keys:
            if not fk.on_delete_explicit and fk.on_delete.value == "no action":
                yield RULE.finding(t, f"foreign key {fk.name} ({', '.join(fk.columns)}) -> {fk.ref_table.name} does "
                                   "not say what deleting the parent does",
                                   "add on_delete: restrict, cascade, set null or no action", obj=fk,
                                   path="foreign_keys")
