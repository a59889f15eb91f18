"""Running revisions on the live database, and where it stands."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.errors import FinesseError, InputError, Problem, RefusedError
from ..core.plan import Plan
from ..db.catalog import rows_held
from ..db.migrations import current_revision, downgrade, list_revisions, stamp, upgrade
from ..db.offline import Preview, offline_script, preview
from ..db.planner import plan_changes, schema_differences
from ..db.scratch import scratch_database
from ..logic.compile.compiler import compile_schema
from ..logic.config.settings import Settings
from ..logic.sql.expressions import dropped_data
from .revisions import check_revisions
from .compile_cache import load_compiled
from .schema_file import load, Progress, quiet
from .project import cache_folder, resolve_target, run_settings, scratch_server, Target


def apply(settings: Settings, *, database_url: str | None = None, target_revision: str = "head",
          lock_timeout: str | None = None, statement_timeout: str | None = None, wait: bool = False,
          progress: Progress = quiet) -> list[str]:
    """Apply pending revisions (one transaction each); return the ids applied. ``wait``: for another run's
    migration lock, as long as it takes."""
    target = resolve_target(settings, database_url)
    check_revisions(settings, target.url, progress)
    progress(f"applying to {target.describe()}")
    return upgrade(target.url, settings.migrations_path, target_revision,
                   settings=run_settings(settings, lock_timeout, statement_timeout, wait=wait), progress=progress)


def _chain(settings: Settings, current: str | None, target_revision: str, direction: str) -> list[str]:
    """The revisions an apply (``up``) or a down would run from ``current`` to ``target_revision``, in order."""
    ids = [r.id for r in list_revisions(settings.migrations_path)]
    at = ids.index(current) + 1 if current in ids else 0
    if direction == "up":
        end = len(ids) if target_revision == "head" else ids.index(target_revision) + 1 if target_revision in ids \
            else None
        if end is None:
            raise InputError(Problem(f"no revision '{target_revision}'", None, "",
                                     f"the revisions are: {', '.join(ids)}"))
        return ids[at:end]
    if target_revision == "base":
        stop = 0
    elif target_revision.startswith("-") and target_revision[1:].isdigit():
        stop = max(at - int(target_revision[1:]), 0)
    elif target_revision in ids:
        stop = ids.index(target_revision) + 1
    else:
        raise InputError(Problem(f"no revision '{target_revision}'", None, "",
                                 f"the revisions are: {', '.join(ids)}; or base, or -N"))
    return list(reversed(ids[stop:at]))


def preview_apply(settings: Settings, *, database_url: str | None = None, target_revision: str = "head",
                  direction: str = "up") -> list[Preview]:
    """What apply (``up``) or down would run, revision by revision, without running anything."""
    target = resolve_target(settings, database_url)
    check_revisions(settings, target.url)
    chain = _chain(settings, current_revision(target.url), target_revision, direction)
    return preview(settings.migrations_path, chain, direction)


def apply_script(settings: Settings, *, database_url: str | None = None, target_revision: str = "head",
                 start: str | None = None, direction: str = "up", lock_timeout: str | None = None,
                 statement_timeout: str | None = None) -> str:
    """The SQL script of what apply (``up``) or down would run, as Alembic's ``--sql`` writes it, for a DBA to
    review and run. From ``start`` ("base": no revision applied) without a database; else from the live
    database's current revision (read, nothing run)."""
    if start is None:
        target = resolve_target(settings, database_url)
        check_revisions(settings, target.url)
        current, origin = current_revision(target.url), f"from {target.describe()}"
    else:
        check_revisions(settings, None)
        current, origin = (None if start == "base" else start), f"from {start} (--from)"
        if current is not None and current not in {r.id for r in list_revisions(settings.migrations_path)}:
            raise InputError(Problem(f"no revision '{start}'", None, "--from", "give a revision id, or base"))
    by_id = {r.id: r for r in list_revisions(settings.migrations_path)}
    chain = [by_id[i] for i in _chain(settings, current, target_revision, direction)]
    return offline_script(settings.migrations_path, chain, current, direction,
                          run_settings(settings, lock_timeout, statement_timeout),
                          f"written by finesse {'apply' if direction == 'up' else 'down'} --sql, {origin}")


def down(settings: Settings, *, database_url: str | None = None, target_revision: str = "-1",
         lock_timeout: str | None = None, statement_timeout: str | None = None, wait: bool = False,
         allow_destructive: bool = False, progress: Progress = quiet) -> list[str]:
    """Revert the last revision (or down to ``target_revision``); return the ids reverted. A downgrade that
    drops tables or columns holding rows is refused (with the counts) unless ``allow_destructive``."""
    target = resolve_target(settings, database_url)
    check_revisions(settings, target.url, progress)
    current = current_revision(target.url)
    if current is None:
        raise FinesseError("no revision is applied; nothing to revert")
    if not allow_destructive:
        held = rows_lost(target.url, preview(settings.migrations_path,
                                             _chain(settings, current, target_revision, "down"), "down"))
        if held:
            raise RefusedError("the downgrade drops data: these tables and columns hold rows (pass "
                               "--allow-destructive to drop them; finesse down --dry-run shows the statements):",
                               held)
    progress(f"reverting on {target.describe()}")
    return downgrade(target.url, settings.migrations_path, target_revision,
                     settings=run_settings(settings, lock_timeout, statement_timeout, wait=wait), progress=progress)


def rows_lost(url: str, previews: list[Preview]) -> tuple[str, ...]:
    """Each table and column the previewed statements drop that holds rows now, with its count."""
    dropped = [(p.revision, obj) for p in previews for sql in p.statements for obj in dropped_data(sql)]
    counts = rows_held(url, [obj for _, obj in dropped])
    out = []
    for rev, (schema, table, column) in dropped:
        count = counts.pop((schema, table, column), 0)
        if count:
            what = f"table {schema}.{table}: {count:,} rows" if column is None else \
                f"column {schema}.{table}.{column}: {count:,} values"
            out.append(f"{what} (dropped by the downgrade of {rev})")
    return tuple(out)


def stamp_revision(settings: Settings, revision: str, *, database_url: str | None = None,
                   dev_url: str | None = None, progress: Progress = quiet) -> str:
    """Record ``revision`` as applied on the live database without running it, once proven: the revisions up
    to it, replayed into a scratch database, give exactly the live schema (else RefusedError with the
    difference, and nothing recorded). Return the revision's id."""
    schema = load(settings)
    ids = [r.id for r in list_revisions(settings.migrations_path)]
    rev = ids[-1] if revision == "head" and ids else revision
    if rev not in ids:
        raise InputError(Problem(f"no revision '{revision}' in {settings.migrations_path.name}/", None, "",
                                 f"the revisions are: {', '.join(ids) or 'none'}"))
    target = resolve_target(settings, database_url)
    server = scratch_server(settings, target, dev_url)
    with scratch_database(server, f"the revisions up to {rev}") as url:
        progress(f"replaying the revisions up to {rev} into a scratch database")
        upgrade(url, settings.migrations_path, rev, settings=run_settings(settings, None, None), progress=progress)
        progress(f"comparing {target.describe()} with them")
        differences = schema_differences(target.url, url, compile_schema(schema), schema.schemas)
    if differences:
        raise RefusedError(f"the database is not at {rev}, so nothing was recorded (stamp the revision it is at, or "
                           f"bring it there first); from the database to what the revisions up to {rev} build:",
                           differences)
    stamp(target.url, settings.migrations_path, rev, settings=run_settings(settings, None, None))
    progress(f"recorded {rev} as applied on {target.describe()}")
    return rev


@dataclass(frozen=True)
class Status:
    target: Target
    current: str | None
    head: str | None
    pending: tuple[str, ...]
    plan: Plan | None = field(default=None)  # the difference to schema.yaml, when checked

    @property
    def in_sync(self) -> bool | None:
        return None if self.plan is None else self.plan.empty


def status(settings: Settings, *, database_url: str | None = None, dev_url: str | None = None,
           compare: bool = True, progress: Progress = quiet) -> Status:
    """Current and pending revisions, and (with ``compare``) the difference to schema.yaml."""
    target = resolve_target(settings, database_url)
    check_revisions(settings, target.url, progress)
    revisions = list_revisions(settings.migrations_path)
    current = current_revision(target.url)
    ids = [r.id for r in revisions]
    pending = tuple(ids[ids.index(current) + 1:] if current in ids else ids)
    difference = None
    if compare:
        schema, compiled = load_compiled(settings)
        difference = plan_changes(target.url, scratch_server(settings, target, dev_url), compiled,
                                  schema.schemas, schema_hash=schema.source_hash, verify=False,
                                  cache=cache_folder(settings), progress=progress)
    return Status(target, current, ids[-1] if ids else None, pending, difference)
