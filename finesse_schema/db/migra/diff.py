"""Schema differences, computed by migra (imported by loader.py, its SQL fixed by patches.py).

migra is frozen upstream, so it is pinned exactly and everything finesse needs
from it passes through here:

* ``inspect_database`` reads one database (restricted to the managed schemas);
* ``diff_statements`` lists the SQL that takes one inspected schema to another;
* ``column_types`` exposes column types so a caller can judge type changes.

migra's statements are verified by the caller (apply, diff again, expect
nothing); this module never trusts them on its own.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from ...logic.plan.classify import REPLACED_SEQUENCE_SUFFIX
from ...logic.plan.dependencies import Dependencies
from ...logic.plan.renames import LiveNames
from ...logic.sql.quoting import qualified, quote
from ...logic.sql.text import restore_in_lists
from ..extra_kinds.aggregates import Aggregates, aggregate_statements, read_aggregates
from ..extra_kinds.collations import read_collation_clauses
from ..extra_kinds.composite_types import composite_alterations
from ..connect import sa_engine
from ..dependencies import read_dependencies
from ..gaps import (Extras, comment_statements, domain_statements, dropped_objects, enum_additions,
                    forced_rls_statements, hoist_functions, identity_statements, inspect_extras, last_default_wins,
                    sequence_statements, sink_function_drops)
from ..extra_kinds.grants import ObjectKey, Privileges, privilege_statements, read_privileges
from ..extra_kinds.operators import Operators, operator_statements, read_operators
from ..partition_gaps import created_indexes, fix_partition_indexes, keep_not_valid
from ..table_gaps import TableFacts, read_table_facts, table_fact_statements
from . import patches  # noqa: F401 - schemainspect's SQL fixed before any use
from .loader import PROPS, Migration, get_inspector

# Schemas finesse keeps its own bookkeeping in; never part of a diff.
INTERNAL_SCHEMAS = ("finesse",)


@dataclass
class Inspection:
    """One database as migra sees it, plus what migra misses (see gaps.py), limited to the managed schemas."""

    inspected: Any
    schemas: tuple[str, ...]
    extras: Extras
    ignored_extensions: frozenset[str] = frozenset()
    dependencies: Dependencies = field(default_factory=Dependencies)  # what needs what: a plan's order
    tables: TableFacts = field(default_factory=TableFacts)  # storage parameters, statistics, clustering
    aggregates: Aggregates = field(default_factory=dict)  # migra does not see them
    pinned_extensions: frozenset[str] = frozenset()  # whose versions are compared
    operators: Operators = field(default_factory=dict)  # nor these
    privileges: Privileges | None = None  # read when the project manages grants (db/extra_kinds/grants.py)


def inspect_database(url: str, schemas: tuple[str, ...], ignored_extensions: frozenset[str] = frozenset(),
                     pinned_extensions: frozenset[str] = frozenset(), grants: bool = False) -> Inspection:
    """The objects of ``schemas``, without the extensions named in ``ignored_extensions`` (those schema.yaml
    declares managed: false, which a database may have or not). The versions of extensions are compared only
    for ``pinned_extensions`` (those schema.yaml gives a version): a database upgraded by pg_upgrade keeps
    older versions, and plans nothing for them. Privileges are read and compared when ``grants``."""
    keep = set(schemas) - set(INTERNAL_SCHEMAS)
    engine = sa_engine(url)
    try:
        with engine.connect() as conn:
            inspected = get_inspector(conn)
            extras = inspect_extras(conn, keep)
            dependencies = read_dependencies(conn, keep)
            table_facts = read_table_facts(conn, keep)
            clauses = read_collation_clauses(conn, keep)
            aggregates = read_aggregates(conn, keep)
            operators = read_operators(conn, keep)
            privileges = read_privileges(conn, keep) if grants else None
    finally:
        engine.dispose()
    for prop in PROPS.split():
        items = getattr(inspected, prop)
        setattr(inspected, prop, {k: v for k, v in items.items() if _schema_of(v) in keep})
    for rel in inspected.relations.values():  # a child of inheritance declares its own columns only
        if any((rel.schema, rel.name, col) in extras.inherited_columns for col in rel.columns):
            rel.columns = {k: v for k, v in rel.columns.items() if (rel.schema, rel.name, k) not in extras.inherited_columns}
    # schemainspect lists a domain over an enum as an enum without values too (migra would create both)
    inspected.enums = {k: v for k, v in inspected.enums.items() if (v.schema, v.name) not in extras.domains}
    inspected.extensions = {k: v for k, v in inspected.extensions.items() if v.name not in ignored_extensions}
    for ext in inspected.extensions.values():
        if ext.name not in pinned_extensions:
            ext.version = None
    for coll in inspected.collations.values():
        coll.finesse_clause = clauses.get((coll.schema, coll.name))
    for ix in inspected.indexes.values():  # clustering is compared apart (db/table_gaps.py): not a new index
        ix.is_clustered = False
    return Inspection(inspected, tuple(sorted(keep)), extras, ignored_extensions, dependencies, table_facts,
                      aggregates, pinned_extensions, operators, privileges)


def _schema_of(obj: Any) -> str:
    return getattr(obj, "schema", None) or getattr(obj, "name", "")


_HEAD_RE = re.compile(r"^\s*(create schema|create extension|alter extension|create type|create collation)", re.I)


def diff_statements(source: Inspection, target: Inspection) -> list[str]:
    """The statements that turn ``source`` into ``target``: migra's, with its gaps closed (gaps.py)."""
    additions, source_inspected = _enum_additions(source, target)
    alterations, patched = composite_alterations(source_inspected, target.inspected)
    if patched:  # migra is shown those composite types as already changed
        source_inspected = copy.copy(source_inspected)
        source_inspected.composite_types = {**source_inspected.composite_types, **patched}
        source_inspected.selectables = {**source_inspected.selectables, **patched}
    migration = Migration(source_inspected, target.inspected)
    migration.set_safety(False)
    migration.add_all_changes(privileges=False)
    # migra writes definitions as the server deparses them; restore the IN lists that do not parse back
    # migra writes "select 1; -- CREATE INDEX ..." for the index of an exclusion constraint (the constraint makes it)
    statements = [restore_in_lists(s.strip()) for s in migration.statements
                  if s and s.strip() and not s.strip().lower().startswith("select 1; --")]
    early, domain_drops = domain_statements(source.extras, target.extras)
    early += alterations
    # after migra has created them
    late = sequence_statements(source.extras, target.extras) + identity_statements(source.extras, target.extras)
    late += forced_rls_statements(source.extras, target.extras,
                                  {(t.schema, t.name) for t in target.inspected.tables.values()})
    late += table_fact_statements(source.tables, target.tables,
                                  {(t.schema, t.name) for t in target.inspected.tables.values()},
                                  {(m.schema, m.name) for m in target.inspected.materialized_views.values()},
                                  {(q.schema, q.name) for q in target.inspected.sequences.values()},
                                  {(i.schema, i.name) for i in target.inspected.indexes.values()},
                                  created_indexes(statements),
                                  {(t.schema, t.name, c) for t in target.inspected.tables.values() for c in t.columns})
    head = next((i for i, s in enumerate(statements) if not _HEAD_RE.match(s)), len(statements))
    tail = len(statements)
    while tail > head and statements[tail - 1].lower().startswith("drop schema"):
        tail -= 1
    statements = last_default_wins(_recreate_matview_indexes(statements, target))
    key_defs = {(c.schema, c.table_name, c.name): c.definition for c in target.inspected.constraints.values()
                if (c.schema, c.table_name) in target.extras.partitioned}
    statements = keep_not_valid(fix_partition_indexes(statements, source.extras, target.extras, key_defs),
                                target.extras)
    statements = (statements[:head] + early + sink_function_drops(statements[head:tail], domain_drops) + late
                  + statements[tail:])
    statements = _carry_generator_positions(statements, source, target)
    statements = _regenerate_generated_columns(statements, source, target)
    statements = hoist_functions(statements + comment_statements(source.extras, target.extras, statements))
    drops, creates = aggregate_statements(source.aggregates, target.aggregates)
    operator_drops, operator_creates = operator_statements(source.operators, target.operators)
    statements = operator_drops + drops + [s for s in statements if not _extension_downgrade(s, source)] + creates \
        + operator_creates
    statements = additions + _recreate_functions_of_rebuilt_enums(statements, source, target)
    if source.privileges is not None and target.privileges is not None:
        privileges = privilege_statements(source.privileges, target.privileges,
                                          _recreated(statements, target.privileges))
        # default privileges first, right after the schemas: what the plan then creates gets them, as it does
        # where they were set before (an identity's sequence, which no grant names, too)
        defaults = [s for s in privileges if s.upper().startswith("ALTER DEFAULT PRIVILEGES")]
        head = next((i for i, s in enumerate(statements) if not s.lower().startswith("create schema")),
                    len(statements))
        statements = statements[:head] + defaults + statements[head:] + [s for s in privileges if s not in defaults]
    return statements


_RECREATED_KIND = {"TABLE": ("table",), "VIEW": ("view",), "MATERIALIZED VIEW": ("view",),
                   "FUNCTION": ("function",), "PROCEDURE": ("procedure",)}


def _recreated(statements: list[str], privileges: Privileges) -> set[ObjectKey]:
    """The objects of ``privileges`` that ``statements`` drop (and create again): their privileges are gone."""
    gone = {(kind, schema, name) for dropped, schema, name, _ in dropped_objects(statements)
            for kind in _RECREATED_KIND.get(dropped, ())}
    gone |= {("sequence", *_schema_name(m.group(1))) for s in statements for m in [_SEQUENCE_DROP_RE.match(s)] if m}
    return {key for key in privileges if key[:3] in gone}


_SEQUENCE_DROP_RE = re.compile(r'^\s*drop sequence (?:if exists )?((?:"(?:[^"]|"")+"\.)?"(?:[^"]|"")+")', re.I)


def _schema_name(quoted: str) -> tuple[str, str]:
    parts = [p.replace('""', '"') for p in re.findall(r'"((?:[^"]|"")+)"', quoted)]
    return (parts[0], parts[1]) if len(parts) == 2 else ("public", parts[0])


_EXT_UPDATE_RE = re.compile(r"""^alter extension ("(?:[^"]|"")+"|[\w$]+) update to '([^']+)'""", re.I)


def _extension_downgrade(statement: str, source: Inspection) -> bool:
    """An ALTER EXTENSION ... UPDATE TO a version older than the one installed: a plan never does that (an
    extension has no path down, and what is newer keeps working)."""
    m = _EXT_UPDATE_RE.match(statement)
    if not m:
        return False
    name = m.group(1).strip('"').replace('""', '"')
    now = next((e.version for e in source.inspected.extensions.values() if e.name == name), None)
    return now is not None and _version_key(m.group(2)) < _version_key(now)


def _version_key(version: str) -> tuple:  # type: ignore[type-arg]
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\-]", version))


_ASIDE_RE = re.compile(r'^alter type ("(?:[^"]|"")+")\.("(?:[^"]|"")+") rename to "(?:[^"]|"")+__old_version_to_be_dropped"',
                       re.I)


def _recreate_functions_of_rebuilt_enums(statements: list[str], source: Inspection, target: Inspection) -> list[str]:
    """An enum that migra rebuilds (renamed aside, created anew, columns recast, old one dropped) cannot be
    dropped while a function takes or returns it: the function is dropped before the rebuild and created
    again after it (unless migra already does either)."""
    out = list(statements)
    for i, stmt in enumerate(statements):
        m = _ASIDE_RE.match(stmt)
        if not m:
            continue
        schema, name = m.group(1)[1:-1].replace('""', '"'), m.group(2)[1:-1].replace('""', '"')
        users = {k for k in source.dependencies.dependents(("type", schema, name)) if k[0] == "func"}
        for key in sorted(users):
            for sig, fn in sorted(source.inspected.functions.items()):
                if (fn.schema, fn.name) != key[1:] or any(s.strip().startswith(fn.drop_statement.rstrip(";"))
                                                          for s in out):
                    continue
                new = target.inspected.functions.get(sig)
                out.insert(out.index(stmt), fn.drop_statement)
                if new is not None and not any(s.strip() == new.create_statement.strip() for s in out):
                    created = next((k for k, s in enumerate(out) if s.lower().startswith("create type")
                                    and qualified(schema, name) in s), out.index(stmt))
                    out.insert(created + 1, new.create_statement)
    return out


_NEXTVAL_RE = re.compile(r"^nextval\('(.+)'::regclass\)$")


def _carry_generator_positions(statements: list[str], source: Inspection, target: Inspection) -> list[str]:
    """A column that switches between serial and identity keeps generating values after the existing ones.

    migra adds the new generator starting at 1, so the next insert would collide
    with existing rows; and the new generator wants the name the old one still
    holds. The old sequence is moved aside (or created only once the identity is
    gone), and the new generator is set past the old one and the column's values.
    """
    out = list(statements)
    for key, new_rel in target.inspected.tables.items():
        old_rel = source.inspected.tables.get(key)
        if old_rel is None:
            continue
        table = f"{quote(new_rel.schema)}.{quote(new_rel.name)}"
        for name, new in new_rel.columns.items():
            old = old_rel.columns.get(name)
            if old is None:
                continue
            old_seq = _NEXTVAL_RE.match(old.default or "")
            new_seq = _NEXTVAL_RE.match(new.default or "")
            if old_seq and new.is_identity:
                out = _serial_to_identity(out, table, new_rel.schema, name, old_seq.group(1))
            elif old.is_identity and new_seq:
                out = _identity_to_serial(out, table, name, new_seq.group(1))
    return out


def _find(statements: list[str], table: str, fragment: str) -> int | None:
    return next((i for i, st in enumerate(statements) if st.lower().startswith(f"alter table {table.lower()}")
                 and fragment in st.lower()), None)


def _serial_to_identity(out: list[str], table: str, schema: str, column: str, sequence: str) -> list[str]:
    seq_schema, _, seq_name = sequence.replace('"', "").rpartition(".")
    seq_schema = seq_schema or schema
    aside = f"{seq_name[:40]}{REPLACED_SEQUENCE_SUFFIX}"
    old_q, aside_q = f"{quote(seq_schema)}.{quote(seq_name)}", f"{quote(seq_schema)}.{quote(aside)}"
    col = quote(column)
    at = _find(out, table, f"alter column {col} add generated")
    if at is None:
        return out
    # owned by none: else pg_get_serial_sequence() would still name the old sequence
    out = out[:at] + [f"alter sequence {old_q} rename to {quote(aside)};", f"alter sequence {aside_q} owned by none;",
                      out[at],
                      f"select setval(pg_get_serial_sequence('{table}', '{column}'), greatest((select last_value from "
                      f"{aside_q}), (select coalesce(max({col}), 0) from {table}), 1));"] + out[at + 1:]
    return [f"drop sequence if exists {aside_q};" if st.lower().startswith("drop sequence")
            and st.replace('"', "").lower().rstrip(";").endswith(f"{seq_schema}.{seq_name}".lower()) else st
            for st in out]


def _identity_to_serial(out: list[str], table: str, column: str, sequence: str) -> list[str]:
    """Drop the identity, then create the sequence (it takes the identity's name), then set the default and
    move the sequence past the column's values: migra's order sets the default first."""
    col = quote(column)
    seq_plain = sequence.replace('"', "").lower()
    parts = [_find(out, table, f"alter column {col} drop identity"),
             next((i for i, st in enumerate(out) if st.lower().startswith("create sequence")
                   and st.replace('"', "").lower().rstrip(";").split()[-1].endswith(seq_plain)), None),
             _find(out, table, f"alter column {col} set default nextval(")]
    if any(p is None for p in parts):
        return out
    ordered = [out[p] for p in parts]  # type: ignore[index]
    first = min(parts)  # type: ignore[type-var]
    rest = [st for i, st in enumerate(out) if i not in parts]
    position = sum(1 for i in range(first) if i not in parts)
    fix = f"select setval('{sequence}', (select coalesce(max({col}), 0) + 1 from {table}), false);"
    return rest[:position] + ordered + [fix] + rest[position:]


def _enum_additions(source: Inspection, target: Inspection) -> tuple[list[str], Any]:
    """ALTER TYPE ... ADD VALUE for enums that only gain values, and the source as migra should then see it.

    migra rebuilds an enum for any change (rename it aside, create it anew, recast
    every column, drop the old one), which rewrites each table that uses it. When
    values are only added, ADD VALUE does it in place; migra is shown the enum as
    already changed.
    """
    statements: list[str] = []
    patched = {}
    for key, old in source.inspected.enums.items():
        new = target.inspected.enums.get(key)
        if new is None or list(old.elements) == list(new.elements):
            continue
        clauses = enum_additions(tuple(old.elements), tuple(new.elements))
        if clauses is None:
            continue
        statements += [f"alter type {key} {c};" for c in clauses]
        twin = copy.copy(old)
        twin.elements = list(new.elements)
        patched[key] = twin
    if not patched:
        return [], source.inspected
    view = copy.copy(source.inspected)
    view.enums = {**source.inspected.enums, **patched}
    # columns keep their own reference to the enum; point them at the changed one too, or migra
    # recasts every such column to the "same" type (a table rewrite)
    by_name = {(e.schema, e.name): e for e in patched.values()}
    relations = dict(view.relations)
    for key, rel in view.relations.items():
        hits = {n: c for n, c in rel.columns.items()
                if getattr(c, "enum", None) is not None and (c.enum.schema, c.enum.name) in by_name}
        if not hits:
            continue
        twin_rel = copy.copy(rel)
        twin_rel.columns = dict(rel.columns)
        for n, c in hits.items():
            twin_col = copy.copy(c)
            twin_col.enum = by_name[(c.enum.schema, c.enum.name)]
            twin_rel.columns[n] = twin_col
        relations[key] = twin_rel
    view.relations = relations
    for prop in ("tables", "selectables"):
        if hasattr(view, prop):
            setattr(view, prop, {k: relations.get(k, v) for k, v in getattr(view, prop).items()})
    return statements, view


_MATVIEW_CREATE_RE = re.compile(r'^\s*create\s+materialized\s+view\s+("(?:[^"]|"")+"\s*\.\s*"(?:[^"]|"")+")',
                                re.I)


def _recreate_matview_indexes(statements: list[str], target: Inspection) -> list[str]:
    """A materialized view that is (re)created loses its indexes; create the target's right after it.

    migra only creates indexes that differ between the two sides, so an unchanged
    index of a redefined materialized view would be gone after the upgrade.
    """
    out: list[str] = []
    for stmt in statements:
        out.append(stmt)
        m = _MATVIEW_CREATE_RE.match(stmt)
        if not m:
            continue
        view = " ".join(m.group(1).split()).replace(" . ", ".").replace(" .", ".").replace(". ", ".")
        for ix in sorted(target.inspected.indexes.values(), key=lambda i: i.name):
            create = ix.create_statement.strip()
            if qualified(ix.schema, ix.table_name) == view and not any(
                    s.strip().rstrip(";") == create.rstrip(";") for s in statements):
                out.append(create)
    return out


_TYPE_CHANGE_RE = re.compile(r'^alter table ("(?:[^"]|"")+"|[\w$]+)\s*\.\s*("(?:[^"]|"")+"|[\w$]+) alter column '
                             r'("(?:[^"]|"")+"|[\w$]+) (?:set data )?type ', re.I)


def _regenerate_generated_columns(statements: list[str], source: Inspection, target: Inspection) -> list[str]:
    """A column's type cannot change while a generated column reads it: the generated column is dropped before
    (nothing is lost, its values are computed) and added back after, with its indexes."""
    def unq(ident: str) -> str:
        return ident[1:-1].replace('""', '"') if ident.startswith('"') else ident

    generated = generated_columns(source)
    out: list[str] = []
    for stmt in statements:
        m = _TYPE_CHANGE_RE.match(stmt)
        if not m:
            out.append(stmt)
            continue
        schema, table, column = unq(m.group(1)), unq(m.group(2)), unq(m.group(3))
        rel = target.inspected.relations.get(qualified(schema, table))
        readers = sorted(g for (s, t, g) in generated if (s, t) == (schema, table) and rel is not None
                         and g in rel.columns and rel.columns[g].is_generated
                         and ("col", s, t, column) in source.dependencies.needs.get(("col", s, t, g), ()))
        out += [f"alter table {qualified(schema, table)} drop column {quote(g)};" for g in readers]
        out.append(stmt)
        for g in readers:
            out.append(f"alter table {qualified(schema, table)} add column {rel.columns[g].creation_clause};")  # type: ignore[union-attr]
            out += [ix.create_statement.strip() for ix in sorted(target.inspected.indexes.values(), key=lambda i: i.name)
                    if (ix.schema, ix.table_name) == (schema, table) and g in (ix.key_columns or [])]
    return out


def generated_columns(inspection: Inspection) -> frozenset[tuple[str, str, str]]:
    """(schema, table, column) of every generated column."""
    return frozenset((r.schema, r.name, c.name) for r in inspection.inspected.relations.values()
                     for c in r.columns.values() if c.is_generated)


def column_types(inspection: Inspection) -> dict[tuple[str, str, str], str]:
    """(schema, table, column) -> the column's type as format_type() prints it."""
    out: dict[tuple[str, str, str], str] = {}
    for rel in inspection.inspected.relations.values():
        for col in rel.columns.values():
            out[(rel.schema, rel.name, col.name)] = col.dbtypestr
    return out


def enum_values(inspection: Inspection) -> dict[tuple[str, str], tuple[str, ...]]:
    return {(e.schema, e.name): tuple(e.elements) for e in inspection.inspected.enums.values()}


def live_names(inspection: Inspection) -> LiveNames:
    """The names renames need (tables and columns, constraints, indexes, relations, enum values)."""
    i = inspection.inspected
    return LiveNames(
        tables={(t.schema, t.name): frozenset(t.columns) for t in i.tables.values()},
        relations=frozenset((schema, name) for kind, schema, name, _ in inspection.extras.objects
                            if kind in ("TABLE", "VIEW", "MATERIALIZED VIEW", "FOREIGN TABLE", "SEQUENCE", "INDEX")),
        constraints=frozenset((c.schema, c.table_name, c.name) for c in i.constraints.values()),
        index_tables={(x.schema, x.name): x.table_name for x in i.indexes.values()},
        enums=enum_values(inspection),
    )
