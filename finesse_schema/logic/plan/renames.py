"""Renames: what ``renamed_from:`` asks for, and drops plus creates that look like renames.

``rename_steps`` turns the hints of the model into rename statements (and their
inverses), given what the live database has: an object is renamed only when its
old name exists there and its new one does not, so a plan applied twice, or a
hint left in schema.yaml, does nothing more. A renamed table takes along the
constraints, indexes and sequences named after it in PostgreSQL's way
(``old_pkey`` -> ``new_pkey``), so its keys are not dropped and rebuilt.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...core.model import Schema
from ...core.plan import Change, ChangeKind
from ..sql.quoting import qualified, quote


@dataclass(frozen=True)
class LiveNames:
    """The names a live database has, as far as renames need them."""

    tables: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)  # (schema, table) -> columns
    relations: frozenset[tuple[str, str]] = frozenset()  # tables, indexes, sequences, views: (schema, name)
    constraints: frozenset[tuple[str, str, str]] = frozenset()  # (schema, table, name)
    index_tables: dict[tuple[str, str], str] = field(default_factory=dict)  # (schema, index) -> table
    enums: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class RenameStep:
    change: Change
    inverse: Change


def _step(object_type: str, name: str, sql: str, inverse_sql: str, reason: str) -> RenameStep:
    return RenameStep(Change(ChangeKind.ALTER, object_type, name, sql, False, reason),
                      Change(ChangeKind.ALTER, object_type, name, inverse_sql, False, f"undo {reason}"))


def rename_steps(schema: Schema, live: LiveNames) -> list[RenameStep]:
    """Rename statements the hints of ``schema`` call for on ``live``, in the order they must run."""
    steps: list[RenameStep] = []
    for e in schema.enums:
        values = live.enums.get((e.schema, e.name), ())
        for old, new in e.renamed_values:
            if old in values and new not in values:
                lit_old, lit_new = "'" + old.replace("'", "''") + "'", "'" + new.replace("'", "''") + "'"
                steps.append(_step("enum", f"{e.schema}.{e.name}",
                                   f"alter type {qualified(e.schema, e.name)} rename value {lit_old} to {lit_new};",
                                   f"alter type {qualified(e.schema, e.name)} rename value {lit_new} to {lit_old};",
                                   f"rename value {old} to {new}"))
    moved = _in_order([((t.schema, t.renamed_from), (t.schema, t.name)) for t in schema.tables if t.renamed_from],
                      set(live.tables))
    for t in sorted(schema.tables, key=lambda t: moved.index((t.schema, t.name)) if (t.schema, t.name) in moved
                    else len(moved)):
        current = t.name
        if (t.schema, t.name) in moved:
            old = t.renamed_from
            assert old is not None
            steps.append(_step("table", f"{t.schema}.{t.name}",
                               f"alter table {qualified(t.schema, old)} rename to {quote(t.name)};",
                               f"alter table {qualified(t.schema, t.name)} rename to {quote(old)};", f"rename from {old}"))
            steps += _follow_table_rename(t, old, live)
            current = old
        columns = live.tables.get((t.schema, current), frozenset())
        for new in _in_order([(c.renamed_from, c.name) for c in t.columns if c.renamed_from], set(columns)):
            c = next(c for c in t.columns if c.name == new)
            steps.append(_step("column", f"{t.schema}.{t.name}.{c.name}",
                               f"alter table {qualified(t.schema, t.name)} rename column {quote(c.renamed_from)} "
                               f"to {quote(c.name)};",
                               f"alter table {qualified(t.schema, t.name)} rename column {quote(c.name)} "
                               f"to {quote(c.renamed_from)};", f"rename from {c.renamed_from}"))
        moved_columns = {c.renamed_from: c.name for c in t.columns if c.renamed_from and c.renamed_from in columns
                         and c.name not in columns}
        if moved_columns:
            steps += _follow_column_renames(t, current, moved_columns, live)
        constraints = [x for x in (t.primary_key, *t.uniques, *t.checks, *t.foreign_keys) if x is not None]
        for x in constraints:
            if x.renamed_from and (t.schema, current, x.renamed_from) in live.constraints and \
                    (t.schema, current, x.name) not in live.constraints:
                steps.append(_step("constraint", f"{t.schema}.{t.name}.{x.name}",
                                   f"alter table {qualified(t.schema, t.name)} rename constraint {quote(x.renamed_from)} "
                                   f"to {quote(x.name)};",
                                   f"alter table {qualified(t.schema, t.name)} rename constraint {quote(x.name)} "
                                   f"to {quote(x.renamed_from)};", f"rename from {x.renamed_from}"))
        for ix in t.indexes:
            if ix.renamed_from and (t.schema, ix.renamed_from) in live.relations and \
                    (t.schema, ix.name) not in live.relations:
                steps.append(_step("index", f"{t.schema}.{ix.name}",
                                   f"alter index {qualified(t.schema, ix.renamed_from)} rename to {quote(ix.name)};",
                                   f"alter index {qualified(t.schema, ix.name)} rename to {quote(ix.renamed_from)};",
                                   f"rename from {ix.renamed_from}"))
    return steps


def _in_order(renames: list, existing: set) -> list:  # type: ignore[type-arg]
    """The new names of ``renames`` ((old, new) pairs) that can run, in an order where each new name is free.

    A rename runs when its old name exists and its new one does not, or stops existing because an
    earlier rename moves it away (a chain: b to c, then a to b). A pair whose new name stays taken
    (a hint left from an earlier plan, or a swap) is left to the diff."""
    names, order = set(existing), []
    pending = [(old, new) for old, new in renames if old in existing and old != new]
    while True:
        ready = [(old, new) for old, new in pending if new not in names and old in names]
        if not ready:
            return order
        for old, new in ready:
            if new not in names and old in names:  # two hints from one old name: the first takes it
                names.discard(old)
                names.add(new)
                order.append(new)
            pending.remove((old, new))


def displaced(schema: Schema, live: LiveNames) -> tuple[list[str], list[str]]:
    """What stands where a rename must go, and a note for each: the statements that drop it.

    ``renamed_from: a`` on table ``b`` while the database has both: the live ``b`` is kept by schema.yaml
    under no name (no table is named ``a`` any more or renamed from ``b``), so it is dropped, with what
    depends on it, before ``a`` takes its name. The same for columns within a table."""
    drops: list[str] = []
    notes: list[str] = []
    named = {(t.schema, t.name) for t in schema.tables}
    moving = {(t.schema, t.renamed_from) for t in schema.tables if t.renamed_from}
    for t in schema.tables:
        if t.renamed_from and t.renamed_from != t.name and (t.schema, t.renamed_from) in live.tables \
                and (t.schema, t.name) in live.tables and (t.schema, t.renamed_from) not in named \
                and (t.schema, t.name) not in moving:
            drops.append(f"drop table {qualified(t.schema, t.name)} cascade;")
            notes.append(f"table {t.schema}.{t.name} is in the way of renaming {t.renamed_from} to {t.name}: it is "
                         f"dropped first, with its rows; if renamed_from: {t.renamed_from} is left from an earlier "
                         "rename, remove it")
            continue
        current = t.renamed_from if t.renamed_from and (t.schema, t.renamed_from) in live.tables and \
            (t.schema, t.name) not in live.tables else t.name
        columns = live.tables.get((t.schema, current), frozenset())
        for c in t.columns:
            if c.renamed_from and c.renamed_from != c.name and c.renamed_from in columns and c.name in columns \
                    and all(o.name != c.renamed_from and o.renamed_from != c.name for o in t.columns):
                drops.append(f"alter table {qualified(t.schema, current)} drop column {quote(c.name)} cascade;")
                notes.append(f"column {t.schema}.{t.name}.{c.name} is in the way of renaming {c.renamed_from} to "
                             f"{c.name}: it is dropped first, with its values; if renamed_from: {c.renamed_from} is "
                             "left from an earlier rename, remove it")
    return drops, notes


def _follow_table_rename(t, old: str, live: LiveNames) -> list[RenameStep]:  # type: ignore[no-untyped-def]
    """Constraints, indexes and sequences named after the old table, renamed after the new one."""
    steps = []
    prefix = f"{old}_"
    wanted_constraints = {x.name for x in (t.primary_key, *t.uniques, *t.checks, *t.foreign_keys) if x}
    index_backed = set()
    for schema, table, name in sorted(live.constraints):
        if (schema, table) != (t.schema, old) or not name.startswith(prefix):
            continue
        new = t.name + name[len(old):]
        if new in wanted_constraints and new != name:
            steps.append(_step("constraint", f"{t.schema}.{t.name}.{new}",
                               f"alter table {qualified(t.schema, t.name)} rename constraint {quote(name)} to {quote(new)};",
                               f"alter table {qualified(t.schema, t.name)} rename constraint {quote(new)} to {quote(name)};",
                               f"rename from {name}"))
            index_backed.add(name)  # renaming a primary key or unique constraint renames its index
    wanted_indexes = {ix.name for ix in t.indexes}
    for (schema, name), table in sorted(live.index_tables.items()):
        if (schema, table) != (t.schema, old) or not name.startswith(prefix) or name in index_backed:
            continue
        new = t.name + name[len(old):]
        if new in wanted_indexes:
            steps.append(_step("index", f"{t.schema}.{new}", f"alter index {qualified(t.schema, name)} rename to {quote(new)};",
                               f"alter index {qualified(t.schema, new)} rename to {quote(name)};", f"rename from {name}"))
    for c in t.columns:
        seq = f"{old}_{c.name}_seq"
        if (t.schema, seq) in live.relations and (t.schema, f"{t.name}_{c.name}_seq") not in live.relations:
            new = f"{t.name}_{c.name}_seq"
            steps.append(_step("sequence", f"{t.schema}.{new}", f"alter sequence {qualified(t.schema, seq)} rename to {quote(new)};",
                               f"alter sequence {qualified(t.schema, new)} rename to {quote(seq)};", f"rename from {seq}"))
    return steps


def _name_after(name: str, prefix: str, old_prefix: str, moved: dict[str, str]) -> str:
    """``name`` as PostgreSQL named the object before the columns in ``moved`` (old -> new) were renamed and
    the table was ``old_prefix``: each column's part of the name gets its old name back."""
    if not name.startswith(prefix):
        return name
    rest = f"_{name[len(prefix):]}_"
    for old, new in moved.items():
        rest = rest.replace(f"_{new}_", f"_{old}_")
    return old_prefix + rest[1:-1]


def _follow_column_renames(t, current: str, moved: dict[str, str], live: LiveNames) -> list[RenameStep]:  # type: ignore[no-untyped-def]
    """Keys, checks, foreign keys and indexes named after a renamed column (``orders_code_key`` when code
    becomes ref): renamed with it, as schema.yaml names them now, instead of dropped and rebuilt."""
    steps = []
    table = qualified(t.schema, t.name)
    for x in (t.primary_key, *t.uniques, *t.checks, *t.foreign_keys):
        if x is None or x.renamed_from or (t.schema, current, x.name) in live.constraints:
            continue
        old = _name_after(x.name, f"{t.name}_", f"{current}_", moved)
        if old != x.name and (t.schema, current, old) in live.constraints:
            steps.append(_step("constraint", f"{t.schema}.{t.name}.{x.name}",
                               f"alter table {table} rename constraint {quote(old)} to {quote(x.name)};",
                               f"alter table {table} rename constraint {quote(x.name)} to {quote(old)};",
                               f"rename from {old}, with its column"))
    for ix in t.indexes:
        if ix.renamed_from or (t.schema, ix.name) in live.relations:
            continue
        old = _name_after(ix.name, f"{t.name}_", f"{current}_", moved)
        if old != ix.name and live.index_tables.get((t.schema, old)) == current:
            steps.append(_step("index", f"{t.schema}.{ix.name}",
                               f"alter index {qualified(t.schema, old)} rename to {quote(ix.name)};",
                               f"alter index {qualified(t.schema, ix.name)} rename to {quote(old)};",
                               f"rename from {old}, with its column"))
    return steps


def possible_renames(changes: tuple[Change, ...], old_types: dict, new_types: dict) -> list[str]:
    """Drops paired with creates of the same shape, which may be renames that would lose data as planned."""
    notes = []
    dropped_tables = [c.object_name for c in changes if c.kind == ChangeKind.DROP and c.object_type == "table"]
    created_tables = [c.object_name for c in changes if c.kind == ChangeKind.CREATE and c.object_type == "table"]

    def shape(types: dict, qualified: str) -> list[str]:
        schema, _, table = qualified.partition(".")
        return sorted(t for (s, tb, _c), t in types.items() if (s, tb) == (schema, table))

    for old in dropped_tables:
        for new in created_tables:
            if shape(old_types, old) and shape(old_types, old) == shape(new_types, new):
                notes.append(f"table {old} is dropped and {new} created with the same columns: if it is a rename, "
                             f"add renamed_from: {old.partition('.')[2]} to {new.partition('.')[2]} to keep its data")
    dropped_cols = [c.object_name for c in changes if c.kind == ChangeKind.DROP and c.object_type == "column"]
    created_cols = [c.object_name for c in changes if c.kind == ChangeKind.CREATE and c.object_type == "column"]
    for old in dropped_cols:
        s, t, col = old.rsplit(".", 2) if old.count(".") >= 2 else ("public", *old.split(".", 1))
        for new in created_cols:
            s2, t2, col2 = new.rsplit(".", 2) if new.count(".") >= 2 else ("public", *new.split(".", 1))
            if (s, t) == (s2, t2) and old_types.get((s, t, col)) == new_types.get((s2, t2, col2)):
                notes.append(f"column {old} is dropped and {col2} added with the same type: if it is a rename, add "
                             f"renamed_from: {col} to column {col2} to keep its data")
    return notes
