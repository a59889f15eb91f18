"""The project's files: import, docs, generate, json-schema, validate."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import api

from .output import say
from .common import (EXIT_FINDINGS, database_option, dev_url_option, fail, guard, progress_reporter, quiet_option,
                     settings_of, shown)


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--title", default=None, help="The project's title (in the documentation; default: the folder's name).")
def init(folder: Path, title: str | None) -> None:
    """Start a finesse project in FOLDER (default: here): the [tool.finesse] table, schema.yaml, migrations/ with
    Alembic's env.py, alembic.ini, .finesse/ in .gitignore. Files already there are kept as they are."""
    try:
        started = api.init_project(folder, title=title)
    except api.FinesseError as exc:
        fail(exc)
    for path in started.written:
        say(f"wrote {shown(path)}")
    for path in started.kept:
        say(f"kept {shown(path)} (already there)")
    if not started.written:
        say("Already a finesse project: nothing to write.")
    elif not any(path.name.endswith((".yaml", ".yml")) for path in started.kept):
        say("Next: describe the database in schema.yaml (or finesse import --force from a live one), then "
               'finesse plan -m "first tables" and finesse apply.')


@click.command("import")
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
@guard
def import_(ctx: click.Context, schemas: tuple[str, ...], out: str | None, force: bool, verify: bool,
            database_url: str | None, dev_url: str | None, quiet: bool) -> None:
    """Write schema.yaml from a live database, so that finesse manages it from now on."""
    to_stdout = out == "-"
    result = api.import_database(settings_of(ctx), database_url=database_url, schemas=schemas,
                                 out=None if out is None or to_stdout else Path(out), write=not to_stdout,
                                 force=force, verify=verify, dev_url=dev_url, progress=progress_reporter(quiet))
    if to_stdout:
        click.echo(result.text, nl=False)
    else:
        say(f"Wrote {shown(result.path)} from {result.target.describe()} "
                   f"(schemas: {', '.join(result.schemas)})", err=to_stdout)
    report = lambda line: say(line, err=to_stdout)  # noqa: E731
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

def generated_report(result: api.Generated, what: str, command: str, check: bool) -> None:
    folder = shown(result.folder)
    if check:
        if result.current:
            say(f"{folder}/: the {what} is current")
        else:
            say(f"{folder}/: the {what} is stale (run finesse {command}):")
            for line in result.stale:
                say(f"  - {line}")
            sys.exit(EXIT_FINDINGS)
        return
    changed = len(result.written) + len(result.removed)
    say(f"{folder}/: " + (f"wrote {len(result.written)} file(s)" + (
        f", removed {len(result.removed)}" if result.removed else "") if changed else f"the {what} was current"))

@click.command()
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 when generated/ is not what finesse docs would write.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A check report (finesse check --live --format json -o FILE): the diagrams mark the foreign keys "
                   "with orphan rows.")
@quiet_option
@click.pass_context
@guard
def docs(ctx: click.Context, check: bool, report: Path | None, quiet: bool) -> None:
    """Write the ER documentation of schema.yaml into generated/: Mermaid diagrams, a page per table, DBML, HTML."""
    result = api.docs(settings_of(ctx), report=report, check=check, progress=progress_reporter(quiet))
    generated_report(result, "documentation", "docs", check)

@click.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when generated/ is not what finesse generate "
                                            "would write.")
@quiet_option
@click.pass_context
@guard
def generate(ctx: click.Context, check: bool, quiet: bool) -> None:
    """Write generated/schema.sql (the DDL of schema.yaml) and generated/models.py (SQLAlchemy 2 models)."""
    result = api.generate(settings_of(ctx), check=check, progress=progress_reporter(quiet))
    generated_report(result, "generated code", "generate", check)

@click.command("json-schema")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
def json_schema(output: Path | None) -> None:
    """Print the JSON Schema of schema.yaml (point your editor's YAML support at it)."""
    text = api.schema_json_text()
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)

@click.command()
@click.pass_context
@guard
def validate(ctx: click.Context) -> None:
    """Check schema.yaml without touching any database."""
    schema = api.load(settings_of(ctx), progress_reporter(False))
    say(f"{schema.source}: {len(schema.tables)} table(s), {len(schema.enums)} enum(s): valid")


@click.group()
def server() -> None:
    """The embedded PostgreSQL under .finesse/ (used where no database is configured): whether it runs, and
    stopping it (it keeps running between commands so that they start at once)."""


@server.command(name="status")
@click.pass_context
@guard
def server_status(ctx: click.Context) -> None:
    """Say whether the embedded server of this project runs, and where."""
    folder, pid = api.embedded_server(settings_of(ctx.find_root()))
    say(f"embedded server in {shown(folder)}: " + (f"running (pid {pid})" if pid else "not running"))


@server.command(name="stop")
@click.pass_context
@guard
def server_stop(ctx: click.Context) -> None:
    """Stop the embedded server of this project; its data stays, and the next command starts it again."""
    folder, pid = api.embedded_server(settings_of(ctx.find_root()), stop=True)
    say(f"embedded server in {shown(folder)}: " + (f"still running (pid {pid})" if pid else "stopped"))
