"""``[tool.finesse.audit]``: where the audit trail is, for ``finesse audit``. Pure.

    [tool.finesse.audit]
    table = "audit_logs"             # schema.table, or a table of public (default audit_logs)
    prune_function = "audit_prune"   # called as prune_function(interval) when set; else finesse deletes
    retention = "1 year"             # what finesse audit prune keeps by default

The table has the columns finesse reads (its contract): table_name (schema.table of the changed
row), row_id, action (insert, update, delete), old_values and new_values (jsonb), changed_columns
(text[]), actor, transaction_id and changed_at (timestamptz).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...core.errors import InputError, Location, Problem
from .config import unknown_settings

KEYS = ("table", "prune_function", "retention")
COLUMNS = ("table_name", "row_id", "action", "old_values", "new_values", "changed_columns", "actor",
           "transaction_id", "changed_at")


@dataclass(frozen=True)
class AuditConfig:
    table: str = "audit_logs"
    prune_function: str | None = None
    retention: str = "1 year"

    @property
    def qualified(self) -> tuple[str, str]:
        """(schema, table) of the audit trail."""
        schema, dot, name = self.table.rpartition(".")
        return (schema if dot else "public"), name


def read_audit_config(table: dict, file: str) -> AuditConfig:
    """The audit configuration from ``[tool.finesse.audit]``; InputError lists every mistake."""
    problems = unknown_settings(table, KEYS, file, "tool.finesse.audit")
    for key, value in table.items():
        if key in KEYS and (not isinstance(value, str) or not value.strip()):
            problems.append(Problem(f"setting '{key}' must be a non-empty string", Location(file),
                                    f"tool.finesse.audit.{key}"))
    if problems:
        raise InputError(problems)
    return AuditConfig(table.get("table", "audit_logs"), table.get("prune_function"), table.get("retention", "1 year"))


def table_subject(name: str) -> str:
    """What audit_logs.table_name holds for a table a user names: orders -> public.orders."""
    return name if "." in name else f"public.{name}"
