"""The ``finesse`` command: options parsed, a call into :mod:`finesse_schema.api`, a renderer, an exit code.
The only package that imports click.

Exit codes (stable): 0 nothing to report, 1 findings or drift, 2 usage or input
error, 3 refused as unsafe, 4 a bug in finesse (the
traceback is written to a file it names).
"""

from __future__ import annotations

from pathlib import Path

import click

from .. import __version__, api
from ..core.errors import FinesseError
from . import check_commands, plan_commands, project_commands, run_commands
from .common import EXIT_OK, crashed, fail

HELP = """Schema-as-code for PostgreSQL.

Describe the database in schema.yaml; finesse plans the migration that takes your live database there,
proves it up and down on a copy, writes it as a reviewed Alembic revision, and applies it safely.

\b
Start:   finesse init (a new project), finesse import (an existing database)
Change:  finesse plan -m "what changes", review, then finesse apply
Watch:   finesse status, finesse drift (for CI), finesse check (integrity rules)

Exit codes: 0 nothing to report, 1 findings or drift, 2 usage or input error, 3 refused as unsafe, 4 a bug in finesse
(a report file names it)."""


@click.group(help=HELP)
@click.version_option(__version__, prog_name="finesse")
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Project directory (default: the nearest folder with a pyproject.toml).")
@click.option("--env", "env", default=None,
              help="Use the database of [tool.finesse.env.NAME] (also accepted after the command's name).")
@click.pass_context
def main(ctx: click.Context, project: Path | None, env: str | None) -> None:
    try:
        ctx.obj = {"settings": api.find_settings(project), "env": env}
    except FinesseError as exc:
        fail(exc)
    if env is not None:
        try:
            ctx.obj["settings"] = api.select_env(ctx.obj["settings"], env)
        except FinesseError as exc:  # told when the command reads the settings: --project may come after it
            ctx.obj["env_error"] = exc



for command in (plan_commands.plan, plan_commands.rebase, plan_commands.baseline, plan_commands.test_cmd,
                run_commands.apply,
                run_commands.down, run_commands.stamp, run_commands.hash_, run_commands.new, run_commands.status,
                run_commands.drift, project_commands.init, project_commands.server, project_commands.import_,
                project_commands.docs,
                project_commands.generate, project_commands.json_schema,
                project_commands.validate, check_commands.check, check_commands.audit, check_commands.rules_,
                check_commands.explain, check_commands.workload):
    main.add_command(command)


def _project_after(ctx: click.Context, _param: click.Parameter, project: Path | None) -> None:
    """--project given after the command's name: the settings of that project (eager, so that --env, which
    reads them, comes after)."""
    if project is None:
        return
    root = ctx.find_root()
    try:
        root.obj["settings"] = api.find_settings(project)
        root.obj.pop("env_error", None)
        if root.obj.get("env") is not None:  # --env before the command's name holds, in this project
            root.obj["settings"] = api.select_env(root.obj["settings"], root.obj["env"])
    except FinesseError as exc:
        fail(exc)


def _accept_project_after(command: click.Command) -> None:
    """--project after the command's name, and -q on every command (those with no progress to silence take
    it too, so that a script can pass it to any)."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _accept_project_after(sub)
        return
    if not any(p.name == "project" for p in command.params):
        command.params.append(click.Option(["--project"], type=click.Path(file_okay=False, path_type=Path),
                                           expose_value=False, is_eager=True, callback=_project_after,
                                           help="Project directory (also accepted before the command's name)."))
    if not any(p.name == "quiet" for p in command.params):
        command.params.append(click.Option(["--quiet", "-q"], is_flag=True, expose_value=False,
                                           help="Accepted for every command; this one reports no progress."))


for command in main.commands.values():
    _accept_project_after(command)


def run_cli(argv: list[str] | None = None) -> int:
    """Run ``finesse`` with ``argv``; return the exit code (see :mod:`finesse_schema.entry`)."""
    try:
        result = main.main(args=argv, prog_name="finesse", standalone_mode=False)
    except click.exceptions.Abort:
        raise KeyboardInterrupt from None
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # noqa: BLE001 - a bug: one line and a report file, never a traceback
        return crashed(exc)
    return result if isinstance(result, int) else EXIT_OK

