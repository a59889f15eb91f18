"""migra's statements -> typed changes.

migra speaks SQL text; finesse decides safety from data. This module is the one
place that reads migra's output language (a small, stable set of statement
shapes, since migra is frozen), and turns each statement into a
:class:`~finesse_schema.core.plan.Change`. A statement it does not recognise is
kept, labelled ``other``, and treated as destructive when it drops anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...core.plan import Change, ChangeKind
from ..schema.types import is_widening

_ID = r'(?:"(?:[^"]|"")+"|[\w$]+)'
_QN = rf"{_ID}(?:\s*\.\s*{_ID})?"
IDENT, QUALIFIED = _ID, _QN  # SQL identifier and schema-qualified name patterns, for other readers of migra's SQL
C, A, D = ChangeKind.CREATE, ChangeKind.ALTER, ChangeKind.DROP


def name_parts(text: str) -> list[str]:
    """The identifiers of a (qualified) name as SQL writes it: quotes removed, case kept as written."""
    parts = re.findall(r'"((?:[^"]|"")+)"|([^."\s]+)', text)
    return [(q.replace('""', '"') if q else b) for q, b in parts]


def unquote(text: str) -> str:
    return ".".join(name_parts(text))


def _qualified(text: str, default_schema: str = "public") -> tuple[str, str]:
    parts = name_parts(text)
    return (parts[-2] if len(parts) > 1 else default_schema), (parts[-1] if parts else "")


_KEY_KIND = {"table": "rel", "view": "rel", "materialized view": "rel", "sequence": "rel", "index": "rel",
             "enum": "type", "type": "type", "domain": "type", "function": "func", "aggregate": "func",
             "collation": "collation",
             "sequence position": "rel"}


def object_key(obj: str, raw: str, table_raw: str = "") -> tuple[str, ...]:
    """The key (logic/plan/dependencies.py) of object type ``obj`` named ``raw``, on ``table_raw``."""
    if obj == "schema":
        return ("schema", unquote(raw))
    if obj == "extension":
        return ("ext", unquote(raw))
    if obj in ("trigger", "policy") and table_raw:
        schema, table = _qualified(table_raw)
        return (obj, schema, table, unquote(raw))
    if obj == "index" and table_raw and len(name_parts(raw)) == 1:
        return ("rel", _qualified(table_raw)[0], unquote(raw))
    if obj in _KEY_KIND:
        return (_KEY_KIND[obj], *_qualified(raw))
    return ()


@dataclass(frozen=True)
class SchemaFacts:
    """What the classifier needs to know of both sides beyond the SQL text."""

    old_types: dict[tuple[str, str, str], str] = field(default_factory=dict)
    new_types: dict[tuple[str, str, str], str] = field(default_factory=dict)
    old_enums: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    new_enums: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    old_generated: frozenset[tuple[str, str, str]] = frozenset()  # generated columns: their values are computed


# (pattern, kind, object type, destructive); the first group is the object name.
_SIMPLE: list[tuple[str, ChangeKind, str, bool]] = [
    (rf"create schema (?:if not exists )?({_ID})", C, "schema", False),
    (rf"drop schema (?:if exists )?({_ID})", D, "schema", True),
    (rf"create extension (?:if not exists )?({_ID})", C, "extension", False),
    (rf"alter extension ({_ID})", A, "extension", False),
    (rf"drop extension (?:if exists )?({_ID})", D, "extension", True),
    (rf"create type ({_QN})", C, "type", False),
    (rf"create domain ({_QN})", C, "domain", False),
    (rf"drop domain (?:if exists )?({_QN})", D, "domain", False),
    (rf"alter domain ({_QN})", A, "domain", False),
    (rf"create (?:unlogged |temporary )?sequence (?:if not exists )?({_QN})", C, "sequence", False),
    (rf"alter sequence ({_QN})", A, "sequence", False),
    (rf"drop sequence (?:if exists )?({_QN})", D, "sequence", True),
    (rf"create (?:unlogged )?table (?:if not exists )?({_QN})", C, "table", False),
    (rf"drop table (?:if exists )?({_QN})", D, "table", True),
    (rf"create (?:or replace )?(?:recursive )?view ({_QN})", C, "view", False),
    (rf"drop view (?:if exists )?({_QN})", D, "view", False),
    (rf"create materialized view (?:if not exists )?({_QN})", C, "materialized view", False),
    (rf"drop materialized view (?:if exists )?({_QN})", D, "materialized view", False),
    (rf"create (?:or replace )?(?:function|procedure) ({_QN})", C, "function", False),
    (rf"create (?:or replace )?aggregate ({_QN})", C, "aggregate", False),
    (rf"drop aggregate (?:if exists )?({_QN})", D, "aggregate", False),
    (rf"drop (?:function|procedure) (?:if exists )?({_QN})", D, "function", False),
    (rf"create (?:or replace )?(?:constraint )?trigger ({_ID})", C, "trigger", False),
    (rf"drop trigger (?:if exists )?({_ID})", D, "trigger", False),
    (rf"create policy ({_ID})", C, "policy", False),
    (rf"drop policy (?:if exists )?({_ID})", D, "policy", False),
    (rf"alter policy ({_ID})", A, "policy", False),
    (rf"create unique index (?:concurrently )?(?:if not exists )?({_QN})", C, "index", False),
    (rf"create index (?:concurrently )?(?:if not exists )?({_QN})", C, "index", False),
    (rf"drop index (?:concurrently )?(?:if exists )?({_QN})", D, "index", False),
    (rf"alter index (?:if exists )?({_QN}) alter column \d+ set statistics", A, "index", False),
    (rf"create collation (?:if not exists )?({_QN})", C, "collation", False),
    (rf"drop collation (?:if exists )?({_QN})", D, "collation", False),
    (rf"comment on \w+(?: \w+)? ({_QN}(?:\s*\.\s*{_ID})?)", A, "comment", False),
    (r"set (?:local )?(\w+)", A, "setting", False),
    (r"select setval\((?:pg_get_serial_sequence\()?'([^']+)'", A, "sequence position", False),
]
_SIMPLE_RE = [(re.compile(p, re.I | re.S), k, t, d) for p, k, t, d in _SIMPLE]

_TABLE_RE = re.compile(rf"alter table (?:only )?(?:if exists )?({_QN})\s+(.*)$", re.I | re.S)
_COLUMN_RE = re.compile(rf"alter column ({_ID})\s+(.*)$", re.I | re.S)
_ENUM_ALTER_RE = re.compile(rf"alter type ({_QN})\s+(.*)$", re.I | re.S)
_TYPE_DROP_RE = re.compile(rf"drop type (?:if exists )?({_QN})", re.I | re.S)
_OLD_ENUM_SUFFIX = "__old_version_to_be_dropped"
# a serial's sequence moved aside when its column becomes an identity (its position is carried over first)
REPLACED_SEQUENCE_SUFFIX = "__finesse_old"


def _split_qn(name: str) -> tuple[str, str]:
    schema, _, rel = unquote(name).rpartition(".")
    return schema or "public", rel


_OPERATOR_RE = re.compile(rf"(create|drop|comment on) operator (?:if exists )?({_ID})\.([+\-*/<>=~!@#%^&|`?]+)",
                          re.I)


_GRANT_RE = re.compile(rf"(grant|revoke) (.+?) on (schema|table|sequence|function|procedure) ({_QN})(\(.*?\))? "
                       r"(?:to|from) (.+?);?$", re.I)


_DEFAULT_PRIVILEGES_RE = re.compile(rf"alter default privileges in schema ({_ID}) (grant|revoke) (.+?) on (\w+) "
                                    r"(?:to|from) (.+?);?$", re.I)


def classify_statement(sql: str, facts: SchemaFacts) -> Change:
    text = " ".join(sql.split())
    m = _DEFAULT_PRIVILEGES_RE.match(text)
    if m:  # what objects created in the schema later get
        verb = m.group(2).lower()
        return Change(A, "default privileges", unquote(m.group(1)), sql, False,
                      f"{verb} {m.group(3).lower()} on {m.group(4).lower()} {'to' if verb == 'grant' else 'from'} "
                      f"{unquote(m.group(5))}", key=("schema", unquote(m.group(1))))
    m = _GRANT_RE.match(text)
    if m:  # privileges (db/extra_kinds/grants.py): they change who may do what, never a row
        verb, privileges, kind, raw, role = m.group(1).lower(), m.group(2).lower(), m.group(3).lower(), m.group(4), \
            m.group(6)
        obj = {"table": "table", "sequence": "sequence", "procedure": "function"}.get(kind, kind)
        return Change(A, "privileges", unquote(raw), sql, False,
                      f"{verb} {privileges} {'to' if verb == 'grant' else 'from'} {unquote(role)}",
                      key=object_key(obj, raw))
    m = _OPERATOR_RE.match(text)
    if m:
        verb, schema, symbol = m.group(1).lower(), unquote(m.group(2)), m.group(3)
        key = ("operator", schema, symbol)
        if verb == "comment on":
            return Change(A, "comment", f"{schema}.{symbol}", sql, key=key)
        return Change(C if verb == "create" else D, "operator", f"{schema}.{symbol}", sql, key=key)
    m = _TABLE_RE.match(text)
    if m:
        return _alter_table(sql, m.group(1), m.group(2), facts)
    m = _ENUM_ALTER_RE.match(text)
    if m:
        return _alter_type(sql, m.group(1), m.group(2), facts)
    m = _TYPE_DROP_RE.match(text)
    if m:
        name = unquote(m.group(1))
        if name.endswith(_OLD_ENUM_SUFFIX):
            base = name[: -len(_OLD_ENUM_SUFFIX)]
            removed = _removed_enum_values(base, facts)
            schema, rel = _qualified(m.group(1))
            return Change(A, "enum", base, sql, bool(removed),
                          f"values removed: {', '.join(removed)}" if removed else "rebuilt with new values",
                          key=("type", schema, rel[: -len(_OLD_ENUM_SUFFIX)]))  # the enum it was the old version of
        return Change(D, "type", name, sql, True, key=object_key("type", m.group(1)))
    m = _SETVAL_RE.match(text)
    if m:  # a generator's position, carried over (db/migra/diff.py): it needs the column and every relation it reads
        reads = tuple(("rel", *_qualified(r)) for r in re.findall(rf"\bfrom ({_QN})", text, re.I))
        return Change(A, "sequence position", f"{unquote(m.group(1))}.{m.group(2)}", sql,
                      key=("col", *_qualified(m.group(1)), m.group(2)), refs=reads)
    m = _COMMENT_RE.match(text)
    if m:
        return Change(A, "comment", unquote(m.group(2)), sql, key=_comment_key(m.group(1).lower(), m.group(2)))
    for rx, kind, obj, destructive in _SIMPLE_RE:
        m = rx.match(text)
        if m:
            raw = m.group(1)
            name = unquote(raw)
            if obj == "index" and kind == C:
                on = re.search(rf"\son\s+(?:only\s+)?({_QN})", text, re.I)
                name = f"{_split_qn(on.group(1))[0]}.{name}" if on and "." not in name else name
                table = unquote(on.group(1)) if on else ""
                return Change(kind, obj, name, sql, destructive,
                              ("concurrently " if re.search(r"\bconcurrently\b", text, re.I) else "")
                              + f"on {table if '.' in table else 'public.' + table}",
                              key=object_key(obj, raw, on.group(1) if on else ""))
            on_raw = ""
            if obj == "trigger" or obj == "policy":
                on = re.search(rf"\son\s+({_QN})", text, re.I)
                name = f"{unquote(on.group(1))}.{name}" if on else name
                on_raw = on.group(1) if on else ""
            if obj == "type" and re.search(r"\bas enum\b", text, re.I):
                obj = "enum"
            key = object_key(obj, raw, on_raw)
            if obj == "sequence" and kind == D and name.endswith(REPLACED_SEQUENCE_SUFFIX):
                return Change(kind, obj, name, sql, False, "replaced by the identity, which carries its position on",
                              key=key)
            renamed = _RENAME_RE.search(text) if kind == A and key else None
            if renamed:  # the object goes on under its new name
                new = (*key[:-1], unquote(renamed.group(1)))
                return Change(kind, obj, name, sql, destructive, f"renamed to {new[-1]}", key=key, refs=(new,))
            return Change(kind, obj, name, sql, destructive, key=key)
    dropping = bool(re.match(r"\s*(drop|truncate|delete)\b", text, re.I))
    return Change(D if dropping else A, "other", text.split(" (")[0][:60], sql, dropping,
                  "statement finesse does not recognise; review it")


_SETVAL_RE = re.compile(r"select setval\(pg_get_serial_sequence\('((?:[^']|'')+)', '((?:[^']|'')+)'\)", re.I)
_RENAME_RE = re.compile(rf"\srename to ({_ID})\s*;?\s*$", re.I)
_COMMENT_RE = re.compile(rf"comment on (column|constraint|trigger|policy|table|view|materialized view|sequence|index|"
                         rf"type|domain|function|procedure|schema|extension|collation) ({_QN}(?:\s*\.\s*{_ID})?)"
                         rf"(?:\s+on\s+(?:domain\s+)?({_QN}))?", re.I | re.S)


def _comment_key(kind: str, raw: str) -> tuple[str, ...]:
    """The object a COMMENT ON names (constraints, triggers and policies name their table after ON)."""
    if kind == "column":
        parts = name_parts(raw)
        return ("col", *(parts if len(parts) == 3 else ["public", *parts])) if len(parts) in (2, 3) else ()
    if kind in ("constraint", "trigger", "policy"):
        return ()  # the table comes after ON; ordering puts comments after what they comment anyway
    obj = {"procedure": "function"}.get(kind, kind)
    return object_key(obj, raw)


def _removed_enum_values(qualified: str, facts: SchemaFacts) -> list[str]:
    key = _split_qn(qualified)
    old, new = facts.old_enums.get(key, ()), facts.new_enums.get(key, ())
    return [v for v in old if v not in new]


def _alter_type(sql: str, raw: str, rest: str, facts: SchemaFacts) -> Change:
    name, low, key = unquote(raw), rest.lower(), object_key("type", raw)
    if low.startswith("rename to") and _OLD_ENUM_SUFFIX in rest:
        return Change(A, "enum", name, sql, False, "renamed aside to be rebuilt", key=key)
    if low.startswith("add value"):
        # its value cannot be used in the transaction that adds it: run it on its own, first
        return Change(A, "enum", name, sql, False, " ".join(rest.rstrip(";").split()).lower(), transactional=False,
                      key=key)
    if low.startswith("rename value"):
        return Change(A, "enum", name, sql, False, rest, key=key)
    # a composite type's attribute dropped takes its values from every column of the type (PostgreSQL refuses
    # an attribute's new type while a column has the type)
    return Change(A, "type", name, sql, "drop attribute" in low, rest, key=key)


def _alter_table(sql: str, raw: str, rest: str, facts: SchemaFacts) -> Change:
    table = unquote(raw)
    schema, rel = _qualified(raw)

    def col(name_raw: str) -> tuple[str, ...]:
        return ("col", schema, rel, unquote(name_raw))

    m = re.match(rf"add column (?:if not exists )?({_ID})", rest, re.I)
    if m:
        default = re.search(r"\sdefault\s+(.+?)(?:\s+(?:not null|null|constraint|check|references|unique|"
                            r"primary key|generated)\b.*)?;?\s*$", rest, re.I | re.S)
        generated = re.search(r"\sgenerated always as \(", rest, re.I)
        reason = "generated" if generated else f"default {default.group(1).strip()}" if default else ""
        if re.search(r"\snot null\b", rest, re.I):
            reason = (reason + ", not null").lstrip(", ")
        return Change(C, "column", f"{table}.{unquote(m.group(1))}", sql, False, reason, key=col(m.group(1)))
    m = re.match(rf"drop column (?:if exists )?({_ID})", rest, re.I)
    if m:
        if (schema, rel, unquote(m.group(1))) in facts.old_generated:
            return Change(D, "column", f"{table}.{unquote(m.group(1))}", sql, False,
                          "generated: its values are computed from the other columns", key=col(m.group(1)))
        return Change(D, "column", f"{table}.{unquote(m.group(1))}", sql, True, "its data is lost",
                      key=col(m.group(1)))
    m = _COLUMN_RE.match(rest)
    if m:
        column = unquote(m.group(1))
        action = m.group(2)
        name = f"{table}.{column}"
        if re.match(r"(set data )?type ", action, re.I):
            old = facts.old_types.get((schema, rel, column), "?")
            new = facts.new_types.get((schema, rel, column), "?")
            widening = old != "?" and new != "?" and is_widening(old, new)
            reason = f"type {old} -> {new}" + ("" if widening else " (may not keep every value)")
            return Change(A, "column", name, sql, not widening, reason, key=col(m.group(1)))
        return Change(A, "column", name, sql, False, " ".join(action.rstrip(";").split()[:4]).lower(),
                      key=col(m.group(1)))
    m = re.match(rf"add constraint ({_ID})\s+(.*)$", rest, re.I | re.S)
    if m:
        body = " ".join(m.group(2).lower().split())
        what = next((k for k in ("foreign key", "check", "unique", "primary key", "exclude") if body.startswith(k)),
                    "constraint")
        using = re.search(rf"\busing index ({_ID})", m.group(2), re.I)
        return Change(C, "constraint", f"{table}.{unquote(m.group(1))}", sql, False,
                      what + (" not valid" if re.search(r"\bnot valid\s*;?\s*$", body) else ""),
                      key=("con", schema, rel, unquote(m.group(1))),
                      refs=(("rel", schema, unquote(using.group(1))),) if using else ())
    m = re.match(rf"drop constraint (?:if exists )?({_ID})", rest, re.I)
    if m:
        return Change(D, "constraint", f"{table}.{unquote(m.group(1))}", sql, False,
                      key=("con", schema, rel, unquote(m.group(1))))
    m = re.match(rf"validate constraint ({_ID})", rest, re.I)
    if m:
        return Change(A, "constraint", f"{table}.{unquote(m.group(1))}", sql, False, "validate",
                      key=("con", schema, rel, unquote(m.group(1))))
    m = re.match(rf"rename column ({_ID}) to ({_ID})", rest, re.I)
    if m:
        return Change(A, "column", f"{table}.{unquote(m.group(1))}", sql, False,
                      f"rename to {unquote(m.group(2))}", key=col(m.group(1)), refs=(col(m.group(2)),))
    m = re.match(rf"(attach|detach) partition ({_QN})", rest, re.I)
    if m:
        return Change(A, "table", table, sql, False, f"{m.group(1).lower()} partition", key=("rel", schema, rel),
                      refs=(("rel", *_qualified(m.group(2), schema)),))
    m = re.match(rf"cluster on ({_ID})", rest, re.I)
    if m:
        return Change(A, "table", table, sql, False, "cluster on", key=("rel", schema, rel),
                      refs=(("rel", schema, unquote(m.group(1))),))
    return Change(A, "table", table, sql, False, " ".join(rest.rstrip(";").split()[:4]).lower(),
                  key=("rel", schema, rel))


def classify(statements: list[str], facts: SchemaFacts) -> tuple[Change, ...]:
    return tuple(classify_statement(s, facts) for s in statements)
