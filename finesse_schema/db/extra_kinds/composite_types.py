"""Composite types changed in place, where migra drops the type and creates it again (which PostgreSQL refuses
while a column, a function or another type uses it, and which empties every column of the type).

When the attributes that stay keep their order and new ones come last, one ``ALTER TYPE`` makes the change:
``DROP ATTRIBUTE``, ``ALTER ATTRIBUTE ... TYPE``, ``ADD ATTRIBUTE``; migra is then shown the type as already
changed. An attribute moved is left to migra's drop and create, which the verification proves or refuses.
"""

from __future__ import annotations

import copy
from typing import Any

from ...logic.sql.quoting import quote


def composite_alterations(source: Any, target: Any) -> tuple[list[str], dict[str, Any]]:
    """(``ALTER TYPE`` statements, the source's composite types as migra should then see them) for the
    composite types of inspection ``source`` that inspection ``target`` has changed in place."""
    statements: list[str] = []
    patched: dict[str, Any] = {}
    for key, old in source.composite_types.items():
        if key not in source.selectables:
            continue  # not in a managed schema: the inspection keeps only those among its selectables
        new = target.composite_types.get(key)
        if new is None or list(old.columns.items()) == list(new.columns.items()):
            continue
        clauses = _clauses(old.columns, new.columns)
        if not clauses:
            continue
        statements.append(f"alter type {key} {', '.join(clauses)};")
        twin = copy.copy(old)
        twin.columns = new.columns
        patched[key] = twin
    return statements, patched


def _clauses(old: dict[str, Any], new: dict[str, Any]) -> list[str] | None:
    kept = [name for name in old if name in new]
    if list(new)[:len(kept)] != kept:
        return None  # an attribute moved: only a new type can have it elsewhere
    out = [f"drop attribute {quote(name)}" for name in old if name not in new]
    for name in kept:
        before, after = old[name], new[name]
        if (before.dbtypestr, before.collation) != (after.dbtypestr, after.collation):
            out.append(f"alter attribute {quote(name)} type {after.dbtypestr}{after.collation_subclause}")
    out += [f"add attribute {quote(name)} {new[name].dbtypestr}{new[name].collation_subclause}"
            for name in list(new)[len(kept):]]
    return out
