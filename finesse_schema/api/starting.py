"""Starting a project (finesse init) and running its revisions under plain Alembic (its env.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.errors import FinesseError
from ..db.migrations import AlembicRun, RunSettings, alembic_environment as _alembic_environment
from ..logic.config.project_files import (ENV_PY, GITIGNORE_LINE, SCHEMA_JSON, STARTER_SCHEMA, alembic_ini,
                                          pyproject_table)
from ..logic.config.settings import Settings, select_env
from .schema_file import display, find_settings, Progress, write_atomically
from .project import resolve_target, run_settings, schema_json_text
from .revisions import check_revisions
from .running import apply_script


@dataclass(frozen=True)
class Started:
    written: tuple[Path, ...]  # files made or extended, in the order written
    kept: tuple[Path, ...]  # files that were there already and were left as they are


def init_project(folder: Path, *, title: str | None = None) -> Started:
    """Make ``folder`` a finesse project: the [tool.finesse] table in pyproject.toml, schema.yaml (with its
    JSON Schema for editors), migrations/ with Alembic's env.py, alembic.ini, and .finesse/ in .gitignore.
    Nothing that exists is overwritten: a file already there is kept, so init also completes an older
    project (one without env.py and alembic.ini)."""
    folder = folder.resolve()
    if folder.exists() and not folder.is_dir():
        raise FinesseError(f"{folder} is a file, not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    kept: list[Path] = []
    pyproject = folder / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8") if pyproject.exists() else ""
    if "[tool.finesse]" in text:
        kept.append(pyproject)
    else:
        table = pyproject_table(title or f"{folder.name}: the database")
        write_atomically(pyproject, (text.rstrip() + "\n\n" if text.strip() else "") + table)
        written.append(pyproject)
    settings = find_settings(folder)
    migrations = settings.migrations_path
    files = [(settings.schema_path, STARTER_SCHEMA), (settings.schema_path.parent / SCHEMA_JSON, schema_json_text()),
             (migrations / "env.py", ENV_PY), (folder / "alembic.ini", alembic_ini(display(migrations, settings)))]
    for path, content in files:
        if path.exists():
            kept.append(path)
        else:
            write_atomically(path, content)
            written.append(path)
    (migrations / "versions").mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    lines = ignore.read_text(encoding="utf-8").splitlines() if ignore.exists() else []
    if GITIGNORE_LINE in lines or GITIGNORE_LINE.rstrip("/") in lines:
        kept.append(ignore)
    else:
        write_atomically(ignore, "\n".join([*lines, GITIGNORE_LINE]) + "\n")
        written.append(ignore)
    return Started(tuple(written), tuple(kept))


def _settings(run: AlembicRun) -> Settings:
    settings = find_settings(run.project_dir)
    return select_env(settings, run.options["env"]) if run.options.get("env") else settings


def _resolve(run: AlembicRun, progress: Progress) -> tuple[str, RunSettings] | str:
    settings = _settings(run)
    lock, statement = run.options.get("lock_timeout"), run.options.get("statement_timeout")
    if run.offline:
        destination = run.destination or ("head" if run.direction == "up" else "base")
        return apply_script(settings, target_revision=destination, start=run.start or "base",
                            direction=run.direction, lock_timeout=lock, statement_timeout=statement)
    target = resolve_target(settings, run.options.get("url") or run.configured_url)
    check_revisions(settings, target.url, progress)
    progress(f"database: {target.describe()}")
    return target.url, run_settings(settings, lock, statement)


def alembic_environment(context: object) -> None:
    """What a finesse project's env.py runs: Alembic's command on the database finesse would use, as
    finesse apply runs it (see :func:`finesse_schema.db.migrations.alembic_environment`)."""
    _alembic_environment(context, _resolve)
