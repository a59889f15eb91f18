"""Lint rules over a plan: the same shape as the check rules (code, name, severity, documented module,
explicit registry), but they read the typed changes of a Plan instead of the model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from ....core.findings import Finding, Severity
from ....core.model import Schema
from ....core.plan import Change, Plan
from ..online import created_tables
from ...check.index_use import IndexStatistics
from ...check.rules.registry import Registry, rule


@dataclass(frozen=True)
class LintContext:
    plan: Plan
    model: Schema | None = None
    lock_timeout: str = "5s"
    index_statistics: IndexStatistics | None = None  # the live indexes and their scans, when read
    used_index_scans: int = 10

    @property
    def created_tables(self) -> set[str]:
        """Tables this plan creates: statements on them lock nobody out."""
        return created_tables(self.plan)

    def table_of(self, change: Change) -> str:
        """The schema.table a change works on."""
        return change.table

    def on_existing_table(self, change: Change) -> bool:
        return self.table_of(change) not in self.created_tables


Check = Callable[[LintContext], Iterable[Finding]]


@dataclass(frozen=True)
class LintRule:
    code: str
    name: str
    severity: Severity
    summary: str
    check: Check = field(compare=False)
    doc: str = ""

    def finding(self, ctx: LintContext, change: Change | None, message: str, hint: str = "", *,
                table: str | None = None) -> Finding:
        """A finding about ``change``, on its table (``table`` where the change does not say it: a drop)."""
        subject = table or (ctx.table_of(change) if change is not None else "plan")
        loc, path = None, ""
        if ctx.model is not None and change is not None:
            schema_name, _, table = subject.partition(".")
            t = next((t for t in ctx.model.tables if t.schema == schema_name and t.name == table), None)
            if t is not None:
                loc = t.loc
                path = f"tables.{t.name if t.schema == 'public' else subject}"
        return Finding(subject, self.code, message, self.severity, hint, loc, path, self.name)


def lint_rule(code: str, name: str, severity: Severity, summary: str, doc: str | None) -> Callable[[Check], LintRule]:
    return rule(code, name, severity, summary, doc, kind=LintRule)  # type: ignore[return-value]


LintRegistry = Registry  # one registry for every kind of rule: it refuses a duplicate code
