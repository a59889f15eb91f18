"""Errors a user can cause, each pointing at where it came from.

A :class:`Problem` reads like
``schema.yaml:42:7 tables.orders.columns.total: unknown type 'decimel' (did you mean 'decimal'?)``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file; ``line`` and ``column`` count from 1."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return self.file


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's input."""

    message: str
    location: Location | None = None
    path: str = ""
    hint: str = ""

    def __str__(self) -> str:
        head = " ".join(p for p in (str(self.location) if self.location else "", self.path) if p)
        text = f"{head}: {self.message}" if head else self.message
        return f"{text} ({self.hint})" if self.hint else text


class FinesseError(Exception):
    """Base class of every error finesse reports to a user without a traceback."""

    exit_code = 2


class InputError(FinesseError):
    """The user's input (schema.yaml, configuration, options) is wrong; nothing was changed."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...] | Problem | str):
        if isinstance(problems, str):
            problems = Problem(problems)
        if isinstance(problems, Problem):
            problems = (problems,)
        self.problems: tuple[Problem, ...] = tuple(sorted(
            problems, key=lambda p: (p.location or Location(""), p.path, p.message)))
        super().__init__("\n".join(str(p) for p in self.problems))


class DatabaseError(FinesseError):
    """A database could not be reached or refused a statement; nothing was changed."""


class RefusedError(FinesseError):
    """finesse refuses to do something unsafe (destructive plan, plan that does not converge)."""

    exit_code = 3

    def __init__(self, message: str, details: tuple[str, ...] = ()):
        self.details = details
        super().__init__(message if not details else message + "\n" + "\n".join(f"  {d}" for d in details))
