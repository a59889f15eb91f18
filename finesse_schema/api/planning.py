"""Planning: the change from the live database to schema.yaml, verified, linted, measured on the live data, and
written as a revision; the baseline of a database finesse starts to manage; the stairway test of the revisions."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from ..core.errors import FinesseError
from ..core.findings import Severity
from ..core.model import Schema
from ..core.plan import ChangeKind, Plan, PlanRefused
from ..db.live_audit import row_counts, run_probes, server_version_major, table_sizes
from ..db.usage.index_usage import index_statistics
from ..db.migrations import Revision, current_revision, list_revisions, online_progress, stamp
from ..db.planner import plan_changes, split_plan
from ..db.scratch import scratch_database
from ..db.stairway import Stair, walk_stairs
from ..logic.compile.compiler import compile_schema
from ..logic.config.settings import Settings
from ..logic.plan.lint import lint_plan
from ..logic.check.index_use import IndexStatistics
from ..logic.plan.online import OnlineMode, needs_online, online_plan, touched_tables
from ..logic.plan.preflight import WAYS_OUT, affected_tables, preflight_probes
from ..logic.plan.render_revision import data_section, next_revision_id, render_revision, slugify
from .revisions import check_revisions, write_revision, write_sum
from .compile_cache import load_compiled
from .schema_file import load, Progress, quiet
from .project import cache_folder, resolve_target, run_settings, scratch_server, Target


@dataclass(frozen=True)
class PlanResult:
    plan: Plan
    target: Target
    revision_id: str | None = None
    revision_path: Path | None = None
    revision_text: str | None = None
    written: bool = False
    contract: "PlanResult | None" = None  # with --split: the second revision


def _ensure_at_head(settings: Settings, target: Target) -> list[Revision]:
    check_revisions(settings, target.url)
    revisions = list_revisions(settings.migrations_path)
    head = revisions[-1].id if revisions else None
    current = current_revision(target.url)
    if current != head:
        known = [r.id for r in revisions]
        pending = known[known.index(current) + 1:] if current in known else known
        if current is not None and current not in known:
            raise FinesseError(f"the database is at revision {current}, which {settings.migrations_path.name}/ "
                               "does not have; fetch the missing revisions first")
        raise FinesseError(f"the database is at revision {current or '(none)'} but revisions "
                           f"{', '.join(pending)} are pending; run 'finesse apply' first")
    return revisions


def plan(settings: Settings, *, message: str = "", database_url: str | None = None, dev_url: str | None = None,
         allow_destructive: bool = False, dry_run: bool = False, online: OnlineMode = OnlineMode.AUTO,
         split: bool = False, replace_pending: bool = False, progress: Progress = quiet) -> PlanResult:
    """Plan the change from the live database to schema.yaml, verify it, and write it as a revision.

    ``online`` (default: when a table the plan locks for a scan holds more than online_above_rows rows)
    rewrites the plan to run step by step without blocking writes (see logic/plan/online.py). ``split`` writes
    an expand revision and a contract revision (see logic/plan/expand_contract.py). ``replace_pending``
    re-plans the revisions the database has not applied yet, keeping their data sections."""
    target = resolve_target(settings, database_url)  # first: a missing database fails before anything is kept
    schema, compiled = load_compiled(settings, progress)
    revisions, replaced = _base_revisions(settings, target, replace_pending)
    server = scratch_server(settings, target, dev_url)
    progress(f"planning {target.describe()} -> {schema.source} (scratch: {server.origin})")
    rewrite = _online_rewrite(settings, target, online)
    result = plan_changes(target.url, server, compiled, schema.schemas, model=schema, schema_hash=schema.source_hash,
                          rewrite=None if split else rewrite, cache=cache_folder(settings), progress=progress)
    if result.empty:
        return PlanResult(_linted(result, settings, schema), target)
    parts = [result]
    if split:
        progress("splitting the plan into expand and contract")
        parts = list(split_plan(target.url, server, compiled, result, schema.schemas, rewrite=rewrite,
                                progress=progress))
        parts[1] = replace(parts[1], notes=parts[1].notes + (
            "the data this contract needs is not measured now: its data section and the new application fill "
            "it first; if they have not, applying the contract fails at the step that needs it",))
    # the data is measured for what runs now; a contract runs after its expand and data section
    parts[0] = preflight(settings, target, parts[0], schema, progress)
    drops_indexes = any(c.kind is ChangeKind.DROP and c.object_type == "index" for p in parts for c in p.upgrade)
    if drops_indexes:
        progress("reading how the indexes the plan drops were used (pg_stat_user_indexes)")
    stats = index_statistics(target.url, schema.schemas) if drops_indexes else None
    parts = [_linted(p, settings, schema, stats) for p in parts]
    used = [f for p in parts for f in p.findings if f.code == "FL130" and f.severity >= Severity.ERROR]
    if used:
        raise PlanRefused("the plan drops indexes the live queries use (nothing was written); keep them, or suppress "
                          "FL130 with the reason where the drop is meant:", parts[-1],
                          tuple(f"{f.subject}: {f.message}" for f in used))
    destructive = [c for p in parts for c in p.destructive]
    if destructive and not allow_destructive:
        raise PlanRefused("the plan is destructive; pass --allow-destructive once you have reviewed it:", parts[-1],
                          tuple(c.label for c in destructive))
    message = message or (replaced[0].message.splitlines()[0] if replaced else "finesse plan")
    names = [message] if len(parts) == 1 else [f"{message} (expand)", f"{message} (contract)"]
    kept = [data_section(r.path.read_text(encoding="utf-8")) for r in replaced]
    out: list[PlanResult] = []
    ids = [r.id for r in revisions]
    for i, (part, name) in enumerate(zip(parts, names)):
        rev_id = next_revision_id(ids)
        data = kept[i] if i < len(kept) else None
        text = render_revision(part, revision=rev_id, down_revision=ids[-1] if ids else None, message=name,
                               source=schema.source, lock_retries=settings.lock_retries,
                               lock_timeout=settings.lock_timeout, data=data)
        ids.append(rev_id)
        out.append(PlanResult(part, target, rev_id, settings.migrations_path / "versions" /
                              f"{rev_id}_{slugify(name)}.py", text, written=not dry_run))
    if len(kept) > len(out) and any(kept[len(out):]):
        raise FinesseError(f"the revisions to replace have {len(kept)} data sections and the new plan has "
                           f"{len(out)} revisions; plan with --split, or move the data sections by hand")
    if not dry_run:
        for r in out:
            write_revision(r.revision_path, r.revision_text)  # type: ignore[arg-type]
        for old in replaced:
            if old.path not in {r.revision_path for r in out}:
                old.path.unlink()
                write_sum(settings.migrations_path)
    if len(out) == 2:
        return replace(out[0], contract=out[1])
    return out[0]


def _linted(result: Plan, settings: Settings, schema: Schema, stats: IndexStatistics | None = None) -> Plan:
    return replace(result, findings=lint_plan(result, model=schema, lock_timeout=settings.lock_timeout,
                                              severity=settings.check.severity, ignore=settings.check.ignore,
                                              index_statistics=stats,
                                              used_index_scans=settings.check.options.used_index_scans))


def _base_revisions(settings: Settings, target: Target, replace_pending: bool) -> tuple[list[Revision], list[Revision]]:
    """(the revisions the database has applied, the pending ones to replace); without ``replace_pending``
    the database must be at head."""
    if not replace_pending:
        return _ensure_at_head(settings, target), []
    check_revisions(settings, target.url)
    revisions = list_revisions(settings.migrations_path)
    current = current_revision(target.url)
    ids = [r.id for r in revisions]
    if current is not None and current not in ids:
        raise FinesseError(f"the database is at revision {current}, which {settings.migrations_path.name}/ "
                           "does not have; fetch the missing revisions first")
    applied = revisions[:ids.index(current) + 1] if current is not None else []
    pending = revisions[len(applied):]
    if not pending:
        raise FinesseError("no pending revision to replace: the database is at head; plan without --replace")
    started = [rev for rev in online_progress(target.url) if rev in {r.id for r in pending}]
    if started:
        raise FinesseError(f"online revision {', '.join(started)} is partly applied on the database (its done steps "
                           "are recorded); finish it with finesse apply before re-planning it")
    foreign = [r.id for r in pending if not r.schema_hash]
    if foreign:
        raise FinesseError(f"revisions {', '.join(foreign)} were not written by finesse; replace them by hand")
    return applied, pending


def _online_rewrite(settings: Settings, target: Target, mode: OnlineMode) -> Callable[[Plan], Plan] | None:
    """The rewrite that makes a plan online when ``mode`` (and, for auto, the table sizes) asks for it."""
    if mode == OnlineMode.OFF:
        return None

    def rewrite(p: Plan) -> Plan:
        touched = touched_tables(p)  # a table never analyzed is counted: only those the plan touches
        sizes, partitioned = table_sizes(target.url, counted=set(touched))
        if not needs_online(p, sizes, settings.online_above_rows, mode):
            return p
        big = [f"{t} (about {sizes[t]:,} rows)" for t in touched if sizes.get(t, 0) > settings.online_above_rows]
        why = (f"online: {', '.join(big)} above online_above_rows = {settings.online_above_rows:,}" if big and
               mode == OnlineMode.AUTO else "online: asked for with --online")
        online = online_plan(p, partitioned)
        return replace(online, notes=online.notes + (why + "; each step commits on its own and a stopped apply "
                                                           "resumes where it stopped",))
    return rewrite


def preflight(settings: Settings, target: Target, result: Plan, schema: Schema, progress: Progress) -> Plan:
    """Measure on the live data whether ``result`` would fail; refuse it (PlanRefused) if so.

    Adds the row counts of the tables it alters, and what could not be measured, to its notes."""
    progress("preflight: measuring the live data the plan touches")
    probes, unmeasured = preflight_probes(result, schema, server_version_major(target.url))
    measured = run_probes(target.url, probes, timeout=settings.check.live_statement_timeout,
                          sample_above_rows=10**12, progress=progress)  # exact: a preflight never samples
    found = [f for f in measured if f.severity >= Severity.ERROR]
    counts = row_counts(target.url, affected_tables(result), timeout=settings.check.live_statement_timeout)
    notes = tuple(f"{name}: {n} rows" for name, n in counts.items()) + tuple(unmeasured) + tuple(
        f"preflight: {f.subject}: {f.message}" for f in measured if f.severity == Severity.WARNING)
    result = replace(result, notes=result.notes + notes)
    if found:
        raise PlanRefused("the plan would fail on the live data (nothing was written):", result,
                          tuple(f"{f.subject}: {f.message}" for f in found)
                          + ("ways out: " + "; ".join(WAYS_OUT),))
    return result


def baseline(settings: Settings, *, message: str = "baseline", database_url: str | None = None,
             dev_url: str | None = None, progress: Progress = quiet) -> PlanResult:
    """Write revision 0001 that builds schema.yaml from an empty database, and record it as applied on the
    live database, which must already match schema.yaml (nothing is run there)."""
    target = resolve_target(settings, database_url)
    schema, compiled = load_compiled(settings)
    revisions = list_revisions(settings.migrations_path)
    if revisions:
        raise FinesseError(f"{settings.migrations_path.name}/ already has revisions ({revisions[0].id}...); "
                           "a baseline can only be the first")
    current = current_revision(target.url)
    if current is not None:
        raise FinesseError(f"the database already records revision {current}; a baseline is for a database that "
                           "finesse does not manage yet")
    server = scratch_server(settings, target, dev_url)
    progress(f"checking that {target.describe()} matches {schema.source}")
    gap = plan_changes(target.url, server, compiled, schema.schemas, schema_hash=schema.source_hash, verify=False,
                       cache=cache_folder(settings), progress=progress)
    if not gap.empty:
        raise PlanRefused(f"the database differs from {schema.source}; a baseline records a database exactly as "
                          "schema.yaml describes it (run finesse import, or plan the difference first):", gap,
                          tuple(c.label for c in gap.upgrade))
    progress("planning the baseline from an empty database")
    with scratch_database(server, "empty database for the baseline") as empty_url:
        result = plan_changes(empty_url, server, compiled, schema.schemas, model=schema,
                              schema_hash=schema.source_hash, progress=progress)
    rev_id = next_revision_id([])
    text = render_revision(result, revision=rev_id, down_revision=None, message=message, source=schema.source)
    path = settings.migrations_path / "versions" / f"{rev_id}_{slugify(message)}.py"
    write_revision(path, text)
    try:
        stamp(target.url, settings.migrations_path, rev_id)
    except BaseException:
        path.unlink(missing_ok=True)  # nothing recorded: leave no revision the database does not know
        write_sum(settings.migrations_path)
        raise
    progress(f"recorded {rev_id} as applied on {target.describe()}")
    return PlanResult(result, target, rev_id, path, text, written=True)


def test_migrations(settings: Settings, *, database_url: str | None = None, dev_url: str | None = None,
                    progress: Progress = quiet) -> list[Stair]:
    """The stairway: every revision up, down and up again in a scratch database with rows in every table.
    Each downgrade must give back the schema and the data from before its upgrade (except what the upgrade
    drops on purpose), each second upgrade the same schema as the first, and the head must be schema.yaml."""
    schema = load(settings)
    target = resolve_target(settings, database_url)
    server = scratch_server(settings, target, dev_url)
    with scratch_database(server, "stairway") as url:
        stairs = walk_stairs(url, settings.migrations_path, schema.schemas,
                             settings=run_settings(settings, None, None), progress=progress)
        if stairs and all(s.ok for s in stairs):
            progress("comparing the head with schema.yaml")
            gap = plan_changes(url, server, compile_schema(schema), schema.schemas, schema_hash=schema.source_hash,
                               verify=False, progress=progress)
            if not gap.empty:
                stairs[-1].problems.append(f"the head differs from {schema.source}: "
                                           + "; ".join(c.label for c in gap.upgrade[:10]))
    return stairs
