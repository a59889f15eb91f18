"""schema.yaml nodes -> operators (CREATE OPERATOR).

Grammar::

    operators:
      "~<<": {left: text, right: text, function: reverse_textregexeq}
      "===":                                   # overloads: one symbol, a list of definitions
        - {left: money_amount, right: money_amount, function: amount_eq, commutator: "===", negator: "!==",
           restrict: eqsel, join: eqjoinsel, hashes: true, merges: true}
      "@@@": {right: text, function: shout}    # a prefix operator: no left

``function``, ``restrict`` and ``join`` name functions of schema.yaml or built-ins; ``commutator`` and
``negator`` name operators (PostgreSQL makes a placeholder for one not declared yet).
"""

from __future__ import annotations

import re

from ...core.model import QualifiedName
from ...core.routines import Operator
from .columns import ColumnReader
from .naming import split_name
from .yaml_source import Node

OPERATOR_KEYS = ("left", "right", "function", "commutator", "negator", "restrict", "join", "hashes", "merges",
                 "comment")
_SYMBOL_RE = re.compile(r"[+\-*/<>=~!@#%^&|`?]{1,63}")
_FUNCTION_RE = re.compile(r"([A-Za-z_][\w$]*\.)?[A-Za-z_][\w$]*")


def read_operators(r: ColumnReader, node: Node | None) -> list[Operator]:
    if node is None or node.value is None:
        return []
    if not node.is_map:
        r.problem(node, "operators must be a mapping of operator symbol to definition")
        return []
    out: list[Operator] = []
    for key, item in node.items():
        schema, dot, symbol = key.rpartition(".") if "." in key else ("", "", key)
        qn = QualifiedName(schema or "public", symbol) if dot else QualifiedName("public", key)
        if not _SYMBOL_RE.fullmatch(qn.name):
            r.problem(item, f"'{qn.name}' is not an operator symbol", "use the characters + - * / < > = ~ ! @ # % "
                      "^ & | ` ?", at_key=True)
            continue
        seen: set[str] = set()
        for one in (list(item.value) if item.is_list else [item]):
            op = _operator(r, qn, one, item)
            if op is None:
                continue
            if op.identity_arguments in seen:
                r.problem(one, f"operator {qn.name} ({op.identity_arguments}) is declared twice",
                          "overloads of one symbol need different argument types")
                continue
            seen.add(op.identity_arguments)
            out.append(op)
    return out


def _operator(r: ColumnReader, qn: QualifiedName, item: Node, named: Node) -> Operator | None:
    if not item.is_map:
        r.problem(item, f"operator {qn.name} must be a mapping (or a list of them, for overloads)")
        return None
    if not r.keys(item, OPERATOR_KEYS, f"operator {qn.name}"):
        return None
    types = {}
    for side in ("left", "right"):
        text = r.text(item.get(side), side)
        types[side] = r.column_type(text, item.get(side), allow_pseudo=True) if text else None  # type: ignore[arg-type]
    function = r.text(item.get("function"), "function")
    if not types["right"] or not function:
        r.problem(item, f"operator {qn.name} needs right: (its argument type) and function:",
                  "e.g. {left: text, right: text, function: my_match}", at_key=True)
        return None
    functions = {}
    for key in ("function", "restrict", "join"):
        text = r.text(item.get(key), key)
        if text and not _FUNCTION_RE.fullmatch(text):
            r.problem(item.get(key), f"'{text}' is not a function name")  # type: ignore[arg-type]
            return None
        functions[key] = split_name(text, "") if text else None
    partners = {}
    for key in ("commutator", "negator"):
        text = r.text(item.get(key), key)
        if text and not _SYMBOL_RE.fullmatch(text.rpartition(".")[2]):
            r.problem(item.get(key), f"'{text}' is not an operator symbol")  # type: ignore[arg-type]
            return None
        partners[key] = text
    return Operator(qn.schema, qn.name, types["left"], types["right"], functions["function"],  # type: ignore[arg-type]
                    partners["commutator"], partners["negator"], functions["restrict"], functions["join"],
                    r.boolean(item.get("hashes"), "hashes"), r.boolean(item.get("merges"), "merges"),
                    r.text(item.get("comment"), "comment"),
                    loc=(named.key_loc if item is named else None) or item.loc)
