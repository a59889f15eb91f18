"""Running revisions on the live database, and where it stands."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.errors import FinesseError
from ..core.plan import Plan
from ..db.migrations import current_revision, downgrade, list_revisions, upgrade
from ..db.planner import plan_changes
from ..logic.compile.compiler import compile_schema
from ..logic.config.settings import Settings
from .project import Progress, Target, load, quiet, resolve_target, run_settings, scratch_server


def apply(settings: Settings, *, database_url: str | None = None, target_revision: str = "head",
          lock_timeout: str | None = None, statement_timeout: str | None = None, wait: bool = False,
          progress: Progress = quiet) -> list[str]:
    """Apply pending revisions (one transaction each); return the ids applied. ``wait``: for another run's
    migration lock, as long as it takes."""
    target = resolve_target(settings, database_url)
    progress(f"applying to {target.describe()}")
    return upgrade(target.url, settings.migrations_path, target_revision,
                   settings=run_settings(settings, lock_timeout, statement_timeout, wait=wait), progress=progress)


def down(settings: Settings, *, database_url: str | None = None, target_revision: str = "-1",
         lock_timeout: str | None = None, statement_timeout: str | None = None, wait: bool = False,
         progress: Progress = quiet) -> list[str]:
    """Revert the last revision (or down to ``target_revision``); return the ids reverted."""
    target = resolve_target(settings, database_url)
    if current_revision(target.url) is None:
        raise FinesseError("no revision is applied; nothing to revert")
    progress(f"reverting on {target.describe()}")
    return downgrade(target.url, settings.migrations_path, target_revision,
                     settings=run_settings(settings, lock_timeout, statement_timeout, wait=wait), progress=progress)


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
    revisions = list_revisions(settings.migrations_path)
    current = current_revision(target.url)
    ids = [r.id for r in revisions]
    pending = tuple(ids[ids.index(current) + 1:] if current in ids else ids)
    difference = None
    if compare:
        schema = load(settings)
        difference = plan_changes(target.url, scratch_server(settings, target, dev_url), compile_schema(schema),
                                  schema.schemas, schema_hash=schema.source_hash, verify=False, progress=progress)
    return Status(target, current, ids[-1] if ids else None, pending, difference)
