"""generated/: the documentation (finesse docs) and the DDL and models (finesse generate) of schema.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.errors import InputError, Location, Problem
from ..core.model import Schema
from ..logic.config.settings import Settings
from ..logic.docs.generated import HEADER_RE, Sources, docs_files, generate_files
from ..logic.docs.relations import orphans_from_report
from .schema_file import display, load, Progress, quiet, write_atomically

DOCS_OWNED = ("README.md", "index.html", "schema.dbml", "diagrams/", "tables/")
GENERATE_OWNED = ("models.py", "schema.sql")


@dataclass(frozen=True)
class Generated:
    """What finesse docs or generate wrote (or, checking, found stale) in ``folder``."""

    folder: Path
    written: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()  # with check: "<path>: <why>"

    @property
    def current(self) -> bool:
        return not self.stale


def _mermaid_js() -> str:
    from importlib.resources import files

    return files("finesse_schema").joinpath("assets", "mermaid-11.4.1.min.js").read_text(encoding="utf-8")


def _sources(settings: Settings, schema: Schema, report: Path | None) -> tuple[Sources, dict | None]:
    if report is None:
        return Sources(schema.source, schema.source_hash), None
    try:
        text = report.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(Problem(f"cannot read the check report: {exc.strerror}", Location(str(report)), "--report",
                                 "write one with finesse check --live --format json -o FILE")) from None
    name = display(report, settings)
    return Sources(schema.source, schema.source_hash, name, text), orphans_from_report(text, name)


def docs_texts(settings: Settings, *, report: Path | None = None) -> dict[str, str]:
    """The files finesse docs writes, by path relative to generated/."""
    schema = load(settings)
    sources, orphans = _sources(settings, schema, report)
    title = settings.title or f"{settings.project_dir.name}: the database schema"
    return docs_files(schema, settings.check, sources, mermaid_js=_mermaid_js(), orphans=orphans, title=title)


def generate_texts(settings: Settings) -> dict[str, str]:
    """The files finesse generate writes, by path relative to generated/."""
    schema = load(settings)
    return generate_files(schema, Sources(schema.source, schema.source_hash))


def _stale(folder: Path, files: dict[str, str], owned: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(what differs or is missing, generated files of ours that ``files`` no longer has)."""
    stale = [f"{path}: missing" if not (folder / path).is_file() else f"{path}: out of date"
             for path, text in files.items()
             if not (folder / path).is_file() or (folder / path).read_text(encoding="utf-8") != text]
    extra = []
    for prefix in (o for o in owned if o.endswith("/")):
        for f in sorted((folder / prefix).glob("*")) if (folder / prefix).is_dir() else ():
            rel = f"{prefix}{f.name}"
            if rel not in files and f.is_file() and HEADER_RE.search(f.read_text(encoding="utf-8", errors="replace")[:400]):
                extra.append(rel)
    return stale, extra


def write_generated(folder: Path, files: dict[str, str], owned: tuple[str, ...], *, check: bool) -> Generated:
    """Write ``files`` into ``folder`` (each atomically) and remove the generated files of ``owned`` folders
    they no longer include; with ``check``, write nothing and say what is stale."""
    stale, extra = _stale(folder, files, owned)
    if check:
        return Generated(folder, stale=tuple(stale + [f"{e}: no longer generated" for e in extra]))
    written = []
    for path, text in files.items():
        target = folder / path
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            continue
        write_atomically(target, text)
        written.append(path)
    for e in extra:
        (folder / e).unlink()
    return Generated(folder, tuple(written), tuple(extra))


def docs(settings: Settings, *, report: Path | None = None, check: bool = False, progress: Progress = quiet) -> Generated:
    """The ER documentation of schema.yaml in generated/ (Mermaid diagrams, a Markdown page per table, DBML,
    one HTML page); ``report`` (finesse check --live --format json) marks orphans. ``check``: write nothing,
    say what is stale."""
    progress(f"{'checking' if check else 'writing'} the documentation in {display(settings.generated_dir, settings)}/")
    return write_generated(settings.generated_dir, docs_texts(settings, report=report), DOCS_OWNED, check=check)


def generate(settings: Settings, *, check: bool = False, progress: Progress = quiet) -> Generated:
    """generated/schema.sql (the DDL of schema.yaml) and generated/models.py (SQLAlchemy models)."""
    progress(f"{'checking' if check else 'writing'} schema.sql and models.py in "
             f"{display(settings.generated_dir, settings)}/")
    return write_generated(settings.generated_dir, generate_texts(settings), GENERATE_OWNED, check=check)
