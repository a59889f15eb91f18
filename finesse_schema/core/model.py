"""The frozen model of a database schema, as declared in schema.yaml.

Every object remembers where it was declared (``loc``), but locations never take
part in equality: two schemas are equal when they describe the same database.
Names are stored resolved: constraint and index names are PostgreSQL's default
names unless the user chose one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum as _StdEnum

from .errors import Location
from .grants import DefaultGrant, Grant, Grants, PRIVILEGES  # noqa: F401 - part of the model's vocabulary
from .names import QualifiedName, loc_field as _loc
from .routines import Aggregate, Function, Operator


class FkAction(str, _StdEnum):
    NO_ACTION = "no action"
    RESTRICT = "restrict"
    CASCADE = "cascade"
    SET_NULL = "set null"
    SET_DEFAULT = "set default"


class IdentityKind(str, _StdEnum):
    ALWAYS = "always"
    BY_DEFAULT = "by default"


@dataclass(frozen=True)
class Extension:
    """An extension; ``managed`` False: the platform or the DBA installs it where the server ships it, and
    finesse neither creates nor drops it (nor diffs it)."""

    name: str
    schema: str | None = None
    loc: Location | None = _loc()
    managed: bool = True
    version: str | None = None  # pinned: the plan updates to it, never down from a newer one; None: any


@dataclass(frozen=True)
class Namespace:
    """A PostgreSQL schema declared as an object (an empty one is kept; one removed is dropped);
    ``managed`` False: finesse leaves it and everything in it alone (another tool's, the platform's)."""

    name: str
    comment: str | None = None
    managed: bool = True
    grants: Grants = None
    default_grants: tuple[DefaultGrant, ...] | None = None  # what objects created here later get
    loc: Location | None = _loc()


@dataclass(frozen=True)
class Collation:
    """CREATE COLLATION: ``provider`` icu or libc (builtin on 17+); an ICU collation has a ``locale``, a libc one
    a locale or lc_collate and lc_ctype; ``deterministic`` False compares by meaning, not bytes."""

    schema: str
    name: str
    provider: str = "icu"
    locale: str | None = None
    lc_collate: str | None = None
    lc_ctype: str | None = None
    deterministic: bool = True
    comment: str | None = None
    loc: Location | None = _loc()

    @property
    def qualified(self) -> QualifiedName:
        return QualifiedName(self.schema, self.name)


@dataclass(frozen=True)
class Enum:
    schema: str
    name: str
    values: tuple[str, ...]
    comment: str | None = None
    renamed_values: tuple[tuple[str, str], ...] = ()  # (old, new) for values declared with renamed_from
    loc: Location | None = _loc()

    @property
    def qualified(self) -> QualifiedName:
        return QualifiedName(self.schema, self.name)


@dataclass(frozen=True)
class Identity:
    kind: IdentityKind = IdentityKind.BY_DEFAULT
    start: int | None = None
    increment: int | None = None


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool = True
    default: str | None = None
    identity: Identity | None = None
    generated: str | None = None
    comment: str | None = None
    renamed_from: str | None = None
    collation: str | None = None
    statistics: int | None = None  # SET STATISTICS: the planner's sample for this column (None: the default)
    n_distinct: float | None = None  # SET (n_distinct = ...): the planner's distinct count (below 0: a fraction)
    n_distinct_inherited: float | None = None  # the same, over the table and its children
    loc: Location | None = _loc()


@dataclass(frozen=True)
class PrimaryKey:
    name: str
    columns: tuple[str, ...]
    renamed_from: str | None = None
    deferrable: bool = False
    initially_deferred: bool = False
    loc: Location | None = _loc()


@dataclass(frozen=True)
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    ref_table: QualifiedName
    ref_columns: tuple[str, ...]
    on_delete: FkAction = FkAction.NO_ACTION
    on_update: FkAction = FkAction.NO_ACTION
    deferrable: bool = False
    initially_deferred: bool = False
    on_delete_explicit: bool = field(default=False, compare=False)
    renamed_from: str | None = None
    not_valid: bool = False  # added NOT VALID: existing rows are not checked
    loc: Location | None = _loc()


@dataclass(frozen=True)
class Unique:
    name: str
    columns: tuple[str, ...]
    nulls_not_distinct: bool = False
    renamed_from: str | None = None
    deferrable: bool = False
    initially_deferred: bool = False
    loc: Location | None = _loc()


@dataclass(frozen=True)
class ExclusionElement:
    """One part of an exclusion constraint: a column or an expression, and the operator two rows may not
    both satisfy on it (``&&``: overlap, ``=``: equal)."""

    operator: str
    column: str | None = None
    expression: str | None = None
    opclass: str | None = None


@dataclass(frozen=True)
class Exclusion:
    """EXCLUDE USING method (element WITH operator, ...) [WHERE ...]: no two rows satisfy every operator."""

    name: str
    elements: tuple[ExclusionElement, ...]
    method: str = "gist"
    where: str | None = None
    deferrable: bool = False
    initially_deferred: bool = False
    loc: Location | None = _loc()


@dataclass(frozen=True)
class Check:
    name: str
    expression: str
    renamed_from: str | None = None
    not_valid: bool = False  # added NOT VALID: existing rows are not checked
    loc: Location | None = _loc()


@dataclass(frozen=True)
class IndexElement:
    """One key of an index: a column name or a SQL expression, with its options."""

    column: str | None = None
    expression: str | None = None
    descending: bool = False
    nulls: str | None = None  # "first" | "last"
    opclass: str | None = None
    statistics: int | None = None  # an expression's statistics target (ALTER INDEX ... SET STATISTICS)


@dataclass(frozen=True)
class Index:
    name: str
    elements: tuple[IndexElement, ...]
    unique: bool = False
    where: str | None = None
    include: tuple[str, ...] = ()
    method: str = "btree"
    renamed_from: str | None = None
    storage: tuple[tuple[str, str], ...] = ()  # WITH (fillfactor = 70, ...): (parameter, value) in order
    loc: Location | None = _loc()


@dataclass(frozen=True)
class Trigger:
    """A trigger on a table: ``timing`` before/after/instead of, ``events`` insert/update/delete/truncate."""

    name: str
    timing: str
    events: tuple[str, ...]
    function: QualifiedName
    level: str = "row"  # row | statement
    update_columns: tuple[str, ...] = ()
    when: str | None = None
    arguments: tuple[str, ...] = ()
    comment: str | None = None
    deferrable: bool = False  # a CONSTRAINT TRIGGER: it can fire at commit instead of after each statement
    initially_deferred: bool = False
    old_table: str | None = None  # REFERENCING OLD TABLE AS ...: the rows a statement changed, as they were
    new_table: str | None = None  # REFERENCING NEW TABLE AS ...: as they became
    loc: Location | None = _loc()

    @property
    def constraint(self) -> bool:
        return self.deferrable or self.initially_deferred


@dataclass(frozen=True)
class Partition:
    """A partition of a partitioned table; ``bound`` is FOR VALUES ... or DEFAULT."""

    name: str
    bound: str
    comment: str | None = None
    indexes: tuple["Index", ...] = ()  # its own, besides those it has from its parent
    foreign_keys: tuple["ForeignKey", ...] = ()  # likewise
    loc: Location | None = _loc()


@dataclass(frozen=True)
class Policy:
    """A row-level security policy."""

    name: str
    command: str = "all"  # all | select | insert | update | delete
    permissive: bool = True
    roles: tuple[str, ...] = ("public",)
    using: str | None = None
    with_check: str | None = None
    loc: Location | None = _loc()


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    columns: tuple[Column, ...]
    primary_key: PrimaryKey | None = None
    foreign_keys: tuple[ForeignKey, ...] = ()
    uniques: tuple[Unique, ...] = ()
    checks: tuple[Check, ...] = ()
    indexes: tuple[Index, ...] = ()
    comment: str | None = None
    triggers: tuple[Trigger, ...] = ()
    renamed_from: str | None = None
    rls_enabled: bool = False
    rls_forced: bool = False
    policies: tuple[Policy, ...] = ()
    partition_by: str | None = None  # e.g. "RANGE (created_at)"
    partitions: tuple[Partition, ...] = ()
    group: str | None = None  # where finesse docs draws it (no effect on the database)
    excludes: tuple[Exclusion, ...] = ()
    unlogged: bool = False
    storage: tuple[tuple[str, str], ...] = ()  # WITH (autovacuum_enabled = false, ...): (parameter, value) in order
    inherits: tuple[QualifiedName, ...] = ()  # parents of table inheritance (not partitioning)
    cluster_on: str | None = None  # the index CLUSTER uses
    grants: Grants = None
    loc: Location | None = _loc()

    @property
    def qualified(self) -> QualifiedName:
        return QualifiedName(self.schema, self.name)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class Sequence:
    schema: str
    name: str
    type: str = "bigint"
    start: int | None = None
    increment: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    cache: int | None = None
    cycle: bool = False
    owned_by: str | None = None  # "table.column" (same schema) or "schema.table.column"
    comment: str | None = None
    unlogged: bool = False  # not written to the WAL (PostgreSQL 15 and later); a serial's follows its table
    grants: Grants = None
    loc: Location | None = _loc()

    @property
    def qualified(self) -> QualifiedName:
        return QualifiedName(self.schema, self.name)


@dataclass(frozen=True)
class Attribute:
    """An attribute of a composite type: a name, a type and, for a text type, a collation."""

    name: str
    type: str
    collation: str | None = None
    loc: Location | None = _loc()


@dataclass(frozen=True)
class CompositeType:
    """CREATE TYPE name AS (attribute type, ...): a row shape columns, functions and other types may use."""

    schema: str
    name: str
    attributes: tuple[Attribute, ...]
    comment: str | None = None
    loc: Location | None = _loc()

    @property
    def qualified(self) -> QualifiedName:
        return QualifiedName(self.schema, self.name)


@dataclass(frozen=True)
class Domain:
    schema: str
    name: str
    type: str
    not_null: bool = False
    default: str | None = None
    checks: tuple[Check, ...] = ()
    comment: str | None = None
    loc: Location | None = _loc()

    @property
    def qualified(self) -> QualifiedName:
        return QualifiedName(self.schema, self.name)


@dataclass(frozen=True)
class View:
    schema: str
    name: str
    definition: str
    materialized: bool = False
    indexes: tuple[Index, ...] = ()
    comment: str | None = None
    triggers: tuple["Trigger", ...] = ()  # INSTEAD OF triggers make a view writable
    grants: Grants = None
    loc: Location | None = _loc()

    @property
    def qualified(self) -> QualifiedName:
        return QualifiedName(self.schema, self.name)


@dataclass(frozen=True)
class Suppression:
    """A lint finding accepted on purpose: its rule (code or prefix), the object (table, schema.table; * and ?
    match) and why."""

    rule: str
    object: str
    reason: str
    loc: Location | None = _loc()


@dataclass(frozen=True)
class Schema:
    """A whole declared database: what schema.yaml says."""

    extensions: tuple[Extension, ...] = ()
    enums: tuple[Enum, ...] = ()
    tables: tuple[Table, ...] = ()
    sequences: tuple[Sequence, ...] = ()
    domains: tuple[Domain, ...] = ()
    functions: tuple[Function, ...] = ()
    views: tuple[View, ...] = ()
    namespaces: tuple[Namespace, ...] = ()  # schemas: declared as objects
    collations: tuple[Collation, ...] = ()
    aggregates: tuple["Aggregate", ...] = ()
    operators: tuple["Operator", ...] = ()
    types: tuple[CompositeType, ...] = ()  # composite types (types: in schema.yaml)
    suppressions: tuple[Suppression, ...] = field(default=(), compare=False)  # lint: {suppress: [...]}
    source: str = field(default="schema.yaml", compare=False)
    source_hash: str = field(default="", compare=False)

    @property
    def schemas(self) -> tuple[str, ...]:
        """Every PostgreSQL schema (namespace) the model places objects in, sorted; always public."""
        names = {"public"} | {n.name for n in self.namespaces if n.managed}
        names.update(t.schema for t in self.tables)
        names.update(e.schema for e in self.enums)
        names.update(x.schema for x in self.extensions if x.schema)
        for group in (self.sequences, self.domains, self.functions, self.views, self.collations, self.aggregates,
                      self.operators, self.types):
            names.update(o.schema for o in group)
        return tuple(sorted(names))

    @property
    def manages_grants(self) -> bool:
        """Privileges are the project's to manage once any object declares ``grants:`` (then every object's
        privileges are compared; an object without the key has PostgreSQL's defaults)."""
        groups = (self.namespaces, self.tables, self.sequences, self.views, self.functions)
        return any(o.grants is not None for group in groups for o in group) or \
            any(n.default_grants is not None for n in self.namespaces)

    @property
    def unmanaged_schemas(self) -> frozenset[str]:
        """Schemas declared managed: false: never diffed, created or dropped."""
        return frozenset(n.name for n in self.namespaces if not n.managed)

    def table(self, name: QualifiedName) -> Table | None:
        return next((t for t in self.tables if t.qualified == name), None)

    def inherited_columns(self, t: Table) -> tuple[Column, ...]:
        """The columns ``t`` has from the tables it inherits (theirs first, each once), not its own."""
        out: list[Column] = []
        seen = {c.name for c in t.columns}
        todo, visited = list(t.inherits), {t.qualified}
        while todo:
            parent = self.table(todo.pop(0))
            if parent is None or parent.qualified in visited:
                continue
            visited.add(parent.qualified)
            for c in (*self.inherited_columns(parent), *parent.columns):
                if c.name not in seen:
                    seen.add(c.name)
                    out.append(c)
        return tuple(out)

    def enum(self, name: QualifiedName) -> Enum | None:
        return next((e for e in self.enums if e.qualified == name), None)
