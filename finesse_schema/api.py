"""The public library: what a program (and the ``finesse`` command) calls.

Every function takes a :class:`~finesse_schema.logic.config.Settings` and
keyword-only options, returns values, and raises a
:class:`~finesse_schema.core.errors.FinesseError` for anything a user can fix.
Nothing here prints or exits; progress goes to the callback the caller passes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from .core.errors import FinesseError, InputError, Location, Problem
from .core.model import Schema
from .core.plan import Plan, PlanRefused
from .db.audit_trail import prune as prune_audit_trail, read_history
from .db.catalog import read_catalog, user_schemas
from .db.connect import mask_url, normalize_url
from .db.embedded import embedded_database_url, embedded_server_url
from .db.diff import INTERNAL_SCHEMAS
from .db.migrations import (Revision, RunSettings, current_revision, downgrade, file_hash, list_revisions,
                            online_progress, recorded_hashes, stamp, upgrade)
from .db.planner import plan_changes, split_plan
from .db.stairway import Stair, walk_stairs
from .db.scratch import ScratchServer, choose_scratch_server, scratch_database
from .logic.compile import compile_schema
from .core.findings import Severity
from .db.live_audit import (enforced_uniques, row_counts, run_probes, run_project_checks, server_version_major,
                            table_sizes)
from .logic.audit import Report, audit_model, with_findings
from .logic.audit_config import table_subject
from .logic.render_audit import AuditEntry
from .logic.lint import LINT_RULES, lint_plan
from .logic.online import OnlineMode, needs_online, online_plan, touched_tables
from .logic.live_rules import LIVE_DOCS, LIVE_RULES, live_probes
from .logic.preflight import WAYS_OUT, affected_tables, preflight_probes
from .logic.project_checks import ProjectCheck, read_project_check, unique_codes
from .logic.config import Settings, read_settings
from .logic.from_catalog import Unsupported, import_schema
from .logic.generated import HEADER_RE, Sources, docs_files, generate_files
from .logic.relations import orphans_from_report
from .logic.import_yaml import schema_yaml
from .logic.jsonschema import schema_json_schema
from .logic.load import load_schema_text
from .logic.render_revision import data_section, next_revision_id, render_revision, slugify
from .logic.rules import RULES, Rule

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def find_settings(start: Path | None = None) -> Settings:
    """Settings of the project containing ``start`` (the nearest pyproject.toml upwards), else defaults there."""
    start = (start or Path.cwd()).resolve()
    for d in (start, *start.parents):
        py = d / "pyproject.toml"
        if py.is_file():
            return read_settings(py.read_text(encoding="utf-8"), d, str(py))
    return read_settings(None, start)


def load(settings: Settings) -> Schema:
    """Read and validate schema.yaml."""
    path = settings.schema_path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(Problem(f"no schema file at {path}", Location(str(path)),
                                 hint="create schema.yaml, or set schema = ... under [tool.finesse]")) from None
    except UnicodeDecodeError as exc:
        raise InputError(Problem(f"schema file is not UTF-8: {exc}", Location(str(path)))) from None
    return load_schema_text(text, _display(path, settings))


def _display(path: Path, settings: Settings) -> str:
    try:
        return str(path.relative_to(settings.project_dir))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Target:
    """The live database finesse works on, and where that URL came from."""

    url: str
    origin: str  # "option", "pyproject", "environment FOO", "embedded"

    def describe(self) -> str:
        return f"{mask_url(self.url)} ({self.origin})"


def resolve_target(settings: Settings, database_url: str | None = None) -> Target:
    """--database-url, else database_url in pyproject, else the environment variable, else the embedded server."""
    if database_url:
        return Target(normalize_url(database_url), "option")
    if settings.database_url:
        return Target(normalize_url(settings.database_url), "pyproject")
    env = os.environ.get(settings.database_url_env)
    if env:
        return Target(normalize_url(env), f"environment {settings.database_url_env}")
    return Target(embedded_database_url(settings.embedded_dir), "embedded")


def _scratch(settings: Settings, target: Target, dev_url: str | None) -> ScratchServer:
    dev = dev_url or settings.dev_url
    return choose_scratch_server(target.url, normalize_url(dev) if dev else None,
                                 lambda: embedded_server_url(settings.embedded_dir))


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
         split: bool = False, replace_pending: bool = False, progress: Progress = _quiet) -> PlanResult:
    """Plan the change from the live database to schema.yaml, verify it, and write it as a revision.

    ``online`` (default: when a table the plan locks for a scan holds more than online_above_rows rows)
    rewrites the plan to run step by step without blocking writes (see logic/online.py). ``split`` writes
    an expand revision and a contract revision (see logic/expand_contract.py). ``replace_pending``
    re-plans the revisions the database has not applied yet, keeping their data sections."""
    schema = load(settings)
    compiled = compile_schema(schema)
    target = resolve_target(settings, database_url)
    revisions, replaced = _base_revisions(settings, target, replace_pending)
    server = _scratch(settings, target, dev_url)
    progress(f"planning {target.describe()} -> {schema.source} (scratch: {server.origin})")
    rewrite = _online_rewrite(settings, target, online)
    result = plan_changes(target.url, server, compiled, schema.schemas, model=schema, schema_hash=schema.source_hash,
                          rewrite=None if split else rewrite, progress=progress)
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
    parts = [_linted(p, settings, schema) for p in parts]
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
    if len(out) == 2:
        return replace(out[0], contract=out[1])
    return out[0]


def _linted(result: Plan, settings: Settings, schema: Schema) -> Plan:
    return replace(result, findings=lint_plan(result, model=schema, lock_timeout=settings.lock_timeout,
                                              severity=settings.check.severity, ignore=settings.check.ignore))


def _base_revisions(settings: Settings, target: Target, replace_pending: bool) -> tuple[list[Revision], list[Revision]]:
    """(the revisions the database has applied, the pending ones to replace); without ``replace_pending``
    the database must be at head."""
    if not replace_pending:
        return _ensure_at_head(settings, target), []
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
    sizes, partitioned = table_sizes(target.url)

    def rewrite(p: Plan) -> Plan:
        if not needs_online(p, sizes, settings.online_above_rows, mode):
            return p
        big = [f"{t} (about {sizes[t]:,} rows)" for t in touched_tables(p) if sizes.get(t, 0) > settings.online_above_rows]
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


def write_revision(path: Path, text: str) -> None:
    """Write a revision atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".py.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _run_settings(settings: Settings, lock_timeout: str | None, statement_timeout: str | None) -> RunSettings:
    return RunSettings(lock_timeout or settings.lock_timeout, statement_timeout or settings.statement_timeout)


def apply(settings: Settings, *, database_url: str | None = None, target_revision: str = "head",
          lock_timeout: str | None = None, statement_timeout: str | None = None,
          progress: Progress = _quiet) -> list[str]:
    """Apply pending revisions (one transaction each); return the ids applied."""
    target = resolve_target(settings, database_url)
    progress(f"applying to {target.describe()}")
    return upgrade(target.url, settings.migrations_path, target_revision,
                   settings=_run_settings(settings, lock_timeout, statement_timeout), progress=progress)


def down(settings: Settings, *, database_url: str | None = None, target_revision: str = "-1",
         lock_timeout: str | None = None, statement_timeout: str | None = None,
         progress: Progress = _quiet) -> list[str]:
    """Revert the last revision (or down to ``target_revision``); return the ids reverted."""
    target = resolve_target(settings, database_url)
    if current_revision(target.url) is None:
        raise FinesseError("no revision is applied; nothing to revert")
    progress(f"reverting on {target.describe()}")
    return downgrade(target.url, settings.migrations_path, target_revision,
                     settings=_run_settings(settings, lock_timeout, statement_timeout), progress=progress)


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
           compare: bool = True, progress: Progress = _quiet) -> Status:
    """Current and pending revisions, and (with ``compare``) the difference to schema.yaml."""
    target = resolve_target(settings, database_url)
    revisions = list_revisions(settings.migrations_path)
    current = current_revision(target.url)
    ids = [r.id for r in revisions]
    pending = tuple(ids[ids.index(current) + 1:] if current in ids else ids)
    difference = None
    if compare:
        schema = load(settings)
        difference = plan_changes(target.url, _scratch(settings, target, dev_url), compile_schema(schema),
                                  schema.schemas, schema_hash=schema.source_hash, verify=False, progress=progress)
    return Status(target, current, ids[-1] if ids else None, pending, difference)


@dataclass(frozen=True)
class ImportResult:
    text: str
    target: Target
    schemas: tuple[str, ...]
    unsupported: tuple[Unsupported, ...]  # objects schema.yaml cannot express, left out
    not_exact: tuple[str, ...]  # objects whose YAML reads back differently (a finesse bug if ever non-empty)
    residual: Plan | None  # the plan from the database to the written YAML, when verified (empty when exact)
    path: Path | None
    written: bool

    @property
    def exact(self) -> bool:
        return not self.not_exact and (self.residual is None or self.residual.empty)


def import_database(settings: Settings, *, database_url: str | None = None, schemas: tuple[str, ...] = (),
                    out: Path | None = None, write: bool = True, force: bool = False, verify: bool = True,
                    dev_url: str | None = None, progress: Progress = _quiet) -> ImportResult:
    """Read a live database into schema.yaml text; write it to ``out`` (default: the project's schema.yaml).

    With ``verify``, plan from the database to the written YAML: an exact import plans nothing.
    An existing file is never overwritten without ``force``."""
    path = out or settings.schema_path
    if write and path.exists() and not force:
        raise FinesseError(f"{_display(path, settings)} exists; pass --force to replace it, or --out another file")
    target = resolve_target(settings, database_url)
    progress(f"importing {target.describe()}")
    present = user_schemas(target.url, exclude=INTERNAL_SCHEMAS)
    unknown = [s for s in schemas if s not in present]
    if unknown:
        raise InputError(Problem(f"the database has no schema {', '.join(repr(s) for s in unknown)}", None,
                                 "--schema", f"it has: {', '.join(present) or '(none)'}"))
    wanted = tuple(schemas) or present
    rows = read_catalog(target.url, wanted, progress)
    progress(f"read {sum(1 for r in rows['relations'] if r['kind'] in ('r', 'p'))} tables, "
             f"{len(rows['indexes'])} indexes, {len(rows['functions'])} functions")
    model, unsupported = import_schema(rows)
    header = (f"Written by finesse import (schemas: {', '.join(wanted)}).\n"
              "This file is now the source of truth: edit it, then run finesse plan.")
    text, not_exact = schema_yaml(model, header=header, progress=progress)
    residual = None
    if verify and not not_exact:
        loaded = load_schema_text(text, _display(path, settings))
        residual = plan_changes(target.url, _scratch(settings, target, dev_url), compile_schema(loaded),
                                loaded.schemas, schema_hash=loaded.source_hash, verify=False, progress=progress)
    if write:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return ImportResult(text, target, tuple(wanted), tuple(unsupported), tuple(not_exact), residual,
                        path if write else None, write)


def baseline(settings: Settings, *, message: str = "baseline", database_url: str | None = None,
             dev_url: str | None = None, progress: Progress = _quiet) -> PlanResult:
    """Write revision 0001 that builds schema.yaml from an empty database, and record it as applied on the
    live database, which must already match schema.yaml (nothing is run there)."""
    schema = load(settings)
    compiled = compile_schema(schema)
    target = resolve_target(settings, database_url)
    revisions = list_revisions(settings.migrations_path)
    if revisions:
        raise FinesseError(f"{settings.migrations_path.name}/ already has revisions ({revisions[0].id}...); "
                           "a baseline can only be the first")
    current = current_revision(target.url)
    if current is not None:
        raise FinesseError(f"the database already records revision {current}; a baseline is for a database that "
                           "finesse does not manage yet")
    server = _scratch(settings, target, dev_url)
    progress(f"checking that {target.describe()} matches {schema.source}")
    gap = plan_changes(target.url, server, compiled, schema.schemas, schema_hash=schema.source_hash, verify=False,
                       progress=progress)
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
        raise
    progress(f"recorded {rev_id} as applied on {target.describe()}")
    return PlanResult(result, target, rev_id, path, text, written=True)


def test_migrations(settings: Settings, *, database_url: str | None = None, dev_url: str | None = None,
                    progress: Progress = _quiet) -> list[Stair]:
    """The stairway: every revision up, down and up again in a scratch database with rows in every table.
    Each downgrade must give back the schema and the data from before its upgrade (except what the upgrade
    drops on purpose), each second upgrade the same schema as the first, and the head must be schema.yaml."""
    schema = load(settings)
    target = resolve_target(settings, database_url)
    server = _scratch(settings, target, dev_url)
    with scratch_database(server, "stairway") as url:
        stairs = walk_stairs(url, settings.migrations_path, schema.schemas,
                             settings=_run_settings(settings, None, None), progress=progress)
        if stairs and all(s.ok for s in stairs):
            progress("comparing the head with schema.yaml")
            gap = plan_changes(url, server, compile_schema(schema), schema.schemas, schema_hash=schema.source_hash,
                               verify=False, progress=progress)
            if not gap.empty:
                stairs[-1].problems.append(f"the head differs from {schema.source}: "
                                           + "; ".join(c.label for c in gap.upgrade[:10]))
    return stairs


def check(settings: Settings, *, live: bool = False, database_url: str | None = None,
          progress: Progress = _quiet) -> Report:
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
    codes = tuple(sorted({p.code for p in probes} | {c.code for c in checks if config.selects(c.code)}))
    return with_findings(report, found, codes, config)


def read_project_checks(folder: Path, settings: Settings) -> list[ProjectCheck]:
    """Every checks/*.sql of the project, by file name; InputError for a bad header or a repeated code."""
    out = [read_project_check(p.read_text(encoding="utf-8"), _display(p, settings))
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
                database_url: str | None = None, progress: Progress = _quiet) -> int:
    """Delete the audit entries older than ``older_than`` (default [tool.finesse.audit] retention); return how
    many (with ``dry_run``, how many would go, deleting none)."""
    target = resolve_target(settings, database_url)
    keep = older_than or settings.audit.retention
    progress(f"{'counting' if dry_run else 'pruning'} audit entries older than {keep} on {target.describe()}")
    return prune_audit_trail(target.url, settings.audit, older_than=keep, dry_run=dry_run)


DOCS_OWNED = ("README.md", "index.html", "schema.dbml", "diagrams/", "tables/")
GENERATE_OWNED = ("models.py", "schema.sql")


@dataclass(frozen=True)
class Generated:
    """What finesse docs or generate wrote (or, checking, found stale) in ``folder``."""

    folder: Path
    written: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()  # with check: "<path>: <why>"

    @property
    def current(self) -> bool:
        return not self.stale


def _mermaid_js() -> str:
    from importlib.resources import files

    return files("finesse_schema").joinpath("assets", "mermaid-11.4.1.min.js").read_text(encoding="utf-8")


def _sources(settings: Settings, schema: Schema, report: Path | None) -> tuple[Sources, dict | None]:
    if report is None:
        return Sources(schema.source, schema.source_hash), None
    try:
        text = report.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(Problem(f"cannot read the check report: {exc.strerror}", Location(str(report)), "--report",
                                 "write one with finesse check --live --format json -o FILE")) from None
    name = _display(report, settings)
    return Sources(schema.source, schema.source_hash, name, text), orphans_from_report(text, name)


def docs_texts(settings: Settings, *, report: Path | None = None) -> dict[str, str]:
    """The files finesse docs writes, by path relative to generated/."""
    schema = load(settings)
    sources, orphans = _sources(settings, schema, report)
    title = settings.title or f"{settings.project_dir.name}: the database schema"
    return docs_files(schema, settings.check, sources, mermaid_js=_mermaid_js(), orphans=orphans, title=title)


def generate_texts(settings: Settings) -> dict[str, str]:
    """The files finesse generate writes, by path relative to generated/."""
    schema = load(settings)
    return generate_files(schema, Sources(schema.source, schema.source_hash))


def _stale(folder: Path, files: dict[str, str], owned: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(what differs or is missing, generated files of ours that ``files`` no longer has)."""
    stale = [f"{path}: missing" if not (folder / path).is_file() else f"{path}: out of date"
             for path, text in files.items()
             if not (folder / path).is_file() or (folder / path).read_text(encoding="utf-8") != text]
    extra = []
    for prefix in (o for o in owned if o.endswith("/")):
        for f in sorted((folder / prefix).glob("*")) if (folder / prefix).is_dir() else ():
            rel = f"{prefix}{f.name}"
            if rel not in files and f.is_file() and HEADER_RE.search(f.read_text(encoding="utf-8", errors="replace")[:400]):
                extra.append(rel)
    return stale, extra


def write_generated(folder: Path, files: dict[str, str], owned: tuple[str, ...], *, check: bool) -> Generated:
    """Write ``files`` into ``folder`` (each atomically) and remove the generated files of ``owned`` folders
    they no longer include; with ``check``, write nothing and say what is stale."""
    stale, extra = _stale(folder, files, owned)
    if check:
        return Generated(folder, stale=tuple(stale + [f"{e}: no longer generated" for e in extra]))
    written = []
    for path, text in files.items():
        target = folder / path
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
        written.append(path)
    for e in extra:
        (folder / e).unlink()
    return Generated(folder, tuple(written), tuple(extra))


def docs(settings: Settings, *, report: Path | None = None, check: bool = False, progress: Progress = _quiet) -> Generated:
    """The ER documentation of schema.yaml in generated/ (Mermaid diagrams, a Markdown page per table, DBML,
    one HTML page); ``report`` (finesse check --live --format json) marks orphans. ``check``: write nothing,
    say what is stale."""
    progress(f"{'checking' if check else 'writing'} the documentation in {_display(settings.generated_dir, settings)}/")
    return write_generated(settings.generated_dir, docs_texts(settings, report=report), DOCS_OWNED, check=check)


def generate(settings: Settings, *, check: bool = False, progress: Progress = _quiet) -> Generated:
    """generated/schema.sql (the DDL of schema.yaml) and generated/models.py (SQLAlchemy models)."""
    progress(f"{'checking' if check else 'writing'} schema.sql and models.py in "
             f"{_display(settings.generated_dir, settings)}/")
    return write_generated(settings.generated_dir, generate_texts(settings), GENERATE_OWNED, check=check)


@dataclass(frozen=True)
class Drift:
    """What differs from schema.yaml: the database (its schema, its revisions), the migrations, generated/."""

    database: Plan | None = None  # the plan from the live database to schema.yaml (None: not compared)
    target: Target | None = None
    pending: tuple[str, ...] = ()
    edited: tuple[str, ...] = ()  # revisions changed (or gone) since they were applied on the database
    unrecorded: bool = False  # the database records no revision hashes (migrated before finesse kept them)
    migrations: Plan | None = None  # the plan from the replayed migrations to schema.yaml
    generated: tuple[str, ...] | None = None  # stale files of generated/

    @property
    def drifted(self) -> bool:
        return bool((self.database is not None and not self.database.empty) or self.pending or self.edited
                    or (self.migrations is not None and not self.migrations.empty) or self.generated)


def drift(settings: Settings, *, database: bool = True, migrations: bool = False, generated: bool = False,
          report: Path | None = None, database_url: str | None = None, dev_url: str | None = None,
          progress: Progress = _quiet) -> Drift:
    """Compare schema.yaml with: the live database (``database``: its schema, pending revisions, revisions edited
    since they were applied there), the revisions replayed into a scratch database (``migrations``), and
    generated/ (``generated``)."""
    schema = load(settings)
    compiled = compile_schema(schema)
    out = Drift()
    if database:
        target = resolve_target(settings, database_url)
        progress(f"comparing {target.describe()} with {schema.source}")
        revisions = list_revisions(settings.migrations_path)
        current = current_revision(target.url)
        ids = [r.id for r in revisions]
        pending = tuple(ids[ids.index(current) + 1:] if current in ids else ids)
        recorded = recorded_hashes(target.url)
        files = {r.id: file_hash(r.path) for r in revisions}
        edited = tuple(sorted(f"{rev}: " + ("its file is gone from migrations/" if rev not in files else
                                            f"its file changed after it was applied (applied {h[:19]}..., now "
                                            f"{files[rev][:19]}...)")
                              for rev, h in (recorded or {}).items() if files.get(rev) != h))
        plan = plan_changes(target.url, _scratch(settings, target, dev_url), compiled, schema.schemas,
                            schema_hash=schema.source_hash, verify=False, progress=progress)
        out = replace(out, database=plan, target=target, pending=pending, edited=edited,
                      unrecorded=recorded is None and current is not None)
    if migrations:
        server = _scratch(settings, out.target or resolve_target(settings, database_url), dev_url)
        with scratch_database(server, "replayed migrations") as url:
            progress("replaying every revision into a scratch database")
            upgrade(url, settings.migrations_path, settings=_run_settings(settings, None, None), progress=progress)
            out = replace(out, migrations=plan_changes(url, server, compiled, schema.schemas,
                                                       schema_hash=schema.source_hash, verify=False,
                                                       progress=progress))
    if generated:
        stale = docs(settings, report=report, check=True).stale + generate(settings, check=True).stale
        out = replace(out, generated=stale)
    return out


def rules() -> list[Rule]:
    """Every rule over the model and over plans, by code."""
    return list(RULES) + list(LINT_RULES)  # type: ignore[arg-type]


def explain(code: str) -> Rule:
    """The rule with ``code``; InputError naming the codes there are when there is none."""
    found = RULES.get(code) or LINT_RULES.get(code)  # type: ignore[assignment]
    if found is None and code.upper() in LIVE_RULES:
        name, severity, summary = LIVE_RULES[code.upper()]
        doc = f"{code.upper()} {name}: {summary} (finesse check --live).\n\n{LIVE_DOCS[code.upper()]}"
        return Rule(code.upper(), name, severity, summary, lambda *_: iter(()), doc)
    if found is None:
        raise InputError(Problem(f"no rule has the code '{code}'", None, "", "finesse rules lists them"))
    return found


def json_schema() -> dict:
    """The JSON Schema of schema.yaml (for editors and CI validation)."""
    return schema_json_schema()
