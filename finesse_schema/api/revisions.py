"""The revision files as written: finesse.sum kept with them, and checked by every command that reads them."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import InputError, Location, Problem
from ..db.migrations import Revision, file_hash, list_revisions, recorded_hashes
from ..logic.config.settings import Settings
from ..logic.plan.revision_sum import compare_sum, parse_sum, render_sum
from .schema_file import Progress, quiet, require_project, write_atomically

SUM_NAME = "finesse.sum"


def revision_hashes(migrations: Path) -> dict[str, str]:
    """File name -> sha256 of each revision file there is now."""
    return {p.name: file_hash(p) for p in sorted((migrations / "versions").glob("*.py"))}


def write_sum(migrations: Path) -> Path:
    """Write finesse.sum for the revision files there are now (after finesse writes or removes one)."""
    path = migrations / SUM_NAME
    write_atomically(path, render_sum(revision_hashes(migrations)))
    return path


def write_revision(path: Path, text: str) -> None:
    """Write a revision atomically (a reader never sees half a file), and finesse.sum with it."""
    write_atomically(path, text)
    write_sum(path.parent.parent)


def applied_edits(revisions: list[Revision], recorded: dict[str, str] | None,
                  now: dict[str, str]) -> list[tuple[str, str, Revision | None]]:
    """(revision, the hash it ran as, its file or None when gone) for each revision the database applied whose
    file differs from what ran; ``now``: file name -> hash, as :func:`revision_hashes` gives."""
    files = {r.id: r for r in revisions}
    return [(rev, ran, files.get(rev)) for rev, ran in sorted((recorded or {}).items())
            if rev not in files or now.get(files[rev].path.name) != ran]


def check_revisions(settings: Settings, url: str | None = None, progress: Progress = quiet) -> None:
    """An applied revision whose file changed since the database ran it is an error (with the way out); a
    pending one edited since finesse wrote it, or a file finesse.sum does not list, a warning."""
    migrations = settings.migrations_path
    revisions = list_revisions(migrations)
    now = revision_hashes(migrations)
    problems = []
    for rev, ran, r in applied_edits(revisions, recorded_hashes(url) if url is not None else None, now):
        if r is not None:  # a file gone is Alembic's error ("Can't locate revision"), said where it is read
            problems.append(Problem(f"revision {rev} was edited after it was applied to this database (it ran as "
                                    f"{ran[:19]}..., the file is now {now[r.path.name][:19]}...)",
                                    Location(str(r.path)), "",
                                    "restore the file as it ran (git checkout) and make the change as a new "
                                    "revision; if the edit is meant, finesse stamp with the database's revision "
                                    "proves that the database is what the edited revisions build, and records them"))
    if problems:
        raise InputError(problems)
    sum_path = migrations / SUM_NAME
    if not sum_path.exists():
        return
    changes = compare_sum(parse_sum(sum_path.read_text(encoding="utf-8")), now)
    for name in changes.edited:
        progress(f"warning: {name} changed since finesse wrote it ({SUM_NAME}); finesse hash accepts the edit")
    for name in changes.unlisted:
        progress(f"warning: {name} is not in {SUM_NAME} (written by hand, or merged from another branch); "
                 "finesse hash accepts it")
    for name in changes.missing:
        progress(f"warning: {name} is in {SUM_NAME} but gone from {migrations.name}/versions; finesse hash "
                 "accepts that")


def hash_revisions(settings: Settings) -> Path:
    """Accept the revision files as they are now (hand edits of pending ones, a merge): rewrite finesse.sum."""
    require_project(settings)
    list_revisions(settings.migrations_path)  # unreadable migrations or duplicate ids: an error, not a sum
    return write_sum(settings.migrations_path)


def new_revision(settings: Settings, message: str) -> tuple[str, Path]:
    """Write an empty revision on top of the head, for a change of data only: its data section is where the
    statements go (upgrade and downgrade). Nothing is planned and no database is read."""
    from ..core.plan import Plan
    from ..logic.plan.render_revision import next_revision_id, render_revision, slugify
    from .schema_file import load

    if not message.strip():
        raise InputError(Problem("a data-only revision needs a message (-m) that says what it changes"))
    schema = load(settings)
    ids = [r.id for r in list_revisions(settings.migrations_path)]
    rev_id = next_revision_id(ids)
    path = settings.migrations_path / "versions" / f"{rev_id}_{slugify(message)}.py"
    text = render_revision(Plan((), (), schema.source_hash), revision=rev_id, down_revision=ids[-1] if ids else None,
                           message=message, source=schema.source)
    write_revision(path, text)
    return rev_id, path
