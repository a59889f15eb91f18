"""Revisions from two branches in one folder, as a merge leaves them, and how finesse rebase untangles them.

A merge brings the other branch's revisions beside this branch's: both start after the same revision (the
fork), and often with the same id (each branch wrote 0005). Told which files are this branch's, the rest must
be one line from the first revision; this branch's must be one line that starts at a revision of that line.
Rebasing renumbers this branch's revisions after the other's head (the plan is then made again from there,
keeping their data sections).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...core.errors import InputError, Problem

_REVISION = re.compile(r'^revision\s*(?::\s*str\s*)?=\s*["\']([^"\']+)["\']', re.M)
_DOWN = re.compile(r'^down_revision\s*(?::\s*[\w |\[\],]+)?=\s*(None|["\']([^"\']+)["\'])', re.M)


def declared_revision(text: str) -> tuple[str, int] | None:
    """(the id a revision file declares, the line it is on), or None for a file that declares none."""
    found = _REVISION.search(text)
    return (found.group(1), text[:found.start()].count("\n") + 1) if found else None


@dataclass(frozen=True)
class RevisionFile:
    name: str  # the file's name in versions/
    id: str
    down: str | None
    message: str  # the docstring's first line


def read_revision_file(name: str, text: str) -> RevisionFile | None:
    """The ids a revision file declares (None for a file that is not a revision)."""
    rev, down = _REVISION.search(text), _DOWN.search(text)
    if rev is None or down is None:
        return None
    doc = re.match(r'\s*(?:"""|\'\'\')\s*(.*)', text)
    return RevisionFile(name, rev.group(1), down.group(2), doc.group(1).strip() if doc else "")


@dataclass(frozen=True)
class Branches:
    theirs: tuple[RevisionFile, ...]  # the line from the first revision to the other branch's head
    mine: tuple[RevisionFile, ...]  # this branch's revisions, in order
    fork: str | None  # the revision both start after (None: the first one)


def _line(files: list[RevisionFile], start: str | None, what: str) -> tuple[RevisionFile, ...]:
    """``files`` in order as one line starting after ``start``; InputError where they fork or break."""
    by_down: dict[str | None, list[RevisionFile]] = {}
    for f in files:
        by_down.setdefault(f.down, []).append(f)
    out, at = [], start
    while by_down.get(at):
        nxt = by_down.pop(at)
        if len(nxt) > 1:
            raise InputError(Problem(f"{what} fork after {at or 'the first revision'}: "
                                     f"{', '.join(f.name for f in nxt)}", None, "",
                                     "name every revision file of this branch: finesse rebase FILE..."))
        out.append(nxt[0])
        at = nxt[0].id
    rest = [f.name for group in by_down.values() for f in group]
    if rest:
        raise InputError(Problem(f"{what} do not form one line: {', '.join(sorted(rest))} follow no revision of it",
                                 None, "", "name every revision file of this branch: finesse rebase FILE..."))
    return tuple(out)


def split_branches(files: list[RevisionFile], mine: set[str]) -> Branches:
    """The other branch's line and this branch's (the files named in ``mine``)."""
    unknown = mine - {f.name for f in files}
    if unknown:
        raise InputError(Problem(f"no revision file {', '.join(sorted(unknown))} in versions/", None, "",
                                 "name the files as they are in migrations/versions/"))
    theirs = _line([f for f in files if f.name not in mine], None, "the other branch's revisions")
    ours = [f for f in files if f.name in mine]
    starts = {f.down for f in ours} - {f.id for f in ours}
    if len(starts) != 1:
        raise InputError(Problem(f"this branch's revisions ({', '.join(sorted(mine))}) do not start at one "
                                 "revision", None, "", "name every revision file of this branch, in one line"))
    fork = starts.pop()
    if fork is not None and fork not in {f.id for f in theirs}:
        raise InputError(Problem(f"this branch's revisions start after {fork}, which the other branch's line "
                                 "does not have", None, "", "fetch the missing revisions first"))
    return Branches(theirs, _line(ours, fork, "this branch's revisions"), fork)


def renumbered(text: str, old: RevisionFile, new_id: str, new_down: str | None) -> str:
    """A revision file's text with its id and the one it revises changed (the code and the docstring)."""
    down = "None" if new_down is None else f'"{new_down}"'
    text = _REVISION.sub(f'revision = "{new_id}"', text, count=1)
    text = _DOWN.sub(f"down_revision = {down}", text, count=1)
    text = re.sub(rf"^Revision ID: {re.escape(old.id)}$", f"Revision ID: {new_id}", text, count=1, flags=re.M)
    return re.sub(r"^Revises: .*$", f"Revises: {new_down or '(none)'}", text, count=1, flags=re.M)
