"""Auditing schema.yaml and the live data; reading and pruning the audit trail."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import InputError, Problem
from ..db.audit_trail import prune as prune_audit_trail
from ..db.audit_trail import read_history
from ..db.usage.index_usage import index_statistics
from ..db.live_audit import enforced_uniques, run_probes, run_project_checks
from ..logic.check.audit import Report, audit_model, with_findings
from ..logic.check.audit_config import table_subject
from ..logic.config.settings import Settings
from ..logic.check.index_use import INDEX_RULES, index_findings
from ..logic.check.live_rules import live_probes
from ..logic.check.project_checks import ProjectCheck, read_project_check, unique_codes
from ..logic.check.render_audit import AuditEntry
from .schema_file import display, load, Progress, quiet
from .project import resolve_target


def check(settings: Settings, *, live: bool = False, database_url: str | None = None,
          progress: Progress = quiet) -> Report:
    """Audit schema.yaml with the rules over the model, as [tool.finesse.check] configures them; with ``live``,
    also the data of the database (orphans, NOT VALID check violations, copies that disagree, duplicates)
    and the project's checks/*.sql."""
    config = settings.check
    schema = load(settings)
    checks = read_project_checks(settings.project_dir / config.checks_dir, settings) if live else []
    report = audit_model(schema, config)
    if not live:
        return report
    target = resolve_target(settings, database_url)
    progress(f"checking the data of {target.describe()}")
    probes = live_probes(schema, config, enforced_uniques(target.url))
    found = run_probes(target.url, probes, timeout=config.live_statement_timeout,
                       sample_above_rows=config.sample_above_rows, progress=progress)
    found += run_project_checks(target.url, [c for c in checks if config.selects(c.code)],
                                timeout=config.live_statement_timeout, progress=progress)
    progress("reading how the indexes are used")
    found += index_findings(index_statistics(target.url, schema.schemas))
    codes = tuple(sorted({p.code for p in probes} | set(INDEX_RULES) |
                         {c.code for c in checks if config.selects(c.code)}))
    return with_findings(report, found, codes, config)


def read_project_checks(folder: Path, settings: Settings) -> list[ProjectCheck]:
    """Every checks/*.sql of the project, by file name; InputError for a bad header or a repeated code."""
    out = [read_project_check(p.read_text(encoding="utf-8"), display(p, settings))
           for p in sorted(folder.glob("*.sql"))] if folder.is_dir() else []
    unique_codes(out)
    return out


def audit_history(settings: Settings, *, table: str, row_id: str | None = None, limit: int = 50,
                  since: str | None = None, database_url: str | None = None) -> list[AuditEntry]:
    """The audit trail ([tool.finesse.audit] table) of ``table`` (orders or schema.table), of one row when
    ``row_id``, newest first, at most ``limit`` entries, from ``since`` (a timestamp) on."""
    if limit < 1:
        raise InputError(Problem("--limit must be 1 or more", None, "--limit"))
    target = resolve_target(settings, database_url)
    return read_history(target.url, settings.audit, table=table_subject(table), row_id=row_id, limit=limit,
                        since=since, timeout=settings.check.live_statement_timeout)


def audit_prune(settings: Settings, *, older_than: str | None = None, dry_run: bool = False,
                database_url: str | None = None, progress: Progress = quiet) -> int:
    """Delete the audit entries older than ``older_than`` (default [tool.finesse.audit] retention); return how
    many (with ``dry_run``, how many would go, deleting none)."""
    target = resolve_target(settings, database_url)
    keep = older_than or settings.audit.retention
    progress(f"{'counting' if dry_run else 'pruning'} audit entries older than {keep} on {target.describe()}")
    return prune_audit_trail(target.url, settings.audit, older_than=keep, dry_run=dry_run)
