"""Planning: plan, baseline, and the stairway test of the revisions."""

from __future__ import annotations

import json

import click

from .. import api
from ..logic.plan.render_summary import render_sql, render_summary

from .output import say
from .common import database_option, dev_url_option, guard, progress_reporter, quiet_option, settings_of, shown


@click.command()
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
@guard
def plan(ctx: click.Context, message: str, allow_destructive: bool, dry_run: bool, show_sql: bool,
         online: bool | None, split: bool, replace_pending: bool, fmt: str, database_url: str | None,
         dev_url: str | None, quiet: bool) -> None:
    """Plan, verify and write the revision that takes the database to schema.yaml."""
    mode = api.OnlineMode.AUTO if online is None else api.OnlineMode.ON if online else api.OnlineMode.OFF
    result = api.plan(settings_of(ctx), message=message, database_url=database_url, dev_url=dev_url,
                      allow_destructive=allow_destructive, dry_run=dry_run, online=mode, split=split,
                      replace_pending=replace_pending, progress=progress_reporter(quiet))
    results = [result] + ([result.contract] if result.contract else [])
    if fmt == "json":
        from ..logic.check.audit import Report
        from ..logic.check.render_findings import render_json

        click.echo(json.dumps({"empty": result.plan.empty, "revisions": [{
            "written": r.written, "online": r.plan.online,
            "revision": shown(r.revision_path) if r.revision_path else None,
            "upgrade": [{"label": c.label, "destructive": c.destructive, "sql": c.sql} for c in r.plan.upgrade],
            "downgrade": [{"label": c.label, "sql": c.sql} for c in r.plan.downgrade],
            "findings": json.loads(render_json(Report(r.plan.findings, ())))["findings"]} for r in results]},
            indent=2, sort_keys=True))
        return
    for r in results:
        if len(results) > 1:
            say(f"== {r.revision_id}: {'expand' if r is result else 'contract'}")
        say(render_summary(r.plan), nl=False)
        if r.plan.empty:
            return
        if show_sql:
            say("\n-- upgrade\n" + render_sql(r.plan.upgrade), nl=False)
        say(f"{'Wrote' if r.written else 'Dry run: would write'} {shown(r.revision_path)}")

@click.command()
@click.option("--message", "-m", default="baseline", help="The revision's message (default: baseline).")
@database_option
@dev_url_option
@quiet_option
@click.pass_context
@guard
def baseline(ctx: click.Context, message: str, database_url: str | None, dev_url: str | None, quiet: bool) -> None:
    """Write revision 0001 that builds schema.yaml from nothing, and mark it applied on the database."""
    result = api.baseline(settings_of(ctx), message=message, database_url=database_url, dev_url=dev_url,
                          progress=progress_reporter(quiet))
    say(f"Wrote {shown(result.revision_path)} ({len(result.plan.upgrade)} statements) and recorded it as "
               f"applied on {result.target.describe()}")

@click.command("test")
@database_option
@dev_url_option
@quiet_option
@click.pass_context
@guard
def test_cmd(ctx: click.Context, database_url: str | None, dev_url: str | None, quiet: bool) -> None:
    """Run every revision up, down and up again in a scratch database (the stairway); exit 1 on a problem."""
    stairs = api.test_migrations(settings_of(ctx), database_url=database_url, dev_url=dev_url,
                                 progress=progress_reporter(quiet))
    for s in stairs:
        say(f"{s.revision} {s.message}: {'ok' if s.ok else 'FAILED'} (up, down, up again; "
                   f"{s.seeded} rows seeded)")
        for p in s.problems:
            say(f"  - {p}")
    if not stairs:
        say("No revisions to test.")
    if any(not s.ok for s in stairs):
        ctx.exit(1)


@click.command()
@click.argument("mine", nargs=-1)
@click.option("--allow-destructive", is_flag=True,
              help="Take this branch's revisions off the database even where that drops rows; write a plan "
                   "that drops or narrows data.")
@database_option
@dev_url_option
@quiet_option
@click.pass_context
@guard
def rebase(ctx: click.Context, mine: tuple[str, ...], allow_destructive: bool, database_url: str | None,
           dev_url: str | None, quiet: bool) -> None:
    """After merging another branch: plan this branch's revisions again on top of the other's head, keeping
    their data sections. MINE names this branch's revision files (default: what git's merge or upstream does
    not have). The project's database is brought to the other branch's head on the way."""
    done = api.rebase(settings_of(ctx), mine=mine, database_url=database_url, dev_url=dev_url,
                      allow_destructive=allow_destructive, progress=progress_reporter(quiet))
    if done.reverted:
        say(f"Took {', '.join(done.reverted)} off the database")
    if done.applied:
        say(f"Applied the other branch's {', '.join(done.applied)}")
    if done.result is None:
        say("The merge leaves nothing to plan: schema.yaml's change is in the other branch's revisions "
                   "already. This branch's revisions stay pending as renumbered: delete them, or keep their data "
                   "sections (finesse new).")
        return
    say(render_summary(done.result.plan), nl=False)
    say(f"Wrote {shown(done.result.revision_path)} on top of "
               f"{done.branches.theirs[-1].id if done.branches.theirs else 'nothing'}; review it, then finesse apply")
