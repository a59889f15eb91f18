"""Schema differences, computed by migra. The only module that imports migra (and schemainspect).

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
import importlib
import inspect
import re
import sys
import types
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _resource_stream(module_name: str, resource: str) -> Any:
    """pkg_resources.resource_stream: a file beside the named module (package or not)."""
    module = importlib.import_module(module_name)
    return (Path(module.__file__ or "").parent / resource).open("rb")


def _import_migra() -> tuple[Any, Any, str]:
    """Import migra with a stand-in for pkg_resources.

    schemainspect imports pkg_resources for one function, resource_stream. The real
    module is gone from new setuptools, and where it exists importing it scans every
    installed distribution (most of a second). The stand-in is in sys.modules only
    while migra imports, so nothing else in the process ever sees it.
    """
    missing = "pkg_resources" not in sys.modules
    if missing:
        shim = types.ModuleType("pkg_resources")
        shim.resource_stream = _resource_stream  # type: ignore[attr-defined]
        sys.modules["pkg_resources"] = shim
    # schemainspect finds the caller of resource_text() with inspect.stack(), which reads the
    # source of every frame: over a second at import on a deep stack. Frames are all it uses.
    real_stack = inspect.stack
    inspect.stack = _frames_only  # type: ignore[assignment]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from migra import Migration
            from schemainspect import get_inspector
            from schemainspect.pg.obj import PROPS
    finally:
        inspect.stack = real_stack  # type: ignore[assignment]
        if missing:
            sys.modules.pop("pkg_resources", None)
    return Migration, get_inspector, PROPS


def _frames_only(context: int = 1) -> list[tuple[Any]]:
    """inspect.stack() without source lines: (frame,) for the caller and every frame above it."""
    out = []
    frame = sys._getframe(1)
    while frame is not None:
        out.append((frame,))
        frame = frame.f_back
    return out


Migration, get_inspector, PROPS = _import_migra()


def _patch_column_collation() -> None:
    """migra's CREATE TABLE leaves out column collations, and its ADD COLUMN puts COLLATE after the
    default (where it collates the default, not the column). Both write it after the type here."""
    from schemainspect.inspected import ColumnInfo

    def creation_clause(self: Any) -> str:
        x = f"{self.quoted_name} {self.dbtypestr}{self.collation_subclause}"
        if self.is_identity:
            x += f" generated {'always' if self.is_identity_always else 'by default'} as identity"
        if self.not_null:
            x += " not null"
        if self.is_generated:
            x += f" generated always as ({self.default}) stored"
        elif self.default:
            x += f" default {self.default}"
        return x

    ColumnInfo.creation_clause = property(creation_clause)  # type: ignore[assignment]
    ColumnInfo.add_column_clause = property(lambda self: f"add column {self.creation_clause}")  # type: ignore[assignment]


_patch_column_collation()


def _patch_enum_literals() -> None:
    """schemainspect writes enum values between quotes without doubling the quotes inside them: a value
    with a quote broke the statement, and a crafted one could end it. Each value is a literal here."""
    from schemainspect.pg.obj import InspectedEnum

    from ..logic.sql.quoting import sql_literal

    InspectedEnum.quoted_elements = property(lambda self: ", ".join(sql_literal(e) for e in self.elements))  # type: ignore[assignment]


_patch_enum_literals()


def _patch_attach_statement() -> None:
    """schemainspect's ATTACH PARTITION names the partition where the parent goes, and reads an attribute it
    does not have (a traceback for any table that becomes a partition); INHERIT lacks its semicolon."""
    from schemainspect.pg.obj import InspectedSelectable

    def attach_statement(self: Any) -> str | None:
        if not self.parent_table:
            return None
        if self.partition_def:
            return f"alter table {self.parent_table} attach partition {self.quoted_full_name} {self.partition_def};"
        return f"alter table {self.quoted_full_name} inherit {self.parent_table};"

    def detach_statement(self: Any) -> str | None:
        if not self.parent_table:
            return None
        if self.partition_def:
            return f"alter table {self.parent_table} detach partition {self.quoted_full_name};"
        return f"alter table {self.quoted_full_name} no inherit {self.parent_table};"

    InspectedSelectable.attach_statement = property(attach_statement)  # type: ignore[assignment]
    InspectedSelectable.detach_statement = property(detach_statement)  # type: ignore[assignment]


_patch_attach_statement()

from ..logic.plan.classify import REPLACED_SEQUENCE_SUFFIX  # noqa: E402
from ..logic.sql.quoting import qualified, quote  # noqa: E402
from ..logic.sql.text import restore_in_lists  # noqa: E402
from ..logic.plan.dependencies import Dependencies  # noqa: E402
from .connect import sa_engine  # noqa: E402
from .dependencies import read_dependencies  # noqa: E402
from .table_gaps import TableFacts, read_table_facts, table_fact_statements  # noqa: E402
from .gaps import (Extras, comment_statements, domain_statements, hoist_functions, inspect_extras,  # noqa: E402
                   sequence_statements, sink_function_drops)
from .gaps import enum_additions, forced_rls_statements, identity_statements, last_default_wins  # noqa: E402
from .partition_gaps import fix_partition_indexes, keep_not_valid  # noqa: E402
from ..logic.plan.renames import LiveNames  # noqa: E402

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


def inspect_database(url: str, schemas: tuple[str, ...],
                     ignored_extensions: frozenset[str] = frozenset()) -> Inspection:
    """The objects of ``schemas``, without the extensions named in ``ignored_extensions`` (those schema.yaml
    declares managed: false, which a database may have or not)."""
    keep = set(schemas) - set(INTERNAL_SCHEMAS)
    engine = sa_engine(url)
    try:
        with engine.connect() as conn:
            inspected = get_inspector(conn)
            extras = inspect_extras(conn, keep)
            dependencies = read_dependencies(conn, keep)
            table_facts = read_table_facts(conn, keep)
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
    for ix in inspected.indexes.values():  # clustering is compared apart (db/table_gaps.py): not a new index
        ix.is_clustered = False
    return Inspection(inspected, tuple(sorted(keep)), extras, ignored_extensions, dependencies, table_facts)


def _schema_of(obj: Any) -> str:
    return getattr(obj, "schema", None) or getattr(obj, "name", "")


_HEAD_RE = re.compile(r"^\s*(create schema|create extension|alter extension|create type|create collation)", re.I)


def diff_statements(source: Inspection, target: Inspection) -> list[str]:
    """The statements that turn ``source`` into ``target``: migra's, with its gaps closed (gaps.py)."""
    additions, source_inspected = _enum_additions(source, target)
    migration = Migration(source_inspected, target.inspected)
    migration.set_safety(False)
    migration.add_all_changes(privileges=False)
    # migra writes definitions as the server deparses them; restore the IN lists that do not parse back
    # migra writes "select 1; -- CREATE INDEX ..." for the index of an exclusion constraint (the constraint makes it)
    statements = [restore_in_lists(s.strip()) for s in migration.statements
                  if s and s.strip() and not s.strip().lower().startswith("select 1; --")]
    early, domain_drops = domain_statements(source.extras, target.extras)
    # after migra has created them
    late = sequence_statements(source.extras, target.extras) + identity_statements(source.extras, target.extras)
    late += forced_rls_statements(source.extras, target.extras,
                                  {(t.schema, t.name) for t in target.inspected.tables.values()})
    late += table_fact_statements(source.tables, target.tables,
                                  {(t.schema, t.name) for t in target.inspected.tables.values()},
                                  {(m.schema, m.name) for m in target.inspected.materialized_views.values()})
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
    statements = hoist_functions(statements + comment_statements(source.extras, target.extras, statements))
    return additions + _recreate_functions_of_rebuilt_enums(statements, source, target)


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
