"""The JSON Schema of schema.yaml, for editors (completion, validation) and CI.

It mirrors the grammar the reader accepts (:mod:`.reader`); a test validates the
repository's own schema.yaml and every fixture against it, and checks that the
copy in the repository is current.
"""

from __future__ import annotations

from .collations import AGGREGATE_KEYS, COLLATION_KEYS, PROVIDERS
from .composite_types import ATTRIBUTE_KEYS, TYPE_KEYS
from .columns import COLUMN_KEYS, ELEMENT_KEYS, FK_ACTIONS, FK_KEYS, INDEX_KEYS, INDEX_METHODS, PRIMARY_KEY_KEYS
from .object_readers import (ARGUMENT_KEYS, DOMAIN_KEYS, EVENTS, FUNCTION_KEYS, MODES, PARTITION_KEYS, POLICY_KEYS,
                             RLS_KEYS, SEQUENCE_KEYS, TRIGGER_KEYS, VIEW_KEYS)
from .operators import OPERATOR_KEYS
from .reader import CHECK_KEYS, TABLE_KEYS, TOP_KEYS, UNIQUE_KEYS
from .table_options import EXCLUDE_ELEMENT_KEYS, EXCLUDE_KEYS

_NAME = {"type": "string", "minLength": 1}
_NAMES = {"oneOf": [_NAME, {"type": "array", "items": _NAME, "minItems": 1}]}
_ACTION = {"type": "string", "enum": sorted(FK_ACTIONS) + sorted(a.upper() for a in FK_ACTIONS),
           "description": "What happens to this row when the referenced row is deleted or updated."}
_SQL = {"type": "string", "description": "An SQL expression."}
_NOT_VALID = {"type": "boolean", "description": "Added NOT VALID: new rows are checked, existing ones are not."}
_RENAMED = {"type": "string", "description": "The name this object had: the plan renames it and keeps its data."}
_STORAGE = {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]},
            "description": "Storage parameters: WITH (fillfactor = 70, autovacuum_enabled = false, ...)."}
_GRANTS = {"type": ["object", "null"], "additionalProperties": {"oneOf": [
    {"type": "array", "items": {"type": "string"}}, {"type": "string", "enum": ["all"]}]},
    "description": "Privileges by role (public: every role), e.g. {app_reader: [select]}. Once any object declares "
                   "grants, finesse manages every object's privileges; roles are referenced, never created."}
_DEFAULT_GRANTS = {"type": ["object", "null"], "properties": {k: _GRANTS for k in ("tables", "sequences", "functions")},
                   "additionalProperties": False,
                   "description": "What objects created in the schema later get (ALTER DEFAULT PRIVILEGES IN SCHEMA), "
                                  "for the role finesse runs as."}
_DEFERRABLE = {"deferrable": {"type": "boolean"}, "initially_deferred": {"type": "boolean"}}


def _obj(props: dict, keys: tuple[str, ...], required: tuple[str, ...] = (), description: str = "") -> dict:
    assert set(props) == set(keys), sorted(set(props) ^ set(keys))
    out: dict = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = list(required)
    if description:
        out["description"] = description
    return out


def schema_json_schema() -> dict:
    identity = {"oneOf": [
        {"type": "boolean"}, {"type": "string", "enum": ["always", "by default", "by_default"]},
        _obj({"kind": {"type": "string", "enum": ["always", "by default", "by_default"]},
              "start": {"type": "integer"}, "increment": {"type": "integer"}}, ("kind", "start", "increment"))]}
    column = {"oneOf": [
        {"type": "string", "description": "Shorthand: just the column type, e.g. varchar(80)."},
        _obj({
            "type": {"type": "string", "description": "PostgreSQL type: text, bigint, numeric(12,2), an enum..."},
            "nullable": {"type": "boolean", "default": True},
            "default": {"type": ["string", "number", "boolean"],
                        "description": "SQL expression: now(), gen_random_uuid(), 'pending', 0"},
            "primary_key": {"type": "boolean"}, "unique": {"type": "boolean"},
            "identity": identity, "generated": _SQL, "comment": {"type": "string"},
            "references": {"type": "string", "description": "table, table.column or schema.table.column"},
            "on_delete": _ACTION, "on_update": _ACTION, "renamed_from": _RENAMED,
            "collation": {"type": "string", "description": 'e.g. "C" or "und-x-icu"'},
            "statistics": {"type": "integer", "minimum": -1, "maximum": 10000,
                           "description": "SET STATISTICS: the planner's sample for this column"},
            "n_distinct": {"type": "number", "minimum": -1,
                           "description": "SET (n_distinct): distinct values, or from -1 to 0 a fraction of the rows"},
            "n_distinct_inherited": {"type": "number", "minimum": -1,
                                     "description": "SET (n_distinct_inherited): the same over the children too"},
        }, COLUMN_KEYS, ("type",))]}
    element = {"oneOf": [_NAME, _obj({
        "column": _NAME, "expression": _SQL, "order": {"type": "string", "enum": ["asc", "desc"]},
        "nulls": {"type": "string", "enum": ["first", "last"]}, "opclass": _NAME,
        "statistics": {"type": "integer", "minimum": -1, "maximum": 10000,
                       "description": "an expression's statistics target"}}, ELEMENT_KEYS)]}
    index = {"oneOf": [_NAME, {"type": "array", "items": element, "minItems": 1}, _obj({
        "columns": {"oneOf": [_NAME, {"type": "array", "items": element, "minItems": 1}]},
        "name": _NAME, "unique": {"type": "boolean"}, "where": _SQL, "include": _NAMES,
        "method": {"type": "string", "enum": list(INDEX_METHODS)}, "renamed_from": _RENAMED, "with": _STORAGE},
        INDEX_KEYS,
        ("columns",))]}
    fk = _obj({
        "columns": _NAMES,
        "references": {"oneOf": [{"type": "string", "description": "table(col, ...)"},
                                 _obj({"table": _NAME, "columns": _NAMES}, ("table", "columns"), ("table",))]},
        "on_delete": _ACTION, "on_update": _ACTION, "name": _NAME,
        "deferrable": {"type": "boolean"}, "initially_deferred": {"type": "boolean"}, "renamed_from": _RENAMED,
        "not_valid": _NOT_VALID},
        FK_KEYS,
        ("columns", "references"))
    unique = {"oneOf": [_NAMES, _obj({"columns": _NAMES, "name": _NAME, "nulls_not_distinct": {"type": "boolean"},
                                      "renamed_from": _RENAMED, **_DEFERRABLE}, UNIQUE_KEYS, ("columns",))]}
    exclusion = _obj({
        "name": _NAME, "using": {"type": "string", "enum": list(INDEX_METHODS)}, "where": _SQL, **_DEFERRABLE,
        "elements": {"type": "array", "minItems": 1, "items": _obj({
            "column": _NAME, "expression": _SQL, "operator": {"type": "string", "description": "e.g. = or &&"},
            "opclass": _NAME}, EXCLUDE_ELEMENT_KEYS, ("operator",))}}, EXCLUDE_KEYS, ("elements",))
    check = {"oneOf": [_SQL, _obj({"name": _NAME, "expression": _SQL, "renamed_from": _RENAMED,
                                   "not_valid": _NOT_VALID}, CHECK_KEYS,
                                  ("expression",))]}
    trigger = _obj({
        "name": _NAME, "function": {"type": "string", "description": "function name, or schema.name"},
        "timing": {"type": "string", "enum": ["before", "after", "instead of"]},
        "events": {"type": "array", "items": {"type": "string", "enum": list(EVENTS)}, "minItems": 1},
        "level": {"type": "string", "enum": ["row", "statement"]}, "columns": _NAMES, "when": _SQL,
        "arguments": {"type": "array", "items": {"type": ["string", "number", "boolean"]}},
        "comment": {"type": "string"},
        "deferrable": {"type": "boolean", "description": "a constraint trigger, which can be deferred to commit"},
        "initially_deferred": {"type": "boolean", "description": "a constraint trigger that fires at commit"},
        "old_table": {"type": "string", "description": "REFERENCING OLD TABLE AS: the changed rows as they were"},
        "new_table": {"type": "string", "description": "REFERENCING NEW TABLE AS: the changed rows as they became"}},
        TRIGGER_KEYS, ("name", "function", "events"))
    policy = _obj({
        "name": _NAME, "command": {"type": "string", "enum": ["all", "select", "insert", "update", "delete"]},
        "permissive": {"type": "boolean"}, "roles": _NAMES, "using": _SQL, "with_check": _SQL}, POLICY_KEYS,
        ("name",))
    partition = {"oneOf": [{"type": "string", "description": "FOR VALUES ... or DEFAULT"},
                           _obj({"values": {"type": "string"}, "comment": {"type": "string"},
                                 "indexes": {"type": "array", "items": index,
                                             "description": "the partition's own indexes, besides its parent's"},
                                 "foreign_keys": {"type": "array", "items": fk,
                                                  "description": "the partition's own foreign keys"}},
                                PARTITION_KEYS, ("values",))]}
    table = _obj({
        "partition_by": {"type": "string", "description": "range (column), list (column) or hash (column)"},
        "partitions": {"type": "object", "additionalProperties": partition},
        "row_level_security": {"oneOf": [{"type": "boolean"}, _obj(
            {"enabled": {"type": "boolean"}, "forced": {"type": "boolean"}}, RLS_KEYS)]},
        "policies": {"type": "array", "items": policy},
        "triggers": {"type": "array", "items": trigger},
        "comment": {"type": "string"},
        "group": {"type": "string", "description": "the group of tables finesse docs draws it with"},
        "columns": {"type": "object", "additionalProperties": column,
                    "description": "Columns by name, in order; {} for a table without columns."},
        "primary_key": {"oneOf": [_NAMES, _obj({"columns": _NAMES, "name": _NAME, "renamed_from": _RENAMED,
                                                **_DEFERRABLE}, PRIMARY_KEY_KEYS, ("columns",))]},
        "exclude": {"type": "array", "items": exclusion},
        "unlogged": {"type": "boolean", "description": "not written to the WAL: lost on a crash, not replicated"},
        "with": _STORAGE,
        "inherits": {**_NAMES, "description": "parents of table inheritance (not partitioning)"},
        "cluster_on": {"type": "string", "description": "the index CLUSTER uses"},
        "grants": _GRANTS,
        "renamed_from": _RENAMED,
        "foreign_keys": {"type": "array", "items": fk},
        "unique": {"type": "array", "items": unique},
        "checks": {"type": "array", "items": check},
        "indexes": {"type": "array", "items": index},
    }, TABLE_KEYS, ("columns",))
    value = {"oneOf": [{"type": "string"}, _obj({"value": {"type": "string"}, "renamed_from": _RENAMED},
                                                ("value", "renamed_from"), ("value",))]}
    enum = {"oneOf": [{"type": "array", "items": value, "minItems": 1},
                      _obj({"values": {"type": "array", "items": value, "minItems": 1},
                            "comment": {"type": "string"}}, ("values", "comment"), ("values",))]}
    extension = {"oneOf": [_NAME, _obj({"name": _NAME, "schema": _NAME, "managed": {"type": "boolean"},
                                        "version": {"type": "string", "description": "pinned: updated to, never down"}},
                                       ("name", "schema", "managed", "version"), ("name",))]}
    collation = _obj({"provider": {"type": "string", "enum": list(PROVIDERS)}, "locale": {"type": "string"},
                      "lc_collate": {"type": "string"}, "lc_ctype": {"type": "string"},
                      "deterministic": {"type": "boolean"}, "comment": {"type": "string"}}, COLLATION_KEYS)
    aggregate = _obj({"arguments": {"type": "array", "items": {"type": "string"}}, "state_function": _NAME,
                      "state_type": {"type": "string"}, "final_function": _NAME,
                      "initial_condition": {"type": "string"}, "comment": {"type": "string"}}, AGGREGATE_KEYS,
                     ("state_function", "state_type"))
    operator = _obj({"left": {"type": "string", "description": "left argument type (none for a prefix operator)"},
                     "right": {"type": "string"}, "function": _NAME, "commutator": {"type": "string"},
                     "negator": {"type": "string"}, "restrict": _NAME, "join": _NAME, "hashes": {"type": "boolean"},
                     "merges": {"type": "boolean"}, "comment": {"type": "string"}}, OPERATOR_KEYS,
                    ("right", "function"))
    sequence = {"oneOf": [{"type": "null"}, _obj({
        "type": {"type": "string", "enum": ["smallint", "integer", "bigint", "int2", "int4", "int8", "int"]},
        "start": {"type": "integer"}, "increment": {"type": "integer"}, "min": {"type": "integer"},
        "max": {"type": "integer"}, "cache": {"type": "integer"}, "cycle": {"type": "boolean"},
        "owned_by": {"type": "string", "description": "table.column"}, "comment": {"type": "string"},
        "unlogged": {"type": "boolean", "description": "not written to the WAL (PostgreSQL 15 and later)"},
        "grants": _GRANTS}, SEQUENCE_KEYS)]}
    domain = {"oneOf": [{"type": "string"}, _obj({
        "type": {"type": "string"}, "not_null": {"type": "boolean"},
        "default": {"type": ["string", "number", "boolean"]}, "checks": {"type": "array", "items": check},
        "comment": {"type": "string"}}, DOMAIN_KEYS, ("type",))]}
    attribute = {"oneOf": [{"type": "string", "description": "Shorthand: just the attribute's type."}, _obj({
        "type": {"type": "string"}, "collation": {"type": "string"}}, ATTRIBUTE_KEYS, ("type",))]}
    composite_type = _obj({
        "attributes": {"type": "object", "additionalProperties": attribute, "minProperties": 1,
                       "description": "name: type, in order"},
        "comment": {"type": "string"}}, TYPE_KEYS, ("attributes",),
        description="CREATE TYPE name AS (attribute type, ...): usable as a column type.")
    argument = {"oneOf": [{"type": "string", "description": "[mode] [name] type [DEFAULT expr]"}, _obj({
        "name": _NAME, "type": {"type": "string"}, "mode": {"type": "string", "enum": list(MODES)},
        "default": {"type": ["string", "number", "boolean"]}}, ARGUMENT_KEYS, ("type",))]}
    function = _obj({
        "returns": {"type": "string"}, "language": {"type": "string"},
        "arguments": {"type": "array", "items": argument},
        "volatility": {"type": "string", "enum": ["volatile", "stable", "immutable"]},
        "security_definer": {"type": "boolean"}, "strict": {"type": "boolean"}, "body": {"type": "string"},
        "kind": {"type": "string", "enum": ["function", "procedure"]}, "comment": {"type": "string"},
        "parallel": {"type": "string", "enum": ["unsafe", "restricted", "safe"]},
        "set": {"type": "object", "additionalProperties": {"type": "string"},
                "description": "SET name TO value while the function runs; values are SQL"},
        "library": {"type": "string", "description": "language c: the shared library, e.g. $libdir/fuzzystrmatch"},
        "symbol": {"type": "string", "description": "language c or internal: the C function it runs (no body)"},
        "grants": _GRANTS}, FUNCTION_KEYS)
    view = {"oneOf": [_SQL, _obj({
        "definition": _SQL, "materialized": {"type": "boolean"}, "indexes": {"type": "array", "items": index},
        "comment": {"type": "string"}, "triggers": {"type": "array", "items": trigger}, "grants": _GRANTS}, VIEW_KEYS,
        ("definition",))]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://finesse.dev/schema.yaml.json",
        "title": "finesse schema.yaml",
        **_obj({
            "schemas": {"oneOf": [{"type": "array", "items": _NAME}, {"type": "object", "additionalProperties": {
                "oneOf": [{"type": "null"}, _obj({"comment": {"type": "string"}, "managed": {"type": "boolean"},
                                                  "grants": _GRANTS, "default_grants": _DEFAULT_GRANTS},
                                                 ("comment", "managed", "grants", "default_grants"))]}}],
                        "description": "Schemas as objects: an empty one is kept, one removed is dropped; "
                                       "managed: false leaves one (and all in it) alone."},
            "extensions": {"type": "array", "items": extension},
            "collations": {"type": "object", "additionalProperties": collation},
            "aggregates": {"type": "object", "additionalProperties": aggregate},
            "operators": {"type": "object", "additionalProperties": {"oneOf": [
                operator, {"type": "array", "items": operator, "minItems": 1,
                           "description": "overloads: one symbol, different argument types"}]}},
            "enums": {"type": "object", "additionalProperties": enum},
            "domains": {"type": "object", "additionalProperties": domain},
            "types": {"type": "object", "additionalProperties": composite_type,
                      "description": "Composite types by name; schema.name for a schema other than public."},
            "sequences": {"type": "object", "additionalProperties": sequence},
            "functions": {"type": "object", "additionalProperties": {"oneOf": [
                function, {"type": "array", "items": function, "minItems": 1,
                           "description": "overloads: one name, different argument types"}]}},
            "views": {"type": "object", "additionalProperties": view},
            "lint": {"type": "object", "additionalProperties": False, "properties": {"suppress": {
                "type": "array", "items": {"type": "object", "additionalProperties": False,
                                           "required": ["rule", "object", "reason"],
                                           "properties": {"rule": {"type": "string"}, "object": {"type": "string"},
                                                          "reason": {"type": "string", "minLength": 1}}}}},
                     "description": "Lint findings accepted on purpose, each with a reason."},
            "tables": {"type": "object", "additionalProperties": table,
                       "description": "Tables by name; schema.table for a schema other than public."},
        }, TOP_KEYS, description="A PostgreSQL schema declared for finesse."),
    }
