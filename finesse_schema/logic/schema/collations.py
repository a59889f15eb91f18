"""schema.yaml nodes -> collations (CREATE COLLATION) and aggregates (CREATE AGGREGATE).

Grammar::

    collations:
      numeric: {provider: icu, locale: en-u-kn-true}          # ICU: a locale; deterministic: false to
      posix: {provider: libc, locale: POSIX}                  # compare by meaning, not bytes
      legacy: {provider: libc, lc_collate: de_DE.utf8, lc_ctype: de_DE.utf8}
    aggregates:
      group_concat:
        arguments: [text]                 # argument types
        state_function: _group_concat     # SFUNC (a function of schema.yaml, or a built-in)
        state_type: text                  # STYPE
        final_function: null              # FINALFUNC
        initial_condition: null           # INITCOND, the state's first value as text
"""

from __future__ import annotations

import re

from ...core.model import Collation, QualifiedName
from ...core.routines import Aggregate
from .columns import ColumnReader
from .naming import split_name
from .yaml_source import Node

COLLATION_KEYS = ("provider", "locale", "lc_collate", "lc_ctype", "deterministic", "comment")
AGGREGATE_KEYS = ("arguments", "state_function", "state_type", "final_function", "initial_condition", "comment")
PROVIDERS = {"icu": "icu", "libc": "libc", "builtin": "builtin"}
_LOCALE_RE = re.compile(r"[A-Za-z0-9_.@=;:,+\- ]+")
_FUNCTION_RE = re.compile(r"([A-Za-z_][\w$]*\.)?[A-Za-z_][\w$]*")


def _entries(r: ColumnReader, node: Node | None, what: str) -> list[tuple[QualifiedName, Node]]:
    if node is None or node.value is None:
        return []
    if not node.is_map:
        r.problem(node, f"{what} must be a mapping of name to definition")
        return []
    return [(split_name(key), item) for key, item in node.items()]


def read_collations(r: ColumnReader, node: Node | None) -> list[Collation]:
    out = []
    for qn, item in _entries(r, node, "collations"):
        if not r.keys(item, COLLATION_KEYS, f"collation '{qn.name}'"):
            continue
        provider = r.choice(item.get("provider"), "provider", PROVIDERS, "icu")
        texts = {k: r.text(item.get(k), k) for k in ("locale", "lc_collate", "lc_ctype")}
        bad = [k for k, v in texts.items() if v is not None and not _LOCALE_RE.fullmatch(v)]
        for k in bad:
            r.problem(item.get(k), f"'{texts[k]}' is not a locale name", "e.g. en-u-kn-true, de_DE.utf8, C")  # type: ignore[arg-type]
        if bad:
            continue
        if not texts["locale"] and not (texts["lc_collate"] and texts["lc_ctype"]):
            r.problem(item, f"collation '{qn.name}' needs a locale (or lc_collate and lc_ctype)",
                      "e.g. {provider: icu, locale: en-u-kn-true}", at_key=True)
            continue
        out.append(Collation(qn.schema, qn.name, provider, texts["locale"], texts["lc_collate"], texts["lc_ctype"],
                             r.boolean(item.get("deterministic"), "deterministic", default=True),
                             r.text(item.get("comment"), "comment"), loc=item.key_loc or item.loc))
    return out


def read_aggregates(r: ColumnReader, node: Node | None) -> list[Aggregate]:
    out = []
    for qn, item in _entries(r, node, "aggregates"):
        if not r.keys(item, AGGREGATE_KEYS, f"aggregate '{qn.name}'"):
            continue
        arguments = []
        for a in r.list_of(item.get("arguments"), "arguments"):
            text = r.text(a, "argument type")
            canonical = r.column_type(text, a, allow_pseudo=True) if text else None
            if canonical:
                arguments.append(canonical)
        sfunc, stype = r.text(item.get("state_function"), "state_function"), r.text(item.get("state_type"),
                                                                                  "state_type")
        if not sfunc or not stype:
            r.problem(item, f"aggregate '{qn.name}' needs state_function and state_type",
                      "e.g. {arguments: [text], state_function: _group_concat, state_type: text}", at_key=True)
            continue
        final = r.text(item.get("final_function"), "final_function")
        for name, node_ in (("state_function", sfunc), ("final_function", final)):
            if node_ and not _FUNCTION_RE.fullmatch(node_):
                r.problem(item.get(name), f"'{node_}' is not a function name")  # type: ignore[arg-type]
        canonical_stype = r.column_type(stype, item.get("state_type"), allow_pseudo=True)  # type: ignore[arg-type]
        if canonical_stype is None:
            continue
        out.append(Aggregate(qn.schema, qn.name, tuple(arguments), split_name(sfunc, ""), canonical_stype,
                             split_name(final, "") if final else None,
                             r.text(item.get("initial_condition"), "initial_condition"),
                             r.text(item.get("comment"), "comment"), loc=item.key_loc or item.loc))
    return out
