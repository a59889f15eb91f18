"""``migrations/finesse.sum``: the sha256 of every revision file as finesse last wrote or accepted it.

As atlas.sum does, its first line sums the lines below it, so two branches that each add a revision both
change that line and git makes their merge a conflict instead of a silent second head. A file whose hash
differs from its line was edited by hand since: a warning while the revision is pending (``finesse hash``
accepts the edit, as for a data section), an error once a database has applied it (the database records
the hash it ran; see api/revisions.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

HEADER = "# finesse.sum: the sha256 of each revision file. Written by finesse plan, baseline and hash; do not edit."


def render_sum(hashes: dict[str, str]) -> str:
    """The file's text for ``hashes`` (file name -> "sha256:..."), in name order."""
    lines = [f"{name} {digest}" for name, digest in sorted(hashes.items())]
    total = "sha256:" + hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return "\n".join([HEADER, f"total {total}", *lines]) + "\n"


def parse_sum(text: str) -> dict[str, str]:
    """File name -> hash; lines that are not ``name sha256:...`` are ignored (the header, the total)."""
    out = {}
    for line in text.splitlines():
        name, _, digest = line.strip().partition(" ")
        if name and name != "total" and not name.startswith("#") and digest.startswith("sha256:"):
            out[name] = digest
    return out


@dataclass(frozen=True)
class SumChanges:
    edited: tuple[str, ...] = ()  # file names whose hash differs from their line
    unlisted: tuple[str, ...] = ()  # files the sum does not name (written by hand, or by another branch)
    missing: tuple[str, ...] = ()  # lines whose file is gone

    def __bool__(self) -> bool:
        return bool(self.edited or self.unlisted or self.missing)


def compare_sum(recorded: dict[str, str], current: dict[str, str]) -> SumChanges:
    return SumChanges(tuple(sorted(n for n in current if n in recorded and recorded[n] != current[n])),
                      tuple(sorted(n for n in current if n not in recorded)),
                      tuple(sorted(n for n in recorded if n not in current)))
