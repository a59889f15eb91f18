"""The ``finesse`` command: a thin skin over :mod:`finesse_schema.api`. The only module that imports click.

Exit codes (stable): 0 nothing to report, 1 findings or drift, 2 usage or input
error, 3 refused as unsafe.
"""

from __future__ import annotations

import json
import signal
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import click

from . import __version__, api
from .core.errors import FinesseError
from .core.plan import PlanRefused
from .core.findings import Severity
from .logic.check.audit import Report
from .logic.check.render_audit import render_history
from .logic.plan.render_drift import render_drift_json, render_drift_text
from .logic.check.render_findings import RENDERERS, render_json
from .logic.plan.render_summary import render_sql, render_summary

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_REFUSED = 0, 1, 2, 3


def _progress(quiet: bool) -> Callable[[str], None]:
    def report(message: str) -> None:
        if not quiet:
            click.echo(f"... {message}", err=True)
    return report


def _shown(path: Path | None) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    if path is None:
        return ""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _settings(ctx: click.Context) -> api.Settings:
    return ctx.obj["settings"]


def _fail(exc: FinesseError) -> None:
    click.echo(f"error: {exc}" if exc.exit_code != EXIT_REFUSED else f"refused: {exc}", err=True)
    sys.exit(exc.exit_code)


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn FinesseError into its message and exit code; a user never sees a traceback for their mistake."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except PlanRefused as exc:
            click.echo(render_summary(exc.plan), nl=False)
            _fail(exc)
        except FinesseError as exc:
            _fail(exc)
        except KeyboardInterrupt:
            click.echo("interrupted; scratch databases were removed and nothing was changed", err=True)
            sys.exit(130)
    wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
    return wrapper


database_option = click.option("--database-url", envvar=None, default=None,
                               help="Live database URL (default: [tool.finesse], then $FINESSE_DATABASE_URL, "
                                    "then the embedded server under .finesse/).")
dev_url_option = click.option("--dev-url", default=None,
                              help="Server for scratch databases (default: the target server, else embedded).")
quiet_option = click.option("--quiet", "-q", is_flag=True, help="Do not report progress on stderr.")
timeout_options = [
    click.option("--lock-timeout", default=None, help="lock_timeout for each statement (default 5s)."),
    click.option("--statement-timeout", default=None, help="statement_timeout (default 15min)."),
]


def _with(options: list[Callable]) -> Callable:
    def deco(fn: Callable) -> Callable:
        for opt in reversed(options):
            fn = opt(fn)
        return fn
    return deco


HELP = """Schema-as-code for PostgreSQL.

Describe the database in schema.yaml; finesse plans the migration that takes your live database there,
proves it up and down on a copy, writes it as a reviewed Alembic revision, and applies it safely.

\b
Start:   finesse import (an existing database), or write schema.yaml
Change:  finesse plan -m "what changes", review, then finesse apply
Watch:   finesse status, finesse drift (for CI), finesse check (integrity rules)

Exit codes: 0 nothing to report, 1 findings or drift, 2 usage or input error, 3 refused as unsafe."""


@click.group(help=HELP)
@click.version_option(__version__, prog_name="finesse")
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Project directory (default: the nearest folder with a pyproject.toml).")
@click.pass_context
def main(ctx: click.Context, project: Path | None) -> None:
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        ctx.obj = {"settings": api.find_settings(project)}
    except FinesseError as exc:
        _fail(exc)


@main.command()
@click.option("--message", "-m", default="", help="What the revision does (its docstring and file name).")
@click.option("--allow-destructive", is_flag=True, help="Write the revision even if it drops or narrows data.")
@click.option("--dry-run", is_flag=True, help="Show the plan; write nothing.")
@click.option("--sql/--no-sql", "show_sql", default=True, help="Print the SQL of the upgrade (default: on).")
@click.option("--online/--offline", "online", default=None,
              help="Run the upgrade step by step without blocking writes (concurrent index builds, constraints "
                   "validated apart, retried locks), or as one transaction. Default: online when a table it "
                   "locks holds more than online_above_rows rows.")
@click.option("--split", is_flag=True,
              help="Write two revisions: expand (what the running application survives), then contract, so the "
                   "application can be deployed between them.")
@click.option("--replace", "replace_pending", is_flag=True,
              help="Re-plan the revisions the database has not applied yet, keeping their data sections.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="text for people; json (changes, lint findings, revision) for CI.")
@database_option
@dev_url_option
@quiet_option
@click.pass_context
@_guard
def plan(ctx: click.Context, message: str, allow_destructive: bool, dry_run: bool, show_sql: bool,
         online: bool | None, split: bool, replace_pending: bool, fmt: str, database_url: str | None,
         dev_url: str | None, quiet: bool) -> None:
    """Plan, verify and write the revision that takes the database to schema.yaml."""
    mode = api.OnlineMode.AUTO if online is None else api.OnlineMode.ON if online else api.OnlineMode.OFF
    result = api.plan(_settings(ctx), message=message, database_url=database_url, dev_url=dev_url,
                      allow_destructive=allow_destructive, dry_run=dry_run, online=mode, split=split,
                      replace_pending=replace_pending, progress=_progress(quiet))
    results = [result] + ([result.contract] if result.contract else [])
    if fmt == "json":
        click.echo(json.dumps({"empty": result.plan.empty, "revisions": [{
            "written": r.written, "online": r.plan.online,
            "revision": _shown(r.revision_path) if r.revision_path else None,
            "upgrade": [{"label": c.label, "destructive": c.destructive, "sql": c.sql} for c in r.plan.upgrade],
            "downgrade": [{"label": c.label, "sql": c.sql} for c in r.plan.downgrade],
            "findings": json.loads(render_json(Report(r.plan.findings, ())))["findings"]} for r in results]},
            indent=2, sort_keys=True))
        return
    for r in results:
        if len(results) > 1:
            click.echo(f"== {r.revision_id}: {'expand' if r is result else 'contract'}")
        click.echo(render_summary(r.plan), nl=False)
        if r.plan.empty:
            return
        if show_sql:
            click.echo("\n-- upgrade\n" + render_sql(r.plan.upgrade), nl=False)
        click.echo(f"{'Wrote' if r.written else 'Dry run: would write'} {_shown(r.revision_path)}")


@main.command()
@click.option("--to", "target_revision", default="head", help="Revision to stop at (default: head).")
@database_option
@quiet_option
@_with(timeout_options)
@click.pass_context
@_guard
def apply(ctx: click.Context, target_revision: str, database_url: str | None, quiet: bool,
          lock_timeout: str | None, statement_timeout: str | None) -> None:
    """Apply pending revisions, each in its own transaction, under an advisory lock."""
    done = api.apply(_settings(ctx), database_url=database_url, target_revision=target_revision,
                     lock_timeout=lock_timeout, statement_timeout=statement_timeout, progress=_progress(quiet))
    click.echo(f"Applied {len(done)} revision(s)" + (f": {', '.join(done)}" if done else "; already up to date"))


@main.command()
@click.option("--to", "target_revision", default="-1", help="Revision to go back to (default: the previous one).")
@database_option
@quiet_option
@_with(timeout_options)
@click.pass_context
@_guard
def down(ctx: click.Context, target_revision: str, database_url: str | None, quiet: bool,
         lock_timeout: str | None, statement_timeout: str | None) -> None:
    """Revert the last applied revision."""
    done = api.down(_settings(ctx), database_url=database_url, target_revision=target_revision,
                    lock_timeout=lock_timeout, statement_timeout=statement_timeout, progress=_progress(quiet))
    click.echo(f"Reverted {len(done)} revision(s): {', '.join(done)}")


@main.command("test")
@database_option
@dev_url_option
@quiet_option
@click.pass_context
@_guard
def test_cmd(ctx: click.Context, database_url: str | None, dev_url: str | None, quiet: bool) -> None:
    """Run every revision up, down and up again in a scratch database (the stairway); exit 1 on a problem."""
    stairs = api.test_migrations(_settings(ctx), database_url=database_url, dev_url=dev_url,
                                 progress=_progress(quiet))
    for s in stairs:
        click.echo(f"{s.revision} {s.message}: {'ok' if s.ok else 'FAILED'} (up, down, up again; "
                   f"{s.seeded} rows seeded)")
        for p in s.problems:
            click.echo(f"  - {p}")
    if not stairs:
        click.echo("No revisions to test.")
    if any(not s.ok for s in stairs):
        ctx.exit(1)


@main.command()
@click.option("--compare/--no-compare", default=True, help="Also compare the database with schema.yaml.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@database_option
@dev_url_option
@quiet_option
@click.pass_context
@_guard
def status(ctx: click.Context, compare: bool, fmt: str, database_url: str | None, dev_url: str | None,
           quiet: bool) -> None:
    """Show the current and pending revisions and whether the database matches schema.yaml."""
    st = api.status(_settings(ctx), database_url=database_url, dev_url=dev_url, compare=compare,
                    progress=_progress(quiet))
    if fmt == "json":
        click.echo(json.dumps({
            "database": st.target.describe(), "current": st.current, "head": st.head, "pending": list(st.pending),
            "in_sync": st.in_sync,
            "differences": [c.label for c in st.plan.upgrade] if st.plan else None}, indent=2, sort_keys=True))
    else:
        click.echo(f"database: {st.target.describe()}")
        click.echo(f"current revision: {st.current or '(none)'}; head: {st.head or '(none)'}")
        click.echo(f"pending: {', '.join(st.pending) if st.pending else 'none'}")
        if st.plan is not None:
            if st.plan.empty:
                click.echo("schema: the database matches schema.yaml")
            else:
                click.echo("schema: the database differs from schema.yaml:")
                click.echo(render_summary(st.plan).split("Downgrade:")[0], nl=False)
    if st.pending or st.in_sync is False:
        sys.exit(EXIT_FINDINGS)


@main.command("import")
@click.option("--schema", "schemas", multiple=True, help="Import only this schema (repeatable; default: every "
              "schema a user made).")
@click.option("--out", "-o", default=None, help="Where to write (default: the project's schema.yaml; - for "
              "standard output).")
@click.option("--force", is_flag=True, help="Replace an existing file.")
@click.option("--verify/--no-verify", default=True, help="Plan from the database to the result; an exact import "
              "plans nothing (default: on).")
@database_option
@dev_url_option
@quiet_option
@click.pass_context
@_guard
def import_(ctx: click.Context, schemas: tuple[str, ...], out: str | None, force: bool, verify: bool,
            database_url: str | None, dev_url: str | None, quiet: bool) -> None:
    """Write schema.yaml from a live database, so that finesse manages it from now on."""
    to_stdout = out == "-"
    result = api.import_database(_settings(ctx), database_url=database_url, schemas=schemas,
                                 out=None if out is None or to_stdout else Path(out), write=not to_stdout,
                                 force=force, verify=verify, dev_url=dev_url, progress=_progress(quiet))
    if to_stdout:
        click.echo(result.text, nl=False)
    else:
        click.echo(f"Wrote {_shown(result.path)} from {result.target.describe()} "
                   f"(schemas: {', '.join(result.schemas)})", err=to_stdout)
    report = lambda line: click.echo(line, err=to_stdout)  # noqa: E731
    if result.unsupported:
        report(f"warning: {len(result.unsupported)} thing(s) schema.yaml cannot express were left out:")
        for u in result.unsupported:
            report(f"  - {u}")
    for label in result.not_exact:
        report(f"warning: {label} does not read back exactly from the written YAML")
    if result.residual is not None and not result.residual.empty:
        report("warning: the import is not exact; planning against the database would still:")
        for c in result.residual.upgrade:
            report(f"  - {c.label}")
    elif result.residual is not None:
        report("Verified: planning schema.yaml against the database finds nothing to do.")
    if not result.exact:
        sys.exit(EXIT_FINDINGS)


@main.command()
@click.option("--message", "-m", default="baseline", help="The revision's message (default: baseline).")
@database_option
@dev_url_option
@quiet_option
@click.pass_context
@_guard
def baseline(ctx: click.Context, message: str, database_url: str | None, dev_url: str | None, quiet: bool) -> None:
    """Write revision 0001 that builds schema.yaml from nothing, and mark it applied on the database."""
    result = api.baseline(_settings(ctx), message=message, database_url=database_url, dev_url=dev_url,
                          progress=_progress(quiet))
    click.echo(f"Wrote {_shown(result.revision_path)} ({len(result.plan.upgrade)} statements) and recorded it as "
               f"applied on {result.target.describe()}")


@main.command()
@click.option("--format", "fmt", type=click.Choice(list(RENDERERS)), default="text",
              help="text (grouped by table), json, junit, sarif or markdown.")
@click.option("--fail-on", type=click.Choice(["info", "warning", "error"]), default=None,
              help="Exit 1 when a finding is at least this severe (default: [tool.finesse.check] fail_on, else error).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to this file instead of standard output.")
@click.option("--live", is_flag=True, help="Also check the live database's data, and run checks/*.sql.")
@database_option
@quiet_option
@click.pass_context
@_guard
def check(ctx: click.Context, fmt: str, fail_on: str | None, output: Path | None, live: bool,
          database_url: str | None, quiet: bool) -> None:
    """Audit schema.yaml against the integrity rules (finesse rules lists them); --live checks the data too."""
    report = api.check(_settings(ctx), live=live, database_url=database_url, progress=_progress(quiet))
    if fail_on:
        report = replace(report, fail_on=Severity.parse(fail_on))
    text = RENDERERS[fmt](report)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    if report.failed:
        sys.exit(EXIT_FINDINGS)


def _generated_report(result: api.Generated, what: str, command: str, check: bool) -> None:
    folder = _shown(result.folder)
    if check:
        if result.current:
            click.echo(f"{folder}/: the {what} is current")
        else:
            click.echo(f"{folder}/: the {what} is stale (run finesse {command}):")
            for line in result.stale:
                click.echo(f"  - {line}")
            sys.exit(EXIT_FINDINGS)
        return
    changed = len(result.written) + len(result.removed)
    click.echo(f"{folder}/: " + (f"wrote {len(result.written)} file(s)" + (
        f", removed {len(result.removed)}" if result.removed else "") if changed else f"the {what} was current"))


@main.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when generated/ is not what finesse docs would write.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A check report (finesse check --live --format json -o FILE): the diagrams mark the foreign keys "
                   "with orphan rows.")
@quiet_option
@click.pass_context
@_guard
def docs(ctx: click.Context, check: bool, report: Path | None, quiet: bool) -> None:
    """Write the ER documentation of schema.yaml into generated/: Mermaid diagrams, a page per table, DBML, HTML."""
    result = api.docs(_settings(ctx), report=report, check=check, progress=_progress(quiet))
    _generated_report(result, "documentation", "docs", check)


@main.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when generated/ is not what finesse generate "
                                            "would write.")
@quiet_option
@click.pass_context
@_guard
def generate(ctx: click.Context, check: bool, quiet: bool) -> None:
    """Write generated/schema.sql (the DDL of schema.yaml) and generated/models.py (SQLAlchemy 2 models)."""
    result = api.generate(_settings(ctx), check=check, progress=_progress(quiet))
    _generated_report(result, "generated code", "generate", check)


@main.command()
@click.option("--database/--no-database", "database", default=None,
              help="Compare the live database (default: on, unless --migrations or --generated is given alone).")
@click.option("--migrations", is_flag=True, help="Replay every revision into a scratch database and compare the "
                                                 "result with schema.yaml.")
@click.option("--generated", is_flag=True, help="Check that generated/ is what finesse docs and generate write.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The check report the documentation was written with (see finesse docs --report).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@database_option
@dev_url_option
@quiet_option
@click.pass_context
@_guard
def drift(ctx: click.Context, database: bool | None, migrations: bool, generated: bool, report: Path | None,
          fmt: str, database_url: str | None, dev_url: str | None, quiet: bool) -> None:
    """Tell whether the database, the migrations or generated/ have drifted from schema.yaml (exit 1 if so)."""
    if database is None:
        database = not (migrations or generated)
    if not (database or migrations or generated):
        raise api.InputError(api.Problem("nothing to compare", None, "--no-database",
                                         "add --migrations or --generated"))
    d = api.drift(_settings(ctx), database=database, migrations=migrations, generated=generated, report=report,
                  database_url=database_url, dev_url=dev_url, progress=_progress(quiet))
    if fmt == "json":
        click.echo(json.dumps(render_drift_json(d), indent=2, sort_keys=True))
    else:
        click.echo(render_drift_text(d), nl=False)
    if d.drifted:
        sys.exit(EXIT_FINDINGS)


@main.group()
def audit() -> None:
    """The audit trail ([tool.finesse.audit]): a row's or a table's history, and pruning it."""


@audit.command("history")
@click.argument("table")
@click.argument("row_id", required=False)
@click.option("--limit", default=50, show_default=True, help="Show at most this many entries, newest first.")
@click.option("--since", default=None, help="Only entries from this time on (e.g. 2026-01-31, or '2026-01-31 12:00+00').")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@database_option
@click.pass_context
@_guard
def audit_history(ctx: click.Context, table: str, row_id: str | None, limit: int, since: str | None, fmt: str,
                  database_url: str | None) -> None:
    """Show who changed what in TABLE (orders, or schema.table), or in the row of TABLE whose id is ROW_ID."""
    entries = api.audit_history(_settings(ctx), table=table, row_id=row_id, limit=limit, since=since,
                                database_url=database_url)
    if fmt == "json":
        click.echo(json.dumps([e.as_json() for e in entries], indent=2, sort_keys=True, default=str))
    else:
        subject = api.table_subject(table) + (f" {row_id}" if row_id else "")
        click.echo(render_history(entries, subject=subject, with_row=row_id is None), nl=False)


@audit.command("prune")
@click.option("--older-than", default=None, help="Delete entries older than this interval (default: [tool.finesse.audit] "
              "retention, else 1 year), e.g. '90 days'.")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
@database_option
@quiet_option
@click.pass_context
@_guard
def audit_prune(ctx: click.Context, older_than: str | None, dry_run: bool, database_url: str | None,
                quiet: bool) -> None:
    """Delete the audit entries older than the retention period."""
    n = api.audit_prune(_settings(ctx), older_than=older_than, dry_run=dry_run, database_url=database_url,
                        progress=_progress(quiet))
    click.echo(f"{'Would delete' if dry_run else 'Deleted'} {n} audit entr{'y' if n == 1 else 'ies'}")


@main.command("rules")
def rules_() -> None:
    """List the rules of finesse check: code, default severity, name and what it checks."""
    for r in api.rules():
        click.echo(f"{r.code}  {str(r.severity):7}  {r.name:30}  {r.summary}")
    for code, (name, severity, summary) in sorted(api.LIVE_RULES.items()):
        click.echo(f"{code}  {str(severity):7}  {name:30}  {summary} (--live)")


@main.command()
@click.argument("code")
@_guard
def explain(code: str) -> None:
    """Print a rule's documentation, with a bad and a good example."""
    r = api.explain(code)
    click.echo(f"{r.code} {r.name} (default severity {r.severity})\n\n{r.doc}")


@main.command("json-schema")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
def json_schema(output: Path | None) -> None:
    """Print the JSON Schema of schema.yaml (point your editor's YAML support at it)."""
    text = json.dumps(api.json_schema(), indent=2, sort_keys=True) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@main.command()
@click.pass_context
@_guard
def validate(ctx: click.Context) -> None:
    """Check schema.yaml without touching any database."""
    schema = api.load(_settings(ctx))
    click.echo(f"{schema.source}: {len(schema.tables)} table(s), {len(schema.enums)} enum(s): valid")


if __name__ == "__main__":  # pragma: no cover
    main()
