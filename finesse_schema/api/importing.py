"""Reading a live database into schema.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.errors import FinesseError, InputError, Problem
from ..core.plan import Plan
from ..db.catalog import read_catalog, user_schemas
from ..db.migra import INTERNAL_SCHEMAS
from ..db.planner import plan_changes
from ..logic.compile.compiler import compile_schema
from ..logic.config.project_files import LANGUAGE_SERVER_LINE, SCHEMA_JSON
from ..logic.config.settings import Settings
from ..logic.importing.from_catalog import Unsupported, import_schema
from ..logic.importing.import_yaml import schema_yaml
from ..logic.schema.load import load_schema_text
from .schema_file import display, Progress, quiet, write_atomically
from .project import resolve_target, schema_json_text, scratch_server, Target


@dataclass(frozen=True)
class ImportResult:
    text: str
    target: Target
    schemas: tuple[str, ...]
    unsupported: tuple[Unsupported, ...]  # objects schema.yaml cannot express, left out
    not_exact: tuple[str, ...]  # objects whose YAML reads back differently (a finesse bug if ever non-empty)
    residual: Plan | None  # the plan from the database to the written YAML, when verified (empty when exact)
    path: Path | None
    written: bool

    @property
    def exact(self) -> bool:
        return not self.not_exact and (self.residual is None or self.residual.empty)


def import_database(settings: Settings, *, database_url: str | None = None, schemas: tuple[str, ...] = (),
                    out: Path | None = None, write: bool = True, force: bool = False, verify: bool = True,
                    dev_url: str | None = None, progress: Progress = quiet) -> ImportResult:
    """Read a live database into schema.yaml text; write it to ``out`` (default: the project's schema.yaml).

    With ``verify``, plan from the database to the written YAML: an exact import plans nothing.
    An existing file is never overwritten without ``force``."""
    path = out or settings.schema_path
    if write and path.exists() and not force:
        raise FinesseError(f"{display(path, settings)} exists; pass --force to replace it, or --out another file")
    target = resolve_target(settings, database_url, starting=True)
    progress(f"importing {target.describe()}")
    present = user_schemas(target.url, exclude=INTERNAL_SCHEMAS)
    unknown = [s for s in schemas if s not in present]
    if unknown:
        raise InputError(Problem(f"the database has no schema {', '.join(repr(s) for s in unknown)}", None,
                                 "--schema", f"it has: {', '.join(present) or '(none)'}"))
    wanted = tuple(schemas) or present
    rows = read_catalog(target.url, wanted, progress)
    progress(f"read {sum(1 for r in rows['relations'] if r['kind'] in ('r', 'p'))} tables, "
             f"{len(rows['indexes'])} indexes, {len(rows['functions'])} functions")
    model, unsupported = import_schema(rows)
    header = f"{LANGUAGE_SERVER_LINE[2:]}\n\n" + (
              f"Written by finesse import (schemas: {', '.join(wanted)}).\n"
              "This file is now the source of truth: edit it, then run finesse plan.")
    text, not_exact = schema_yaml(model, header=header, progress=progress)
    residual = None
    if verify and not not_exact:
        loaded = load_schema_text(text, display(path, settings))
        residual = plan_changes(target.url, scratch_server(settings, target, dev_url), compile_schema(loaded),
                                loaded.schemas, schema_hash=loaded.source_hash, verify=False, progress=progress)
    if write:
        write_atomically(path, text)
        editor_schema = path.parent / SCHEMA_JSON  # what the yaml-language-server line points at
        if not editor_schema.exists():
            editor_schema.write_text(schema_json_text(), encoding="utf-8")
    return ImportResult(text, target, tuple(wanted), tuple(unsupported), tuple(not_exact), residual,
                        path if write else None, write)
