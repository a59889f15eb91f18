"""What a person reads: colour on a terminal, plain text anywhere else; progress with each long step's time.

Colour comes from rich, the one module that imports it, and only when the stream is a terminal: piped
output, files, CI logs, ``NO_COLOR`` (https://no-color.org) and ``TERM=dumb`` get the plain text, byte for
byte (``FORCE_COLOR`` asks for colour where there is no terminal). rich is imported only then, so a
command whose output goes to a pipe does not pay for it. Machine output (JSON, SQL, YAML) never goes
through here.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Callable

import click

# a line's start -> its style (the first that matches)
_STYLES = (("  + ", "green"), ("  - ", "red"), ("  ~ ", "yellow"), ("error:", "bold red"), ("refused:", "bold red"),
           ("internal error:", "bold red"), ("warning:", "yellow"), ("Verified:", "green"), ("... ", "dim"),
           ("Upgrade:", "bold"), ("Downgrade:", "bold"), ("Lint:", "bold"), ("Note:", "cyan"))
LONG_STEP_SECONDS = 1.0  # a step that took longer is reported with its time when the next begins


def colour(err: bool = False) -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = sys.stderr if err else sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def say(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Write ``text`` for a person: each line styled by how it starts, on a terminal only. What a command
    says ends the step under way (its time comes first)."""
    finish_progress()
    _write(text, err, nl)


def _write(text: str, err: bool, nl: bool) -> None:
    if not colour(err):
        click.echo(text, err=err, nl=nl)
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=sys.stderr if err else sys.stdout, force_terminal=True, highlight=False, soft_wrap=True)
    lines = text.split("\n")
    for i, line in enumerate(lines):
        last = i == len(lines) - 1
        if last and not line:
            break
        styled = Text(line, style=next((style for start, style in _STYLES if line.startswith(start)), ""))
        if "[destructive]" in line:
            styled.highlight_words(["[destructive]"], style="bold red")
        console.print(styled, end="\n" if not last or nl else "")


class Progress:
    """Reports each step as it begins (``... what``) and, when the next one begins or the command ends, the
    time of a step that took longer than a second. Warnings are not progress: ``quiet`` keeps them."""

    def __init__(self, quiet: bool, clock: Callable[[], float] = time.monotonic) -> None:
        self.quiet, self.clock = quiet, clock
        self.step: str | None = None
        self.started = clock()
        _open.append(self)

    def __call__(self, message: str) -> None:
        if message.startswith("warning:"):
            _write(message, True, True)
            return
        self.finish()
        if not self.quiet:
            _write(f"... {message}", True, True)
            self.step, self.started = message, self.clock()

    def finish(self) -> None:
        """Say how long the step under way took, if it was a long one."""
        if self.step is not None and not self.quiet:
            took = self.clock() - self.started
            if took >= LONG_STEP_SECONDS:
                _write(f"... {took:.1f}s: {self.step}", True, True)
        self.step = None


_open: list[Progress] = []


def finish_progress() -> None:
    """The command is done: each reporter says how long its last step took."""
    while _open:
        _open.pop().finish()
