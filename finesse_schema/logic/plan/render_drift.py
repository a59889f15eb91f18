"""What finesse drift found, and its text and JSON reports."""

from __future__ import annotations

from dataclasses import dataclass

from ...core.plan import Plan
from .render_summary import render_sql, render_summary


@dataclass(frozen=True)
class Drift:
    """What differs from schema.yaml: the database (its schema, its revisions), the migrations, generated/."""

    database: Plan | None = None  # the plan from the live database to schema.yaml (None: not compared)
    where: str | None = None  # the database compared, as finesse describes it (password masked)
    pending: tuple[str, ...] = ()
    edited: tuple[str, ...] = ()  # revisions changed (or gone) since they were applied on the database
    unrecorded: bool = False  # the database records no revision hashes (migrated before finesse kept them)
    migrations: Plan | None = None  # the plan from the replayed migrations to schema.yaml
    generated: tuple[str, ...] | None = None  # stale files of generated/

    @property
    def drifted(self) -> bool:
        return bool((self.database is not None and not self.database.empty) or self.pending or self.edited
                    or (self.migrations is not None and not self.migrations.empty) or self.generated)


def _plan_json(plan: Plan | None) -> dict | None:
    if plan is None:
        return None
    return {"in_sync": plan.empty, "changes": [{"label": c.label, "destructive": c.destructive, "sql": c.sql}
                                               for c in plan.upgrade]}


def render_drift_json(d: Drift) -> dict:
    """finesse drift --format json."""
    return {"drifted": d.drifted,
            "database": None if d.database is None else {
                "url": d.where, **(_plan_json(d.database) or {}),
                "pending": list(d.pending), "edited": list(d.edited), "hashes_recorded": not d.unrecorded},
            "migrations": _plan_json(d.migrations),
            "generated": None if d.generated is None else {"current": not d.generated, "stale": list(d.generated)}}


def render_drift_text(d: Drift) -> str:
    """finesse drift: one paragraph per comparison, then the verdict."""
    out = []
    if d.database is not None:
        where = d.where or "the database"
        if d.database.empty:
            out.append(f"database {where}: matches schema.yaml")
        else:
            out.append(f"database {where}: differs from schema.yaml; to get there it would take:")
            out.append(render_summary(d.database).split("Downgrade:")[0].rstrip("\n"))
            out.append("-- SQL\n" + render_sql(d.database.upgrade).rstrip("\n"))
        if d.pending:
            out.append(f"database: revisions {', '.join(d.pending)} are not applied (finesse apply)")
        for line in d.edited:
            out.append(f"database: revision {line}")
        if d.unrecorded:
            out.append("database: no revision hashes are recorded (applied before finesse kept them): edits to "
                       "applied revisions cannot be told")
    if d.migrations is not None:
        if d.migrations.empty:
            out.append("migrations: replayed from nothing, they give schema.yaml")
        else:
            out.append("migrations: replayed from nothing, they do not give schema.yaml (plan the difference, or "
                       "fix the revision edited by hand); still to do:")
            out.append(render_summary(d.migrations).split("Downgrade:")[0].rstrip("\n"))
            out.append("-- SQL\n" + render_sql(d.migrations.upgrade).rstrip("\n"))
    if d.generated is not None:
        if d.generated:
            out.append("generated: stale (run finesse docs and finesse generate):")
            out += [f"  - {line}" for line in d.generated]
        else:
            out.append("generated: current")
    out.append("drift: " + ("found" if d.drifted else "none"))
    return "\n".join(out) + "\n"
