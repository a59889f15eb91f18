"""Running revisions and watching the database: apply, down, status, drift."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .. import api
from ..logic.plan.render_drift import render_drift_json, render_drift_text
from ..logic.plan.render_summary import render_summary

from .output import say
from .common import (EXIT_FINDINGS, database_option, dev_url_option, guard, progress_reporter, quiet_option,
                     settings_of, shown, timeout_options, with_options)


def _echo_previews(previews: list, verb: str) -> None:  # type: ignore[type-arg]
    if not previews:
        say(f"Nothing to {verb}.")
    for p in previews:
        say(f"-- revision {p.revision}: {p.message}")
        for sql in p.statements:
            click.echo(sql if sql.endswith(";") else sql + ";")
        if p.note:
            say(f"-- ... {p.note}")
        say("")


script_options = [
    click.option("--sql", is_flag=True, help="Write the SQL script instead of running it (as alembic --sql does), "
                                             "for review or for a DBA to run with psql."),
    click.option("--from", "start", default=None, metavar="REV",
                 help="With --sql: the revision the database is at (base: none), so that no database is read.")]


def _echo_script(ctx: click.Context, sql: bool, start: str | None, database_url: str | None, target: str,
                 direction: str, lock_timeout: str | None, statement_timeout: str | None) -> None:
    if not sql:
        raise api.InputError(api.Problem("--from only goes with --sql", None, "--from",
                                         f"finesse {'apply' if direction == 'up' else 'down'} --sql --from REV"))
    click.echo(api.apply_script(settings_of(ctx), database_url=database_url, target_revision=target, start=start,
                                direction=direction, lock_timeout=lock_timeout,
                                statement_timeout=statement_timeout), nl=False)


@click.command()
@click.option("--to", "target_revision", default="head", help="Revision to stop at (default: head).")
@click.option("--dry-run", is_flag=True, help="List the pending revisions with the SQL they would run; run nothing.")
@with_options(script_options)
@database_option
@quiet_option
@with_options(timeout_options)
@click.pass_context
@guard
def apply(ctx: click.Context, target_revision: str, dry_run: bool, sql: bool, start: str | None,
          database_url: str | None, quiet: bool, lock_timeout: str | None, statement_timeout: str | None,
          wait: bool) -> None:
    """Apply pending revisions, each in its own transaction, under an advisory lock."""
    if sql or start is not None:
        _echo_script(ctx, sql, start, database_url, target_revision, "up", lock_timeout, statement_timeout)
        return
    if dry_run:
        _echo_previews(api.preview_apply(settings_of(ctx), database_url=database_url,
                                         target_revision=target_revision), "apply")
        return
    done = api.apply(settings_of(ctx), database_url=database_url, target_revision=target_revision,
                     lock_timeout=lock_timeout, statement_timeout=statement_timeout, wait=wait,
                     progress=progress_reporter(quiet))
    say(f"Applied {len(done)} revision(s)" + (f": {', '.join(done)}" if done else "; already up to date"))

@click.command()
@click.option("--to", "target_revision", default="-1",
              help="Revision to go back to (default: the previous one; also base, or -N).")
@click.option("--dry-run", is_flag=True, help="List the revisions to revert with the SQL they would run; run nothing.")
@click.option("--allow-destructive", is_flag=True,
              help="Revert even where the downgrade drops tables or columns that hold rows.")
@with_options(script_options)
@database_option
@quiet_option
@with_options(timeout_options)
@click.pass_context
@guard
def down(ctx: click.Context, target_revision: str, dry_run: bool, allow_destructive: bool, sql: bool,
         start: str | None, database_url: str | None, quiet: bool, lock_timeout: str | None,
         statement_timeout: str | None, wait: bool) -> None:
    """Revert the last applied revision (refused where it would drop rows, unless --allow-destructive)."""
    if sql or start is not None:
        _echo_script(ctx, sql, start, database_url, target_revision, "down", lock_timeout, statement_timeout)
        return
    if dry_run:
        _echo_previews(api.preview_apply(settings_of(ctx), database_url=database_url,
                                         target_revision=target_revision, direction="down"), "revert")
        return
    done = api.down(settings_of(ctx), database_url=database_url, target_revision=target_revision,
                    lock_timeout=lock_timeout, statement_timeout=statement_timeout, wait=wait,
                    allow_destructive=allow_destructive, progress=progress_reporter(quiet))
    say(f"Reverted {len(done)} revision(s): {', '.join(done)}")


@click.command(name="hash")
@click.pass_context
@guard
def hash_(ctx: click.Context) -> None:
    """Accept the revision files as they are now (a hand-edited data section, a merge): rewrite finesse.sum,
    against which every command that reads migrations checks them."""
    path = api.hash_revisions(settings_of(ctx))
    say(f"Wrote {shown(path)}")


@click.command()
@click.option("-m", "--message", required=True, help="What the data change does (the revision's name).")
@click.pass_context
@guard
def new(ctx: click.Context, message: str) -> None:
    """Write an empty revision on top of the head for a change of data only (plan writes none when
    schema.yaml does not change): fill in data_upgrade() and data_downgrade(), then apply."""
    rev, path = api.new_revision(settings_of(ctx), message)
    say(f"Wrote {shown(path)} ({rev}): write its data section, then finesse apply")


@click.command()
@click.argument("revision")
@database_option
@dev_url_option
@quiet_option
@click.pass_context
@guard
def stamp(ctx: click.Context, revision: str, database_url: str | None, dev_url: str | None, quiet: bool) -> None:
    """Mark a database finesse does not manage yet as being at REVISION, once proven: the revisions up to it,
    replayed in a scratch database, must build exactly its schema (else the difference, and nothing recorded)."""
    rev = api.stamp_revision(settings_of(ctx), revision, database_url=database_url, dev_url=dev_url,
                             progress=progress_reporter(quiet))
    say(f"Recorded {rev} as applied: the database's schema is what the revisions up to {rev} build.")

@click.command()
@click.option("--compare/--no-compare", default=True, help="Also compare the database with schema.yaml.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@database_option
@dev_url_option
@quiet_option
@click.pass_context
@guard
def status(ctx: click.Context, compare: bool, fmt: str, database_url: str | None, dev_url: str | None,
           quiet: bool) -> None:
    """Show the current and pending revisions and whether the database matches schema.yaml."""
    st = api.status(settings_of(ctx), database_url=database_url, dev_url=dev_url, compare=compare,
                    progress=progress_reporter(quiet))
    if fmt == "json":
        click.echo(json.dumps({
            "database": st.target.describe(), "current": st.current, "head": st.head, "pending": list(st.pending),
            "in_sync": st.in_sync,
            "differences": [c.label for c in st.plan.upgrade] if st.plan else None}, indent=2, sort_keys=True))
    else:
        say(f"database: {st.target.describe()}")
        say(f"current revision: {st.current or '(none)'}; head: {st.head or '(none)'}")
        say(f"pending: {', '.join(st.pending) if st.pending else 'none'}")
        if st.plan is not None:
            if st.plan.empty:
                say("schema: the database matches schema.yaml")
            else:
                say("schema: the database differs from schema.yaml:")
                say(render_summary(st.plan).split("Downgrade:")[0], nl=False)
    if st.pending or st.in_sync is False:
        sys.exit(EXIT_FINDINGS)

@click.command()
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
@guard
def drift(ctx: click.Context, database: bool | None, migrations: bool, generated: bool, report: Path | None,
          fmt: str, database_url: str | None, dev_url: str | None, quiet: bool) -> None:
    """Tell whether the database, the migrations or generated/ have drifted from schema.yaml (exit 1 if so)."""
    if database is None:
        database = not (migrations or generated)
    if not (database or migrations or generated):
        raise api.InputError(api.Problem("nothing to compare", None, "--no-database",
                                         "add --migrations or --generated"))
    d = api.drift(settings_of(ctx), database=database, migrations=migrations, generated=generated, report=report,
                  database_url=database_url, dev_url=dev_url, progress=progress_reporter(quiet))
    if fmt == "json":
        click.echo(json.dumps(render_drift_json(d), indent=2, sort_keys=True))
    else:
        say(render_drift_text(d), nl=False)
    if d.drifted:
        sys.exit(EXIT_FINDINGS)
