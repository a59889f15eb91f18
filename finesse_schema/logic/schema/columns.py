"""schema.yaml nodes -> columns, keys, indexes and foreign keys: the parts of a table that other objects
(domains, functions, materialized views) are read with too.

The reader of the whole file (:mod:`.reader`) builds on this one.
"""

from __future__ import annotations

import difflib
import re
from contextlib import contextmanager

from ...core.model import (Column, FkAction, ForeignKey, Identity, IdentityKind, Index, IndexElement, PrimaryKey,
                           QualifiedName)
from .fields import Reader
from .naming import Namer, index_column_name, split_name, split_reference
from .types import TypeError_, parse_type
from .yaml_source import Node

# types a function may take or return that no column can have
PSEUDO_TYPES = ("anyelement", "anyarray", "anynonarray", "anyenum", "anyrange", "anymultirange",
                "anycompatible", "anycompatiblearray", "record", "internal", "cstring", "void", "trigger",
                "event_trigger", "regclass", "regproc", "regtype")
COLUMN_KEYS = ("type", "nullable", "default", "primary_key", "unique", "identity", "generated", "comment",
               "references", "on_delete", "on_update", "renamed_from", "collation", "statistics", "n_distinct",
               "n_distinct_inherited")
FK_KEYS = ("columns", "references", "on_delete", "on_update", "name", "deferrable", "initially_deferred",
           "renamed_from", "not_valid")
INDEX_KEYS = ("columns", "name", "unique", "where", "include", "method", "renamed_from", "with")
PRIMARY_KEY_KEYS = ("columns", "name", "renamed_from", "deferrable", "initially_deferred")
ELEMENT_KEYS = ("column", "expression", "order", "nulls", "opclass", "statistics")
FK_ACTIONS = {a.value: a for a in FkAction}
IDENTITY_KINDS = {"always": IdentityKind.ALWAYS, "by default": IdentityKind.BY_DEFAULT, "true": IdentityKind.BY_DEFAULT}
INDEX_METHODS = ("btree", "hash", "gist", "spgist", "gin", "brin", "hnsw", "ivfflat", "bloom")


_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?")


class ColumnReader(Reader):
    """Reads the parts of tables; holds what reading them needs (the namer, the declared types)."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source
        self.namer = Namer()
        self.row_types: dict[str, str] = {}  # tables whose rows a function may take or return
        self.user_types: dict[str, str] = {}
        self.extensions: frozenset[str] = frozenset()

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
        generated = self.sql(node.get("generated"), "generated")
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
        statistics = self.integer(node.get("statistics"), "statistics")
        if statistics is not None and not -1 <= statistics <= 10000:
            self.problem(node.get("statistics"), "statistics is a sample size from 0 to 10000 (-1: the default)")  # type: ignore[arg-type]
            statistics = None
        return Column(name, ctype, nullable, default, identity, generated, self.text(node.get("comment"), "comment"),
                      self.text(node.get("renamed_from"), "renamed_from"), collation,
                      None if statistics == -1 else statistics, self.n_distinct(node.get("n_distinct"), "n_distinct"),
                      self.n_distinct(node.get("n_distinct_inherited"), "n_distinct_inherited"),
                      loc=node.key_loc or node.loc)

    def n_distinct(self, node: Node | None, what: str) -> float | None:
        """The planner's distinct count of a column: a count (1 or more), a fraction of the rows (-1 to below
        0), or 0 for PostgreSQL's own estimate."""
        if node is None or node.value is None:
            return None
        value = node.value
        try:
            number = float(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None or not -1 <= number < float("inf"):
            self.problem(node, f"{what} is a number of distinct values, or from -1 to 0 a fraction of the rows",
                         "e.g. -0.05 (one row in twenty is distinct) or 500")
            return None
        return number

    def column_type(self, text: str, node: Node, *, allow_pseudo: bool = False) -> str | None:
        """A column's type in its canonical spelling; with ``allow_pseudo`` (a function's argument or result),
        also a pseudo-type or a table's row type."""
        if allow_pseudo and " ".join(text.lower().split()).rstrip("[]") in PSEUDO_TYPES:
            return " ".join(text.lower().split())
        base = text.strip()
        arrays = ""
        while base.endswith("[]"):
            base, arrays = base[:-2].rstrip(), arrays + "[]"
        if allow_pseudo and base in self.row_types:
            return self.row_types[base] + arrays
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
            return self.checked_sql(node, value, "default")
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
        name, old_name, deferrable, deferred = None, None, False, False
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
                deferred = self.boolean(node.get("initially_deferred"), "initially_deferred")
                deferrable = self.boolean(node.get("deferrable"), "deferrable") or deferred
            else:
                cols = self.names(node, "primary key columns")
        else:
            cols = tuple(from_columns)
        if not cols:
            return None
        return PrimaryKey(name or self.namer.primary_key(qn.schema, qn.name), cols, old_name, deferrable, deferred,
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
            close = difflib.get_close_matches(method, INDEX_METHODS, n=1)
            self.problem(get("method"), f"unknown index method '{method}'",  # type: ignore[arg-type]
                         f"did you mean '{close[0]}'?" if close else f"one of {', '.join(INDEX_METHODS)}")
        include = self.names(get("include"), "include")
        name = self.text(get("name"), "name")
        if not name:
            colnames = [e.column if e.column else index_column_name(e.expression or "") for e in elements]
            name = self.namer.index(qn.schema, qn.name, colnames + list(include))
        return Index(name, tuple(elements), unique, self.sql(get("where"), "where"), include, method,
                     self.text(get("renamed_from"), "renamed_from"), self.storage(get("with"), f"index {name}"),
                     loc=node.loc)

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
        if expr and self.checked_sql(node.get("expression"), expr, "expression") is None:  # type: ignore[arg-type]
            return None
        order = self.choice(node.get("order"), "order", {"asc": False, "desc": True}, False)
        nulls = self.choice(node.get("nulls"), "nulls", {"first": "first", "last": "last"}, None)
        opclass = self.text(node.get("opclass"), "opclass")
        if opclass and not _NAME_RE.fullmatch(opclass):
            self.problem(node.get("opclass"), f"'{opclass}' is not an operator class name",  # type: ignore[arg-type]
                         "e.g. text_pattern_ops, or schema.name")
            opclass = None
        statistics = self.integer(node.get("statistics"), "statistics")
        if statistics is not None and (column or not -1 <= statistics <= 10000):
            self.problem(node.get("statistics"), "statistics: is for an expression, from -1 (the default) to 10000",  # type: ignore[arg-type]
                         at_key=True)
            statistics = None
        return IndexElement(column, expr, order, nulls, opclass.lower() if opclass else None,
                            None if statistics == -1 else statistics)

    def actions(self, node: Node) -> tuple[FkAction, FkAction, bool]:
        on_delete = self.choice(node.get("on_delete"), "on_delete", FK_ACTIONS, FkAction.NO_ACTION)
        on_update = self.choice(node.get("on_update"), "on_update", FK_ACTIONS, FkAction.NO_ACTION)
        return on_delete, on_update, node.get("on_delete") is not None

    def read_column_reference(self, qn: QualifiedName, column: str, cnode: Node, ref: Node) -> ForeignKey | None:
        target = self.text(ref, "references")
        if not target:
            return None
        parts, _ = split_reference(target)
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
            tq = split_name((self.text(ref.get("table"), "table") or "").strip(), "")
            ref_cols = self.names(ref.get("columns"), "columns")
        else:
            names, columns = split_reference(self.text(ref, "references") or "")
            tq = QualifiedName(names[-2] if len(names) > 1 else "", names[-1] if names else "")
            ref_cols = tuple(columns)
        on_delete, on_update, explicit = self.actions(node)
        deferrable = self.boolean(node.get("deferrable"), "deferrable")
        deferred = self.boolean(node.get("initially_deferred"), "initially_deferred")
        name = self.text(node.get("name"), "name") or self.namer.foreign_key(qn.schema, qn.name, list(cols))
        return ForeignKey(name, cols, tq, ref_cols, on_delete, on_update, deferrable or deferred, deferred,
                          on_delete_explicit=explicit, renamed_from=self.text(node.get("renamed_from"), "renamed_from"),
                          not_valid=self.boolean(node.get("not_valid"), "not_valid"), loc=node.loc)
