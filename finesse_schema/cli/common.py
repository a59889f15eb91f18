"""What every command shares: exit codes, progress, the error guard, the options most commands take."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import click

from .. import __version__, api, interrupts
from ..core.errors import FinesseError
from ..core.plan import PlanRefused
from ..logic.plan.render_summary import render_summary
from .output import Progress, finish_progress, say

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_REFUSED, EXIT_BUG = 0, 1, 2, 3, 4


def progress_reporter(quiet: bool) -> Callable[[str], None]:
    return Progress(quiet)


def shown(path: Path | None) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    if path is None:
        return ""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def settings_of(ctx: click.Context) -> api.Settings:
    if ctx.obj.get("env_error") is not None:  # --env names no environment of the project
        fail(ctx.obj["env_error"])
    return ctx.obj["settings"]


def crashed(exc: BaseException) -> int:
    """A bug in finesse: one line for the user, the traceback in a file they can attach to a report
    (``FINESSE_DEBUG=1`` shows it instead)."""
    import os
    import tempfile
    import traceback

    if os.environ.get("FINESSE_DEBUG"):
        raise exc
    detail = "".join(traceback.format_exception(exc))
    try:
        fd, where = tempfile.mkstemp(prefix="finesse-crash-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(f"finesse {__version__}: {' '.join(sys.argv)}\n\n{detail}")
        report = f"the details are in {where}; please attach that file to a bug report"
    except OSError:
        report = "set FINESSE_DEBUG=1 to see the details"
    say(f"internal error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": "),
               err=True)
    click.echo(f"  This is a bug in finesse, not in your input; {report}.", err=True)
    return EXIT_BUG


def fail(exc: FinesseError) -> None:
    if interrupts.received():  # the error is what an interrupt left (a connection attempt cut short)
        raise KeyboardInterrupt
    finish_progress()
    say(f"error: {exc}" if exc.exit_code != EXIT_REFUSED else f"refused: {exc}", err=True)
    sys.exit(exc.exit_code)


def guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn FinesseError into its message and exit code; a user never sees a traceback for their mistake (an
    interrupt goes on to :mod:`finesse_schema.entry`, which reports it)."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = fn(*args, **kwargs)
            finish_progress()
            return result
        except PlanRefused as exc:
            say(render_summary(exc.plan), nl=False)
            fail(exc)
        except FinesseError as exc:
            fail(exc)
        except KeyboardInterrupt:
            raise interrupts.Interrupted from None
    wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
    return wrapper


def choose_env(ctx: click.Context, _param: click.Parameter, name: str | None) -> None:
    """--env NAME, before or after the command's name: the settings of [tool.finesse.env.NAME] from then on."""
    if name is None:
        return
    root = ctx.find_root()
    try:
        root.obj["settings"] = api.select_env(root.obj["settings"], name)
    except FinesseError as exc:
        fail(exc)


env_option = click.option("--env", "env", default=None, expose_value=False, callback=choose_env,
                          help="Use the database of [tool.finesse.env.NAME] (its URL, dev_url and timeouts).")
_url_option = click.option("--database-url", envvar=None, default=None,
                           help="Live database URL (default: --env, then [tool.finesse], then "
                                "$FINESSE_DATABASE_URL; the embedded server under .finesse/ only where no "
                                "database is configured at all).")


def database_option(fn: Callable) -> Callable:
    return env_option(_url_option(fn))


dev_url_option = click.option("--dev-url", default=None,
                              help="Server for scratch databases (default: the target server, else embedded).")
quiet_option = click.option("--quiet", "-q", is_flag=True, help="Do not report progress on stderr.")
timeout_options = [
    click.option("--lock-timeout", default=None, help="lock_timeout for each statement (default 5s)."),
    click.option("--statement-timeout", default=None, help="statement_timeout (default 15min)."),
    click.option("--wait", is_flag=True, help="Wait as long as it takes for another run's migration lock (default: "
                                               "30 s, then name the session that holds it)."),
]


def with_options(options: list[Callable]) -> Callable:
    def deco(fn: Callable) -> Callable:
        for opt in reversed(options):
            fn = opt(fn)
        return fn
    return deco


