"""Lint rules over a plan, registered explicitly: adding one is adding a module and a line here."""

from __future__ import annotations

from dataclasses import replace
from fnmatch import fnmatchcase

from ....core.findings import Finding
from ....core.model import Schema
from ....core.plan import Plan
from . import (constraint_not_valid, drop_column, drop_enum_value, drop_index, drop_table, drop_used_index,
               index_not_concurrent, lock_timeout, narrowing_type, rename, rewriting_type_change, set_not_null, volatile_default)
from ...check.index_use import IndexStatistics
from .registry import LintContext, LintRegistry, LintRule

LINT_RULES = LintRegistry(
    drop_table.RULE,
    drop_column.RULE,
    drop_enum_value.RULE,
    drop_index.RULE,
    drop_used_index.RULE,
    rename.RULE,
    narrowing_type.RULE,
    set_not_null.RULE,
    index_not_concurrent.RULE,
    constraint_not_valid.RULE,
    rewriting_type_change.RULE,
    volatile_default.RULE,
    lock_timeout.RULE,
)


def lint_plan(plan: Plan, *, model: Schema | None = None, lock_timeout: str = "5s",
              severity: tuple[tuple[str, object], ...] = (), ignore: tuple[str, ...] = (),
              index_statistics: IndexStatistics | None = None, used_index_scans: int = 10) -> tuple[Finding, ...]:
    """Every lint finding of ``plan``, sorted; ``severity`` overrides and ``ignore`` come from [tool.finesse.check];
    ``index_statistics`` (the live indexes' scans) lets FL130 tell a used index from a forgotten one."""
    ctx = LintContext(plan, model, lock_timeout, index_statistics, used_index_scans)
    overrides = dict(severity)
    suppressions = model.suppressions if model is not None else ()
    out = [replace(f, severity=overrides.get(f.code, f.severity)) for rule in LINT_RULES
           if not any(rule.code.startswith(p) for p in ignore) for f in rule.check(ctx)
           if not suppressed(f, suppressions)]
    return tuple(sorted(out))


def suppressed(f: Finding, suppressions) -> bool:  # type: ignore[no-untyped-def]
    """Whether a suppression of schema.yaml (rule code or prefix, object pattern) covers ``f``."""
    schema, _, table = f.subject.partition(".")
    names = [f.subject] + ([table] if schema == "public" else [])
    return any(f.code.startswith(s.rule) and any(fnmatchcase(n, s.object) for n in names) for s in suppressions)


__all__ = ["LINT_RULES", "LintContext", "LintRule", "lint_plan"]
