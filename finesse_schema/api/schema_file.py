"""The project's files without a database: its settings and its schema.yaml (what validate needs, so that
it starts without loading a database library)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..core.collector import collector_paused
from ..core.errors import InputError, Location, Problem
from ..core.model import Schema
from ..logic.config.settings import Settings, read_settings
from ..logic.plan.lint import LINT_RULES
from ..logic.schema.load import load_schema_text

Progress = Callable[[str], None]


def quiet(_: str) -> None:
    pass


def find_settings(start: Path | None = None) -> Settings:
    """Settings of the project containing ``start`` (the nearest pyproject.toml upwards), else defaults there."""
    start = (start or Path.cwd()).resolve()
    for d in (start, *start.parents):
        py = d / "pyproject.toml"
        if py.is_file():
            return read_settings(py.read_text(encoding="utf-8"), d, str(py))
    return read_settings(None, start)


def load(settings: Settings, progress: Progress = quiet) -> Schema:
    """Read and validate schema.yaml (an empty one is a warning: a plan from it drops everything)."""
    return schema_from_text(*read_schema_file(settings, progress))


def read_schema_file(settings: Settings, progress: Progress = quiet) -> tuple[str, str]:
    """schema.yaml's text and the name errors give it (an empty one is a warning)."""
    require_project(settings)
    path = settings.schema_path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(Problem(f"no schema file at {path}", Location(str(path)),
                                 hint="create schema.yaml, or set schema = ... under [tool.finesse]")) from None
    except UnicodeDecodeError as exc:
        raise InputError(Problem(f"schema file is not UTF-8: {exc}", Location(str(path)))) from None
    if not any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines()):
        progress(f"warning: {display(path, settings)} is empty: it describes no table, so a plan from it drops "
                 "everything the database has (refused as destructive unless --allow-destructive)")
    return text, display(path, settings)


def schema_from_text(text: str, file: str = "schema.yaml") -> Schema:
    """schema.yaml's text to the validated model (a suppression may name any lint code there is)."""
    with collector_paused():
        return load_schema_text(text, file, lint_codes=tuple(r.code for r in LINT_RULES))


def display(path: Path, settings: Settings) -> str:
    try:
        return str(path.relative_to(settings.project_dir))
    except ValueError:
        return str(path)


def require_project(settings: Settings) -> None:
    """Refuse to work outside a project (no schema.yaml and no migrations/): nothing is created there, no
    embedded server started, and a CI job run in the wrong folder fails instead of passing."""
    if settings.schema_path.exists() or settings.migrations_path.exists():
        return
    raise InputError(Problem(f"not a finesse project: no {display(settings.schema_path, settings)} and no "
                             f"{display(settings.migrations_path, settings)}/ in {settings.project_dir}",
                             Location(str(settings.project_dir)),
                             hint="run it in the project's folder or pass --project; start a project with "
                                  "finesse import --database-url URL, or by writing schema.yaml"))


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` through a temporary file beside ``path``: a reader, or a run cut short, never sees half
    a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
