"""Plan and verify: the desired schema in a scratch database, migra both ways, then proof.

The proof (every plan gets it before anything is written):

1. copy the live schema into a scratch database (pg_dump --schema-only);
2. apply the upgrade there, diff against the desired schema: expect nothing;
3. apply the downgrade, diff against the live schema: expect nothing.

A plan that does not converge is refused with the objects that did not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..core.errors import RefusedError
from ..core.plan import Change, Plan
from ..logic.classify import SchemaFacts, classify
from ..logic.compile import Compiled
from .diff import INTERNAL_SCHEMAS, Inspection, column_types, diff_statements, enum_values, inspect_database
from .dump import dump_schema, restore_schema
from .materialize import materialize, run_statements
from .scratch import ScratchServer, scratch_database

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass(frozen=True)
class Diff:
    upgrade: tuple[Change, ...]
    downgrade: tuple[Change, ...]


def _facts(old: Inspection, new: Inspection) -> SchemaFacts:
    return SchemaFacts(column_types(old), column_types(new), enum_values(old), enum_values(new))


def changes_between(old: Inspection, new: Inspection) -> tuple[Change, ...]:
    """The typed changes that take ``old`` to ``new``."""
    return classify(diff_statements(old, new), _facts(old, new))


def diff_inspections(old: Inspection, new: Inspection) -> Diff:
    return Diff(changes_between(old, new), changes_between(new, old))


def desired_inspection(server: ScratchServer, compiled: Compiled, schemas: tuple[str, ...],
                       progress: Progress = _quiet) -> Inspection:
    """Materialize ``compiled`` in a scratch database on ``server`` and inspect it (the database is dropped)."""
    with scratch_database(server, "desired schema") as url:
        progress("materializing schema.yaml in a scratch database")
        materialize(url, compiled)
        progress("inspecting the desired schema")
        return inspect_database(url, schemas)


def plan_changes(live_url: str, server: ScratchServer, compiled: Compiled, schemas: tuple[str, ...],
                 *, schema_hash: str = "", verify: bool = True, progress: Progress = _quiet) -> Plan:
    """The verified plan from the live database to ``compiled``."""
    desired = desired_inspection(server, compiled, schemas, progress)
    progress("inspecting the live database")
    live = inspect_database(live_url, schemas)
    progress("diffing")
    d = diff_inspections(live, desired)
    plan = Plan(d.upgrade, d.downgrade, schema_hash)
    if plan.empty and not plan.downgrade:
        return Plan((), (), schema_hash, verified=True)
    if verify:
        verify_plan(live_url, server, plan, live, desired, progress)
    return Plan(plan.upgrade, plan.downgrade, schema_hash, verified=verify)


def verify_plan(live_url: str, server: ScratchServer, plan: Plan, live: Inspection, desired: Inspection,
                progress: Progress = _quiet) -> None:
    """Raise RefusedError unless the upgrade reaches ``desired`` and the downgrade comes back to ``live``."""
    schemas = live.schemas
    with scratch_database(server, "plan verification") as url:
        progress("copying the live schema into a scratch database")
        restore_schema(url, dump_schema(live_url, exclude_schemas=INTERNAL_SCHEMAS))
        progress("verifying the upgrade")
        run_statements(url, [c.sql for c in plan.upgrade], what="the upgrade, on a copy of the live schema,")
        residual = changes_between(inspect_database(url, schemas), desired)
        if residual:
            raise RefusedError("the upgrade does not reach schema.yaml; these objects still differ after it:",
                               tuple(c.label for c in residual))
        progress("verifying the downgrade")
        run_statements(url, [c.sql for c in plan.downgrade], what="the downgrade, on a copy of the upgraded schema,")
        residual = changes_between(inspect_database(url, schemas), live)
        if residual:
            raise RefusedError("the downgrade does not return to the live schema; these objects still differ:",
                               tuple(c.label for c in residual))
