"""Audit entries -> text for people (finesse audit history). Pure."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit trail."""

    changed_at: datetime
    table_name: str
    row_id: str
    action: str
    actor: str
    transaction_id: int
    changed_columns: tuple[str, ...]
    old_values: dict[str, Any] | None
    new_values: dict[str, Any] | None

    def as_json(self) -> dict[str, Any]:
        return {"changed_at": self.changed_at.isoformat(), "table": self.table_name, "row_id": self.row_id,
                "action": self.action, "actor": self.actor, "transaction_id": self.transaction_id,
                "changed_columns": list(self.changed_columns), "old_values": self.old_values,
                "new_values": self.new_values}


def _value(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, sort_keys=True)


def render_history(entries: list[AuditEntry], *, subject: str, with_row: bool) -> str:
    """Newest first: when, what, who; for an update the columns that changed, old -> new."""
    if not entries:
        return f"{subject}: no audit entries\n"
    lines = [f"{subject}: {len(entries)} audit entr{'y' if len(entries) == 1 else 'ies'}, newest first"]
    for e in entries:
        row = f" {e.row_id}" if with_row else ""
        lines.append(f"{e.changed_at.isoformat(sep=' ', timespec='seconds')}  {e.action:6}{row}  by {e.actor}  "
                     f"(transaction {e.transaction_id})")
        if e.action == "update":
            for col in e.changed_columns:
                old = (e.old_values or {}).get(col)
                new = (e.new_values or {}).get(col)
                lines.append(f"    {col}: {_value(old)} -> {_value(new)}")
        else:
            values = e.new_values if e.action == "insert" else e.old_values
            shown = ", ".join(f"{k}={_value(v)}" for k, v in sorted((values or {}).items()))
            lines.append(f"    {shown}")
    return "\n".join(lines) + "\n"
