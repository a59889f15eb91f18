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

from contextlib import contextmanager
from dataclasses import replace

from ..core.errors import InputError, Location, Problem
from ..core.model import (Check, Column, Enum, Extension, FkAction, ForeignKey, Identity, IdentityKind,
                          Index, IndexElement, PrimaryKey, QualifiedName, Schema, Table, Unique)
from .fields import Reader
from .naming import Namer, index_column_name
from .reader_objects import (read_domains, read_functions, read_partitioning, read_policies, read_row_security,
                             read_sequences, read_suppressions, read_triggers, read_views)
from .types import TypeError_, parse_type
from .yaml_source import Node

TOP_KEYS = ("extensions", "enums", "domains", "sequences", "functions", "tables", "views", "lint")
TABLE_KEYS = ("columns", "primary_key", "foreign_keys", "unique", "checks", "indexes", "comment", "triggers",
              "renamed_from", "row_level_security", "policies", "partition_by", "partitions", "group")
# types a function may take or return that no column can have
PSEUDO_TYPES = ("anyelement", "anyarray", "anynonarray", "anyenum", "anyrange", "anymultirange",
                "anycompatible", "anycompatiblearray", "record", "internal", "cstring", "void", "trigger",
                "event_trigger", "regclass", "regproc", "regtype")
BUILTIN_TRIGGER_FUNCTIONS = ("suppress_redundant_updates_trigger", "tsvector_update_trigger",
                             "tsvector_update_trigger_column")
COLUMN_KEYS = ("type", "nullable", "default", "primary_key", "unique", "identity", "generated", "comment",
               "references", "on_delete", "on_update", "renamed_from", "collation")
FK_KEYS = ("columns", "references", "on_delete", "on_update", "name", "deferrable", "initially_deferred",
           "renamed_from", "not_valid")
INDEX_KEYS = ("columns", "name", "unique", "where", "include", "method", "renamed_from")
UNIQUE_KEYS = ("columns", "name", "nulls_not_distinct", "renamed_from")
CHECK_KEYS = ("name", "expression", "renamed_from", "not_valid")
PRIMARY_KEY_KEYS = ("columns", "name", "renamed_from")
ELEMENT_KEYS = ("column", "expression", "order", "nulls", "opclass")
FK_ACTIONS = {a.value: a for a in FkAction}
IDENTITY_KINDS = {"always": IdentityKind.ALWAYS, "by default": IdentityKind.BY_DEFAULT, "true": IdentityKind.BY_DEFAULT}
INDEX_METHODS = ("btree", "hash", "gist", "spgist", "gin", "brin", "hnsw", "ivfflat", "bloom")


def split_name(text: str, default_schema: str = "public") -> QualifiedName:
    schema, dot, name = text.rpartition(".")
    return QualifiedName(schema if dot else default_schema, name)


class _SchemaReader(Reader):
    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source
        self.namer = Namer()
        self.user_types: dict[str, str] = {}
        self.extensions: frozenset[str] = frozenset()

    # ---- top level -------------------------------------------------------------------------
    def read(self, root: Node, source_hash: str) -> Schema:
        if not self.keys(root, TOP_KEYS, "schema.yaml"):
            raise InputError(self.problems)
        extensions = self.read_extensions(root.get("extensions"))
        # the types of an unmanaged extension are not there in finesse's scratch database
        self.extensions = frozenset(e.name for e in extensions if e.managed)
        enums = self.read_enums(root.get("enums"))
        self.declare_types(enums)
        domains = read_domains(self, root.get("domains"))
        self.declare_types(domains)
        sequences = read_sequences(self, root.get("sequences"))
        functions = read_functions(self, root.get("functions"))
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
        tables = self.resolve_trigger_functions(tables, functions)
        views = read_views(self, root.get("views"))
        suppressions = read_suppressions(self, root.get("lint"))
        if self.problems:
            raise InputError(self.problems)
        return Schema(tuple(extensions), tuple(enums), tuple(tables), tuple(sequences), tuple(domains),
                      tuple(functions), tuple(views), tuple(suppressions), source=self.source,
                      source_hash=source_hash)

    def declare_types(self, objects) -> None:  # type: ignore[no-untyped-def]
        """Make enums and domains usable as column types, by name or schema.name."""
        for o in objects:
            for spelled in (o.name, f"{o.schema}.{o.name}", f'"{o.schema}"."{o.name}"'):
                self.user_types.setdefault(spelled, f"{o.schema}.{o.name}")

    @contextmanager
    def quietly(self):  # type: ignore[no-untyped-def]
        """Try a read without reporting: ``with r.quietly() as ok: ...; ok()`` tells whether it went well."""
        mark = len(self.problems)
        state = {"ok": True}
        try:
            yield lambda: state["ok"]
        finally:
            state["ok"] = len(self.problems) == mark
            del self.problems[mark:]

    def read_extensions(self, node: Node | None) -> list[Extension]:
        if node is None:
            return []
        if not node.is_list:
            self.problem(node, "extensions must be a list of extension names")
            return []
        out = []
        for item in node.value:
            if item.is_map:
                self.keys(item, ("name", "schema", "managed"), "an extension")
                name = self.text(item.get("name"), "extension name")
                if not name:
                    self.problem(item, "an extension needs a name")
                    continue
                managed = self.boolean(item.get("managed"), "managed", default=True)
                if not managed and item.get("schema") is not None:
                    self.problem(item.get("schema"), f"extension '{name}' is not managed by finesse, so it has no "
                                 "schema to install it in", hint="remove schema:, or managed: false")
                out.append(Extension(name, self.text(item.get("schema"), "extension schema"), loc=item.loc,
                                     managed=managed))
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

    # ---- tables ----------------------------------------------------------------------------
    def read_table(self, qn: QualifiedName, node: Node) -> Table | None:
        if not self.keys(node, TABLE_KEYS, f"table '{qn.name}'"):
            return None
        cols_node = node.get("columns")
        if cols_node is None or not cols_node.is_map or not cols_node.value:
            self.problem(cols_node or node, f"table '{qn.name}' needs columns: a mapping of column name to type",
                         at_key=cols_node is None)
            return None
        columns: list[Column] = []
        pk_cols: list[str] = []
        uniques: list[tuple[tuple[str, ...], str | None, bool, Location, str | None]] = []
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
                    uniques.append(((name,), None, False, cnode.loc, None))
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
                uniques.append((self.names(item.get("columns"), "unique columns"),
                                self.text(item.get("name"), "name"),
                                self.boolean(item.get("nulls_not_distinct"), "nulls_not_distinct"), item.loc,
                                self.text(item.get("renamed_from"), "renamed_from")))
            else:
                uniques.append((self.names(item, "unique columns"), None, False, item.loc, None))
        unique_objs = []
        for cols, uname, nnd, loc, old in uniques:
            if not cols:
                continue
            uname = uname or self.namer.unique(qn.schema, qn.name, list(cols))
            unique_objs.append(Unique(uname, cols, nnd, old, loc=loc))
        checks = []
        for item in self.list_of(node.get("checks"), "checks"):
            cname, expr, old, not_valid = None, None, None, False
            if item.is_map:
                self.keys(item, CHECK_KEYS, "a check")
                cname, expr = self.text(item.get("name"), "name"), self.text(item.get("expression"), "expression")
                old = self.text(item.get("renamed_from"), "renamed_from")
                not_valid = self.boolean(item.get("not_valid"), "not_valid")
            else:
                expr = self.text(item, "check expression")
            if not expr:
                self.problem(item, "a check needs an expression", "e.g. \"price >= 0\"")
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
                     *self.partitioning(node), group=self.text(node.get("group"), "group"), loc=node.key_loc or node.loc)

    def partitioning(self, node: Node) -> tuple:  # type: ignore[type-arg]
        by, parts = read_partitioning(self, node.get("partition_by"), node.get("partitions"))
        return by, tuple(parts)

    def list_of(self, node: Node | None, what: str) -> list[Node]:
        if node is None or node.value is None:
            return []
        if not node.is_list:
            self.problem(node, f"{what} must be a list")
            return []
        return node.value

    def read_column(self, name: str, node: Node) -> Column | None:
        if node.is_scalar:
            type_text = self.text(node, "column type")
            if not type_text:
                self.problem(node, f"column '{name}' needs a type", "e.g. text, integer, varchar(80)")
                return None
            ctype = self.column_type(type_text, node)
            return Column(name, ctype, loc=node.key_loc or node.loc) if ctype else None
        if not self.keys(node, COLUMN_KEYS, f"column '{name}'"):
            return None
        type_node = node.get("type")
        type_text = self.text(type_node, "type")
        if not type_text:
            self.problem(type_node or node, f"column '{name}' needs a type", "e.g. type: text", at_key=True)
            return None
        ctype = self.column_type(type_text, type_node or node)
        if ctype is None:
            return None
        default = self.default_sql(node.get("default"))
        identity = self.read_identity(node.get("identity"))
        generated = self.text(node.get("generated"), "generated")
        nullable = self.boolean(node.get("nullable"), "nullable", default=True)
        if self.boolean(node.get("primary_key"), "primary_key") and node.get("nullable") is not None and nullable:
            self.problem(node.get("nullable"), f"primary key column '{name}' cannot be nullable")  # type: ignore[arg-type]
        if identity and default is not None:
            self.problem(node, f"column '{name}' has both identity and a default", "keep one of them")
        if generated and (default is not None or identity):
            self.problem(node, f"generated column '{name}' cannot have a default or identity")
        if identity and ctype not in ("smallint", "integer", "bigint"):
            self.problem(node.get("identity"), f"identity needs an integer column, not '{ctype}'",  # type: ignore[arg-type]
                         "use bigint")
        if identity:
            nullable = False
        collation = self.text(node.get("collation"), "collation")
        if collation and ctype.rstrip("[]") not in ("text", "citext") and not ctype.startswith(("character",)) \
                and "." not in ctype:
            self.problem(node.get("collation"), f"collation applies to text types, not '{ctype}'")  # type: ignore[arg-type]
        return Column(name, ctype, nullable, default, identity, generated, self.text(node.get("comment"), "comment"),
                      self.text(node.get("renamed_from"), "renamed_from"), collation, loc=node.key_loc or node.loc)

    def column_type(self, text: str, node: Node, *, allow_pseudo: bool = False) -> str | None:
        if allow_pseudo and " ".join(text.lower().split()).rstrip("[]") in PSEUDO_TYPES:
            return " ".join(text.lower().split())
        try:
            parsed = parse_type(text, user_types=self.user_types, extensions=self.extensions)
        except TypeError_ as exc:
            hint = exc.hint
            if text.count("(") > text.count(")"):
                hint = 'quote the type: inside { } YAML splits at the comma, write type: "numeric(10,2)"'
            self.problem(node, str(exc), hint)
            return None
        return parsed.canonical

    def default_sql(self, node: Node | None) -> str | None:
        if node is None or node.value is None:
            return None
        value = node.value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return repr(value)
        if isinstance(value, str):
            return value
        self.problem(node, "default must be an SQL expression such as now() or 'pending'")
        return None

    def read_identity(self, node: Node | None) -> Identity | None:
        if node is None or node.value is None or node.value is False:
            return None
        if node.value is True:
            return Identity()
        if node.is_map:
            self.keys(node, ("kind", "start", "increment"), "identity")
            kind = self.choice(node.get("kind"), "identity kind", IDENTITY_KINDS, IdentityKind.BY_DEFAULT)
            return Identity(kind, self.integer(node.get("start"), "start"), self.integer(node.get("increment"),
                                                                                          "increment"))
        return Identity(self.choice(node, "identity", IDENTITY_KINDS, IdentityKind.BY_DEFAULT))

    def read_primary_key(self, qn: QualifiedName, node: Node | None, from_columns: list[str],
                         cols_node: Node) -> PrimaryKey | None:
        name, old_name = None, None
        cols: tuple[str, ...] = ()
        if node is not None:
            if from_columns:
                self.problem(node, "primary key declared both on columns and on the table", "keep one",
                             at_key=True)
            if node.is_map:
                self.keys(node, PRIMARY_KEY_KEYS, "primary_key")
                cols, name = self.names(node.get("columns"), "primary key columns"), self.text(node.get("name"),
                                                                                                 "name")
                old_name = self.text(node.get("renamed_from"), "renamed_from")
            else:
                cols = self.names(node, "primary key columns")
        else:
            cols = tuple(from_columns)
        if not cols:
            return None
        return PrimaryKey(name or self.namer.primary_key(qn.schema, qn.name), cols, old_name,
                          loc=(node.loc if node is not None else cols_node.loc))

    def read_index(self, qn: QualifiedName, node: Node) -> Index | None:
        if node.is_scalar or node.is_list:
            elements_node: Node | None = node
            node_map = None
        else:
            if not self.keys(node, INDEX_KEYS, "an index"):
                return None
            elements_node, node_map = node.get("columns"), node
        elements = []
        items = [elements_node] if elements_node is not None and elements_node.is_scalar else (
            elements_node.value if elements_node is not None and elements_node.is_list else [])
        if not items:
            self.problem(elements_node or node, "an index needs columns", "e.g. columns: [user_id, created_at]")
            return None
        for item in items:
            el = self.read_index_element(item)
            if el:
                elements.append(el)
        get = (lambda k: node_map.get(k)) if node_map is not None else (lambda k: None)
        unique = self.boolean(get("unique"), "unique")
        method = (self.text(get("method"), "method") or "btree").lower()
        if method not in INDEX_METHODS:
            import difflib
            close = difflib.get_close_matches(method, INDEX_METHODS, n=1)
            self.problem(get("method"), f"unknown index method '{method}'",  # type: ignore[arg-type]
                         f"did you mean '{close[0]}'?" if close else f"one of {', '.join(INDEX_METHODS)}")
        include = self.names(get("include"), "include")
        name = self.text(get("name"), "name")
        if not name:
            colnames = [e.column if e.column else index_column_name(e.expression or "") for e in elements]
            name = self.namer.index(qn.schema, qn.name, colnames + list(include))
        return Index(name, tuple(elements), unique, self.text(get("where"), "where"), include, method,
                     self.text(get("renamed_from"), "renamed_from"), loc=node.loc)

    def read_index_element(self, node: Node) -> IndexElement | None:
        if node.is_scalar:
            name = self.text(node, "index column")
            return IndexElement(column=name) if name else None
        if not self.keys(node, ELEMENT_KEYS, "an index column"):
            return None
        column, expr = self.text(node.get("column"), "column"), self.text(node.get("expression"), "expression")
        if bool(column) == bool(expr):
            self.problem(node, "an index column needs exactly one of column: or expression:")
            return None
        order = self.choice(node.get("order"), "order", {"asc": False, "desc": True}, False)
        nulls = self.choice(node.get("nulls"), "nulls", {"first": "first", "last": "last"}, None)
        return IndexElement(column, expr, order, nulls, self.text(node.get("opclass"), "opclass"))

    def actions(self, node: Node) -> tuple[FkAction, FkAction, bool]:
        on_delete = self.choice(node.get("on_delete"), "on_delete", FK_ACTIONS, FkAction.NO_ACTION)
        on_update = self.choice(node.get("on_update"), "on_update", FK_ACTIONS, FkAction.NO_ACTION)
        return on_delete, on_update, node.get("on_delete") is not None

    def read_column_reference(self, qn: QualifiedName, column: str, cnode: Node, ref: Node) -> ForeignKey | None:
        target = self.text(ref, "references")
        if not target:
            return None
        parts = target.split(".")
        if len(parts) == 1:
            table, ref_cols = QualifiedName("", parts[0]), ()
        elif len(parts) == 2:
            table, ref_cols = QualifiedName("", parts[0]), (parts[1],)
        else:
            table, ref_cols = QualifiedName(".".join(parts[:-2]), parts[-2]), (parts[-1],)
        on_delete, on_update, explicit = self.actions(cnode)
        return ForeignKey(self.namer.foreign_key(qn.schema, qn.name, [column]), (column,), table, ref_cols,
                          on_delete, on_update, on_delete_explicit=explicit, loc=ref.loc)

    def read_foreign_key(self, qn: QualifiedName, node: Node) -> ForeignKey | None:
        if not self.keys(node, FK_KEYS, "a foreign key"):
            return None
        cols = self.names(node.get("columns"), "columns")
        ref = node.get("references")
        if not cols or ref is None:
            self.problem(node, "a foreign key needs columns: and references:",
                         "e.g. {columns: [user_id], references: users(id), on_delete: cascade}")
            return None
        if ref.is_map:
            self.keys(ref, ("table", "columns"), "references")
            tname = self.text(ref.get("table"), "table") or ""
            ref_cols = self.names(ref.get("columns"), "columns")
        else:
            text = self.text(ref, "references") or ""
            tname, _, rest = text.partition("(")
            ref_cols = tuple(c.strip() for c in rest.rstrip(") ").split(",") if c.strip())
        tq = split_name(tname.strip(), "")
        on_delete, on_update, explicit = self.actions(node)
        deferrable = self.boolean(node.get("deferrable"), "deferrable")
        deferred = self.boolean(node.get("initially_deferred"), "initially_deferred")
        name = self.text(node.get("name"), "name") or self.namer.foreign_key(qn.schema, qn.name, list(cols))
        return ForeignKey(name, cols, tq, ref_cols, on_delete, on_update, deferrable or deferred, deferred,
                          on_delete_explicit=explicit, renamed_from=self.text(node.get("renamed_from"), "renamed_from"),
                          not_valid=self.boolean(node.get("not_valid"), "not_valid"), loc=node.loc)

    # ---- references --------------------------------------------------------------------------
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
            out.append(replace(t, foreign_keys=tuple(fks)))
        return out

    def resolve_trigger_functions(self, tables: list[Table], functions) -> list[Table]:  # type: ignore[no-untyped-def]
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


def _resolve(name: str, schema: str, known) -> QualifiedName | None:  # type: ignore[no-untyped-def]
    """An unqualified name as PostgreSQL's default search would find it here: this schema, then public."""
    for candidate in (QualifiedName(schema, name), QualifiedName("public", name)):
        if candidate in known:
            return candidate
    return None


def _table_path(t: Table) -> str:
    return f"tables.{t.name if t.schema == 'public' else t.qualified}"


def read_schema(root: Node, *, source: str, source_hash: str = "") -> Schema:
    """Build the model from parsed YAML; raise InputError listing every problem found."""
    return _SchemaReader(source).read(root, source_hash)
