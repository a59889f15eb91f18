"""What git knows of the revision files: which came from the other branch of a merge (finesse rebase).

The one module that runs git. A merge in progress has MERGE_HEAD; a merge made has a second parent; a
branch pulled without a merge (rebased, cherry-picked) has its upstream. The revision files that side's tree
does not hold are this branch's.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def other_side(versions: Path) -> tuple[str, set[str]] | None:
    """(which ref, the revision file names its tree has in ``versions``), or None where git cannot tell (no
    repository, no merge, no upstream)."""
    if not versions.is_dir():
        return None
    prefix = _git(versions, "rev-parse", "--show-prefix")
    if prefix is None:
        return None
    for ref, described in (("MERGE_HEAD", "the branch being merged (MERGE_HEAD)"),
                           ("HEAD^2", "the branch merged by the last commit (HEAD^2)"),
                           ("@{upstream}", "the upstream branch")):
        if _git(versions, "rev-parse", "-q", "--verify", f"{ref}^{{commit}}") is None:
            continue
        listed = _git(versions, "ls-tree", "--name-only", ref, "--", ".")
        if listed is not None:
            return described, {Path(line).name for line in listed.splitlines() if line.endswith(".py")}
    return None
