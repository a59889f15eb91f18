"""Identifiers and literals as SQL text: the one place finesse quotes a name or a string, or spells an option.

Every identifier is quoted, always (a name that needs no quotes is still correct quoted),
so no name from schema.yaml or a catalog can end an identifier early.
"""

from __future__ import annotations

import re
from typing import Iterable


_PLAIN_RE = re.compile(r"^[a-z_][a-z0-9_$]*$")


def quote(name: str) -> str:
    """One identifier, double-quoted, its own double quotes doubled: ``a"b`` -> ``"a""b"``."""
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, name: str) -> str:
    """``"schema"."name"``."""
    return f"{quote(schema)}.{quote(name)}"


def sql_literal(text: str) -> str:
    """A string constant: ``it's`` -> ``'it''s'`` (standard_conforming_strings, on since PostgreSQL 9.1)."""
    return "'" + text.replace("'", "''") + "'"


def quote_name(name: str) -> str:
    """A possibly schema-qualified name as written in schema.yaml (``text_pattern_ops``,
    ``public.gist_trgm_ops``), each part quoted."""
    return ".".join(quote(part) for part in name.split("."))


def quote_if_needed(name: str) -> str:
    """An identifier as people write it: plain when lower case letters, digits and underscores spell it,
    quoted otherwise (for names shown to people and in schema.yaml; SQL finesse runs uses :func:`quote`)."""
    return name if _PLAIN_RE.match(name) else quote(name)


def number_options(pairs: Iterable[tuple[str, float | None]]) -> str:
    """Numeric options as SET (...) takes them, those without a value left out: ``n_distinct=-0.02,
    n_distinct_inherited=500`` (a whole number without its ``.0``); one spelling, so two equal values read the
    same."""
    return ", ".join(f"{name}={repr(float(value)).removesuffix('.0')}" for name, value in pairs if value is not None)
