"""Plan and verify: the desired schema in a scratch database, migra both ways, then proof.

The proof (every plan gets it before anything is written):

1. apply the downgrade to the desired schema's own scratch database, and compare its pg_dump
   --schema-only and extensions with the live schema's: expect nothing;
2. where that database is now the live schema exactly (see LiveCopy.stands_in), apply the upgrade there
   and compare with the desired schema's dump the same way;
3. otherwise (or when the desired schema came from the cache, or renames changed a copy first) the live
   schema is copied into a scratch database (pg_dump --schema-only) and the upgrade, then the downgrade
   where 1 did not reach the live schema, are proved there.

Where the dumps cannot tell (privileges), or when they differ, migra diffs too and names the objects.
A plan that does not converge is refused with the objects that did not, as the copy shows them.
Materializing the desired schema, dumping and inspecting the live
database are independent, so they run side by side (the server does the work;
psycopg releases the GIL while it waits).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from ..core.errors import DatabaseError, InputError, Problem, RefusedError
from ..core.plan import Change, Plan
from ..logic.plan.classify import SchemaFacts, classify
from ..logic.compile.compiler import Compiled
from ..core.model import Schema
from ..logic.plan.expand_contract import partition
from ..logic.plan.ordering import Ordered, order_changes
from ..logic.plan.new_tables import validated_at_once
from ..logic.plan.renames import displaced, possible_renames, rename_steps
from .migra import (INTERNAL_SCHEMAS, Inspection, column_types, diff_statements, enum_values, generated_columns,
                    inspect_database, live_names)
from .catalog import installed_extensions, user_schemas
from .extra_kinds.grants import missing_roles, provide_roles, roles_in_use
from .cache.desired import (cached_desired, desired_key, proof_key, proved_before, record_proof, server_facts,
                            store_desired)
from .live_copy import LiveCopy
from .dump import dump_differences, dump_schema
from .materialize import materialize, run_changes, run_statements
from .scratch import ScratchServer, scratch_database, scratch_databases

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass(frozen=True)
class Diff:
    upgrade: tuple[Change, ...]
    downgrade: tuple[Change, ...]


def _facts(old: Inspection, new: Inspection) -> SchemaFacts:
    return SchemaFacts(column_types(old), column_types(new), enum_values(old), enum_values(new), generated_columns(old))


def changes_between(old: Inspection, new: Inspection) -> tuple[Change, ...]:
    """The typed changes that take ``old`` to ``new``."""
    return classify(diff_statements(old, new), _facts(old, new))


def diff_inspections(old: Inspection, new: Inspection) -> Diff:
    return Diff(changes_between(old, new), changes_between(new, old))


def ordered(changes: tuple[Change, ...], old: Inspection, new: Inspection, *, relax: bool = False) -> Ordered:
    """``changes`` from ``old`` to ``new`` in dependency order, phases set (logic/plan/ordering.py)."""
    return order_changes(validated_at_once(changes), old.dependencies, new.dependencies, relax=relax)


def ordered_plan(old: Inspection, new: Inspection, schema_hash: str = "") -> Plan:
    """The plan from ``old`` to ``new`` and back, each in dependency order."""
    up = ordered(changes_between(old, new), old, new)
    down = ordered(changes_between(new, old), new, old, relax=True)
    return Plan(up.changes, down.changes, schema_hash, notes=up.notes)


def _managed(schemas: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(s for s in schemas if s not in INTERNAL_SCHEMAS)


def _side_by_side(first: Callable[[], object], second: Callable[[], object]) -> tuple:  # type: ignore[type-arg]
    """Run two read-only jobs on the same database at once (an inspection and a pg_dump)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        other = pool.submit(second)
        return first(), other.result()


def _build_desired(url: str, compiled: Compiled, schemas: tuple[str, ...], progress: Progress,
                   dump: bool = False) -> tuple[Inspection, str]:
    progress("materializing schema.yaml in a scratch database")
    materialize(url, compiled)
    progress("inspecting the desired schema")
    if not dump:
        return inspect_database(url, schemas, *_extensions(compiled)), ""
    return _side_by_side(lambda: inspect_database(url, schemas, *_extensions(compiled)),  # type: ignore[return-value]
                         lambda: dump_schema(url, only_schemas=_managed(schemas)))


def _extensions(compiled: Compiled) -> tuple[frozenset[str], frozenset[str], bool]:
    """(the extensions no diff sees, those whose versions it compares, whether privileges are compared)."""
    return compiled.unmanaged_extensions, compiled.pinned_extensions, compiled.manages_grants


def _prepare_roles(live_url: str, server: ScratchServer, compiled: Compiled, schemas: tuple[str, ...]) -> None:
    """Where the project manages grants: every role they name exists in the live database's server (else a
    located error: finesse references roles, never creates them), and the scratch server has those and the
    roles of the live privileges it copies."""
    if not compiled.manages_grants:
        return
    missing = missing_roles(live_url, compiled.roles)
    if missing:
        raise InputError([Problem(f"role '{d.label.rsplit(' to ', 1)[1]}' does not exist on the database's server",
                                  d.loc, d.path, "create it first: finesse references roles and never creates them")
                          for d in compiled.statements if d.label.startswith(("grant on ", "default privileges in "))
                          and d.label.rsplit(" to ", 1)[1] in missing])
    if server.origin != "target":
        provide_roles(server.admin_url, set(compiled.roles) | roles_in_use(live_url, schemas))


def managed_schemas(live_url: str, declared: tuple[str, ...], unmanaged: frozenset[str]) -> tuple[str, ...]:
    """The schemas a plan compares: those schema.yaml uses or declares, and every other schema of the live
    database (one schema.yaml no longer has is dropped), except those declared managed: false."""
    live = set(user_schemas(live_url, exclude=INTERNAL_SCHEMAS)) - set(unmanaged)
    return tuple(sorted(set(declared) | live))


def schema_differences(live_url: str, other_url: str, compiled: Compiled, declared: tuple[str, ...]) -> tuple[str, ...]:
    """What differs between the schemas of two databases, as migra sees it, then as pg_dump does (a change
    migra does not see); empty when they are the same."""
    schemas = tuple(sorted(set(managed_schemas(live_url, declared, compiled.unmanaged_schemas))
                           | set(managed_schemas(other_url, declared, compiled.unmanaged_schemas))))
    live, other = _side_by_side(lambda: inspect_database(live_url, schemas, *_extensions(compiled)),
                                lambda: inspect_database(other_url, schemas, *_extensions(compiled)))
    changes = changes_between(live, other)
    if changes:
        return tuple(c.label for c in changes)
    return tuple(dump_differences(*_side_by_side(lambda: dump_schema(other_url, only_schemas=_managed(schemas)),
                                                 lambda: dump_schema(live_url, only_schemas=_managed(schemas)))))


def desired_inspection(server: ScratchServer, compiled: Compiled, schemas: tuple[str, ...],
                       progress: Progress = _quiet) -> Inspection:
    """Materialize ``compiled`` in a scratch database on ``server`` and inspect it (the database is dropped)."""
    if compiled.manages_grants and server.origin != "target":
        provide_roles(server.admin_url, set(compiled.roles))
    with scratch_database(server, "desired schema") as url:
        return _build_desired(url, compiled, schemas, progress)[0]


def plan_changes(live_url: str, server: ScratchServer, compiled: Compiled, schemas: tuple[str, ...],
                 *, model: Schema | None = None, schema_hash: str = "", verify: bool = True,
                 rewrite: Callable[[Plan], Plan] | None = None, cache: Path | None = None,
                 progress: Progress = _quiet) -> Plan:
    """The plan from the live database to ``compiled``; verified unless ``verify`` is False (a comparison: then
    only the upgrade is diffed, and the plan has no downgrade).

    With ``model``, its ``renamed_from`` hints become renames, applied first (on the
    verification copy too, so migra diffs the renamed schema). ``rewrite`` (e.g. the online
    rewriting) changes the plan before it is verified, so what is verified is what runs. With ``cache``
    (a folder), the desired schema's inspection and dump are read from there when nothing that makes them
    has changed, and kept there otherwise (db/cache/desired.py)."""
    schemas = managed_schemas(live_url, schemas, compiled.unmanaged_schemas)
    _prepare_roles(live_url, server, compiled, schemas)
    key = desired_key(compiled, schemas, _extensions(compiled), server_facts(server.admin_url)) if cache else ""
    cached = cached_desired(cache, key) if cache else None
    if cached is not None:
        progress("the desired schema is cached (schema.yaml, the server and finesse are as they were)")
    # the copy's database is made only when the proof needs it (verify_in_place)
    with scratch_databases(server, [] if cached else ["desired schema"]) as urls, ExitStack() as later:
        pool = ThreadPoolExecutor(max_workers=3)  # the desired schema, and the live schema's two dumps

        def copy_database() -> str:
            return later.enter_context(scratch_database(server, "plan verification"))

        try:
            if cached is None:
                desired_future = pool.submit(_build_desired, urls[0], compiled, schemas, progress,
                                             verify or cache is not None)
            else:
                desired_future = Future()
                desired_future.set_result(cached)
            copy = LiveCopy(pool, live_url, copy_database, _managed(schemas), privileges=compiled.manages_grants,
                            progress=progress, restore_now=False, compare_now=cached is None) if verify else None
            progress("inspecting the live database")
            live = inspect_database(live_url, schemas, *_extensions(compiled))
            base, before, undo_before = live, Ordered(()), Ordered(())
            drops, drop_notes = displaced(model, live_names(live)) if model is not None and verify else ([], [])
            if drops:  # something stands where a rename goes: migra plans its drop, from a copy without it
                assert copy is not None
                copy.ready()
                progress("dropping what the renames replace, on the copy")
                run_statements(copy.url, drops, what="the drops before the renames, on a copy of the database,")
                base = inspect_database(copy.url, schemas, *_extensions(compiled))
                before = ordered(changes_between(live, base), live, base)
                undo_before = ordered(changes_between(base, live), base, live, relax=True)
                # what the revision runs replaces the shortcut: its undo, then itself, on the copy
                run_changes(copy.url, undo_before.changes,
                            what="the downgrade of those drops, on a copy of the database,")
                run_changes(copy.url, before.changes, what="those drops, on a copy of the database,")
                before = Ordered(before.changes, tuple(drop_notes) + before.notes)
            renames = rename_steps(model, live_names(base)) if model is not None and verify else []
            desired, desired_dump = desired_future.result()
            if cache is not None and cached is None:
                store_desired(cache, key, desired, desired_dump)
            if renames:  # only then wait for the copy before diffing
                assert copy is not None
                copy.ready()
                progress("renaming on the copy")
                run_changes(copy.url, tuple(r.change for r in renames), what="the renames, on a copy of the database,")
                base = inspect_database(copy.url, schemas, *_extensions(compiled))
            progress("diffing")
            # a comparison (status, drift: no proof) reads only the upgrade: the way back is not diffed
            d = diff_inspections(base, desired) if verify else Diff(changes_between(base, desired), ())
            notes = tuple(possible_renames(d.upgrade, column_types(base), column_types(desired)))
            # in dependency order: expand changes, then the data section, then contract ones; a downgrade's
            # restored columns go in nullable, for its data section to fill, and are made NOT NULL after it
            up, down = ordered(d.upgrade, base, desired), ordered(d.downgrade, desired, base, relax=True)
            plan = Plan(before.changes + tuple(r.change for r in renames) + up.changes,
                        down.changes + tuple(r.inverse for r in reversed(renames)) + undo_before.changes, schema_hash,
                        notes=before.notes + notes + up.notes)
            if plan.empty and not plan.downgrade:
                return Plan((), (), schema_hash, verified=True)
            if rewrite is not None:
                plan = rewrite(plan)
            if copy is not None:
                # a copy changed before the diff (drops, renames) is proved every time
                proof = proof_key(key, copy.fingerprint(), plan) if cache and not drops and not renames else ""
                if proof and proved_before(cache, proof):  # type: ignore[arg-type]
                    progress("this plan was proved on this same live schema before (cached)")
                else:
                    if cached is None and not drops and not renames:
                        verify_in_place(urls[0], copy, plan, (live, copy.compared()), (desired, desired_dump),
                                        progress)
                    else:
                        live_dump = copy.ready()  # the copy's URL is known from here
                        verify_on_copy(copy.url, plan, (live, live_dump), (desired, desired_dump), progress,
                                       already_applied=len(before.changes) + len(renames),
                                       desired_url=urls[0] if cached is None else "")
                    if proof:
                        record_proof(cache, proof)  # type: ignore[arg-type]
        finally:
            # On Ctrl-C or an error do not wait for the workers: dropping the scratch
            # databases (WITH FORCE) ends their sessions.
            pool.shutdown(wait=False, cancel_futures=True)
    return Plan(plan.upgrade, plan.downgrade, schema_hash, verified=verify, notes=plan.notes, online=plan.online)


def verify_on_copy(url: str, plan: Plan, live: tuple[Inspection, str], desired: tuple[Inspection, str],
                   progress: Progress = _quiet, *, already_applied: int = 0, desired_url: str = "") -> None:
    """On ``url`` (a copy of the live schema, with the first ``already_applied`` upgrade steps done): raise
    RefusedError unless the upgrade reaches the desired schema and the downgrade comes back to the live
    one (see _reaches). With ``desired_url`` (the desired schema's own scratch database, which the diff no
    longer needs), the downgrade is proved there, side by side with the upgrade on the copy: it starts from
    the desired schema either way, which the upgrade must reach exactly. Where it fails there, it is proved
    on the copy after the upgrade, as without ``desired_url``, before the plan is refused."""
    upgrade = (plan.upgrade[already_applied:], desired, "upgrade", "schema.yaml")
    downgrade = (plan.downgrade, live, "downgrade", "the live schema")
    if not desired_url:
        _reaches(url, *upgrade, progress, where="on a copy of the database")
        _reaches(url, *downgrade, progress, where="on a copy of the database")
        return
    progress("verifying the upgrade (on the copy) and the downgrade (on schema.yaml's database), side by side")
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        down = pool.submit(_reaches, desired_url, *downgrade, _quiet, where="on the desired schema's database")
        try:
            _reaches(url, *upgrade, _quiet, where="on a copy of the database")
        except Exception:
            wait([down])  # its database is dropped next: let it finish first; the upgrade's failure is told
            raise
        try:
            down.result()
        except (RefusedError, DatabaseError):
            # that database has only what schema.yaml declares; the copy has the rest of the live database too
            # (schemas declared managed: false), which a downgrade may need: it is proved there before refusing
            progress("the downgrade did not reach the live schema from schema.yaml's own database; proving it on "
                     "the copy")
            _reaches(url, *downgrade, progress, where="on a copy of the database")
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def verify_in_place(desired_url: str, copy: LiveCopy, plan: Plan, live: tuple[Inspection, str],
                    desired: tuple[Inspection, str], progress: Progress = _quiet) -> None:
    """Prove ``plan`` on the desired schema's own scratch database (``desired_url``, which the diff no longer
    needs), without copying the live schema where it can: the downgrade first, which must reach the live
    schema; where that database then stands in for the live schema exactly (``copy.stands_in``), the upgrade
    is proved there too, and the proof is whole. Otherwise, or where the upgrade fails there, the copy is
    made, and what is left to prove is proved on it as verify_on_copy does: a plan is refused for what a
    copy of the live database shows."""
    upgrade = (plan.upgrade, desired, "upgrade", "schema.yaml")
    downgrade = (plan.downgrade, live, "downgrade", "the live schema")
    progress("verifying the downgrade, then the upgrade, on schema.yaml's database")
    try:
        reached: str | None = _reaches(desired_url, *downgrade, _quiet, where="on the desired schema's database")
    except (RefusedError, DatabaseError):
        # that database has only what schema.yaml declares; the copy has the rest of the live database too
        reached = None
    if reached is not None and copy.stands_in(desired_url, reached):
        try:
            _reaches(desired_url, *upgrade, _quiet, where="on the desired schema's database")
            return
        except (RefusedError, DatabaseError):
            pass
    progress("proving the plan on a copy of the live database")
    copy.ready()
    _reaches(copy.url, *upgrade, progress, where="on a copy of the database")
    if reached is None:
        _reaches(copy.url, *downgrade, progress, where="on a copy of the database")


def _reaches(url: str, changes: tuple[Change, ...], goal: tuple[Inspection, str], step: str, name: str,
             progress: Progress, *, where: str) -> str:
    """Run ``changes`` at ``url``, then raise RefusedError unless the database is ``goal``: by migra's diff and by
    pg_dump. pg_dump --schema-only shows every object of the managed schemas that migra does; not the
    extensions (not dumped with --schema) nor the privileges (compared apart). So when the dumps and the
    extensions agree and no privileges are compared, the dump is the whole proof; otherwise migra inspects the
    database too, and names the objects that still differ. Returns the database's dump."""
    target, goal_dump = goal
    progress(f"verifying the {step}")
    run_changes(url, changes, what=f"the {step}, {where},")
    schemas = target.schemas

    def inspect() -> Inspection:
        return inspect_database(url, schemas, target.ignored_extensions, target.pinned_extensions,
                                target.privileges is not None)

    if target.privileges is not None:
        inspection, dump = _side_by_side(inspect, lambda: dump_schema(url, only_schemas=_managed(schemas)))
    else:
        inspection, dump = None, dump_schema(url, only_schemas=_managed(schemas))
    differences = dump_differences(goal_dump, dump)  # type: ignore[arg-type]
    if inspection is None and not differences and _extensions_found(url, target) == _extensions_expected(target):
        return dump  # type: ignore[return-value]
    residual = changes_between(inspection or inspect(), target)  # type: ignore[arg-type]
    if residual:
        raise RefusedError(f"the {step} does not reach {name}; these objects still differ after it:",
                           tuple(c.label for c in residual))
    if differences:
        raise RefusedError(f"the {step} does not reach {name}: migra sees no difference, but pg_dump does "
                           "(a change migra does not plan):", tuple(differences))
    return dump  # type: ignore[return-value]


def _extensions_expected(target: Inspection) -> set[tuple[str, str, str | None]]:
    return {(e.name, e.schema, e.version) for e in target.inspected.extensions.values()}


def _extensions_found(url: str, target: Inspection) -> set[tuple[str, str, str | None]]:
    """The extensions at ``url`` as an inspection like ``target`` lists them (managed schemas, versions pinned)."""
    return {(n, s, v if n in target.pinned_extensions else None) for n, s, v in installed_extensions(url)
            if s in target.schemas and n not in target.ignored_extensions}


def split_plan(live_url: str, server: ScratchServer, compiled: Compiled, plan: Plan, schemas: tuple[str, ...],
               *, rewrite: Callable[[Plan], Plan] | None = None, progress: Progress = _quiet) -> tuple[Plan, Plan]:
    """``plan`` as two verified plans: expand (what the running application survives), then contract.

    The state between them is made, not guessed: the expand changes run on a copy of the live schema,
    and the contract plan (and both downgrades) are diffed from there, then verified like any plan."""
    expand_changes, contract_changes = partition(plan.upgrade)
    rewritten = rewrite(Plan(expand_changes, (), plan.schema_hash)) if rewrite is not None and expand_changes else \
        Plan(expand_changes)
    expand_changes = rewritten.upgrade
    if not expand_changes or not contract_changes:
        raise RefusedError("nothing to split: every change is " + ("a contract" if contract_changes else "an expand")
                           + " change; plan without --split")
    renames = [c.label for c in plan.upgrade if c.reason.startswith("rename")]
    if renames:
        raise RefusedError("a rename cannot be split: the old code uses the old name until the contract, the new "
                           "code the new one from the expand. Declare the new name as a new column or table (no "
                           "renamed_from), copy the data in the expand revision's data section, and drop the old "
                           "one in a later plan:", tuple(renames))
    with scratch_databases(server, ["split: expand state", "split: desired schema"]) as urls:
        pool = ThreadPoolExecutor(max_workers=1)
        try:
            desired_future = pool.submit(_build_desired, urls[1], compiled, schemas, progress, True)
            with ThreadPoolExecutor(max_workers=2) as copier:
                live_dump = LiveCopy(copier, live_url, lambda: urls[0], _managed(schemas),
                                     privileges=compiled.manages_grants, progress=progress, restore_now=True).ready()
            live = inspect_database(live_url, schemas, *_extensions(compiled))
            progress("running the expand changes on the copy")
            run_changes(urls[0], expand_changes, what="the expand changes, on a copy of the database, before the "
                                                      "contract ones they may need,")
            middle = _side_by_side(lambda: inspect_database(urls[0], schemas, *_extensions(compiled)),
                                   lambda: dump_schema(urls[0], only_schemas=_managed(schemas)))
            desired = desired_future.result()
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        expand = Plan(expand_changes, ordered(changes_between(middle[0], live), middle[0], live, relax=True).changes,
                      plan.schema_hash, notes=plan.notes + rewritten.notes, online=rewritten.online)
        contract = ordered_plan(middle[0], desired[0], plan.schema_hash)
        if rewrite is not None:
            contract = rewrite(contract)
        progress("verifying the contract plan")
        verify_on_copy(urls[0], contract, middle, desired, progress)  # type: ignore[arg-type]
        progress("verifying the expand plan's downgrade")
        verify_on_copy(urls[0], Plan((), expand.downgrade), (live, live_dump), middle, progress)  # type: ignore[arg-type]
    return replace(expand, verified=True), replace(contract, verified=True)
