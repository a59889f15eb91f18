"""Cross-object checks of a model: every reference resolves, every name is unique and legal.

These catch what PostgreSQL would reject (or silently accept and regret) before any
database is touched, and point at the line in schema.yaml.
"""

from __future__ import annotations

import difflib

from ...core.errors import Location, Problem
from ...core.model import FkAction, Schema, Table
from .naming import NAMEDATALEN
from .types import comparable, stored_type


def _p(message: str, loc: Location | None, path: str, hint: str = "") -> Problem:
    return Problem(message, loc, path, hint)


def _suggest(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def validate_schema(schema: Schema) -> list[Problem]:
    """Every problem in ``schema``, sorted by location."""
    problems: list[Problem] = []
    tables = {t.qualified: t for t in schema.tables}
    type_names = {(e.schema, e.name): "an enum" for e in schema.enums}
    relation_names: dict[tuple[str, str], str] = {}

    def claim(space: dict, schema_name: str, name: str, what: str, loc: Location | None, path: str) -> None:
        if len(name.encode()) > NAMEDATALEN - 1:
            problems.append(_p(f"name '{name}' is longer than 63 bytes; PostgreSQL would truncate it", loc, path,
                               "choose a shorter name"))
        key = (schema_name, name)
        if key in space:
            problems.append(_p(f"name '{name}' of {what} is already used by {space[key]} in schema {schema_name}",
                               loc, path, "choose another name"))
        else:
            space[key] = what

    for e in schema.enums:
        if len(e.name.encode()) > NAMEDATALEN - 1:
            problems.append(_p(f"name '{e.name}' is longer than 63 bytes", e.loc, f"enums.{e.name}"))
    for d in schema.domains:
        claim(type_names, d.schema, d.name, "a domain", d.loc, f"domains.{d.name}")
    for c in schema.types:  # a composite type is a relation too (pg_class), as a table's row type is a type
        claim(type_names, c.schema, c.name, "a composite type", c.loc, f"types.{c.name}")
        claim(relation_names, c.schema, c.name, "a composite type", c.loc, f"types.{c.name}")
    for t in schema.tables:
        tpath = f"tables.{t.name if t.schema == 'public' else t.qualified}"
        what = type_names.get((t.schema, t.name))
        if what in ("an enum", "a domain"):
            problems.append(_p(f"table '{t.name}' has the name of {what}; a table is also a type in PostgreSQL",
                               t.loc, tpath, f"rename the table or the {what.split(' ', 1)[1]}"))
        claim(relation_names, t.schema, t.name, f"table {t.name}", t.loc, tpath)
        for c in t.columns:
            if len(c.name.encode()) > NAMEDATALEN - 1:
                problems.append(_p(f"column name '{c.name}' is longer than 63 bytes", c.loc,
                                   f"{tpath}.columns.{c.name}", "choose a shorter name"))
        problems.extend(_table_problems(t, tpath, tables))
        # index names (primary keys' and unique constraints' too) are relations, unique per schema; constraint
        # names are unique per table
        constraints: dict[tuple[str, str], str] = {}
        if t.primary_key:
            claim(relation_names, t.schema, t.primary_key.name, f"the primary key of {t.name}", t.primary_key.loc,
                  f"{tpath}.primary_key")
            constraints[(t.schema, t.primary_key.name)] = "the primary key"
        for u in t.uniques:
            claim(relation_names, t.schema, u.name, f"a unique constraint of {t.name}", u.loc, f"{tpath}.unique")
            claim(constraints, t.schema, u.name, "a unique constraint", u.loc, f"{tpath}.unique")
        for ix in t.indexes:
            claim(relation_names, t.schema, ix.name, f"an index of {t.name}", ix.loc, f"{tpath}.indexes")
        for ck in t.checks:
            claim(constraints, t.schema, ck.name, f"a check of {t.name}", ck.loc, f"{tpath}.checks")
        for fk in t.foreign_keys:
            claim(constraints, t.schema, fk.name, f"a foreign key of {t.name}", fk.loc, f"{tpath}.foreign_keys")
        for x in t.excludes:
            claim(relation_names, t.schema, x.name, f"an exclusion constraint of {t.name}", x.loc, f"{tpath}.exclude")
            claim(constraints, t.schema, x.name, "an exclusion constraint", x.loc, f"{tpath}.exclude")
        problems.extend(_table_options_problems(t, tpath, tables))
    return sorted(problems, key=lambda p: (p.location or Location(""), p.message))


def _table_problems(t: Table, tpath: str, tables: dict) -> list[Problem]:
    problems: list[Problem] = []
    names = [c.name for c in (*Schema(tables=tuple(tables.values())).inherited_columns(t), *t.columns)]

    def need(cols: tuple[str, ...], loc: Location | None, path: str, what: str) -> bool:
        ok = True
        for c in cols:
            if c not in names:
                problems.append(_p(f"{what} names unknown column '{c}' of table '{t.name}'", loc, path,
                                   _suggest(c, names)))
                ok = False
        return ok

    if t.primary_key:
        need(t.primary_key.columns, t.primary_key.loc, f"{tpath}.primary_key", "primary key")
    for u in t.uniques:
        need(u.columns, u.loc, f"{tpath}.unique", "unique constraint")
    for ix in t.indexes:
        need(tuple(e.column for e in ix.elements if e.column), ix.loc, f"{tpath}.indexes", "index")
        need(ix.include, ix.loc, f"{tpath}.indexes", "index include")
        if ix.include and ix.method not in ("btree", "gist", "spgist"):
            problems.append(_p(f"index method {ix.method} does not support include", ix.loc, f"{tpath}.indexes"))
    for fk in t.foreign_keys:
        path = f"{tpath}.foreign_keys"
        if not need(fk.columns, fk.loc, path, "foreign key"):
            continue
        parent = tables.get(fk.ref_table)
        if parent is None:
            choices = sorted(str(q) if q.schema != "public" else q.name for q in tables)
            problems.append(_p(f"foreign key references unknown table '{fk.ref_table.name if fk.ref_table.schema in ('', 'public') else fk.ref_table}'",
                               fk.loc, path, _suggest(fk.ref_table.name, choices)))
            continue
        if not fk.ref_columns:
            problems.append(_p(f"foreign key references table '{parent.name}', which has no primary key", fk.loc,
                               path, "name the referenced columns"))
            continue
        pnames = [c.name for c in parent.columns]
        missing = [c for c in fk.ref_columns if c not in pnames]
        for c in missing:
            problems.append(_p(f"foreign key references unknown column '{c}' of table '{parent.name}'", fk.loc, path,
                               _suggest(c, pnames)))
        if missing:
            continue
        if len(fk.ref_columns) != len(fk.columns):
            problems.append(_p(f"foreign key has {len(fk.columns)} column(s) but references {len(fk.ref_columns)}",
                               fk.loc, path))
            continue
        keys = [parent.primary_key.columns] if parent.primary_key else []
        keys += [u.columns for u in parent.uniques]
        keys += [tuple(e.column for e in ix.elements) for ix in parent.indexes
                 if ix.unique and not ix.where and all(e.column for e in ix.elements)]
        if not any(set(k) == set(fk.ref_columns) for k in keys):
            problems.append(_p(f"referenced columns ({', '.join(fk.ref_columns)}) of '{parent.name}' are not its "
                               "primary key or a unique constraint", fk.loc, path,
                               "add a unique constraint on them in the parent table"))
        for mine, theirs in zip(fk.columns, fk.ref_columns):
            a, b = t.column(mine), parent.column(theirs)
            if a and b and not comparable(a.type, b.type):
                problems.append(_p(f"foreign key column '{mine}' is {a.type} but '{parent.name}.{theirs}' is {b.type}, "
                                   "which PostgreSQL cannot compare", fk.loc, path,
                                   f"make '{mine}' {stored_type(b.type)}"))
        if fk.on_delete == FkAction.SET_NULL or fk.on_update == FkAction.SET_NULL:
            for mine in fk.columns:
                col = t.column(mine)
                if col and not col.nullable:
                    problems.append(_p(f"on_delete/on_update set null, but column '{mine}' is not nullable", fk.loc,
                                       path, "make the column nullable or choose another action"))
    return problems


def _table_options_problems(t: Table, tpath: str, tables: dict) -> list[Problem]:
    """Inheritance, CLUSTER ON and exclusion constraints name what exists; UNLOGGED and partitioning agree."""
    problems: list[Problem] = []
    for parent in t.inherits:
        if parent not in tables:
            problems.append(_p(f"table '{t.name}' inherits from unknown table '{parent.name}'", t.loc,
                               f"{tpath}.inherits", _suggest(parent.name, [q.name for q in tables])))
    if t.inherits and (t.partition_by or t.partitions):
        problems.append(_p(f"table '{t.name}' both inherits and is partitioned", t.loc, f"{tpath}.inherits",
                           "use one of inherits: and partition_by:"))
    if t.cluster_on:
        names = [ix.name for ix in t.indexes] + [u.name for u in t.uniques] + (
            [t.primary_key.name] if t.primary_key else [])
        if t.cluster_on not in names:
            problems.append(_p(f"cluster_on names '{t.cluster_on}', which is not an index of '{t.name}'", t.loc,
                               f"{tpath}.cluster_on", _suggest(t.cluster_on, names)))
    columns = [c.name for c in (*Schema(tables=tuple(tables.values())).inherited_columns(t), *t.columns)]
    for x in t.excludes:
        for e in x.elements:
            if e.column and e.column not in columns:
                problems.append(_p(f"exclusion constraint names unknown column '{e.column}' of table '{t.name}'",
                                   x.loc, f"{tpath}.exclude", _suggest(e.column, columns)))
    if t.storage and (t.partition_by or t.partitions):
        problems.append(_p("a partitioned table keeps no storage parameters (PostgreSQL refuses them)", t.loc,
                           f"{tpath}.with", "remove with:"))
    return problems
