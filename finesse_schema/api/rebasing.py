"""finesse rebase: this branch's revisions, made again on top of the other branch's after a merge."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import FinesseError, InputError, Problem, RefusedError
from ..db.git_history import other_side
from ..db.migrations import current_revision, downgrade, file_hash, recorded_hashes, upgrade
from ..db.offline import preview
from ..logic.config.settings import Settings
from ..logic.plan.branches import Branches, RevisionFile, read_revision_file, renumbered, split_branches
from ..logic.plan.render_revision import next_revision_id
from .planning import PlanResult, plan
from .schema_file import Progress, quiet
from .project import resolve_target, run_settings
from .revisions import write_revision, write_sum
from .running import rows_lost


@dataclass(frozen=True)
class Rebased:
    branches: Branches
    mine_from: str  # how this branch's revisions were told: named, or git's view of the other side
    reverted: tuple[str, ...]  # this branch's revisions taken off the database first
    applied: tuple[str, ...]  # the other branch's revisions applied, so that the plan starts from its head
    result: PlanResult | None  # the revision planned again (None: the merge leaves nothing to do)


def _files(versions: Path) -> list[RevisionFile]:
    out = []
    for path in sorted(versions.glob("*.py")):
        found = read_revision_file(path.name, path.read_text(encoding="utf-8"))
        if found is not None:
            out.append(found)
    return out


def _mine(versions: Path, files: list[RevisionFile], named: tuple[str, ...]) -> tuple[set[str], str]:
    if named:
        by_id: dict[str, list[str]] = {}
        for f in files:
            by_id.setdefault(f.id, []).append(f.name)
        names = set()
        for n in named:
            n = Path(n).name
            if n in {f.name for f in files}:
                names.add(n)
            elif len(by_id.get(n, [])) == 1:
                names.add(by_id[n][0])
            else:
                raise InputError(Problem(f"'{n}' names no single revision file" + (
                    f" ({' and '.join(by_id[n])} both have that id)" if n in by_id else ""), None, "FILE",
                    "name the file as it is in migrations/versions/"))
        return names, "named on the command line"
    side = other_side(versions)
    if side is None:
        raise InputError(Problem("cannot tell which revisions are this branch's: git shows no merge and no "
                                 "upstream", None, "", "name them: finesse rebase 0005_my_change.py"))
    described, theirs = side
    mine = {f.name for f in files} - theirs
    if not mine:
        raise FinesseError(f"nothing to rebase: every revision file is in {described}")
    return mine, f"the files {described} does not have"


def rebase(settings: Settings, *, mine: tuple[str, ...] = (), database_url: str | None = None,
           dev_url: str | None = None, allow_destructive: bool = False, progress: Progress = quiet) -> Rebased:
    """After a merge: take this branch's revisions off the project's database (refused where that drops rows,
    unless ``allow_destructive``), renumber them after the other branch's head, apply the other branch's
    revisions, and plan them again from there (schema.yaml holds both branches' changes), keeping their data
    sections. Each step leaves a folder Alembic can read, so a failure is resumed with finesse plan --replace."""
    versions = settings.migrations_path / "versions"
    files = _files(versions)
    names, told = _mine(versions, files, mine)
    branches = split_branches(files, names)
    progress(f"this branch: {', '.join(f.name for f in branches.mine)} ({told}); the other branch's head: "
             f"{branches.theirs[-1].id if branches.theirs else '(none)'}")
    target = resolve_target(settings, database_url)
    recorded = recorded_hashes(target.url) or {}
    applied = [f for f in branches.mine if recorded.get(f.id) == file_hash(versions / f.name)]
    reverted: tuple[str, ...] = ()
    if applied:
        reverted = _take_off(settings, target.url, branches, allow_destructive, progress)
    head = branches.theirs[-1].id if branches.theirs else None
    ids = [f.id for f in branches.theirs]
    down = head
    for f in branches.mine:  # renumbered after the other branch's head, written before the old file goes
        new_id = next_revision_id(ids)
        ids.append(new_id)
        old = versions / f.name
        text = renumbered(old.read_text(encoding="utf-8"), f, new_id, down)
        new = versions / (new_id + f.name[len(f.id):] if f.name.startswith(f.id) else f"{new_id}_{f.name}")
        write_revision(new, text)
        if new != old:
            old.unlink()
        down = new_id
    write_sum(settings.migrations_path)
    before = current_revision(target.url)
    done = tuple(upgrade(target.url, settings.migrations_path, head, settings=run_settings(settings, None, None),
                         progress=progress)) if head and before != head else ()
    progress(f"planning this branch's change again on top of {head or 'the first revision'}")
    result = plan(settings, database_url=database_url, dev_url=dev_url, replace_pending=True,
                  allow_destructive=allow_destructive, progress=progress)
    return Rebased(branches, told, reverted, done, result if result.revision_path else None)


def _take_off(settings: Settings, url: str, branches: Branches, allow_destructive: bool,
              progress: Progress) -> tuple[str, ...]:
    """Revert this branch's revisions on the database, to the fork, with a folder that holds only the line
    through them (Alembic cannot read the merged folder: two revisions follow the fork)."""
    versions = settings.migrations_path / "versions"
    with tempfile.TemporaryDirectory(prefix="finesse-rebase-") as tmp:
        line = Path(tmp) / "versions"
        line.mkdir()
        trunk_end = next((i for i, f in enumerate(branches.theirs) if f.id == branches.fork), -1)
        for f in [*branches.theirs[:trunk_end + 1], *branches.mine]:
            shutil.copy2(versions / f.name, line / f.name)
        chain = [f.id for f in reversed(branches.mine)]
        if not allow_destructive:
            held = rows_lost(url, preview(Path(tmp), chain, "down"))
            if held:
                raise RefusedError("rebase takes this branch's revisions off the database first, and that drops "
                                   "rows (pass --allow-destructive, or name another database with "
                                   "--database-url):", held)
        progress(f"taking {', '.join(chain)} off the database, back to {branches.fork or 'the first revision'}")
        return tuple(downgrade(url, Path(tmp), branches.fork or "base", settings=run_settings(settings, None, None),
                               progress=progress))
