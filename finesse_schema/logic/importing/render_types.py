"""How schema.yaml spells a type: the friendliest spelling that reads back as the canonical one."""

from __future__ import annotations

import re

from ...core.model import Schema
from ..schema.types import is_builtin_name

_ALIASES = [(re.compile(r"^character varying\b"), "varchar"), (re.compile(r"^character\b"), "char"),
            (re.compile(r"^bit varying\b"), "varbit")]
_TZ_RE = re.compile(r"^(timestamp|time)(\(\d+\))? with(out)? time zone")


def short_type(canonical: str, schema: Schema) -> str:
    """The friendliest spelling that reads back as ``canonical``."""
    text = canonical
    m = _TZ_RE.match(text)
    if m:
        short = {"timestamp": "timestamptz", "time": "timetz"}[m.group(1)] if not m.group(3) else m.group(1)
        text = short + (m.group(2) or "") + text[m.end():]
    for pattern, alias in _ALIASES:
        text = pattern.sub(alias, text)
    base = text.replace("[]", "")
    schema_name, dot, name = base.partition(".")
    if dot and schema_name == "public" and _unambiguous(name, schema):
        text = text[len("public."):]
    return text


def _unambiguous(name: str, schema: Schema) -> bool:
    """Whether ``name`` alone names one type of the schema: no other schema's, and none of pg_catalog's."""
    named = sum(1 for o in (*schema.enums, *schema.domains, *schema.types) if o.name == name)
    return named == 1 and not is_builtin_name(name)
