"""Catalog rows -> types and tables: columns, keys, indexes, triggers and policies (the rest of an import,
and the entry point, are in :mod:`.from_catalog`)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from ...core.model import (Attribute, Check, Column, CompositeType, Domain, Enum, Exclusion, ExclusionElement,
                           FkAction, ForeignKey, Identity, IdentityKind, Index, IndexElement, Partition, Policy,
                           PrimaryKey, QualifiedName, Table, Trigger, Unique)
from ..schema.naming import make_object_name
from ..schema.types import TypeError_, parse_type
from ..sql.quoting import quote_if_needed
from ..sql.text import restore_in_lists, split_top_level, strip_parens

Row = dict[str, Any]

FK_ACTIONS = {"a": FkAction.NO_ACTION, "r": FkAction.RESTRICT, "c": FkAction.CASCADE, "n": FkAction.SET_NULL,
              "d": FkAction.SET_DEFAULT}

VOLATILITY = {"v": "volatile", "s": "stable", "i": "immutable"}

ARG_MODES = {"i": "in", "o": "out", "b": "inout", "v": "variadic", "t": "table"}

POLICY_COMMANDS = {"*": "all", "r": "select", "a": "insert", "w": "update", "d": "delete"}

_SEQ_RANGE = {"smallint": (-32768, 32767), "integer": (-2147483648, 2147483647),
              "bigint": (-9223372036854775808, 9223372036854775807)}

_SERIAL = {"integer": "serial", "bigint": "bigserial", "smallint": "smallserial"}

_NEXTVAL_RE = re.compile(r"^nextval\('((?:[^']|'')+)'::regclass\)$")

_WHEN_RE = re.compile(r" FOR EACH (?:ROW|STATEMENT) WHEN \(")

_EXECUTE_RE = re.compile(r"\) EXECUTE (?:FUNCTION|PROCEDURE) ")


_RELKIND = {"r": "table", "p": "table", "v": "view", "m": "materialized view", "f": "foreign table"}

# why an object is left out that reads one schema.yaml cannot declare (a plan cannot build it from the file)
TEXT_SEARCH = "it reads a text search configuration or dictionary, which schema.yaml does not hold"


@dataclass(frozen=True, order=True)
class Unsupported:
    """An object (or a property of one) that schema.yaml cannot express, so the import left it out."""

    kind: str
    name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.kind} {self.name}: {self.reason}"




def _display(schema: str, name: str) -> str:
    return name if schema == "public" else f"{schema}.{name}"



def _check_expression(definition: str) -> str:
    """``CHECK ((price > 0)) NOT VALID`` -> ``price > 0``."""
    text = definition.strip()
    for suffix in (" NOT VALID", " NO INHERIT"):
        while text.endswith(suffix):
            text = text[: -len(suffix)].rstrip()
    if text.upper().startswith("CHECK "):
        text = text[6:].strip()
    return strip_parens(strip_parens(restore_in_lists(text)))



def _expr(sql: str | None) -> str | None:
    return None if sql is None else restore_in_lists(sql)



def _bare(sql: str | None) -> str | None:
    """An expression without the parentheses the server puts around it."""
    return None if sql is None else strip_parens(restore_in_lists(sql))



def _trigger_when(definition: str) -> str | None:
    m = _WHEN_RE.search(definition)
    if not m:
        return None
    ends = [e.start() for e in _EXECUTE_RE.finditer(definition, m.end())]
    if not ends:
        return None
    return strip_parens(restore_in_lists(definition[m.end() - 1: ends[-1] + 1]))



class TableImporter:
    """Reads types and tables (columns, keys, indexes, triggers, policies) from the catalog rows."""

    def __init__(self, rows: Any) -> None:
        self.rows = rows
        self.unsupported: list[Unsupported] = []
        self.user_types: dict[str, str] = {}
        self.extensions: frozenset[str] = frozenset()
        self.extension_types: frozenset[str] = frozenset()  # schema.name of the extension types schema.yaml knows
        self.relations: dict[int, Row] = {r["oid"]: r for r in rows["relations"]}
        self.by_table: dict[str, dict[int, list[Row]]] = {}
        for kind in ("columns", "constraints", "indexes", "triggers", "policies"):
            grouped: dict[int, list[Row]] = defaultdict(list)
            for r in rows[kind]:
                grouped[r["table_oid"]].append(r)
            self.by_table[kind] = grouped
        self.serial_sequences: set[tuple[str, str]] = set()
        self.identity_sequences: dict[tuple[str, str, str], Row] = {}
        self.owned_sequences: dict[tuple[str, str, str], Row] = {}
        for s in rows["sequences"]:
            key = (s["owner_schema"], s["owner_table"], s["owner_column"])
            if s["owner_kind"] == "i":
                self.identity_sequences[key] = s
            elif s["owner_kind"] == "a":
                self.owned_sequences[key] = s

    def skip(self, kind: str, name: str, reason: str) -> None:
        self.unsupported.append(Unsupported(kind, name, reason))

    # ---- types ---------------------------------------------------------------------------
    def read_types(self) -> tuple[list[Enum], list[Domain], list[CompositeType]]:
        enums, made = [], []
        for t in self.rows["types"]:
            name = _display(t["schema"], t["name"])
            qualified = f"{t['schema']}.{t['name']}"
            if t["kind"] == "e":
                enums.append(Enum(t["schema"], t["name"], tuple(t["labels"] or ()), t["comment"]))
                self.user_types[qualified] = qualified
            elif t["kind"] in ("d", "c"):
                self.user_types[qualified] = qualified
                made.append(t)
            else:
                what = {"r": "range type", "b": "base type"}[t["kind"]]
                self.skip(what, name, "schema.yaml has no way to declare it; columns of this type are left out too")
        failed: set[str] = set()
        while True:  # a domain or composite type made of one left out is left out too
            read: dict[str, Domain | CompositeType] = {}
            newly_failed = False
            for t in made:
                qualified = f"{t['schema']}.{t['name']}"
                if qualified in failed:
                    continue
                o = self._domain(t) if t["kind"] == "d" else self._composite_type(t)
                if o is None:
                    failed.add(qualified)
                    self.user_types.pop(qualified, None)
                    newly_failed = True
                else:
                    read[qualified] = o
            if not newly_failed:
                break
        return (enums, [o for o in read.values() if isinstance(o, Domain)],
                [o for o in read.values() if isinstance(o, CompositeType)])

    def _domain(self, t: Row) -> Domain | None:
        name = _display(t["schema"], t["name"])
        base = self.column_type(t["base_type"], "domain", name)
        if base is None:
            return None
        if t["collation"]:
            self.skip("domain", name, f"its collation {t['collation']} is not kept")
        checks = tuple(Check(cname, _check_expression(definition)) for cname, definition in (t["checks"] or ()))
        return Domain(t["schema"], t["name"], base, t["not_null"], t["default"], checks, t["comment"])

    def _composite_type(self, t: Row) -> CompositeType | None:
        name = _display(t["schema"], t["name"])
        attributes = []
        for attname, type_text, collation in t["attributes"] or ():
            atype = self.column_type(type_text, "composite type", name)
            if atype is None:
                return None
            attributes.append(Attribute(attname, atype, collation))
        if not attributes:
            self.skip("composite type", name, "schema.yaml declares composite types with attributes")
            return None
        return CompositeType(t["schema"], t["name"], tuple(attributes), t["comment"])

    def column_type(self, text: str, kind: str, name: str) -> str | None:
        """The canonical model spelling of a type as format_type() prints it, or None (and a note)."""
        try:
            return parse_type(text, user_types=self._spellings(), extensions=self.extensions).canonical
        except TypeError_:
            self.skip(kind, name, f"its type {text} is not one schema.yaml knows")
            return None

    def _spellings(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for q in self.user_types:
            schema, _, name = q.partition(".")
            out[q] = q
            out[f"{quote_if_needed(schema)}.{quote_if_needed(name)}"] = q
            if schema == "public":
                out[name] = q
                out[quote_if_needed(name)] = q
        return out

    # ---- tables --------------------------------------------------------------------------
    def read_tables(self) -> list[Table]:
        tables, partitions = [], defaultdict(list)
        for rel in self.rows["relations"]:
            name = _display(rel["schema"], rel["name"])
            kind = rel["kind"]
            if kind == "f":
                self.skip("foreign table", name, "foreign tables are not managed by finesse")
                continue
            if kind not in ("r", "p"):
                continue
            if rel["is_partition"]:
                parent = (rel["parents"] or [None])[0]
                partitions[parent].append(rel)
                continue
            tables.append(self.read_table(rel))
        out = []
        for t in tables:
            parts = sorted(partitions.pop(f"{t.schema}.{t.name}", []), key=lambda r: r["name"])
            out.append(replace(t, partitions=tuple(self.read_partition(t, p) for p in parts)) if parts else t)
        for parent, rels in sorted(partitions.items(), key=lambda kv: str(kv[0])):
            for rel in rels:
                self.skip("partition", _display(rel["schema"], rel["name"]), f"its parent {parent} is not imported")
        return out

    def read_partition(self, parent: Table, rel: Row) -> Partition:
        name = _display(rel["schema"], rel["name"])
        if rel["schema"] != parent.schema:
            self.skip("partition", name, f"it lives in another schema than {parent.name}; it is imported into "
                      f"{parent.schema}")
        if rel["partition_key"]:
            self.skip("partition", name, f"it is partitioned again ({rel['partition_key']}); sub-partitions are "
                      "not in schema.yaml")
        indexes = [ix for ix in (self.read_index(r, name) for r in self.by_table["indexes"].get(rel["oid"], [])
                                 if not r["inherited"] and not r["backs_constraint"]) if ix]
        fks = []
        for r in self.by_table["constraints"].get(rel["oid"], []):
            if r["is_local"] and r["kind"] == "f":
                fks.append(self.read_foreign_key(r, f"{name}.{r['name']}"))
            elif r["is_local"] and r["kind"] != "p" and not (r["kind"] == "u" and r["index_oid"]):
                self.skip("constraint", f"{name}.{r['name']}", "a constraint of one partition only (other than a "
                          "foreign key) is not kept")
        for r in self.by_table["triggers"].get(rel["oid"], []):
            if not r["cloned"]:
                self.skip("trigger", f"{name}.{r['name']}", "a trigger of one partition only is not kept")
        return Partition(rel["name"], rel["partition_bound"], rel["comment"], tuple(indexes), tuple(fks))

    def read_table(self, rel: Row) -> Table:
        oid, schema, tname = rel["oid"], rel["schema"], rel["name"]
        display = _display(schema, tname)
        columns = [c for c in (self.read_column(rel, r) for r in self.by_table["columns"].get(oid, [])
                               if r["is_local"] or not rel["parents"]) if c]  # a child declares its own columns
        pk, uniques, checks, fks, excludes = None, [], [], [], []
        for c in self.by_table["constraints"].get(oid, []):
            cname = f"{display}.{c['name']}"
            if c["kind"] in ("p", "u") and " INCLUDE (" in (c["definition"] or ""):
                self.skip("constraint", cname, "the INCLUDE columns of a key are not kept")
            if c["kind"] == "p":
                pk = PrimaryKey(c["name"], tuple(c["columns"]), None, c["deferrable"], c["deferred"])
            elif c["kind"] == "u":
                index = next((i for i in self.by_table["indexes"].get(oid, []) if i["oid"] == c["index_oid"]), None)
                uniques.append(Unique(c["name"], tuple(c["columns"]), bool(index and index["nulls_not_distinct"]),
                                      None, c["deferrable"], c["deferred"]))
            elif c["kind"] == "c":
                if not c["is_local"]:
                    continue
                if c["uses_text_search"]:
                    self.skip("constraint", cname, TEXT_SEARCH)
                    continue
                if c["no_inherit"]:
                    self.skip("constraint", cname, "NO INHERIT is not kept")
                checks.append(Check(c["name"], _check_expression(c["definition"]), not_valid=not c["validated"]))
            elif c["kind"] == "f":
                if not c["is_local"]:
                    continue
                fks.append(self.read_foreign_key(c, cname))
            elif c["kind"] == "x":
                exclusion = read_exclusion(c, cname)
                if exclusion is None:
                    self.skip("exclusion constraint", cname, f"its definition is not one schema.yaml can hold "
                              f"({c['definition']})")
                else:
                    excludes.append(exclusion)
        indexes = [ix for ix in (self.read_index(r, display) for r in self.by_table["indexes"].get(oid, [])) if ix]
        clustered = next((r["name"] for r in self.by_table["indexes"].get(oid, []) if r["clustered"]), None)
        parents = tuple(QualifiedName(*p.split(".", 1)) for p in rel["parents"] or ())
        return Table(schema, tname, tuple(columns), pk, tuple(fks), tuple(uniques), tuple(checks), tuple(indexes),
                     rel["comment"], tuple(self.read_triggers(oid, display)), None, rel["rls"], rel["rls_forced"],
                     tuple(self.read_policies(oid)), rel["partition_key"] or None, excludes=tuple(excludes),
                     unlogged=rel["persistence"] == "u", storage=_storage(rel["options"]), inherits=parents,
                     cluster_on=clustered)

    def read_column(self, rel: Row, r: Row) -> Column | None:
        display = f"{_display(rel['schema'], rel['name'])}.{r['name']}"
        if r["type_kind"] in ("e", "d", "c") and r["type_schema"] != "pg_catalog" \
                and f"{r['type_schema']}.{r['type_name']}" not in self.extension_types:
            qualified = f"{r['type_schema']}.{r['type_name']}"
            if qualified not in self.user_types:
                self.skip("column", display, f"its type {qualified} is not imported")
                return None
            ctype: str | None = qualified + "[]" * r["type"].count("[]")
        else:
            ctype = self.column_type(r["type"], "column", display)
        if ctype is None:
            return None
        default, identity = r["default"], None
        if r["identity"]:
            identity = self.read_identity(rel, r, display)
        elif default is not None:
            serial = self.serial_type(rel, r, ctype)
            if serial:
                ctype, default = serial, None
        target = r["stat_target"]
        options = dict(o.split("=", 1) for o in r["options"] or ())  # n_distinct, n_distinct_inherited
        n_distinct, inherited = (float(options[k]) if k in options else None
                                 for k in ("n_distinct", "n_distinct_inherited"))
        return Column(r["name"], ctype, not r["not_null"], default, identity, r["generated"], r["comment"],
                      collation=r["collation"], statistics=target if target is not None and target >= 0 else None,
                      n_distinct=n_distinct, n_distinct_inherited=inherited)

    def read_identity(self, rel: Row, r: Row, display: str) -> Identity:
        kind = IdentityKind.ALWAYS if r["identity"] == "a" else IdentityKind.BY_DEFAULT
        seq = self.identity_sequences.get((rel["schema"], rel["name"], r["name"]))
        if seq is None:
            return Identity(kind)
        low, high = _SEQ_RANGE.get(seq["type"], _SEQ_RANGE["bigint"])
        ascending = seq["increment"] > 0
        expected_min, expected_max = (1, high) if ascending else (low, -1)
        odd = [f"{k} {seq[k]}" for k, v in (("min", expected_min), ("max", expected_max), ("cache", 1))
               if seq[k] != v] + (["cycle"] if seq["cycle"] else [])
        if odd:
            self.skip("identity", display, f"its sequence options ({', '.join(odd)}) are not kept")
        if seq["name"] != make_object_name(rel["name"], r["name"], "seq") or seq["schema"] != rel["schema"]:
            self.skip("identity", display, f"its sequence name {seq['name']} is not kept")
        self.identity_sequences.pop((rel["schema"], rel["name"], r["name"]))
        start_default = expected_min if ascending else expected_max
        return Identity(kind, None if seq["start"] == start_default else seq["start"],
                        None if seq["increment"] == 1 else seq["increment"])

    def serial_type(self, rel: Row, r: Row, ctype: str) -> str | None:
        """serial/bigserial/smallserial when the column is exactly what that shorthand creates."""
        seq = self.owned_sequences.get((rel["schema"], rel["name"], r["name"]))
        m = _NEXTVAL_RE.match(r["default"])
        if seq is None or not m or ctype not in _SERIAL or seq["type"] != ctype or seq["schema"] != rel["schema"]:
            return None
        ref = m.group(1).replace("''", "'")
        spelled = quote_if_needed(seq["name"]) if seq["schema"] == "public" else \
            f"{quote_if_needed(seq['schema'])}.{quote_if_needed(seq['name'])}"
        default_options = (seq["start"], seq["increment"], seq["min"], seq["max"], seq["cache"], seq["cycle"]) == \
            (1, 1, 1, _SEQ_RANGE[ctype][1], 1, False)
        if ref != spelled or not default_options or seq["comment"] or seq["persistence"] != rel["persistence"] or \
                seq["name"] != make_object_name(rel["name"], r["name"], "seq"):
            return None
        self.serial_sequences.add((seq["schema"], seq["name"]))
        return _SERIAL[ctype]

    def read_foreign_key(self, c: Row, cname: str) -> ForeignKey:
        if c["match"] == "f":
            self.skip("foreign key", cname, "MATCH FULL is not kept (it becomes MATCH SIMPLE)")
        if c["set_columns"]:
            self.skip("foreign key", cname, "ON DELETE SET NULL/DEFAULT (columns) is not kept; all columns are set")
        return ForeignKey(c["name"], tuple(c["columns"]), QualifiedName(c["ref_schema"], c["ref_table"]),
                          tuple(c["ref_columns"]), FK_ACTIONS[c["on_delete"]], FK_ACTIONS[c["on_update"]],
                          c["deferrable"], c["deferred"], on_delete_explicit=c["on_delete"] != "a",
                          not_valid=not c["validated"])

    def read_index(self, r: Row, table: str) -> Index | None:
        name = f"{table}.{r['name']}"
        if r["backs_constraint"] or r["inherited"]:
            return None
        if not r["valid"]:
            self.skip("index", name, "it is INVALID (a failed concurrent build); drop and rebuild it")
            return None
        if r["uses_text_search"]:
            self.skip("index", name, TEXT_SEARCH)
            return None
        if r["odd_collation"]:
            self.skip("index", name, "a column collation of the index is not kept")
        if r["nulls_not_distinct"]:
            self.skip("index", name, "NULLS NOT DISTINCT on a unique index is not kept; declare a unique "
                      "constraint with nulls_not_distinct instead")
        elements = []
        key_count = r["key_count"]
        for pos in range(key_count):
            option = r["options"][pos] if r["options"] else 0
            descending, nulls_first = bool(option & 1), bool(option & 2)
            nulls = None if nulls_first == descending else ("first" if nulls_first else "last")
            opclass = (r["opclasses"] or [None] * key_count)[pos]
            if r["keys"][pos] != 0:
                elements.append(IndexElement(column=r["columns"][pos], descending=descending, nulls=nulls,
                                             opclass=opclass))
            else:
                expression = r["element_sql"][pos]
                if opclass and expression.endswith(f" {opclass}"):  # pg_get_indexdef writes "(expr) opclass"
                    expression = expression[: -len(opclass) - 1]
                targets = r["element_statistics"] or []
                target = targets[pos] if pos < len(targets) else None  # None or -1: the default
                elements.append(IndexElement(expression=_expr(expression), descending=descending, nulls=nulls,
                                             opclass=opclass, statistics=target if target is not None and target >= 0 else None))
        include = tuple(r["columns"][key_count:])
        if r["comment"]:
            self.skip("comment", f"on index {name}", "comments on indexes are not kept")
        return Index(r["name"], tuple(elements), r["is_unique"], _expr(r["predicate"]), include, r["method"],
                     storage=_storage(r["options_storage"]))

    def read_triggers(self, oid: int, table: str) -> list[Trigger]:
        out = []
        for r in self.by_table["triggers"].get(oid, []):
            name = f"{table}.{r['name']}"
            if r["cloned"]:
                continue
            if r["is_constraint"] and not r["deferrable"]:
                self.skip("constraint trigger", name, "only deferrable constraint triggers are in schema.yaml")
                continue
            if r["enabled"] != "O":
                self.skip("trigger", name, "it is disabled or fires only on replicas; it is imported as enabled")
            bits = r["type"]
            timing = "instead of" if bits & 64 else "before" if bits & 2 else "after"
            events = tuple(e for e, bit in (("insert", 4), ("delete", 8), ("update", 16), ("truncate", 32))
                           if bits & bit)
            args = bytes(r["args"] or b"").split(b"\x00")[:r["nargs"]]
            fn = QualifiedName("" if r["function_schema"] == "pg_catalog" else r["function_schema"],
                               r["function_name"])
            out.append(Trigger(r["name"], timing, tuple(e for e in ("insert", "update", "delete", "truncate")
                                                        if e in events), fn,
                               "row" if bits & 1 else "statement", tuple(r["columns"] or ()),
                               _trigger_when(r["definition"]), tuple(a.decode("utf-8") for a in args), r["comment"],
                               bool(r["is_constraint"]), bool(r["is_constraint"] and r["initially_deferred"]),
                               r["old_table"], r["new_table"]))
        return out

    def read_policies(self, oid: int) -> list[Policy]:
        return [Policy(r["name"], POLICY_COMMANDS[r["command"]], r["permissive"], tuple(r["roles"]), _bare(r["using"]),
                       _bare(r["with_check"])) for r in self.by_table["policies"].get(oid, [])]


def _storage(options: list[str] | None) -> tuple[tuple[str, str], ...]:
    """reloptions ("fillfactor=70") as (parameter, value) pairs, in their order."""
    return tuple(tuple(o.split("=", 1)) for o in options or ())  # type: ignore[misc]


_EXCLUDE_RE = re.compile(r"^EXCLUDE USING (\w+) (\(.*)$", re.S)
_TAIL_RE = re.compile(r"^(?: WHERE \((.*)\))?(?: DEFERRABLE)?(?: INITIALLY \w+)?$", re.S)
_WITH_RE = re.compile(r"^(.*) WITH (\S+)$", re.S)


def read_exclusion(c: Row, display: str) -> Exclusion | None:
    """An exclusion constraint from pg_get_constraintdef: EXCLUDE USING gist (a WITH =, (b) WITH &&) WHERE (...)."""
    m = _EXCLUDE_RE.match(c["definition"] or "")
    body = m.group(2) if m else ""
    first = split_top_level(body, " ")[0] if body else ""  # the element list, in its parentheses
    tail = _TAIL_RE.match(body[len(first):]) if first else None
    if not m or tail is None:
        return None
    elements = []
    for part in split_top_level(first[1:-1]):
        w = _WITH_RE.match(part.strip())
        if not w:
            return None
        target, operator = w.group(1).strip(), w.group(2)
        opclass = None
        words = split_top_level(target, " ")
        if len(words) == 2 and not words[1].startswith("("):
            target, opclass = words[0], words[1]
        if target.startswith("("):
            elements.append(ExclusionElement(operator, expression=strip_parens(target), opclass=opclass))
        else:
            elements.append(ExclusionElement(operator, column=unquote_ident(target), opclass=opclass))
    return Exclusion(c["name"], tuple(elements), m.group(1), tail.group(1), c["deferrable"], c["deferred"])


def unquote_ident(text: str) -> str:
    return text[1:-1].replace('""', '"') if text.startswith('"') else text
