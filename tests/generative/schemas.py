"""Hypothesis strategies for valid schema.yaml documents, and for valid edits of them.

A schema is drawn as the plain data schema.yaml holds (dicts and lists), over every kind the model has: enums,
domains, sequences, collations, functions and trigger functions, tables (columns of many types, identity and
generated columns, defaults, checks, unique, primary keys, foreign keys with every action, indexes partial,
expression, INCLUDE and unique, comments, row level security and policies, triggers), a partitioned table, views
and materialized views with indexes. An edit takes one such schema to another that is valid too: columns and
tables added, dropped, renamed (with renamed_from) and altered, constraints and indexes added and dropped, enum
values added, definitions of views and functions changed, comments changed.

Names come from small pools so that edits collide with what is there; a few are names that need quoting.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from hypothesis import strategies as st

Schema = dict[str, Any]

TYPES = ["integer", "bigint", "smallint", "text", "varchar(20)", "numeric(10,2)", "boolean", "date",
         "timestamptz", "jsonb", "uuid", "double precision", "text[]", "integer[]", "interval", "bytea"]
WIDER = {"integer": "bigint", "smallint": "integer", "varchar(20)": "varchar(40)", "numeric(10,2)": "numeric(12,2)"}
DEFAULTS = {"integer": "0", "bigint": "1", "smallint": "2", "text": "'x'", "varchar(20)": "'y'",
            "numeric(10,2)": "0.5", "boolean": "false", "date": "CURRENT_DATE", "timestamptz": "now()",
            "jsonb": "'{}'::jsonb", "uuid": "gen_random_uuid()", "double precision": "1.5", "text[]": "'{}'",
            "integer[]": "'{}'", "interval": "'1 day'", "bytea": "'\\x00'::bytea"}
NUMERIC = {"integer", "bigint", "smallint", "numeric(10,2)", "double precision"}
TEXTUAL = {"text", "varchar(20)"}
COLUMN_NAMES = ["a", "b", "c", "d", "e", "note", "amount", "Mixed Case", "select", "kind"]
TABLE_NAMES = ["t0", "t1", "t2", "t3", "Odd Table"]
ACTIONS = ["cascade", "restrict", "set null", "no action"]


def _columns(draw: st.DrawFn, enum_names: list[str], domain_names: list[str], collations: list[str]) -> dict:
    out: dict[str, Any] = {}
    names = draw(st.lists(st.sampled_from(COLUMN_NAMES), min_size=1, max_size=5, unique=True))
    for name in names:
        ctype = draw(st.sampled_from(TYPES + enum_names + domain_names))
        col: dict[str, Any] = {"type": ctype}
        if draw(st.booleans()):
            col["nullable"] = False
        if ctype in DEFAULTS and draw(st.integers(0, 3)) == 0:
            col["default"] = DEFAULTS[ctype]
        if ctype in enum_names and draw(st.booleans()):
            col["default"] = "'a'"
        if ctype in TEXTUAL and collations and draw(st.integers(0, 4)) == 0:
            col["collation"] = draw(st.sampled_from(collations))
        if draw(st.integers(0, 6)) == 0:
            col["comment"] = draw(st.sampled_from(["what it is", "it's quoted", "ünïcode"]))
        out[name] = col
    return out


def _quote(name: str) -> str:
    return f'"{name}"' if name != name.lower() or " " in name or name in ("select",) else name


@st.composite
def schemas(draw: st.DrawFn) -> Schema:
    """A valid schema.yaml, as data."""
    doc: Schema = {}
    enum_names, domain_names, collations = [], [], []
    if draw(st.booleans()):
        doc["enums"] = {"mood": ["a", "b", "c"]}
        enum_names.append("mood")
    if draw(st.integers(0, 2)) == 0:
        doc["domains"] = {"positive": {"type": "integer", "checks": [{"expression": "VALUE > 0"}]}}
        domain_names.append("positive")
    if draw(st.integers(0, 2)) == 0:
        doc["collations"] = {"bytes": {"provider": "libc", "locale": "C"}}
        collations.append("bytes")
    if draw(st.integers(0, 2)) == 0:
        doc["sequences"] = {"counter": draw(st.sampled_from([{}, {"start": 10, "min": 10}, {"increment": 5}]))}
    doc["functions"] = {"touch": {"returns": "trigger", "body": "BEGIN RETURN NEW; END"}}
    if draw(st.booleans()):
        doc["functions"]["add_one"] = {"returns": "integer", "language": "sql", "arguments": ["x integer"],
                                       "volatility": "immutable", "body": "SELECT x + 1"}
    tables: dict[str, Any] = {}
    for tname in draw(st.lists(st.sampled_from(TABLE_NAMES), min_size=1, max_size=4, unique=True)):
        table: dict[str, Any] = {}
        id_col = draw(st.sampled_from([{"type": "integer", "primary_key": True},
                                       {"type": "bigint", "primary_key": True},
                                       {"type": "integer", "identity": True, "primary_key": True},
                                       {"type": "serial", "primary_key": True},
                                       {"type": "uuid", "primary_key": True, "default": "gen_random_uuid()"}]))
        table["columns"] = {"id": id_col, **_columns(draw, enum_names, domain_names, collations)}
        plain = [c for c, spec in table["columns"].items() if c != "id"]
        numeric = [c for c in plain if table["columns"][c]["type"] in NUMERIC]
        textual = [c for c in plain if table["columns"][c]["type"] in TEXTUAL]
        if numeric and draw(st.booleans()):
            table["checks"] = [{"expression": f"{_quote(numeric[0])} >= 0"}]
        if numeric and draw(st.integers(0, 3)) == 0:
            table["columns"]["twice"] = {"type": "numeric", "generated": f"{_quote(numeric[0])} * 2"}
        if plain and draw(st.booleans()):
            table["unique"] = [[draw(st.sampled_from(plain))]]
        indexes = []
        if plain and draw(st.booleans()):
            ix: dict[str, Any] = {"columns": draw(st.lists(st.sampled_from(plain), min_size=1, max_size=2,
                                                           unique=True))}
            if numeric and draw(st.booleans()):
                ix["where"] = f"{_quote(numeric[0])} > 0"
            if draw(st.integers(0, 2)) == 0:
                ix["include"] = ["id"]
            indexes.append(ix)
        if textual and draw(st.booleans()):
            indexes.append({"columns": [{"expression": f"lower({_quote(textual[0])})"}]})
        if indexes:
            table["indexes"] = indexes
        earlier = [n for n in tables if tables[n]["columns"]["id"]["type"] in ("integer", "serial")]
        if earlier and draw(st.booleans()):
            target = draw(st.sampled_from(earlier))
            action = draw(st.sampled_from(ACTIONS))
            table["columns"][f"{target.lower().replace(' ', '_')}_id"] = {"type": "integer"}
            table["foreign_keys"] = [{"columns": [f"{target.lower().replace(' ', '_')}_id"],
                                      "references": f"{_quote(target)}(id)", "on_delete": action}]
        if draw(st.integers(0, 3)) == 0:
            table["triggers"] = [{"name": "touch_row", "timing": "before", "events": ["update"], "function": "touch"}]
        if draw(st.integers(0, 4)) == 0:
            table["row_level_security"] = True
            table["policies"] = [{"name": "everyone", "using": "true"}]
        if draw(st.integers(0, 4)) == 0:
            table["comment"] = "A table"
        tables[tname] = table
    if draw(st.integers(0, 3)) == 0:
        tables["events"] = {"columns": {"id": {"type": "integer", "nullable": False},
                                        "at": {"type": "date", "nullable": False}},
                            "primary_key": ["at", "id"], "partition_by": "range (at)",
                            "partitions": {"events_2024": "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"}}
    doc["tables"] = tables
    first = next(iter(tables))
    if draw(st.booleans()):
        doc["views"] = {"v_ids": f"SELECT id FROM {_quote(first)}"}
        if draw(st.booleans()):
            doc["views"]["m_ids"] = {"definition": f"SELECT id FROM {_quote(first)}", "materialized": True,
                                     "indexes": [{"columns": ["id"], "unique": True}]}
    return doc


def _droppable_columns(table: dict, views: str) -> list[str]:
    """Columns nothing else names: no key, index, check, generated column or view."""
    keyed = {c for fk in table.get("foreign_keys", []) for c in fk["columns"]}
    keyed |= {c for u in table.get("unique", []) for c in u}
    keyed |= {c for ix in table.get("indexes", []) for c in ix["columns"] if isinstance(c, str)}
    keyed |= set(table.get("primary_key", []))
    used = " ".join([str(table.get("checks", [])), str(table.get("indexes", [])), views,
                     *(str(spec.get("generated", "")) for spec in table["columns"].values())])
    return [c for c, spec in table["columns"].items() if c != "id" and c not in keyed and not spec.get("primary_key")
            and not re.search(rf"(?<![\w\"]){re.escape(c)}(?![\w\"])|\"{re.escape(c)}\"", used)
            and spec.get("generated") is None]


@st.composite
def edits(draw: st.DrawFn, start: Schema) -> Schema:
    """``start`` after one to three valid edits."""
    doc = copy.deepcopy(start)
    for _ in range(draw(st.integers(1, 3))):
        tables = doc["tables"]
        plain_tables = [n for n, t in tables.items() if "partition_by" not in t]
        kind = draw(st.sampled_from(["add column", "drop column", "widen", "nullable", "default", "rename column",
                                     "add table", "drop table", "rename table", "index", "unique", "check",
                                     "enum value", "view", "function", "comment", "policy", "partition"]))
        name = draw(st.sampled_from(plain_tables)) if plain_tables else None
        table = tables[name] if name else None
        referenced = {fk["references"].split("(")[0].strip('"') for t in tables.values()
                      for fk in t.get("foreign_keys", [])}
        in_views = " ".join(str(v) for v in doc.get("views", {}).values())
        if kind == "add column" and table is not None:
            new = next((c for c in COLUMN_NAMES if c not in table["columns"]), None)
            if new:
                ctype = draw(st.sampled_from(TYPES))
                col: dict[str, Any] = {"type": ctype}
                if draw(st.booleans()):
                    col.update(nullable=False, default=DEFAULTS[ctype])
                if ctype in TEXTUAL | {"integer", "bigint"} and draw(st.integers(0, 2)) == 0:
                    col["unique"] = True  # a required unique column added to a table (issue 17)
                table["columns"][new] = col
        elif kind == "drop column" and table is not None:
            options = _droppable_columns(table, in_views)
            if options:
                del table["columns"][draw(st.sampled_from(options))]
        elif kind == "widen" and table is not None:
            options = [c for c, s in table["columns"].items() if s.get("type") in WIDER and c != "id"
                       and s.get("generated") is None]
            if options:
                c = draw(st.sampled_from(options))
                table["columns"][c]["type"] = WIDER[table["columns"][c]["type"]]
        elif kind == "nullable" and table is not None:
            set_null = {c for fk in table.get("foreign_keys", [])  # a key that sets its column to NULL needs it nullable
                        if "set null" in (fk.get("on_delete"), fk.get("on_update")) for c in fk["columns"]}
            options = [c for c, s in table["columns"].items() if c != "id" and s.get("generated") is None
                       and c not in set_null]
            if options:
                c = draw(st.sampled_from(options))
                spec = table["columns"][c]
                if spec.get("nullable") is False:
                    del spec["nullable"]
                else:
                    spec["nullable"] = False
        elif kind == "default" and table is not None:
            options = [c for c, s in table["columns"].items() if c != "id" and s.get("type") in DEFAULTS
                       and s.get("generated") is None]
            if options:
                c = draw(st.sampled_from(options))
                spec = table["columns"][c]
                if "default" in spec:
                    del spec["default"]
                    spec.pop("nullable", None)
                else:
                    spec["default"] = DEFAULTS[spec["type"]]
        elif kind == "rename column" and table is not None:
            options = _droppable_columns(table, in_views)
            new = next((c for c in COLUMN_NAMES if c not in table["columns"]), None)
            if options and new:
                old = draw(st.sampled_from(options))
                spec = table["columns"].pop(old)
                table["columns"][new] = {**spec, "renamed_from": old}
        elif kind == "add table":
            new = next((t for t in TABLE_NAMES if t not in tables), None)
            if new:
                tables[new] = {"columns": {"id": {"type": "integer", "primary_key": True},
                                           "label": {"type": "text", "nullable": False, "unique": True}}}
        elif kind == "drop table" and name is not None and name not in referenced and name.lower() not in \
                in_views.lower() and len(plain_tables) > 1:
            del tables[name]
        elif kind == "rename table" and name is not None and name not in referenced and name.lower() not in \
                in_views.lower():
            new = next((t for t in TABLE_NAMES if t not in tables), None)
            if new:
                spec = tables.pop(name)
                tables[new] = {**spec, "renamed_from": name}
        elif kind == "index" and table is not None:
            if table.get("indexes"):
                table["indexes"].pop()
                if not table["indexes"]:
                    del table["indexes"]
            else:
                cols = [c for c in table["columns"] if c != "id" and table["columns"][c].get("generated") is None]
                if cols:
                    table["indexes"] = [{"columns": [draw(st.sampled_from(cols))],
                                         "unique": draw(st.booleans())}]
        elif kind == "unique" and table is not None:
            if table.get("unique"):
                del table["unique"]
            else:
                cols = [c for c in table["columns"] if c != "id" and table["columns"][c].get("generated") is None]
                if cols:
                    table["unique"] = [[draw(st.sampled_from(cols))]]
        elif kind == "check" and table is not None:
            if table.get("checks"):
                del table["checks"]
            else:
                table["checks"] = [{"expression": "id IS NOT NULL"}]
        elif kind == "enum value" and "enums" in doc:
            values = doc["enums"]["mood"]
            extra = next((v for v in ("d", "e", "f") if v not in values), None)
            if extra:
                values.insert(draw(st.integers(0, len(values))), extra)
        elif kind == "view" and tables:
            first = next(iter(n for n in tables if "partition_by" not in tables[n]), None)
            views = doc.setdefault("views", {})
            if "v_ids" in views and "m_ids" not in views:
                del views["v_ids"]
            elif first:
                views["v_ids"] = f"SELECT id, 1 AS one FROM {_quote(first)}"
            if not views:
                del doc["views"]
        elif kind == "function":
            fns = doc["functions"]
            if "add_one" in fns:
                fns["add_one"]["body"] = "SELECT x + 2"
            else:
                fns["add_one"] = {"returns": "integer", "language": "sql", "arguments": ["x integer"],
                                  "body": "SELECT x + 1"}
        elif kind == "comment" and table is not None:
            if "comment" in table:
                del table["comment"]
            else:
                table["comment"] = "Now with a comment"
        elif kind == "policy" and table is not None:
            if table.get("policies"):
                table["policies"][0]["using"] = "id IS NOT NULL"
            else:
                table["row_level_security"] = True
                table["policies"] = [{"name": "known", "using": "id IS NOT NULL"}]
        elif kind == "partition" and "events" in tables:
            parts = tables["events"]["partitions"]
            if "events_2025" in parts:
                del parts["events_2025"]
            else:
                parts["events_2025"] = "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')"
    return doc


@st.composite
def schema_pairs(draw: st.DrawFn) -> tuple[Schema, Schema]:
    start = draw(schemas())
    return start, draw(edits(start))
