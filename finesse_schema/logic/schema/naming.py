"""PostgreSQL's own default names for constraints and indexes.

Mirrors ``makeObjectName``/``ChooseRelationName``/``ChooseIndexColumnNames`` in
PostgreSQL's backend, so that a database built by hand or by another tool reads
back with the names finesse would give it, and no rename is planned.
"""

from __future__ import annotations

import re
from collections import defaultdict

from ...core.model import QualifiedName

NAMEDATALEN = 64


def split_name(text: str, default_schema: str = "public") -> QualifiedName:
    """``schema.name`` (or ``name``, in ``default_schema``) as a QualifiedName. A part with a dot in it is
    quoted as in SQL (``test."welcome.html"``, ``"my.app".users``); else each part is written as it is."""
    if '"' in text:
        parts = _quoted_parts(text)
        if parts is not None:
            return QualifiedName(parts[0] if len(parts) == 2 else default_schema, parts[-1])
    schema, dot, name = text.rpartition(".")
    return QualifiedName(schema if dot else default_schema, name)


_QUOTED_PART_RE = re.compile(r'"((?:[^"]|"")*)"(?=\.|$)')


def _quoted_parts(text: str) -> list[str] | None:
    """The one or two dot-separated parts of ``text`` where at least one is quoted as in SQL; None when the text
    is not of that form (a name with a double quote inside it, written as it is)."""
    parts: list[str] = []
    rest, quoted = text, False
    while True:
        m = _QUOTED_PART_RE.match(rest)
        if m:
            parts.append(m.group(1).replace('""', '"'))
            rest, quoted = rest[m.end():], True
        else:
            bare, dot, after = rest.partition(".")
            parts.append(bare)
            rest = dot + after
        if not rest:
            return parts if quoted and len(parts) <= 2 and all(parts) else None
        rest = rest[1:]


def name_key(schema: str, name: str) -> str:
    """How schema.yaml keys an object: ``name`` in public, else ``schema.name`` (each part as key_part writes
    it), so that split_name reads it back."""
    return key_part(name) if schema == "public" else f"{key_part(schema)}.{key_part(name)}"


def key_part(part: str) -> str:
    """One part of a name as schema.yaml writes it: as it is, or quoted as in SQL where it has a dot in it or
    starts with a double quote."""
    return '"' + part.replace('"', '""') + '"' if "." in part or part.startswith('"') else part


# a name quoted as in SQL ("Odd Table"), or as it is: then a double quote may be inside it (a"b), not first
_REF_TOKEN_RE = re.compile(r'"((?:[^"]|"")*)"(?=\s*(?:[.(),]|$))|([^".(),\s][^.(),]*|\s+)|([.(),])')


def split_reference(text: str) -> tuple[list[str], list[str]]:
    """``schema.table(col, col)`` as ([schema, table], [col, col]): dotted names before the parentheses, the
    names inside them; a name may be written as it is (``Odd Table``) or quoted as in SQL (``"Odd Table"``)."""
    before: list[str] = []
    inside: list[str] | None = None
    for quoted, bare, mark in _REF_TOKEN_RE.findall(text):
        name = quoted.replace('""', '"') if quoted or (not bare and not mark) else bare.strip()
        if mark == "(":
            inside = []
        elif mark in (".", ",", ")") or not name:
            continue
        elif inside is not None:
            inside.append(name)
        else:
            before.append(name)
    return before, inside or []

_FUNC_RE = re.compile(r'^\s*(?:"?[A-Za-z_][\w$]*"?\s*\.\s*)?"?([A-Za-z_][\w$]*)"?\s*\(')
_CAST_COL_RE = re.compile(r'^\s*\(*\s*("(?:[^"]|"")+"|[A-Za-z_][\w$]*)\s*\)*\s*::')
_IDENT_RE = re.compile(r"'(?:[^']|'')*'|\"((?:[^\"]|\"\")+)\"|([A-Za-z_][\w$]*)(\s*\()?")


def _clip(name: str, nbytes: int) -> str:
    """Cut ``name`` to at most ``nbytes`` UTF-8 bytes without splitting a character."""
    out = name.encode("utf-8")[:nbytes]
    return out.decode("utf-8", errors="ignore")


def make_object_name(name1: str, name2: str | None, label: str | None) -> str:
    """PostgreSQL's makeObjectName: ``name1_name2_label`` fitted into 63 bytes."""
    overhead = 0
    if name2:
        overhead += 1  # the underscore before name2; name2 itself shares the space left with name1
    if label:
        overhead += len(label.encode()) + 1
    avail = NAMEDATALEN - 1 - overhead
    n1, n2 = len(name1.encode()), len(name2.encode()) if name2 else 0
    while n1 + n2 > avail:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    out = _clip(name1, n1)
    if name2:
        out += "_" + _clip(name2, n2)
    if label:
        out += "_" + label
    return out


def index_column_name(expression: str) -> str:
    """FigureIndexColname: the function name of a call, the column of a cast, else 'expr'."""
    m = _FUNC_RE.match(expression)
    if m:
        return m.group(1).lower()
    m = _CAST_COL_RE.match(expression)
    if m:
        ident = m.group(1)
        return ident[1:-1].replace('""', '"') if ident.startswith('"') else ident.lower()
    return "expr"


def index_column_names(names: list[str]) -> list[str]:
    """ChooseIndexColumnNames: make the per-column names unique by appending digits."""
    out: list[str] = []
    for orig in names:
        cur, i = orig, 0
        while cur in out:
            i += 1
            suffix = str(i)
            cur = _clip(orig, NAMEDATALEN - 1 - len(suffix)) + suffix
        out.append(cur)
    return out


def referenced_columns(expression: str, columns: set[str]) -> list[str]:
    """The distinct table columns an SQL expression mentions, in order (an approximation of pull_var_clause)."""
    seen: list[str] = []
    for m in _IDENT_RE.finditer(expression):
        quoted, bare, call = m.group(1), m.group(2), m.group(3)
        if quoted is not None:
            name = quoted.replace('""', '"')
        elif bare is not None and not call:
            name = bare.lower()
        else:
            continue
        if name in columns and name not in seen:
            seen.append(name)
    return seen


class Namer:
    """Hands out default names the way PostgreSQL does, avoiding names already taken in a schema."""

    def __init__(self) -> None:
        self._relations: dict[str, set[str]] = defaultdict(set)
        self._constraints: dict[str, set[str]] = defaultdict(set)

    def reserve_relation(self, schema: str, name: str) -> None:
        self._relations[schema].add(name)

    def reserve_constraint(self, schema: str, name: str) -> None:
        self._constraints[schema].add(name)

    def _choose(self, schema: str, name1: str, name2: str | None, label: str, *, relation: bool) -> str:
        n = 0
        while True:
            candidate = make_object_name(name1, name2, label if n == 0 else f"{label}{n}")
            taken = candidate in self._constraints[schema] or (relation and candidate in self._relations[schema])
            if not taken:
                break
            n += 1
        self._constraints[schema].add(candidate)
        if relation:
            self._relations[schema].add(candidate)
        return candidate

    def primary_key(self, schema: str, table: str) -> str:
        return self._choose(schema, table, None, "pkey", relation=True)

    def unique(self, schema: str, table: str, columns: list[str]) -> str:
        return self._choose(schema, table, _join(columns), "key", relation=True)

    def index(self, schema: str, table: str, column_names: list[str]) -> str:
        return self._choose(schema, table, _join(index_column_names(column_names)), "idx", relation=True)

    def exclusion(self, schema: str, table: str, column_names: list[str]) -> str:
        """An exclusion constraint's (and its index's) name: ``table_cols_excl``."""
        return self._choose(schema, table, _join(index_column_names(column_names)), "excl", relation=True)

    def foreign_key(self, schema: str, table: str, columns: list[str]) -> str:
        return self._choose(schema, table, _join(columns), "fkey", relation=False)

    def check(self, schema: str, table: str, expression: str, columns: set[str]) -> str:
        refs = referenced_columns(expression, columns)
        return self._choose(schema, table, refs[0] if len(refs) == 1 else None, "check", relation=False)


def _join(names: list[str]) -> str:
    """ChooseIndexNameAddition: names joined by '_', stopping once past NAMEDATALEN."""
    buf = ""
    for name in names:
        if buf:
            buf += "_"
        buf += name
        if len(buf.encode()) >= NAMEDATALEN:
            break
    return buf
