"""Catalog rows (from :mod:`finesse_schema.db.catalog`) -> the model, and what the model cannot hold.

Everything the model can express is imported exactly; everything else is listed
as :class:`Unsupported` (kind, name, why), never dropped silently. Values equal
to what PostgreSQL (or schema.yaml) would choose anyway become ``None`` in the
model, so that the YAML written from it stays short and reads back equal.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Iterable

from ...core.model import Collation, Extension, Namespace, QualifiedName, Schema, Sequence, View
from ...core.routines import Aggregate, Argument, Function, Operator
from ..sql.text import restore_in_lists, split_top_level, table_columns
from ..sql.quoting import quote_if_needed
from ..schema.types import EXTENSION_TYPES
from .catalog_grants import with_grants
from .catalog_tables import (ARG_MODES, Row, TEXT_SEARCH, TableImporter, Unsupported, VOLATILITY, _SEQ_RANGE, _display)


class _Importer(TableImporter):
    # ---- sequences, functions, views -----------------------------------------------------
    def read_sequences(self) -> list[Sequence]:
        out = []
        for s in self.rows["sequences"]:
            if s["owner_kind"] == "i" or (s["schema"], s["name"]) in self.serial_sequences:
                continue
            low, high = _SEQ_RANGE.get(s["type"], _SEQ_RANGE["bigint"])
            ascending = s["increment"] > 0
            dmin, dmax = (1, high) if ascending else (low, -1)
            owned = None
            if s["owner_kind"] == "a":
                owned = f"{s['owner_table']}.{s['owner_column']}" if s["owner_schema"] == s["schema"] else \
                    f"{s['owner_schema']}.{s['owner_table']}.{s['owner_column']}"
            out.append(Sequence(s["schema"], s["name"], s["type"],
                                None if s["start"] == (dmin if ascending else dmax) else s["start"],
                                None if s["increment"] == 1 else s["increment"],
                                None if s["min"] == dmin else s["min"], None if s["max"] == dmax else s["max"],
                                None if s["cache"] == 1 else s["cache"], s["cycle"], owned, s["comment"],
                                s["persistence"] == "u"))
        return out

    def read_functions(self) -> list[Function]:
        out: list[Function] = []
        for f in self.rows["functions"]:
            name = f"{_display(f['schema'], f['name'])}({f['identity']})"
            if f["kind"] in ("a", "w"):
                if f["kind"] == "w":
                    self.skip("window function", name, "not in schema.yaml")
                continue
            function = self.read_function(f, name)
            if function:
                out.append(function)
        return out

    def read_function(self, f: Row, name: str) -> Function | None:
        if not (f["body"] or "").strip() and f["language"] not in ("c", "internal"):
            self.skip("function", name, "a SQL-standard body (BEGIN ATOMIC) is not in schema.yaml")
            return None
        odd = []
        if f["leakproof"]:
            odd.append("LEAKPROOF")
        if float(f["cost"]) != (1 if f["language"] in ("c", "internal") else 100):  # PostgreSQL's default
            odd.append(f"COST {f['cost']:g}")
        if float(f["rows"]) not in (0, 1000):
            odd.append(f"ROWS {f['rows']:g}")
        if odd:
            self.skip("function", name, f"{' '.join(odd)} is not kept")
        arguments = self.read_arguments(f, name)
        if arguments is None:
            return None
        returns = None
        if f["kind"] == "f":
            returns = f["returns"]
            low = returns.lower()
            if low.startswith("setof "):
                inner = self.argument_type(returns[len("setof "):].strip(), name)
                returns = f"SETOF {inner}" if inner else None
            elif low.startswith("table("):  # each column's type as schema.yaml reads it back (a row type qualified)
                parsed = table_columns(returns) or []
                if not parsed or None in parsed:
                    self.skip("function", name, f"its result {returns} is not one schema.yaml can read")
                    return None
                columns = [(n, self.argument_type(t, name)) for n, t in parsed]  # type: ignore[misc]
                returns = None if any(t is None for _, t in columns) else \
                    f"TABLE({', '.join(f'{n} {t}' for n, t in columns)})"
            elif low not in ("trigger", "void", "event_trigger", "record"):
                returns = self.argument_type(returns, name)
            if returns is None:
                return None
        return Function(f["schema"], f["name"], f["body"], f["language"], tuple(arguments), returns,
                        "procedure" if f["kind"] == "p" else "function", VOLATILITY[f["volatility"]],
                        f["security_definer"], f["strict"], f["comment"],
                        {"u": "unsafe", "r": "restricted", "s": "safe"}[f["parallel"]],
                        tuple(_setting(c) for c in (f["config"] or ())), f["bin"] if f["language"] == "c" else None)

    def argument_type(self, text: str, name: str) -> str | None:
        """A function's argument or result type: a table's rows (schema.table), or a column type."""
        base, arrays = text, ""
        while base.endswith("[]"):
            base, arrays = base[:-2], arrays + "[]"
        row = self.row_types().get(base)
        return row + arrays if row else self.column_type(text, "function", name)

    def row_types(self) -> dict[str, str]:
        """How format_type() spells each table's row type -> schema.table."""
        cached = self.__dict__.get("_row_types")
        if cached is None:
            cached = {}
            for rel in self.rows["relations"]:
                if rel["kind"] in ("r", "p"):
                    q = f"{rel['schema']}.{rel['name']}"
                    cached[f"{quote_if_needed(rel['schema'])}.{quote_if_needed(rel['name'])}"] = q
                    if rel["schema"] == "public":
                        cached[quote_if_needed(rel["name"])] = q
            self.__dict__["_row_types"] = cached
        return cached

    def read_arguments(self, f: Row, name: str) -> list[Argument] | None:
        types = list(f["arg_types"] or ())
        modes = [ARG_MODES[m] for m in (f["arg_modes"] or ["i"] * len(types))]
        names = list(f["arg_names"] or [""] * len(types))
        pieces = split_top_level(f["arguments_sql"] or "")
        out, piece_index = [], 0
        for atype, mode, aname in zip(types, modes, names):
            if mode == "table":  # a column of RETURNS TABLE: read with the result
                continue
            piece = pieces[piece_index] if piece_index < len(pieces) else ""
            piece_index += 1
            default = None
            m = re.search(r"\sDEFAULT\s", piece)
            if m:
                default = piece[m.end():].strip()
            low = atype.lower()
            if low in ("anyelement", "anyarray", "anynonarray", "anyenum", "anyrange", "anymultirange",
                       "anycompatible", "anycompatiblearray", "record", "internal", "cstring", "trigger"):
                canonical: str | None = low
            else:
                canonical = self.argument_type(atype, name)
            if canonical is None:
                return None
            out.append(Argument(aname or None, canonical, mode, default))
        return out

    def read_views(self) -> list[View]:
        out = []
        for rel in self.rows["relations"]:
            if rel["kind"] not in ("v", "m"):
                continue
            name = _display(rel["schema"], rel["name"])
            if rel["uses_text_search"]:
                self.skip("view", name, TEXT_SEARCH)
                continue
            if rel["options"]:
                self.skip("view", name, f"its options ({', '.join(rel['options'])}) are not kept")
            for c in self.by_table["columns"].get(rel["oid"], []):
                if c["comment"]:
                    self.skip("comment", f"on column {name}.{c['name']}", "comments on view columns are not kept")
            indexes = tuple(ix for ix in (self.read_index(r, name) for r in self.by_table["indexes"].get(rel["oid"], []))
                            if ix)
            definition = restore_in_lists((rel["definition"] or "").strip().rstrip(";").rstrip())
            out.append(View(rel["schema"], rel["name"], definition, rel["kind"] == "m", indexes, rel["comment"],
                            tuple(self.read_triggers(rel["oid"], name))))
        return out

    def read_collations(self) -> list[Collation]:
        out = []
        for c in self.rows["collations"]:
            locale = c["icu_locale"] if c["provider"] != "libc" else (
                c["lc_collate"] if c["lc_collate"] == c["lc_ctype"] else None)
            libc_pair = c["provider"] == "libc" and locale is None
            out.append(Collation(c["schema"], c["name"], c["provider"], locale,
                                 c["lc_collate"] if libc_pair else None, c["lc_ctype"] if libc_pair else None,
                                 c["deterministic"], c["comment"]))
        return out

    def read_aggregates(self) -> list[Aggregate]:
        out = []
        for a in self.rows["aggregates"]:
            name = f"{_display(a['schema'], a['name'])}({', '.join(a['arg_types'])})"
            if a["agg_kind"] != "n":
                self.skip("aggregate", name, "ordered-set and hypothetical-set aggregates are not in schema.yaml")
                continue
            types = [self.argument_type(t, name) for t in [*a["arg_types"], a["stype"]]]
            if any(t is None for t in types):
                continue
            out.append(Aggregate(a["schema"], a["name"], tuple(types[:-1]), _proc(a["sfunc_schema"], a["sfunc_name"]),  # type: ignore[arg-type]
                                 types[-1], _proc(a["ffunc_schema"], a["ffunc_name"]), a["initcond"], a["comment"]))
        return out

    def read_operators(self) -> list[Operator]:
        out = []
        for o in self.rows["operators"]:
            name = f"{_display(o['schema'], o['name'])}({o['left_type'] or 'NONE'}, {o['right_type']})"
            types = [self.argument_type(t, name) if t else None for t in (o["left_type"], o["right_type"])]
            if types[1] is None or (o["left_type"] and types[0] is None):
                continue

            def partner(schema: str | None, symbol: str | None) -> str | None:
                return None if symbol is None else symbol if schema == o["schema"] else f"{schema}.{symbol}"

            out.append(Operator(o["schema"], o["name"], types[0], types[1],  # type: ignore[arg-type]
                                _proc(o["function_schema"], o["function_name"]),  # type: ignore[arg-type]
                                partner(o["commutator_schema"], o["commutator"]),
                                partner(o["negator_schema"], o["negator"]),
                                _proc(o["restrict_schema"], o["restrict_name"]), _proc(o["join_schema"], o["join_name"]),
                                o["hashes"], o["merges"], o["comment"]))
        return out

    def read_others(self) -> None:
        for r in self.rows["others"]:
            self.skip(r["kind"], r["name"], "not in schema.yaml")
        for c in self.rows["constraints"]:
            if c["comment"]:
                rel = self.relations.get(c["table_oid"])
                table = _display(rel["schema"], rel["name"]) if rel else "?"
                self.skip("comment", f"on constraint {table}.{c['name']}", "comments on constraints are not kept")



def _proc(schema: str | None, name: str | None) -> QualifiedName | None:
    """A function an aggregate or operator calls: unqualified when built in."""
    return None if name is None else QualifiedName("" if schema == "pg_catalog" else schema or "", name)


def _setting(entry: str) -> tuple[str, str]:
    """A proconfig entry (``search_path=public, pg_temp``, ``work_mem=64MB``) as (name, SQL value)."""
    name, _, value = entry.partition("=")
    if name == "search_path":
        parts = [p.strip() for p in value.split(",")]
        return name, ", ".join("''" if p == '""' else p for p in parts)
    return name, "'" + value.replace("'", "''") + "'"



def import_schema(rows: Any) -> tuple[Schema, list[Unsupported]]:
    """The model of the database whose catalog ``rows`` hold, and what it could not express (sorted)."""
    imp = _Importer(rows)
    imp.extensions = frozenset(e["name"] for e in rows["extensions"])
    imp.extension_types = frozenset(f"{e['schema']}.{name}" for e in rows["extensions"]
                                    for name, extension in EXTENSION_TYPES.items() if extension == e["name"])
    for e in rows["extensions"]:
        if e["own_comment"]:  # COMMENT ON EXTENSION, other than the one CREATE EXTENSION gives
            imp.skip("comment", f"on extension {e['name']}", "comments on extensions are not kept")
    extensions = [Extension(e["name"], None if e["schema"] == "public" else e["schema"],
                            version=e["version"] if e["version"] != e["default_version"] else None)
                  for e in rows["extensions"]]
    enums, domains, types = imp.read_types()
    tables = imp.read_tables()
    sequences = imp.read_sequences()
    functions = imp.read_functions()
    views = imp.read_views()
    imp.read_others()
    schema = Schema(tuple(extensions), tuple(enums), tuple(tables), tuple(sequences), tuple(domains),
                    tuple(functions), tuple(views), collations=tuple(imp.read_collations()),
                    aggregates=tuple(imp.read_aggregates()), operators=tuple(imp.read_operators()), types=tuple(types))
    used = set(schema.schemas)
    namespaces = tuple(Namespace(s["name"], _schema_comment(s)) for s in rows["schemas"]
                       if s["name"] not in used or _schema_comment(s) is not None)
    schema, left_out = with_grants(replace(schema, namespaces=namespaces), rows["privileges"],
                                   rows["default_privileges"], rows.server_major)
    return schema, sorted(set(imp.unsupported) | set(left_out))


def _schema_comment(row: Row) -> str | None:
    """A schema's comment; public's own default ('standard public schema') is no comment of the user's."""
    if row["name"] == "public" and row["comment"] == "standard public schema":
        return None
    return row["comment"]



def sort_objects(items: Iterable[Any]) -> list[Any]:
    """public first, then the other schemas; by name within each."""
    return sorted(items, key=lambda o: (o.schema != "public", o.schema, o.name))
