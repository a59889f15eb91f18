"""Rules and their registry.

A rule is one module named after its job, holding a docstring (what it checks, a bad
and a good example, which ``finesse explain`` prints) and ``RULE``. The registry lists
rules explicitly and refuses two rules with one code.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Callable, Iterable

from ....core.findings import Finding, Severity
from ....core.model import Schema, Table


@dataclass(frozen=True)
class RuleOptions:
    """What [tool.finesse.check] tunes for the rules themselves."""

    max_cascade_tables: int = 3
    used_index_scans: int = 10  # FL130: dropping an index scanned more often than this since the reset is an error
    reference_suffix: str = "_id"
    table_name_pattern: str = r"^[a-z][a-z0-9_]*$"
    column_name_pattern: str = r"^[a-z][a-z0-9_]*$"
    index_name_pattern: str = r"^[a-z][a-z0-9_]*$"
    generic_columns: tuple[str, ...] = ("id", "name", "title", "description", "slug", "status", "type", "position",
                                        "sort_order", "is_active", "created_at", "updated_at", "deleted_at",
                                        "created_by", "updated_by", "notes", "comment", "image", "url")


Check = Callable[[Schema, RuleOptions], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    check: Check = field(compare=False)
    doc: str = ""

    def finding(self, table: Table, message: str, hint: str = "", *, obj=None, path: str = "") -> Finding:  # type: ignore[no-untyped-def]
        """A Finding of this rule about ``table`` (located at ``obj`` when given, else at the table)."""
        where = getattr(obj, "loc", None) or table.loc
        base = f"tables.{table.name if table.schema == 'public' else f'{table.schema}.{table.name}'}"
        return Finding(f"{table.schema}.{table.name}", self.code, message, self.severity, hint, where,
                       f"{base}.{path}" if path else base, self.name)


def rule(code: str, name: str, severity: Severity, summary: str, module_doc: str | None,
         *, kind: type = Rule) -> Callable[[Check], Rule]:
    """Build a rule (a Rule, or ``kind``) from a check function; the module's docstring is its documentation."""
    def wrap(fn: Check) -> Rule:
        return kind(code, name, severity, summary, fn, inspect.cleandoc(module_doc or ""))  # type: ignore[no-any-return]
    return wrap


class Registry:
    """Rules by code, listed explicitly; any object with a ``code`` (model rules, lint rules) fits."""

    def __init__(self, *rules: Rule) -> None:
        self.by_code: dict[str, Rule] = {}
        for r in rules:
            if r.code in self.by_code:
                raise ValueError(f"two rules have the code {r.code}: {self.by_code[r.code].name} and {r.name}")
            self.by_code[r.code] = r

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(sorted(self.by_code.values(), key=lambda r: r.code))

    def get(self, code: str) -> Rule | None:
        return self.by_code.get(code.upper())
