"""The model -> SQLAlchemy MetaData, and the ordered DDL that materializes it.

DDL comes out one statement per object, each pointing back at the schema.yaml
location that caused it, in dependency order: schemas, extensions, enums,
tables (columns and primary key), unique and check constraints, indexes,
foreign keys (after every table and unique key exists, so cycles are fine),
comments.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects.postgresql.named_types import CreateEnumType
from sqlalchemy.schema import AddConstraint, CreateTable, SetColumnComment, SetTableComment
from sqlalchemy.sql.elements import quoted_name
from sqlalchemy.types import UserDefinedType

from ...core.errors import Location
from ...core.model import Column, Domain, FkAction, Index, IdentityKind, Schema, Table
from ...core.routines import Aggregate
from ..sql.expressions import default_sql, expression_sql, partition_bound_sql, partition_by_sql
from ..sql.quoting import qualified, quote, quote_name, sql_literal
from .grants import default_grant_statements, grant_statements, roles_granted
from .table_extras import (cluster_sql, exclusion_sql, foreign_key_sql, keys_after_create_sql, keys_added_after,
                           statistics_sql, storage_sql)
from .objects import (aggregate_signature, aggregate_sql, aggregate_uses_row_types, collation_sql, comment_sql,
                      composite_type_sql, domain_sql, function_signature, function_sql, operator_name, operator_sql,
                      ordered_views, owned_by_sql, row_security_sql, sequence_sql, trigger_sql, type_sql,
                      types_in_order, uses_row_types, view_sql)
from ..schema.types import parse_type

# "named" paramstyle: DDL text goes to the server as written (pyformat would double every %).
DIALECT = pg.dialect(paramstyle="named")
_PREPARER = DIALECT.identifier_preparer


def sql_expression(text: str, *, default: bool = False) -> sa.ColumnClause:
    """An expression of schema.yaml (default, check, generated, index expression, where) as PostgreSQL's parse
    of it, deparsed (see logic/sql/expressions.py): it cannot end the statement it is in. SQLAlchemy puts a
    check, a generated column and an index expression in parentheses; a default parenthesizes itself.

    Never ``sa.text()``: it would read ``:name`` inside the SQL as a bind parameter.
    """
    return sa.literal_column(default_sql(text) if default else expression_sql(text))


@dataclass(frozen=True)
class DDL:
    """One statement of the desired schema and the declaration that caused it."""

    sql: str
    label: str
    loc: Location | None = None
    path: str = ""
    # (line of ``sql``, location, path) for statements that declare several things (CREATE TABLE)
    lines: tuple[tuple[int, Location | None, str], ...] = ()

    def locate(self, position: int | None) -> tuple[Location | None, str]:
        """The declaration behind 1-based character ``position`` of the statement (PostgreSQL's error position)."""
        if position:
            line = self.sql[: position - 1].count("\n")
            for number, loc, path in self.lines:
                if number == line:
                    return loc, path
        return self.loc, self.path


@dataclass(frozen=True)
class Compiled:
    """The DDL that builds a schema in an empty database, in order, and what the diff must know of it
    (plain values: a plan keeps it between runs, api/compile_cache.py)."""

    statements: tuple[DDL, ...]
    unmanaged_extensions: frozenset[str] = frozenset()  # left out of every diff (extensions: managed: false)
    unmanaged_schemas: frozenset[str] = frozenset()  # likewise (schemas: managed: false)
    pinned_extensions: frozenset[str] = frozenset()  # those with a version: the only ones whose versions count
    manages_grants: bool = False  # some object declares grants: every object's privileges are compared
    roles: frozenset[str] = frozenset()  # the roles grants name (referenced, not created; public is not one)


class RawType(UserDefinedType):
    """A PostgreSQL type SQLAlchemy has no class for, rendered exactly as written."""

    cache_ok = True

    def __init__(self, ddl: str) -> None:
        self.ddl = ddl

    def get_col_spec(self, **kw: object) -> str:
        return self.ddl


_SIMPLE: dict[str, sa.types.TypeEngine] = {
    "integer": sa.Integer(), "bigint": sa.BigInteger(), "smallint": sa.SmallInteger(),
    "text": sa.Text(), "boolean": sa.Boolean(), "date": sa.Date(), "uuid": pg.UUID(as_uuid=True),
    "json": pg.JSON(), "jsonb": pg.JSONB(), "bytea": pg.BYTEA(), "real": sa.REAL(),
    "double precision": pg.DOUBLE_PRECISION(), "inet": pg.INET(), "cidr": pg.CIDR(),
    "macaddr": pg.MACADDR(), "money": pg.MONEY(), "tsvector": pg.TSVECTOR(), "interval": pg.INTERVAL(),
}


def sa_type(type_name: str, schema: Schema) -> sa.types.TypeEngine:
    """The SQLAlchemy type for a canonical model type."""
    made_here = {f"{d.schema}.{d.name}" for d in (*schema.domains, *schema.types)}  # CREATE DOMAIN, CREATE TYPE
    if type_name.rstrip("[]") in made_here:
        return RawType(type_sql(type_name))
    user = {f"{e.schema}.{e.name}": f"{e.schema}.{e.name}" for e in schema.enums}
    parsed = parse_type(type_name, user_types=user,
                        extensions=frozenset(x.name for x in schema.extensions if x.managed))
    if parsed.array_dims:
        inner = sa_type(type_name.replace("[]", ""), schema)
        return pg.ARRAY(inner, dimensions=parsed.array_dims)
    if parsed.user_type and parsed.base in user:
        enum = schema.enum(_qn(parsed.base))
        assert enum is not None
        return pg.ENUM(*enum.values, name=enum.name, schema=enum.schema, create_type=False, metadata=None)
    args = [int(a) for a in parsed.args]
    base = parsed.base
    if base in _SIMPLE and not args:
        return _SIMPLE[base]
    if base == "character varying":
        return sa.String(*args)
    if base == "character":
        return sa.CHAR(*args)
    if base == "numeric":
        return sa.Numeric(*args)
    if base.startswith("timestamp"):
        return pg.TIMESTAMP(timezone=base.endswith("with time zone"), precision=args[0] if args else None)
    if base.startswith("time "):
        return pg.TIME(timezone=base.endswith("with time zone"), precision=args[0] if args else None)
    return RawType(parsed.canonical)


def _qn(text: str):
    from ...core.model import QualifiedName

    schema, _, name = text.partition(".")
    return QualifiedName(schema, name)


def _with_collation(t: sa.types.TypeEngine, collation: str | None) -> sa.types.TypeEngine:
    if not collation:
        return t
    if isinstance(t, sa.String) and "." not in collation:
        t = t.copy()
        t.collation = collation
        return t
    return RawType(f"{t.compile(dialect=DIALECT)} COLLATE {quote_name(collation)}")


def _sa_column(col: Column, schema: Schema, in_pk: bool) -> sa.Column:
    args: list[object] = [col.name, _with_collation(sa_type(col.type, schema), col.collation)]
    if col.identity:
        args.append(sa.Identity(always=col.identity.kind == IdentityKind.ALWAYS, start=col.identity.start,
                                increment=col.identity.increment))
    if col.generated:
        args.append(sa.Computed(sql_expression(col.generated), persisted=True))
    kw: dict[str, object] = {"nullable": col.nullable, "primary_key": in_pk, "comment": col.comment}
    if not col.identity:
        kw["autoincrement"] = False
    if col.default is not None:
        kw["server_default"] = sql_expression(col.default, default=True)
    return sa.Column(*args, **kw)  # type: ignore[arg-type]


def _fk_action(action: FkAction) -> str | None:
    return None if action == FkAction.NO_ACTION else action.value.upper()


def build_table(t: Table, schema: Schema, metadata: sa.MetaData) -> sa.Table:
    """The SQLAlchemy Table of a model table, with keys, constraints and indexes."""
    pk_cols = set(t.primary_key.columns) if t.primary_key else set()
    items: list[object] = [_sa_column(c, schema, c.name in pk_cols) for c in t.columns]
    local = {c.name for c in t.columns}  # some keys are added after CREATE TABLE (keys_after_create_sql)
    if t.primary_key and set(t.primary_key.columns) <= local:
        items.append(sa.PrimaryKeyConstraint(*t.primary_key.columns, name=t.primary_key.name,
                                             **_deferral(t.primary_key.deferrable, t.primary_key.initially_deferred)))
    later = keys_added_after(t)
    items += [sa.UniqueConstraint(*u.columns, name=u.name, **_deferral(u.deferrable, u.initially_deferred),
                                  **({"postgresql_nulls_not_distinct": True} if u.nulls_not_distinct else {}))
              for u in t.uniques if u.name not in later]
    items += [sa.CheckConstraint(sql_expression(c.expression), name=c.name) for c in t.checks if not c.not_valid]
    items += [sa.ForeignKeyConstraint(
        list(fk.columns), [f"{fk.ref_table.schema}.{fk.ref_table.name}.{c}" for c in fk.ref_columns],
        name=fk.name, ondelete=_fk_action(fk.on_delete), onupdate=_fk_action(fk.on_update),
        deferrable=fk.deferrable or None, initially="DEFERRED" if fk.initially_deferred else None,
        use_alter=True) for fk in t.foreign_keys]
    kw: dict[str, object] = {"postgresql_partition_by": partition_by_sql(t.partition_by)} if t.partition_by else {}
    if t.storage:
        kw["postgresql_with"] = dict(t.storage)
    if t.inherits:  # already quoted: SQLAlchemy would quote "schema.table" as one name
        kw["postgresql_inherits"] = [quoted_name(qualified(p.schema, p.name), quote=False) for p in t.inherits]
    if t.unlogged:
        kw["prefixes"] = ["UNLOGGED"]
    table = sa.Table(t.name, metadata, *items, schema=t.schema, comment=t.comment, **kw)  # type: ignore[arg-type]
    for ix in t.indexes:
        if all(e.column is None or e.column in table.c for e in ix.elements):  # MetaData keeps what it can name
            _sa_index(ix, table)
    return table


def _deferral(deferrable: bool, initially_deferred: bool) -> dict[str, object]:
    if not deferrable:
        return {}
    return {"deferrable": True, "initially": "DEFERRED" if initially_deferred else "IMMEDIATE"}


def _sa_index(ix: Index, table: sa.Table) -> sa.Index:
    exprs: list[object] = []
    ops: dict[str, str] = {}
    for el in ix.elements:
        expr: object = table.c[el.column] if el.column else sql_expression(el.expression or "")
        if el.column and el.opclass:
            ops[el.column] = quote_name(el.opclass)
        if el.descending:
            expr = sa.desc(expr)  # type: ignore[arg-type]
        if el.nulls:
            expr = sa.nulls_first(expr) if el.nulls == "first" else sa.nulls_last(expr)  # type: ignore[arg-type]
        exprs.append(expr)
    kw: dict[str, object] = {"unique": ix.unique, "postgresql_using": ix.method}
    if ix.where:
        kw["postgresql_where"] = sa.literal_column(f"({expression_sql(ix.where)})")
    if ix.include:
        kw["postgresql_include"] = list(ix.include)
    if ops:
        kw["postgresql_ops"] = ops
    return sa.Index(ix.name, *exprs, _table=table, **kw)  # type: ignore[arg-type]


def index_sql(ix: Index, t: Table) -> str:
    """CREATE INDEX for one index, spelled out (SQLAlchemy cannot put an opclass on an expression)."""
    parts = []
    for el in ix.elements:
        text = quote(el.column) if el.column else f"({expression_sql(el.expression or '')})"
        if el.opclass:
            text += f" {quote_name(el.opclass)}"
        if el.descending:
            text += " DESC"
        if el.nulls:
            text += f" NULLS {el.nulls.upper()}"
        parts.append(text)
    sql = (f"CREATE {'UNIQUE ' if ix.unique else ''}INDEX {quote(ix.name)} ON {qualified(t.schema, t.name)} "
           f"USING {ix.method} ({', '.join(parts)})")
    if ix.include:
        sql += f" INCLUDE ({', '.join(quote(c) for c in ix.include)})"
    sql += storage_sql(ix.storage)
    if ix.where:
        sql += f" WHERE ({expression_sql(ix.where)})"
    return sql


def _index_ddl(ix: Index, owner: Table, path: str) -> list[DDL]:
    """CREATE INDEX, then the statistics targets of its expressions."""
    out = [DDL(index_sql(ix, owner), f"create index {ix.name}", ix.loc, path)]
    out += [DDL(f"ALTER INDEX {qualified(owner.schema, ix.name)} ALTER COLUMN {n} SET STATISTICS {el.statistics}",
                f"alter index {ix.name}", ix.loc, path)
            for n, el in enumerate(ix.elements, 1) if el.statistics is not None]
    return out


def _ddl(element: object) -> str:
    return str(element.compile(dialect=DIALECT)).strip()  # type: ignore[attr-defined]


def _tpath(t: Table) -> str:
    return f"tables.{t.name if t.schema == 'public' else f'{t.schema}.{t.name}'}"


def _create_table_lines(sql: str, t: Table, path: str) -> tuple[tuple[int, Location | None, str], ...]:
    """Which declaration each line of a CREATE TABLE comes from: one column per line, then one constraint."""
    out: list[tuple[int, Location | None, str]] = [
        (i + 1, c.loc, f"{path}.columns.{c.name}") for i, c in enumerate(t.columns)]
    constraints = [(u.name, u.loc, f"{path}.unique") for u in t.uniques]
    constraints += [(c.name, c.loc, f"{path}.checks") for c in t.checks]
    if t.primary_key:
        constraints.append((t.primary_key.name, t.primary_key.loc, f"{path}.primary_key"))
    marks = {f"CONSTRAINT {_PREPARER.quote(name)} ": (loc, p) for name, loc, p in constraints}
    for number, line in enumerate(sql.splitlines()):
        for mark, (loc, p) in marks.items():
            if line.lstrip().startswith(mark):
                out.append((number, loc, p))
    return tuple(out)


def compile_metadata(schema: Schema) -> sa.MetaData:
    """SQLAlchemy MetaData equal to the model (tables, keys, constraints, indexes, comments)."""
    metadata = sa.MetaData()
    for t in schema.tables:
        build_table(t, schema, metadata)
    return metadata


def compile_schema(schema: Schema) -> Compiled:
    """The ordered DDL statements that build the schema in an empty database (tables through the MetaData)."""
    metadata = compile_metadata(schema)
    out: list[DDL] = []
    declared = {n.name: n for n in schema.namespaces}
    for name in schema.schemas:
        n = declared.get(name)
        if name != "public":
            out.append(DDL(f"CREATE SCHEMA IF NOT EXISTS {quote(name)}", f"create schema {name}", n.loc if n else None,
                           f"schemas.{name}" if n else ""))
        if n is not None and n.comment is not None:
            out.append(DDL(comment_sql("SCHEMA", quote(name), n.comment), f"comment on schema {name}", n.loc,
                           f"schemas.{name}"))
        out += [DDL(*statement) for statement in default_grant_statements(schema, name)]
    for ext in (x for x in schema.extensions if x.managed):
        sql = f"CREATE EXTENSION IF NOT EXISTS {quote(ext.name)}"
        if ext.schema:
            sql += f" WITH SCHEMA {quote(ext.schema)}"
        if ext.version:
            sql += f" VERSION {sql_literal(ext.version)}"
        out.append(DDL(sql, f"create extension {ext.name}", ext.loc, "extensions"))
    for co in schema.collations:
        out.append(DDL(collation_sql(co), f"create collation {co.schema}.{co.name}", co.loc, f"collations.{co.name}"))
        if co.comment is not None:
            out.append(DDL(comment_sql("COLLATION", qualified(co.schema, co.name), co.comment),
                           f"comment on collation {co.name}", co.loc, f"collations.{co.name}"))
    for e in schema.enums:
        enum = pg.ENUM(*e.values, name=e.name, schema=e.schema)
        out.append(DDL(_ddl(CreateEnumType(enum)), f"create enum {e.schema}.{e.name}", e.loc, f"enums.{e.name}"))
    for d in types_in_order(schema):
        if isinstance(d, Domain):
            out.append(DDL(domain_sql(d), f"create domain {d.schema}.{d.name}", d.loc, f"domains.{d.name}"))
        else:
            out.append(DDL(composite_type_sql(d), f"create type {d.schema}.{d.name}", d.loc, f"types.{d.name}"))
    for sq in schema.sequences:
        out.append(DDL(sequence_sql(sq), f"create sequence {sq.schema}.{sq.name}", sq.loc, f"sequences.{sq.name}"))
    # function bodies are checked when called, not here (as pg_dump restores): a function may read
    # tables that come later, and a default or check may call a function
    out.append(DDL("SET LOCAL check_function_bodies = off", "settings"))
    for f in schema.functions:
        if not uses_row_types(f, schema):
            out.append(DDL(function_sql(f), f"create {f.kind} {f.schema}.{f.name}", f.loc, f"functions.{f.name}"))
    for a in schema.aggregates:
        if not aggregate_uses_row_types(a, schema):
            out += _aggregate_ddl(a)
    for o in schema.operators:
        out.append(DDL(operator_sql(o), f"create operator {o.schema}.{o.name}", o.loc, f"operators.{o.name}"))
        if o.comment is not None:
            out.append(DDL(comment_sql("OPERATOR", f"{operator_name(o.schema, o.name)} ({o.identity_arguments})",
                                       o.comment), f"comment on operator {o.name}", o.loc, f"operators.{o.name}"))
    late: list[DDL] = []
    last: list[DDL] = []  # partitions' own indexes and foreign keys
    for t in _parents_first(schema.tables):
        path = _tpath(t)
        full = metadata.tables[f"{t.schema}.{t.name}"]
        # columns, primary key, unique and check constraints in CREATE TABLE; foreign keys (use_alter) after
        # every table exists, so cycles and any table order work.
        create = _ddl(CreateTable(full))
        out.append(DDL(create, f"create table {t.schema}.{t.name}", t.loc, path, _create_table_lines(create, t, path)))
        for part in t.partitions:
            out.append(DDL(f"CREATE TABLE {qualified(t.schema, part.name)} PARTITION OF {qualified(t.schema, t.name)} "
                           f"{partition_bound_sql(part.bound)}", f"create partition {t.schema}.{part.name}", part.loc,
                           f"{path}.partitions.{part.name}"))
            if part.comment is not None:
                late.append(DDL(comment_sql("TABLE", qualified(t.schema, part.name), part.comment),
                                f"comment on partition {part.name}", part.loc, f"{path}.partitions.{part.name}"))
            own = replace(t, name=part.name, partitions=())  # after its parent's: made later, a parent's index
            for ix in part.indexes:  # or key would adopt an equal one
                last += _index_ddl(ix, own, f"{path}.partitions.{part.name}")
            last += [DDL(foreign_key_sql(t.schema, part.name, fk), f"add foreign key {fk.name}", fk.loc,
                         f"{path}.partitions.{part.name}") for fk in part.foreign_keys]
        named = {c.name: c for c in full.constraints if c.name}
        for ix in t.indexes:
            out += _index_ddl(ix, t, f"{path}.indexes")
        for x in t.excludes:
            out.append(DDL(exclusion_sql(t, x), f"add exclusion constraint {x.name}", x.loc, f"{path}.exclude"))
        out += [DDL(sql, f"add key of {t.schema}.{t.name}", t.loc, path) for sql in keys_after_create_sql(t)]
        for sql in statistics_sql(t) + [s for s in [cluster_sql(t)] if s]:
            out.append(DDL(sql, f"alter table {t.schema}.{t.name}", t.loc, path))
        for c in t.checks:
            if c.not_valid:
                out.append(DDL(f"ALTER TABLE {qualified(t.schema, t.name)} ADD CONSTRAINT {quote(c.name)} "
                               f"CHECK ({expression_sql(c.expression)}) NOT VALID", f"add check {c.name}", c.loc, f"{path}.checks"))
        for fk in t.foreign_keys:
            late.append(DDL(_ddl(AddConstraint(named[fk.name])) + (" NOT VALID" if fk.not_valid else ""),
                            f"add foreign key {fk.name}", fk.loc, f"{path}.foreign_keys"))
        if t.comment is not None:
            late.append(DDL(_ddl(SetTableComment(full)), f"comment on table {t.name}", t.loc, path))
        for col in t.columns:
            if col.comment is not None:
                late.append(DDL(_ddl(SetColumnComment(full.c[col.name])), f"comment on column {t.name}.{col.name}",
                                col.loc, f"{path}.columns.{col.name}"))
    out += late + last
    out += [DDL(function_sql(f), f"create {f.kind} {f.schema}.{f.name}", f.loc, f"functions.{f.name}")
            for f in schema.functions if uses_row_types(f, schema)]
    out += [ddl for a in schema.aggregates if aggregate_uses_row_types(a, schema) for ddl in _aggregate_ddl(a)]
    out += _after_tables(schema)
    out += [DDL(*statement) for statement in grant_statements(schema)]
    return Compiled(tuple(out), frozenset(x.name for x in schema.extensions if not x.managed),
                    schema.unmanaged_schemas, frozenset(x.name for x in schema.extensions if x.version),
                    schema.manages_grants, roles_granted(schema))


def _aggregate_ddl(a: Aggregate) -> list[DDL]:
    out = [DDL(aggregate_sql(a), f"create aggregate {a.signature}", a.loc, f"aggregates.{a.name}")]
    if a.comment is not None:
        out.append(DDL(comment_sql("AGGREGATE", aggregate_signature(a), a.comment),
                       f"comment on aggregate {a.name}", a.loc, f"aggregates.{a.name}"))
    return out


def _parents_first(tables: tuple[Table, ...]) -> list[Table]:
    """The tables in declaration order, except that a table comes after the tables it inherits from."""
    by_name = {t.qualified: t for t in tables}
    out: list[Table] = []
    placed: set[object] = set()

    def place(t: Table, path: frozenset[object]) -> None:
        if t.qualified in placed or t.qualified in path:
            return
        for parent in t.inherits:
            if parent in by_name:
                place(by_name[parent], path | {t.qualified})
        placed.add(t.qualified)
        out.append(t)

    for t in tables:
        place(t, frozenset())
    return out


def _after_tables(schema: Schema) -> list[DDL]:
    """Sequence ownership, views (in dependency order) and their indexes, triggers, and their comments."""
    out: list[DDL] = []
    for sq in schema.sequences:
        owned = owned_by_sql(sq)
        if owned:
            out.append(DDL(owned, f"sequence {sq.name} owned by {sq.owned_by}", sq.loc, f"sequences.{sq.name}"))
    for v in ordered_views(schema):
        path = f"views.{v.name}"
        kind = "materialized view" if v.materialized else "view"
        out.append(DDL(view_sql(v), f"create {kind} {v.schema}.{v.name}", v.loc, path))
        out += [d for ix in v.indexes for d in _index_ddl(ix, v, f"{path}.indexes")]  # type: ignore[arg-type]
        if v.comment is not None:
            out.append(DDL(comment_sql(kind.upper(), qualified(v.schema, v.name), v.comment), f"comment on {kind}",
                           v.loc, path))
    for t in schema.tables:
        out += [DDL(sql, f"row level security of {t.name}", t.loc, _tpath(t)) for sql in row_security_sql(t)]
    for owner, path in [(t, _tpath(t)) for t in schema.tables] + [(v, f"views.{v.name}") for v in schema.views]:
        for tr in owner.triggers:
            out.append(DDL(trigger_sql(owner, tr), f"create trigger {tr.name}", tr.loc, f"{path}.triggers"))  # type: ignore[arg-type]
            if tr.comment is not None:
                out.append(DDL(comment_sql("TRIGGER", f"{quote(tr.name)} ON {qualified(owner.schema, owner.name)}",
                                           tr.comment), f"comment on trigger {tr.name}", tr.loc, f"{path}.triggers"))
    for group, kind, section in ((schema.enums, "TYPE", "enums"), (schema.domains, "DOMAIN", "domains"),
                                 (schema.types, "TYPE", "types"), (schema.sequences, "SEQUENCE", "sequences")):
        for o in group:
            if o.comment is not None:
                out.append(DDL(comment_sql(kind, qualified(o.schema, o.name), o.comment),
                               f"comment on {kind.lower()} {o.name}", o.loc, f"{section}.{o.name}"))
    for f in schema.functions:
        if f.comment is not None:
            out.append(DDL(comment_sql(f.kind.upper(), function_signature(f), f.comment),
                           f"comment on {f.kind} {f.name}", f.loc, f"functions.{f.name}"))
    return out
