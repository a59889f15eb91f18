"""Small typed accessors over located YAML nodes; each reports a Problem instead of raising."""

from __future__ import annotations

import difflib
import re
from typing import Any, Callable

from ...core.errors import Problem
from ..sql.expressions import SqlError, expression_sql
from .yaml_source import Node

_PARAMETER_RE = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?")
_VALUE_RE = re.compile(r"[A-Za-z0-9_.+\-]+")

# what each check of schema.yaml's SQL takes, and an example, for the message when it does not
_TAKES = {"expression_sql": ("one SQL expression", "e.g. price >= 0; a string literal goes in single quotes: "
                                                   "\"'pending'\""),
          "check_query": ("one SELECT", "a view only reads: one SELECT (WITH, UNION and VALUES too)"),
          "partition_bound_sql": ("a partition bound", "e.g. FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"),
          "partition_by_sql": ("a partition key", "e.g. range (created_at)"),
          "setting_sql": ("a setting value", "constants, e.g. \"'', public\" or \"'64MB'\"")}


class Reader:
    """Collects problems while reading nodes, so one run reports every mistake in a file."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, node: Node, message: str, hint: str = "", *, at_key: bool = False) -> None:
        loc = node.key_loc if at_key and node.key_loc else node.loc
        self.problems.append(Problem(message, loc, node.path, hint))

    def keys(self, node: Node, allowed: tuple[str, ...], what: str) -> bool:
        """Report keys of ``node`` that are not ``allowed``; False when node is not a mapping."""
        if not node.is_map:
            self.problem(node, f"{what} must be a mapping of keys ({', '.join(allowed)})")
            return False
        for key, child in node.items():
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                self.problem(child, f"unknown key '{key}' in {what}",
                             f"did you mean '{close[0]}'?" if close else f"expected one of: {', '.join(allowed)}",
                             at_key=True)
        return True

    def text(self, node: Node | None, what: str, *, default: str | None = None) -> str | None:
        if node is None or node.value is None:
            return default
        if isinstance(node.value, bool) or not isinstance(node.value, (str, int, float)):
            self.problem(node, f"{what} must be text")
            return default
        return str(node.value)

    def sql(self, node: Node | None, what: str, check: Callable[[str], str] = expression_sql) -> str | None:
        """SQL text of ``node`` if PostgreSQL's parser reads it as what ``check`` takes (by default exactly one
        expression); else a located problem, and None."""
        text = self.text(node, what)
        return None if text is None else self.checked_sql(node, text, what, check)  # type: ignore[arg-type]

    def checked_sql(self, node: Node, text: str, what: str, check: Callable[[str], str] = expression_sql) -> str | None:
        try:
            check(text)
        except SqlError as exc:
            at = f" (at character {exc.position + 1} of it)" if exc.position is not None else ""
            takes, example = _TAKES.get(check.__name__, ("valid SQL", ""))
            self.problem(node, f"{what} is not {takes}: {exc}{at}", example)
            return None
        return text

    def storage(self, node: Node | None, what: str) -> tuple[tuple[str, str], ...]:
        """with: {parameter: value}: storage parameters, as PostgreSQL keeps them (reloptions), in their order."""
        if node is None or node.value is None:
            return ()
        if not node.is_map:
            self.problem(node, f"with: of {what} must be a mapping of storage parameter to value",
                         "e.g. with: {fillfactor: 70}")
            return ()
        out = []
        for name, value in node.items():
            if not _PARAMETER_RE.fullmatch(name):
                self.problem(value, f"'{name}' is not a storage parameter name", "e.g. fillfactor, autovacuum_enabled",
                             at_key=True)
                continue
            text = ("true" if value.value else "false") if isinstance(value.value, bool) else self.text(value, name)
            if text is None or not _VALUE_RE.fullmatch(text):
                self.problem(value, f"storage parameter {name} takes a number, true, false or a word, "
                                    f"not {value.value!r}")
                continue
            out.append((name, text))
        return tuple(out)

    def boolean(self, node: Node | None, what: str, *, default: bool = False) -> bool:
        if node is None or node.value is None:
            return default
        if not isinstance(node.value, bool):
            self.problem(node, f"{what} must be true or false")
            return default
        return node.value

    def integer(self, node: Node | None, what: str) -> int | None:
        if node is None or node.value is None:
            return None
        if isinstance(node.value, bool) or not isinstance(node.value, int):
            self.problem(node, f"{what} must be a whole number")
            return None
        return node.value

    def names(self, node: Node | None, what: str) -> tuple[str, ...]:
        """A name or a list of names."""
        if node is None or node.value is None:
            return ()
        if node.is_scalar:
            value = self.text(node, what)
            return (value,) if value else ()
        if not node.is_list:
            self.problem(node, f"{what} must be a name or a list of names")
            return ()
        out = []
        for item in node.value:
            value = self.text(item, f"each of {what}")
            if value:
                out.append(value)
        return tuple(out)

    def choice(self, node: Node | None, what: str, choices: dict[str, Any], default: Any) -> Any:
        if node is None or node.value is None:
            return default
        raw = " ".join(str(node.value).lower().replace("_", " ").split())
        if raw in choices:
            return choices[raw]
        close = difflib.get_close_matches(raw, list(choices), n=1, cutoff=0.5)
        self.problem(node, f"{what} '{node.value}' is not one of: {', '.join(choices)}",
                     f"did you mean '{close[0]}'?" if close else "")
        return default
