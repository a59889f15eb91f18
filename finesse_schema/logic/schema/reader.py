"""schema.yaml nodes -> the frozen model.

The grammar (the JSON Schema in :mod:`.jsonschema` is its machine-readable twin)::

    extensions: [pgcrypto]
    enums:
      order_status: [pending, paid, shipped]
    tables:
      sales.orders:                      # schema.table; public when unqualified
        comment: One row per checkout
        columns:
          id: {type: uuid, primary_key: true, default: gen_random_uuid()}
          user_id: {type: uuid, nullable: false, references: users.id, on_delete: restrict}
          total: numeric(12,2)           # shorthand: just the type
        unique: [[user_id, created_at]]
        checks: ["total >= 0"]
        indexes:
          - {columns: [user_id, status], where: "status <> 'done'"}

Names of constraints and indexes default to PostgreSQL's own (see :mod:`.naming`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ...core.errors import InputError, Location, Problem
from ...core.model import (Check, Column, Enum, Extension, ForeignKey, Namespace, QualifiedName, Schema, Table,
                           Unique, View)
from .columns import ColumnReader
from .composite_types import declare_composite_types, read_composite_types
from .naming import split_name
from .object_readers import (read_domains, read_functions, read_partitioning, read_policies, read_row_security,
                             read_sequences, read_suppressions, read_triggers, read_views)
from .table_options import read_exclusions, read_inherits
from .collations import read_aggregates, read_collations
from .operators import read_operators
from .grants import read_default_grants, read_grants
from .yaml_source import Node

TOP_KEYS = ("schemas", "extensions", "collations", "enums", "domains", "types", "sequences", "functions",
            "aggregates", "operators", "tables", "views", "lint")
TABLE_KEYS = ("columns", "primary_key", "foreign_keys", "unique", "checks", "indexes", "comment", "triggers",
              "renamed_from", "row_level_security", "policies", "partition_by", "partitions", "group", "exclude",
              "unlogged", "with", "inherits", "cluster_on", "grants")
BUILTIN_TRIGGER_FUNCTIONS = ("suppress_redundant_updates_trigger", "tsvector_update_trigger",
                             "tsvector_update_trigger_column")
UNIQUE_KEYS = ("columns", "name", "nulls_not_distinct", "renamed_from", "deferrable", "initially_deferred")
CHECK_KEYS = ("name", "expression", "renamed_from", "not_valid")


class _SchemaReader(ColumnReader):
    def __init__(self, source: str, lint_codes: tuple[str, ...] | None) -> None:
        super().__init__(source)
        self.lint_codes = lint_codes

    def read(self, root: Node, source_hash: str) -> Schema:
        if not self.keys(root, TOP_KEYS, "schema.yaml"):
            raise InputError(self.problems)
        namespaces = self.read_namespaces(root.get("schemas"))
        extensions = self.read_extensions(root.get("extensions"))
        # the types of an unmanaged extension are not there in finesse's scratch database
        self.extensions = frozenset(e.name for e in extensions if e.managed)
        collations = read_collations(self, root.get("collations"))
        enums = self.read_enums(root.get("enums"))
        self.declare_types(enums)
        declare_composite_types(self, root.get("types"))
        domains = read_domains(self, root.get("domains"))
        self.declare_types(domains)
        types = read_composite_types(self, root.get("types"))
        sequences = read_sequences(self, root.get("sequences"))
        tables_node = root.get("tables")
        tables: list[Table] = []
        if tables_node is not None and not tables_node.is_map:
            self.problem(tables_node, "tables must be a mapping of table name to table")
        elif tables_node is not None:
            self.reserve_explicit_names(tables_node)
            for key, node in tables_node.items():
                table = self.read_table(split_name(key), node)
                if table:
                    tables.append(table)
        tables = self.resolve_references(tables)
        self.declare_row_types(tables)  # functions may take and return a table's rows
        functions = read_functions(self, root.get("functions"))
        declared = {f.qualified for f in functions}
        aggregates = [replace(a, state_function=_resolve_function(a.state_function, a.schema, declared),
                              final_function=a.final_function and _resolve_function(a.final_function, a.schema,
                                                                                     declared))
                      for a in read_aggregates(self, root.get("aggregates"))]
        operators = [replace(o, function=_resolve_function(o.function, o.schema, declared),
                             restrict=o.restrict and _resolve_function(o.restrict, o.schema, declared),
                             join=o.join and _resolve_function(o.join, o.schema, declared))
                     for o in read_operators(self, root.get("operators"))]
        tables = self.resolve_trigger_functions(tables, functions)
        views = self.resolve_trigger_functions(read_views(self, root.get("views")), functions)
        suppressions = read_suppressions(self, root.get("lint"), self.lint_codes)
        if self.problems:
            raise InputError(self.problems)
        return Schema(tuple(extensions), tuple(enums), tuple(tables), tuple(sequences), tuple(domains),
                      tuple(functions), tuple(views), tuple(namespaces), tuple(collations), tuple(aggregates),
                      tuple(operators), tuple(types), tuple(suppressions), source=self.source,
                      source_hash=source_hash)

    def declare_row_types(self, tables: list[Table]) -> None:
        """Make each table's row type usable as a function's argument or result, by name or schema.name."""
        for t in tables:
            for spelled in (t.name, f"{t.schema}.{t.name}", f'"{t.schema}"."{t.name}"'):
                if spelled not in self.user_types:
                    self.row_types.setdefault(spelled, f"{t.schema}.{t.name}")

    def read_namespaces(self, node: Node | None) -> list[Namespace]:
        """schemas: [reporting] or {reporting: {comment: ...}, cron: {managed: false}}."""
        if node is None or node.value is None:
            return []
        items = [(self.text(i, "schema name"), None, i) for i in node.value] if node.is_list else \
            [(k, v, v) for k, v in node.items()] if node.is_map else None
        if items is None:
            self.problem(node, "schemas must be a list of schema names, or a mapping of name to {comment, managed}")
            return []
        out = []
        for name, spec, where in items:
            if not name:
                continue
            comment, managed, grants, defaults = None, True, None, None
            if spec is not None and spec.value is not None:
                if not self.keys(spec, ("comment", "managed", "grants", "default_grants"), f"schema '{name}'"):
                    continue
                comment = self.text(spec.get("comment"), "comment")
                managed = self.boolean(spec.get("managed"), "managed", default=True)
                grants = read_grants(self, spec.get("grants"), "schema")
                defaults = read_default_grants(self, spec.get("default_grants"))
            if name.startswith("pg_") or name in ("information_schema", "finesse"):
                self.problem(where, f"schema '{name}' is PostgreSQL's or finesse's own", "choose another name")
                continue
            out.append(Namespace(name, comment, managed, grants, defaults, loc=where.key_loc or where.loc))
        return out

    def read_extensions(self, node: Node | None) -> list[Extension]:
        if node is None:
            return []
        if not node.is_list:
            self.problem(node, "extensions must be a list of extension names")
            return []
        out = []
        for item in node.value:
            if item.is_map:
                self.keys(item, ("name", "schema", "managed", "version"), "an extension")
                name = self.text(item.get("name"), "extension name")
                if not name:
                    self.problem(item, "an extension needs a name")
                    continue
                managed = self.boolean(item.get("managed"), "managed", default=True)
                if not managed and item.get("schema") is not None:
                    self.problem(item.get("schema"), f"extension '{name}' is not managed by finesse, so it has no "
                                 "schema to install it in", hint="remove schema:, or managed: false")
                version = self.text(item.get("version"), "version")
                if version is not None and not re.fullmatch(r"[A-Za-z0-9_.\-]+", version):
                    self.problem(item.get("version"), f"'{version}' is not an extension version", "e.g. '1.6'")
                    version = None
                out.append(Extension(name, self.text(item.get("schema"), "extension schema"), loc=item.loc,
                                     managed=managed, version=version))
            else:
                name = self.text(item, "extension name")
                if name:
                    out.append(Extension(name, loc=item.loc))
        return out

    def read_enums(self, node: Node | None) -> list[Enum]:
        if node is None:
            return []
        if not node.is_map:
            self.problem(node, "enums must be a mapping of enum name to its values")
            return []
        out = []
        for key, item in node.items():
            qn = split_name(key)
            comment = None
            values_node: Node | None = item
            if item.is_map:
                self.keys(item, ("values", "comment"), "an enum")
                values_node = item.get("values")
                comment = self.text(item.get("comment"), "comment")
            values, renamed = self.enum_values(values_node)
            if not values:
                self.problem(item, f"enum '{key}' needs at least one value")
            dupes = sorted({v for v in values if values.count(v) > 1})
            if dupes:
                self.problem(item, f"enum '{key}' repeats the value(s) {', '.join(dupes)}")
            out.append(Enum(qn.schema, qn.name, values, comment, renamed, loc=item.key_loc or item.loc))
        return out

    def enum_values(self, node: Node | None) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
        """Enum values: names, or {value, renamed_from} for a value that had another name."""
        values: list[str] = []
        renamed: list[tuple[str, str]] = []
        for item in self.list_of(node, "enum values"):
            if item.is_map:
                self.keys(item, ("value", "renamed_from"), "an enum value")
                value, old = self.text(item.get("value"), "value"), self.text(item.get("renamed_from"), "renamed_from")
                if not value:
                    self.problem(item, "an enum value needs value:")
                    continue
                values.append(value)
                if old:
                    renamed.append((old, value))
            else:
                value = self.text(item, "enum value")
                if value is not None:
                    values.append(value)
        return tuple(values), tuple(renamed)

    def reserve_explicit_names(self, tables_node: Node) -> None:
        for key, node in tables_node.items():
            qn = split_name(key)
            self.namer.reserve_relation(qn.schema, qn.name)
            for section in ("foreign_keys", "unique", "checks", "indexes"):
                sec = node.get(section) if node.is_map else None
                for item in (sec.value if sec is not None and sec.is_list else []):
                    name = item.get("name") if item.is_map else None
                    if name is not None and isinstance(name.value, str):
                        if section == "indexes":
                            self.namer.reserve_relation(qn.schema, name.value)
                        else:
                            self.namer.reserve_constraint(qn.schema, name.value)
            pk = node.get("primary_key") if node.is_map else None
            if pk is not None and pk.is_map and isinstance((pk.get("name") or Node(None, pk.loc, "")).value, str):
                self.namer.reserve_relation(qn.schema, pk.get("name").value)  # type: ignore[union-attr]

    def read_table(self, qn: QualifiedName, node: Node) -> Table | None:
        if not self.keys(node, TABLE_KEYS, f"table '{qn.name}'"):
            return None
        cols_node = node.get("columns")
        if cols_node is None or not cols_node.is_map:  # columns: {} declares a table without columns
            self.problem(cols_node or node, f"table '{qn.name}' needs columns: a mapping of column name to type",
                         "a table without columns says so: columns: {}", at_key=cols_node is None)
            return None
        columns: list[Column] = []
        pk_cols: list[str] = []
        uniques: list[tuple[tuple[str, ...], str | None, bool, Location, str | None, bool, bool]] = []
        fks: list[ForeignKey] = []
        for name, cnode in cols_node.items():
            col = self.read_column(name, cnode)
            if col is None:
                continue
            columns.append(col)
            if cnode.is_map:
                if self.boolean(cnode.get("primary_key"), "primary_key"):
                    pk_cols.append(name)
                if self.boolean(cnode.get("unique"), "unique"):
                    uniques.append(((name,), None, False, cnode.loc, None, False, False))
                ref = cnode.get("references")
                if ref is not None:
                    fk = self.read_column_reference(qn, name, cnode, ref)
                    if fk:
                        fks.append(fk)
        colnames = {c.name for c in columns}
        primary_key = self.read_primary_key(qn, node.get("primary_key"), pk_cols, cols_node)
        if primary_key:
            columns = [replace(c, nullable=False) if c.name in primary_key.columns else c for c in columns]
        for item in self.list_of(node.get("unique"), "unique"):
            if item.is_map:
                self.keys(item, UNIQUE_KEYS, "a unique constraint")
                deferred = self.boolean(item.get("initially_deferred"), "initially_deferred")
                uniques.append((self.names(item.get("columns"), "unique columns"),
                                self.text(item.get("name"), "name"),
                                self.boolean(item.get("nulls_not_distinct"), "nulls_not_distinct"), item.loc,
                                self.text(item.get("renamed_from"), "renamed_from"),
                                self.boolean(item.get("deferrable"), "deferrable") or deferred, deferred))
            else:
                uniques.append((self.names(item, "unique columns"), None, False, item.loc, None, False, False))
        unique_objs = []
        for cols, uname, nnd, loc, old, deferrable, deferred in uniques:
            if not cols:
                continue
            uname = uname or self.namer.unique(qn.schema, qn.name, list(cols))
            unique_objs.append(Unique(uname, cols, nnd, old, deferrable, deferred, loc=loc))
        checks = []
        for item in self.list_of(node.get("checks"), "checks"):
            cname, expr, old, not_valid, expr_node = None, None, None, False, item
            if item.is_map:
                self.keys(item, CHECK_KEYS, "a check")
                cname, expr_node = self.text(item.get("name"), "name"), item.get("expression")
                expr = self.text(expr_node, "expression")
                old = self.text(item.get("renamed_from"), "renamed_from")
                not_valid = self.boolean(item.get("not_valid"), "not_valid")
            else:
                expr = self.text(item, "check expression")
            if not expr:
                self.problem(item, "a check needs an expression", "e.g. \"price >= 0\"")
                continue
            if self.checked_sql(expr_node or item, expr, "check") is None:
                continue
            checks.append(Check(cname or self.namer.check(qn.schema, qn.name, expr, colnames), expr, old, not_valid,
                                loc=item.loc))
        indexes = [ix for ix in (self.read_index(qn, item) for item in self.list_of(node.get("indexes"), "indexes"))
                   if ix]
        for item in self.list_of(node.get("foreign_keys"), "foreign_keys"):
            fk = self.read_foreign_key(qn, item)
            if fk:
                fks.append(fk)
        triggers = read_triggers(self, qn, node.get("triggers"))
        enabled, forced = read_row_security(self, node.get("row_level_security"))
        policies = read_policies(self, node.get("policies"))
        if policies and not enabled:
            self.problem(node.get("policies"), "policies do nothing while row level security is off",  # type: ignore[arg-type]
                         "add row_level_security: true", at_key=True)
        return Table(qn.schema, qn.name, tuple(columns), primary_key, tuple(fks), tuple(unique_objs),
                     tuple(checks), tuple(indexes), self.text(node.get("comment"), "comment"), tuple(triggers),
                     self.text(node.get("renamed_from"), "renamed_from"), enabled, forced, tuple(policies),
                     *self.partitioning(qn, node), group=self.text(node.get("group"), "group"),
                     excludes=tuple(read_exclusions(self, qn, node.get("exclude"))),
                     unlogged=self.boolean(node.get("unlogged"), "unlogged"),
                     storage=self.storage(node.get("with"), f"table '{qn.name}'"),
                     inherits=read_inherits(self, node.get("inherits"), qn),
                     cluster_on=self.text(node.get("cluster_on"), "cluster_on"),
                     grants=read_grants(self, node.get("grants"), "table"), loc=node.key_loc or node.loc)

    def partitioning(self, qn: QualifiedName, node: Node) -> tuple:  # type: ignore[type-arg]
        by, parts = read_partitioning(self, qn, node.get("partition_by"), node.get("partitions"))
        return by, tuple(parts)

    def resolve_references(self, tables: list[Table]) -> list[Table]:
        """Qualify referenced tables (same schema first, then public) and default to their primary key."""
        by_name = {t.qualified: t for t in tables}
        out = []
        for t in tables:
            fks = []
            for fk in t.foreign_keys:
                target = fk.ref_table
                if not target.schema:
                    target = _resolve(target.name, t.schema, by_name) or QualifiedName(t.schema, target.name)
                ref_cols = fk.ref_columns
                parent = by_name.get(target)
                if not ref_cols and parent and parent.primary_key:
                    ref_cols = parent.primary_key.columns
                fks.append(replace(fk, ref_table=target, ref_columns=ref_cols))
            parents = tuple(p if p.schema else _resolve(p.name, t.schema, by_name) or QualifiedName(t.schema, p.name)
                            for p in t.inherits)
            parts = tuple(replace(p, foreign_keys=tuple(self.resolved(fk, t.schema, by_name) for fk in p.foreign_keys))
                          for p in t.partitions)
            out.append(replace(t, foreign_keys=tuple(fks), inherits=parents, partitions=parts))
        return out

    @staticmethod
    def resolved(fk: ForeignKey, schema: str, by_name: dict) -> ForeignKey:  # type: ignore[type-arg]
        """``fk`` with its table qualified (this schema first, then public) and its columns the key's."""
        target = fk.ref_table if fk.ref_table.schema else (
            _resolve(fk.ref_table.name, schema, by_name) or QualifiedName(schema, fk.ref_table.name))
        parent = by_name.get(target)
        ref_cols = fk.ref_columns or (parent.primary_key.columns if parent and parent.primary_key else ())
        return replace(fk, ref_table=target, ref_columns=ref_cols)

    def resolve_trigger_functions(self, tables, functions):  # type: ignore[no-untyped-def]
        """Qualify trigger functions: the table's schema first, then public; built-ins stay as written."""
        declared = {f.qualified for f in functions}
        out = []
        for t in tables:
            triggers = []
            for tr in t.triggers:
                fn = tr.function
                if not fn.schema:
                    fn = _resolve(fn.name, t.schema, declared) or fn
                if not fn.schema and fn.name not in BUILTIN_TRIGGER_FUNCTIONS:
                    import difflib

                    close = difflib.get_close_matches(fn.name, sorted(f.name for f in functions), n=1)
                    self.problems.append(Problem(
                        f"trigger '{tr.name}' calls function '{fn.name}', which schema.yaml does not declare",
                        tr.loc, f"{_table_path(t)}.triggers",
                        f"did you mean '{close[0]}'?" if close else "declare it under functions:, or qualify it"))
                triggers.append(replace(tr, function=fn))
            out.append(replace(t, triggers=tuple(triggers)))
        return out


def _resolve_function(fn: QualifiedName, schema: str, declared: set[QualifiedName]) -> QualifiedName:
    """A function an aggregate or operator names: qualified when schema.yaml declares it, else a built-in."""
    return fn if fn.schema else (_resolve(fn.name, schema, declared) or fn)


def _resolve(name: str, schema: str, known) -> QualifiedName | None:  # type: ignore[no-untyped-def]
    """An unqualified name as PostgreSQL's default search would find it here: this schema, then public."""
    for candidate in (QualifiedName(schema, name), QualifiedName("public", name)):
        if candidate in known:
            return candidate
    return None


def _table_path(t) -> str:  # type: ignore[no-untyped-def]
    """The YAML path of a table (or a view)."""
    kind = "views" if isinstance(t, View) else "tables"
    return f"{kind}.{t.name if t.schema == 'public' else t.qualified}"


def read_schema(root: Node, *, source: str, source_hash: str = "", lint_codes: tuple[str, ...] | None = None) -> Schema:
    """Build the model from parsed YAML; raise InputError listing every problem found. ``lint_codes``: the codes
    a suppression may name (None: any)."""
    return _SchemaReader(source, lint_codes).read(root, source_hash)
