"""Integrity: check, audit, rules, explain."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import click

from .. import api
from ..core.findings import Severity

from .output import say
from .common import EXIT_FINDINGS, database_option, guard, progress_reporter, quiet_option, settings_of

# the report formats of logic/check/render_findings.py (imported when a check runs, not for --help;
# tests/test_cli.py keeps the two the same)
FORMATS = ("text", "json", "junit", "sarif", "markdown")


@click.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
              help="text (grouped by table), json, junit, sarif or markdown.")
@click.option("--fail-on", type=click.Choice(["info", "warning", "error"]), default=None,
              help="Exit 1 when a finding is at least this severe (default: [tool.finesse.check] fail_on, else error).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to this file instead of standard output.")
@click.option("--live", is_flag=True, help="Also check the live database's data, and run checks/*.sql.")
@database_option
@quiet_option
@click.pass_context
@guard
def check(ctx: click.Context, fmt: str, fail_on: str | None, output: Path | None, live: bool,
          database_url: str | None, quiet: bool) -> None:
    """Audit schema.yaml against the integrity rules (finesse rules lists them); --live checks the data too."""
    report = api.check(settings_of(ctx), live=live, database_url=database_url, progress=progress_reporter(quiet))
    if fail_on:
        report = replace(report, fail_on=Severity.parse(fail_on))
    from ..logic.check.render_findings import RENDERERS

    text = RENDERERS[fmt](report)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    if report.failed:
        sys.exit(EXIT_FINDINGS)

@click.group()
def audit() -> None:
    """The audit trail ([tool.finesse.audit]): a row's or a table's history, and pruning it."""

@audit.command("history")
@click.argument("table")
@click.argument("row_id", required=False)
@click.option("--limit", default=50, show_default=True, help="Show at most this many entries, newest first.")
@click.option("--since", default=None,
              help="Only entries from this time on (e.g. 2026-01-31, or '2026-01-31 12:00+00').")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@database_option
@click.pass_context
@guard
def audit_history(ctx: click.Context, table: str, row_id: str | None, limit: int, since: str | None, fmt: str,
                  database_url: str | None) -> None:
    """Show who changed what in TABLE (orders, or schema.table), or in the row of TABLE whose id is ROW_ID."""
    entries = api.audit_history(settings_of(ctx), table=table, row_id=row_id, limit=limit, since=since,
                                database_url=database_url)
    if fmt == "json":
        click.echo(json.dumps([e.as_json() for e in entries], indent=2, sort_keys=True, default=str))
    else:
        subject = api.table_subject(table) + (f" {row_id}" if row_id else "")
        from ..logic.check.render_audit import render_history

        click.echo(render_history(entries, subject=subject, with_row=row_id is None), nl=False)

@audit.command("prune")
@click.option("--older-than", default=None,
              help="Delete entries older than this interval (default: [tool.finesse.audit] "
              "retention, else 1 year), e.g. '90 days'.")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
@database_option
@quiet_option
@click.pass_context
@guard
def audit_prune(ctx: click.Context, older_than: str | None, dry_run: bool, database_url: str | None,
                quiet: bool) -> None:
    """Delete the audit entries older than the retention period."""
    n = api.audit_prune(settings_of(ctx), older_than=older_than, dry_run=dry_run, database_url=database_url,
                        progress=progress_reporter(quiet))
    say(f"{'Would delete' if dry_run else 'Deleted'} {n} audit entr{'y' if n == 1 else 'ies'}")

@click.command("rules")
def rules_() -> None:
    """List the rules of finesse check: code, default severity, name and what it checks."""
    for r in api.rules():
        say(f"{r.code}  {str(r.severity):7}  {r.name:30}  {r.summary}")
    for code, (name, severity, summary) in sorted(api.LIVE_RULES.items()):
        say(f"{code}  {str(severity):7}  {name:30}  {summary} (--live)")

@click.command()
@click.argument("code")
@guard
def explain(code: str) -> None:
    """Print a rule's documentation, with a bad and a good example."""
    r = api.explain(code)
    say(f"{r.code} {r.name} (default severity {r.severity})\n\n{r.doc}")


@click.command()
@click.option("--after", required=True, help="The database to compare with: a copy migrated by the plan, staging.")
@click.option("--before", default=None, help="The database as it is (default: the project's, as --env or "
                                             "--database-url choose it).")
@click.option("--control", default=None, help="A second copy of the before database for the A/A spread (default: "
                                              "the before database timed twice).")
@click.option("--file", "file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The named queries (default: [tool.finesse.workload] file, workload.sql).")
@click.option("--after-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The same queries as the after schema asks them (default: the same file).")
@click.option("--runs", type=click.IntRange(min=1), default=None, help="Measurements per query (default 15).")
@click.option("--max-slower", type=click.FloatRange(min=1.0), default=None,
              help="Fail when a query is slower than this times its A/A spread (default 1.25).")
@click.option("--search-path", default=None,
              help='The application\'s search_path on both databases, e.g. "legacy, public" (default: '
                   '[tool.finesse.workload] search_path, else public).')
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@database_option
@quiet_option
@click.pass_context
@guard
def workload(ctx: click.Context, after: str, before: str | None, control: str | None, file: Path | None,
             after_file: Path | None, runs: int | None, max_slower: float | None, search_path: str | None,
             fmt: str, database_url: str | None, quiet: bool) -> None:
    """Time the project's named queries server-side on two databases, compare their answers, and exit 1 when
    one is slower beyond the noise or answers differently."""
    from ..logic.check.workload import workload_table

    verdict = api.workload(settings_of(ctx), after=after, before=before or database_url, control=control,
                           file=file, after_file=after_file, runs=runs, max_slower=max_slower,
                           search_path=search_path, progress=progress_reporter(quiet))
    if fmt == "json":
        click.echo(json.dumps({"passed": verdict.passed, "geometric_mean": round(verdict.geometric_mean, 3),
                               "queries": [{"name": t.name, "before_ms": t.before_ms, "after_ms": t.after_ms,
                                            "ratio": t.ratio, "aa_spread": t.spread, "answer": t.answer}
                                           for t in verdict.timings]}, indent=2, sort_keys=True))
    else:
        say(workload_table(verdict), nl=False)
    if not verdict.passed:
        sys.exit(EXIT_FINDINGS)
