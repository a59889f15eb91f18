"""Drift: what differs from schema.yaml in the live database, the replayed migrations and generated/."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..db.migrations import current_revision, list_revisions, recorded_hashes, upgrade
from ..db.planner import plan_changes
from ..db.scratch import scratch_database
from ..logic.config.settings import Settings
from ..logic.plan.render_drift import Drift
from .generated import docs, generate
from .revisions import applied_edits, revision_hashes
from .compile_cache import load_compiled
from .schema_file import Progress, quiet
from .project import cache_folder, resolve_target, run_settings, scratch_server


def drift(settings: Settings, *, database: bool = True, migrations: bool = False, generated: bool = False,
          report: Path | None = None, database_url: str | None = None, dev_url: str | None = None,
          progress: Progress = quiet) -> Drift:
    """Compare schema.yaml with: the live database (``database``: its schema, pending revisions, revisions edited
    since they were applied there), the revisions replayed into a scratch database (``migrations``), and
    generated/ (``generated``)."""
    # the database first: a configuration that names a missing one fails before anything is read or kept
    target = resolve_target(settings, database_url) if database or migrations else None
    schema, compiled = load_compiled(settings)
    out = Drift()
    if database:
        assert target is not None
        progress(f"comparing {target.describe()} with {schema.source}")
        revisions = list_revisions(settings.migrations_path)
        current = current_revision(target.url)
        ids = [r.id for r in revisions]
        pending = tuple(ids[ids.index(current) + 1:] if current in ids else ids)
        recorded, now = recorded_hashes(target.url), revision_hashes(settings.migrations_path)
        edited = tuple(f"{rev}: " + ("its file is gone from migrations/" if r is None else
                                     f"its file changed after it was applied (applied {h[:19]}..., now "
                                     f"{now[r.path.name][:19]}...)")
                       for rev, h, r in applied_edits(revisions, recorded, now))
        plan = plan_changes(target.url, scratch_server(settings, target, dev_url), compiled, schema.schemas,
                            schema_hash=schema.source_hash, verify=False, cache=cache_folder(settings),
                            progress=progress)
        out = replace(out, database=plan, where=target.describe(), pending=pending, edited=edited,
                      unrecorded=recorded is None and current is not None)
    if migrations:
        assert target is not None
        server = scratch_server(settings, target, dev_url)
        with scratch_database(server, "replayed migrations") as url:
            progress("replaying every revision into a scratch database")
            upgrade(url, settings.migrations_path, settings=run_settings(settings, None, None), progress=progress)
            out = replace(out, migrations=plan_changes(url, server, compiled, schema.schemas,
                                                       schema_hash=schema.source_hash, verify=False,
                                                       cache=cache_folder(settings), progress=progress))
    if generated:
        stale = docs(settings, report=report, check=True).stale + generate(settings, check=True).stale
        out = replace(out, generated=stale)
    return out
