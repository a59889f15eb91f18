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


def unquote(text: str) -> str:
    parts = re.findall(r'"((?:[^"]|"")+)"|([^."\s]+)', text)
    return ".".join((q.replace('""', '"') if q else b) for q, b in parts)


@dataclass(frozen=True)
class SchemaFacts:
    """What the classifier needs to know of both sides beyond the SQL text."""

    old_types: dict[tuple[str, str, str], str] = field(default_factory=dict)
    new_types: dict[tuple[str, str, str], str] = field(default_factory=dict)
    old_enums: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    new_enums: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)


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
    (rf"drop (?:function|procedure) (?:if exists )?({_QN})", D, "function", False),
    (rf"create (?:or replace )?(?:constraint )?trigger ({_ID})", C, "trigger", False),
    (rf"drop trigger (?:if exists )?({_ID})", D, "trigger", False),
    (rf"create policy ({_ID})", C, "policy", False),
    (rf"drop policy (?:if exists )?({_ID})", D, "policy", False),
    (rf"alter policy ({_ID})", A, "policy", False),
    (rf"create unique index (?:concurrently )?(?:if not exists )?({_QN})", C, "index", False),
    (rf"create index (?:concurrently )?(?:if not exists )?({_QN})", C, "index", False),
    (rf"drop index (?:concurrently )?(?:if exists )?({_QN})", D, "index", False),
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


def classify_statement(sql: str, facts: SchemaFacts) -> Change:
    text = " ".join(sql.split())
    m = _TABLE_RE.match(text)
    if m:
        return _alter_table(sql, unquote(m.group(1)), m.group(2), facts)
    m = _ENUM_ALTER_RE.match(text)
    if m:
        return _alter_type(sql, unquote(m.group(1)), m.group(2), facts)
    m = _TYPE_DROP_RE.match(text)
    if m:
        name = unquote(m.group(1))
        if name.endswith(_OLD_ENUM_SUFFIX):
            base = name[: -len(_OLD_ENUM_SUFFIX)]
            removed = _removed_enum_values(base, facts)
            return Change(A, "enum", base, sql, bool(removed),
                          f"values removed: {', '.join(removed)}" if removed else "rebuilt with new values")
        return Change(D, "type", name, sql, True)
    for rx, kind, obj, destructive in _SIMPLE_RE:
        m = rx.match(text)
        if m:
            name = unquote(m.group(1))
            if obj == "index" and kind == C:
                on = re.search(rf"\son\s+(?:only\s+)?({_QN})", text, re.I)
                name = f"{_split_qn(on.group(1))[0]}.{name}" if on and "." not in name else name
                table = unquote(on.group(1)) if on else ""
                return Change(kind, obj, name, sql, destructive,
                              ("concurrently " if re.search(r"\bconcurrently\b", text, re.I) else "")
                              + f"on {table if '.' in table else 'public.' + table}")
            if obj == "trigger" or obj == "policy":
                on = re.search(rf"\son\s+({_QN})", text, re.I)
                name = f"{unquote(on.group(1))}.{name}" if on else name
            if obj == "type" and re.search(r"\bas enum\b", text, re.I):
                obj = "enum"
            if obj == "sequence" and kind == D and name.endswith(REPLACED_SEQUENCE_SUFFIX):
                return Change(kind, obj, name, sql, False, "replaced by the identity, which carries its position on")
            return Change(kind, obj, name, sql, destructive)
    dropping = bool(re.match(r"\s*(drop|truncate|delete)\b", text, re.I))
    return Change(D if dropping else A, "other", text.split(" (")[0][:60], sql, dropping,
                  "statement finesse does not recognise; review it")


def _removed_enum_values(qualified: str, facts: SchemaFacts) -> list[str]:
    key = _split_qn(qualified)
    old, new = facts.old_enums.get(key, ()), facts.new_enums.get(key, ())
    return [v for v in old if v not in new]


def _alter_type(sql: str, name: str, rest: str, facts: SchemaFacts) -> Change:
    low = rest.lower()
    if low.startswith("rename to") and _OLD_ENUM_SUFFIX in rest:
        return Change(A, "enum", name, sql, False, "renamed aside to be rebuilt")
    if low.startswith("add value"):
        # its value cannot be used in the transaction that adds it: run it on its own, first
        return Change(A, "enum", name, sql, False, " ".join(rest.rstrip(";").split()).lower(), transactional=False)
    if low.startswith("rename value"):
        return Change(A, "enum", name, sql, False, rest)
    return Change(A, "type", name, sql, False, rest)


def _alter_table(sql: str, table: str, rest: str, facts: SchemaFacts) -> Change:
    low = rest.lower()
    schema, rel = _split_qn(table)
    m = re.match(rf"add column (?:if not exists )?({_ID})", rest, re.I)
    if m:
        default = re.search(r"\sdefault\s+(.+?)(?:\s+(?:not null|null|constraint|check|references|unique|"
                            r"primary key|generated)\b.*)?;?\s*$", rest, re.I | re.S)
        generated = re.search(r"\sgenerated always as \(", rest, re.I)
        reason = "generated" if generated else f"default {default.group(1).strip()}" if default else ""
        if re.search(r"\snot null\b", rest, re.I):
            reason = (reason + ", not null").lstrip(", ")
        return Change(C, "column", f"{table}.{unquote(m.group(1))}", sql, False, reason)
    m = re.match(rf"drop column (?:if exists )?({_ID})", rest, re.I)
    if m:
        return Change(D, "column", f"{table}.{unquote(m.group(1))}", sql, True, "its data is lost")
    m = _COLUMN_RE.match(rest)
    if m:
        col = unquote(m.group(1))
        action = m.group(2)
        name = f"{table}.{col}"
        if re.match(r"(set data )?type ", action, re.I):
            old = facts.old_types.get((schema, rel, col), "?")
            new = facts.new_types.get((schema, rel, col), "?")
            widening = old != "?" and new != "?" and is_widening(old, new)
            reason = f"type {old} -> {new}" + ("" if widening else " (may not keep every value)")
            return Change(A, "column", name, sql, not widening, reason)
        return Change(A, "column", name, sql, False, " ".join(action.rstrip(";").split()[:4]).lower())
    m = re.match(rf"add constraint ({_ID})\s+(.*)$", rest, re.I | re.S)
    if m:
        body = " ".join(m.group(2).lower().split())
        what = next((k for k in ("foreign key", "check", "unique", "primary key", "exclude") if body.startswith(k)),
                    "constraint")
        return Change(C, "constraint", f"{table}.{unquote(m.group(1))}", sql, False,
                      what + (" not valid" if re.search(r"\bnot valid\s*;?\s*$", body) else ""))
    m = re.match(rf"drop constraint (?:if exists )?({_ID})", rest, re.I)
    if m:
        return Change(D, "constraint", f"{table}.{unquote(m.group(1))}", sql, False)
    m = re.match(rf"validate constraint ({_ID})", rest, re.I)
    if m:
        return Change(A, "constraint", f"{table}.{unquote(m.group(1))}", sql, False, "validate")
    m = re.match(rf"rename column ({_ID}) to ({_ID})", rest, re.I)
    if m:
        return Change(A, "column", f"{table}.{unquote(m.group(1))}", sql, False,
                      f"rename to {unquote(m.group(2))}")
    if low.startswith("detach partition"):
        return Change(A, "table", table, sql, False, "detach partition")
    return Change(A, "table", table, sql, False, " ".join(rest.rstrip(";").split()[:4]).lower())


def classify(statements: list[str], facts: SchemaFacts) -> tuple[Change, ...]:
    return tuple(classify_statement(s, facts) for s in statements)
