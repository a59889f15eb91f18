"""What every command shares: exit codes, progress, the error guard, the options most commands take."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import click

from .. import api, interrupts
from ..core.errors import FinesseError
from ..core.plan import PlanRefused
from ..logic.plan.render_summary import render_summary

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_REFUSED = 0, 1, 2, 3


def progress_reporter(quiet: bool) -> Callable[[str], None]:
    def report(message: str) -> None:
        if not quiet:
            click.echo(f"... {message}", err=True)
    return report


def shown(path: Path | None) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    if path is None:
        return ""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def settings_of(ctx: click.Context) -> api.Settings:
    return ctx.obj["settings"]


def fail(exc: FinesseError) -> None:
    if interrupts.received():  # the error is what an interrupt left (a connection attempt cut short)
        raise KeyboardInterrupt
    click.echo(f"error: {exc}" if exc.exit_code != EXIT_REFUSED else f"refused: {exc}", err=True)
    sys.exit(exc.exit_code)


def guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn FinesseError into its message and exit code; a user never sees a traceback for their mistake (an
    interrupt goes on to :mod:`finesse_schema.entry`, which reports it)."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except PlanRefused as exc:
            click.echo(render_summary(exc.plan), nl=False)
            fail(exc)
        except FinesseError as exc:
            fail(exc)
        except KeyboardInterrupt:
            raise interrupts.Interrupted from None
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
    click.option("--wait", is_flag=True, help="Wait as long as it takes for another run's migration lock (default: "
                                               "30 s, then name the session that holds it)."),
]


def with_options(options: list[Callable]) -> Callable:
    def deco(fn: Callable) -> Callable:
        for opt in reversed(options):
            fn = opt(fn)
        return fn
    return deco


