"""The model -> schema.yaml text: readable, deterministic, and read back as the same model.

Layout: extensions, enums, domains, composite types, sequences, functions, tables, views; within each,
the objects of ``public`` first (unqualified), then every other schema (qualified),
alphabetically. Columns keep their order. A column is one line (``name: type`` or a
flow mapping) when it fits; long SQL goes into literal blocks.

Names of constraints and indexes are written only when they are in ``explicit``:
everything else gets PostgreSQL's default name back when read. The caller
(:mod:`.import_yaml`) decides which names need writing by reading the text back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ...core.model import (Check, Column, CompositeType, Domain, Enum, FkAction, ForeignKey, Index, IndexElement,
                           QualifiedName, Schema, Sequence, Table, Trigger, View)
from ..schema.naming import key_part, name_key
from ..schema.yaml_source import yaml_block, yaml_scalar
from .render_objects import aggregate, collation, default_grants_yaml, function, grants_yaml, operator
from .render_table_options import deferral, storage, table_options
from .render_types import short_type

LINE = 110  # a flow mapping longer than this becomes a block mapping

@dataclass(frozen=True)
class Names:
    """Which constraint and index names to write: (schema, table or view, name)."""

    explicit: frozenset[tuple[str, str, str]] = field(default_factory=frozenset)

    def keep(self, owner: QualifiedName, name: str) -> bool:
        return (owner.schema, owner.name, name) in self.explicit


def _ordered(objects):  # type: ignore[no-untyped-def]
    return sorted(objects, key=lambda o: (o.schema != "public", o.schema, o.name, getattr(o, "identity_arguments", "")))


class Block(dict):  # type: ignore[type-arg]
    """A mapping always written as a block, one key per line (a table, its columns)."""


def _flow(value) -> str:  # type: ignore[no-untyped-def]
    """A scalar, list or dict (of scalars, lists, dicts) in flow style."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{yaml_scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return yaml_scalar(value)


class _Writer:
    def __init__(self, schema: Schema, names: Names) -> None:
        self.schema = schema
        self.names = names
        self.lines: list[str] = []

    def emit(self, indent: int, key: str, value) -> None:  # type: ignore[no-untyped-def]
        """``key: value`` at ``indent``; dicts that do not fit one line become blocks, multi-line text literal blocks."""
        pad = " " * indent
        head = f"{pad}{yaml_scalar(key)}:"
        if isinstance(value, str) and "\n" in value:
            block = yaml_block(value, pad + "  ")
            self.lines.append(f"{head} {block[0]}")
            self.lines.extend(block[1:])
            return
        if isinstance(value, dict) and value:
            line = f"{head} {_flow(value)}"
            if len(line) <= LINE and not _multiline(value) and not isinstance(value, Block):
                self.lines.append(line)
                return
            self.lines.append(head)
            for k, v in value.items():
                self.emit(indent + 2, k, v)
            return
        if isinstance(value, list) and value and (len(f"{head} {_flow(value)}") > LINE or _multiline(value)):
            self.lines.append(head)
            for item in value:
                self.item(indent + 2, item)
            return
        self.lines.append(f"{head} {_flow(value)}")

    def item(self, indent: int, value) -> None:  # type: ignore[no-untyped-def]
        pad = " " * indent
        if isinstance(value, dict) and (len(f"{pad}- {_flow(value)}") > LINE or _multiline(value)):
            first = True
            for k, v in value.items():
                before = len(self.lines)
                self.emit(indent + 2, k, v)
                if first:
                    self.lines[before] = pad + "- " + self.lines[before][indent + 2:]
                    first = False
            return
        if isinstance(value, str) and "\n" in value:
            self.lines.append(f"{pad}- {yaml_scalar(value)}")
            return
        self.lines.append(f"{pad}- {_flow(value)}")

    # ---- sections ------------------------------------------------------------------------
    def write(self, header: str) -> str:
        s = self.schema
        for line in header.splitlines():
            self.lines.append(f"# {line}".rstrip())
        if s.namespaces:
            plain = all(n.comment is None and n.managed and n.grants is None and n.default_grants is None
                        for n in s.namespaces)
            self.emit(0, "schemas", [n.name for n in s.namespaces] if plain else Block(
                {n.name: {**({"comment": n.comment} if n.comment is not None else {}),
                          **({} if n.managed else {"managed": False}),
                          **({} if n.grants is None else {"grants": grants_yaml(n.grants, "schema")}),
                          **({} if n.default_grants is None else {"default_grants": default_grants_yaml(n)})} or None
                 for n in s.namespaces}))
        if s.extensions:
            exts = [e.name if e.schema is None and e.managed and e.version is None else
                    {"name": e.name, **({"schema": e.schema} if e.schema else {}),
                     **({"version": e.version} if e.version else {}), **({} if e.managed else {"managed": False})}
                    for e in sorted(s.extensions, key=lambda e: e.name)]
            self.emit(0, "extensions", exts)
        self.section("collations", s.collations, collation)
        self.section("enums", s.enums, self.enum)
        self.section("domains", s.domains, self.domain)
        self.section("types", s.types, self.composite_type)
        self.section("sequences", s.sequences, self.sequence)
        self.section("functions", s.functions, lambda f: function(f, self.schema), blank=True)
        self.section("aggregates", s.aggregates, lambda a: aggregate(a, self.schema))
        self.section("operators", s.operators, operator)
        self.section("tables", s.tables, self.table, blank=True)
        self.section("views", s.views, self.view, blank=True)
        return "\n".join(self.lines) + "\n"

    def section(self, title: str, objects, render, blank: bool = False) -> None:  # type: ignore[no-untyped-def]
        if not objects:
            return
        if self.lines:
            self.lines.append("")
        self.lines.append(f"{title}:")
        named: dict[str, list] = {}  # type: ignore[type-arg]
        for o in _ordered(objects):  # overloads of a function: one name, a list of definitions
            named.setdefault(name_key(o.schema, o.name), []).append(render(o))
        for i, (key, rendered) in enumerate(named.items()):
            if blank and i:
                self.lines.append("")
            if len(rendered) > 1:
                self.emit(2, key, rendered)
            else:
                self.emit(2, key, Block(rendered[0]) if blank else rendered[0])

    def enum(self, e: Enum):  # type: ignore[no-untyped-def]
        return {"values": list(e.values), "comment": e.comment} if e.comment else list(e.values)

    def domain(self, d: Domain) -> dict:
        out: dict = {"type": short_type(d.type, self.schema)}
        if d.not_null:
            out["not_null"] = True
        if d.default is not None:
            out["default"] = natural(d.default)
        if d.checks:
            out["checks"] = [self.check(QualifiedName(d.schema, d.name), c) for c in d.checks]
        if d.comment:
            out["comment"] = d.comment
        return out

    def composite_type(self, c: CompositeType) -> dict:
        attributes = {a.name: {"type": short_type(a.type, self.schema), "collation": a.collation} if a.collation
                      else short_type(a.type, self.schema) for a in c.attributes}
        return {"attributes": attributes, "comment": c.comment} if c.comment else {"attributes": attributes}

    def sequence(self, q: Sequence) -> dict:
        out: dict = {}
        if q.type != "bigint":
            out["type"] = q.type
        for key, value in (("start", q.start), ("increment", q.increment), ("min", q.min_value),
                           ("max", q.max_value), ("cache", q.cache)):
            if value is not None:
                out[key] = value
        if q.cycle:
            out["cycle"] = True
        if q.owned_by:
            out["owned_by"] = q.owned_by
        if q.unlogged:
            out["unlogged"] = True
        if q.comment:
            out["comment"] = q.comment
        if q.grants is not None:
            out["grants"] = grants_yaml(q.grants, "sequence")
        return out

    def view(self, v: View) -> dict:
        out: dict = {}
        if v.materialized:
            out["materialized"] = True
        if v.comment:
            out["comment"] = v.comment
        out["definition"] = v.definition + ("\n" if "\n" in v.definition else "")
        if v.indexes:
            out["indexes"] = [self.index(v.qualified, ix) for ix in v.indexes]
        if v.triggers:
            out["triggers"] = [self.trigger(v, tr) for tr in v.triggers]  # type: ignore[arg-type]
        if v.grants is not None:
            out["grants"] = grants_yaml(v.grants, "view")
        return out

    # ---- tables --------------------------------------------------------------------------
    def table(self, t: Table) -> dict:
        keep = lambda name: self.names.keep(t.qualified, name)  # noqa: E731
        out: dict = {}
        if t.comment:
            out["comment"] = t.comment
        pk = t.primary_key
        column_pk = pk is not None and len(pk.columns) == 1 and not keep(pk.name) and not pk.deferrable
        column_unique: dict[str, object] = {}
        table_uniques = []
        for u in t.uniques:
            if len(u.columns) == 1 and not keep(u.name) and not u.nulls_not_distinct and not u.deferrable \
                    and u.columns[0] not in column_unique:
                column_unique[u.columns[0]] = u
            else:
                table_uniques.append(u)
        column_fk: dict[str, ForeignKey] = {}
        table_fks = []
        for fk in t.foreign_keys:
            simple = (len(fk.columns) == 1 and not keep(fk.name) and not fk.deferrable and not fk.not_valid
                      and fk.columns[0] not in column_fk)
            if simple:
                column_fk[fk.columns[0]] = fk
            else:
                table_fks.append(fk)
        out["columns"] = Block({c.name: self.column(t, c, column_pk and c.name == pk.columns[0],  # type: ignore[union-attr]
                                              c.name in column_unique, column_fk.get(c.name))
                          for c in t.columns})
        if pk is not None and not column_pk:
            if keep(pk.name) or pk.deferrable:
                out["primary_key"] = {"columns": list(pk.columns), **({"name": pk.name} if keep(pk.name) else {}),
                                      **deferral(pk.deferrable, pk.initially_deferred)}
            else:
                out["primary_key"] = list(pk.columns)
        if table_uniques:
            out["unique"] = [self.unique(t, u) for u in table_uniques]
        if t.checks:
            out["checks"] = [self.check(t.qualified, c) for c in t.checks]
        if table_fks:
            out["foreign_keys"] = [self.foreign_key(t, fk) for fk in table_fks]
        if t.indexes:
            out["indexes"] = [self.index(t.qualified, ix) for ix in t.indexes]
        if t.triggers:
            out["triggers"] = [self.trigger(t, tr) for tr in t.triggers]
        if t.rls_forced:
            out["row_level_security"] = {"enabled": True, "forced": True}
        elif t.rls_enabled:
            out["row_level_security"] = True
        if t.policies:
            out["policies"] = [self.policy(p) for p in t.policies]
        if t.partition_by:
            out["partition_by"] = t.partition_by
        if t.partitions:
            out["partitions"] = {p.name: self.partition(t, p) for p in t.partitions}
        out.update(table_options(t, any(keep(x.name) for x in t.excludes)))
        if t.grants is not None:
            out["grants"] = grants_yaml(t.grants, "table")
        return out

    def partition(self, t: Table, p) -> object:  # type: ignore[no-untyped-def]
        if not (p.comment or p.indexes or p.foreign_keys):
            return p.bound
        out: dict = {"values": p.bound}
        if p.comment:
            out["comment"] = p.comment
        own = QualifiedName(t.schema, p.name)
        if p.indexes:
            out["indexes"] = [self.index(own, ix) for ix in p.indexes]
        if p.foreign_keys:
            out["foreign_keys"] = [self.foreign_key(replace(t, name=p.name), fk) for fk in p.foreign_keys]
        return out

    def column(self, t: Table, c: Column, pk: bool, unique: bool, fk: ForeignKey | None):  # type: ignore[no-untyped-def]
        out: dict = {"type": short_type(c.type, self.schema)}
        if pk:
            out["primary_key"] = True
        in_pk = t.primary_key is not None and c.name in t.primary_key.columns
        if not c.nullable and not in_pk and c.identity is None:
            out["nullable"] = False
        if c.default is not None:
            out["default"] = natural(c.default)
        if c.identity is not None:
            ident = c.identity
            kind = "always" if ident.kind.value == "always" else "by default"
            if ident.start is None and ident.increment is None:
                out["identity"] = True if kind == "by default" else kind
            else:
                out["identity"] = {"kind": kind, **({"start": ident.start} if ident.start is not None else {}),
                                   **({"increment": ident.increment} if ident.increment is not None else {})}
        if c.generated is not None:
            out["generated"] = c.generated
        if c.collation:
            out["collation"] = c.collation
        if c.statistics is not None:
            out["statistics"] = c.statistics
        for key, value in (("n_distinct", c.n_distinct), ("n_distinct_inherited", c.n_distinct_inherited)):
            if value is not None:
                out[key] = int(value) if value.is_integer() else value
        if unique:
            out["unique"] = True
        if fk is not None:
            out["references"] = f"{self.ref_table(t, fk.ref_table)}.{fk.ref_columns[0]}"
            out.update(self.actions(fk))
        if c.comment:
            out["comment"] = c.comment
        return out["type"] if len(out) == 1 and not _needs_quotes(out["type"]) else out

    def ref_table(self, t: Table, target: QualifiedName) -> str:
        return target.name if target.schema == t.schema else f"{target.schema}.{target.name}"

    def actions(self, fk: ForeignKey) -> dict:
        out = {}
        if fk.on_delete != FkAction.NO_ACTION:
            out["on_delete"] = fk.on_delete.value
        if fk.on_update != FkAction.NO_ACTION:
            out["on_update"] = fk.on_update.value
        return out

    def unique(self, t: Table, u) -> object:  # type: ignore[no-untyped-def]
        if not self.names.keep(t.qualified, u.name) and not u.nulls_not_distinct and not u.deferrable:
            return list(u.columns)
        out: dict = {"name": u.name} if self.names.keep(t.qualified, u.name) else {}
        out["columns"] = list(u.columns)
        if u.nulls_not_distinct:
            out["nulls_not_distinct"] = True
        out.update(deferral(u.deferrable, u.initially_deferred))
        return out

    def check(self, owner: QualifiedName, c: Check) -> object:
        if not self.names.keep(owner, c.name) and not c.not_valid:
            return c.expression
        out: dict = {}
        if self.names.keep(owner, c.name):
            out["name"] = c.name
        out["expression"] = c.expression
        if c.not_valid:
            out["not_valid"] = True
        return out

    def foreign_key(self, t: Table, fk: ForeignKey) -> dict:
        out: dict = {"name": fk.name} if self.names.keep(t.qualified, fk.name) else {}
        out["columns"] = list(fk.columns)
        out["references"] = f"{self.ref_table(t, fk.ref_table)}({', '.join(fk.ref_columns)})"
        out.update(self.actions(fk))
        if fk.deferrable:
            out["deferrable"] = True
        if fk.initially_deferred:
            out["initially_deferred"] = True
        if fk.not_valid:
            out["not_valid"] = True
        return out

    def index(self, owner: QualifiedName, ix: Index) -> dict:
        out: dict = {"name": ix.name} if self.names.keep(owner, ix.name) else {}
        out["columns"] = [self.element(e) for e in ix.elements]
        if ix.unique:
            out["unique"] = True
        if ix.method != "btree":
            out["method"] = ix.method
        if ix.include:
            out["include"] = list(ix.include)
        if ix.storage:
            out["with"] = storage(ix.storage)
        if ix.where:
            out["where"] = ix.where
        return out

    def element(self, e: IndexElement):  # type: ignore[no-untyped-def]
        if e.column and not (e.descending or e.nulls or e.opclass or e.statistics is not None):
            return e.column
        out: dict = {"column": e.column} if e.column else {"expression": e.expression}
        if e.descending:
            out["order"] = "desc"
        if e.nulls:
            out["nulls"] = e.nulls
        if e.opclass:
            out["opclass"] = e.opclass
        if e.statistics is not None:
            out["statistics"] = e.statistics
        return out

    def trigger(self, t: Table, tr: Trigger) -> dict:
        fn = tr.function
        out: dict = {"name": tr.name, "timing": tr.timing, "events": list(tr.events)}
        if tr.level != "row":
            out["level"] = tr.level
        out["function"] = key_part(fn.name) if not fn.schema or fn.schema == t.schema else \
            f"{key_part(fn.schema)}.{key_part(fn.name)}"
        if tr.update_columns:
            out["columns"] = list(tr.update_columns)
        if tr.when:
            out["when"] = tr.when
        if tr.arguments:
            out["arguments"] = list(tr.arguments)
        if tr.old_table:
            out["old_table"] = tr.old_table
        if tr.new_table:
            out["new_table"] = tr.new_table
        if tr.initially_deferred:
            out["initially_deferred"] = True
        elif tr.deferrable:
            out["deferrable"] = True
        if tr.comment:
            out["comment"] = tr.comment
        return out

    def policy(self, p) -> dict:  # type: ignore[no-untyped-def]
        out: dict = {"name": p.name}
        if p.command != "all":
            out["command"] = p.command
        if not p.permissive:
            out["permissive"] = False
        if tuple(p.roles) != ("public",):
            out["roles"] = list(p.roles)
        if p.using is not None:
            out["using"] = p.using
        if p.with_check is not None:
            out["with_check"] = p.with_check
        return out


def natural(sql: str):  # type: ignore[no-untyped-def]
    """A default as YAML would write it: true, false and whole numbers unquoted (they read back as the same SQL)."""
    if sql in ("true", "false"):
        return sql == "true"
    if re.fullmatch(r"-?(0|[1-9][0-9]*)", sql):
        return int(sql)
    return sql


def _multiline(value) -> bool:  # type: ignore[no-untyped-def]
    if isinstance(value, str):
        return "\n" in value
    if isinstance(value, dict):
        return any(_multiline(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_multiline(v) for v in value)
    return False


def _needs_quotes(text: str) -> bool:
    return yaml_scalar(text) != text


def render_schema_yaml(schema: Schema, *, names: Names = Names(), header: str = "") -> str:
    """schema.yaml text for ``schema``."""
    return _Writer(schema, names).write(header)
