"""Identifiers and literals as SQL text: the one place finesse quotes a name or a string.

Every identifier is quoted, always (a name that needs no quotes is still correct quoted),
so no name from schema.yaml or a catalog can end an identifier early.
"""

from __future__ import annotations


def quote(name: str) -> str:
    """One identifier, double-quoted, its own double quotes doubled: ``a"b`` -> ``"a""b"``."""
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, name: str) -> str:
    """``"schema"."name"``."""
    return f"{quote(schema)}.{quote(name)}"


def sql_literal(text: str) -> str:
    """A string constant: ``it's`` -> ``'it''s'`` (standard_conforming_strings, on since PostgreSQL 9.1)."""
    return "'" + text.replace("'", "''") + "'"
