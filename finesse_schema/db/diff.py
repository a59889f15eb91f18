"""Schema differences, computed by migra. The only module that imports migra (and schemainspect).

migra is frozen upstream, so it is pinned exactly and everything finesse needs
from it passes through here:

* ``inspect_database`` reads one database (restricted to the managed schemas);
* ``diff_statements`` lists the SQL that takes one inspected schema to another;
* ``column_types`` exposes column types so a caller can judge type changes.

migra's statements are verified by the caller (apply, diff again, expect
nothing); this module never trusts them on its own.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import types
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def _resource_stream(module_name: str, resource: str) -> Any:
    """pkg_resources.resource_stream: a file beside the named module (package or not)."""
    module = importlib.import_module(module_name)
    return (Path(module.__file__ or "").parent / resource).open("rb")


def _import_migra() -> tuple[Any, Any, str]:
    """Import migra with a stand-in for pkg_resources.

    schemainspect imports pkg_resources for one function, resource_stream. The real
    module is gone from new setuptools, and where it exists importing it scans every
    installed distribution (most of a second). The stand-in is in sys.modules only
    while migra imports, so nothing else in the process ever sees it.
    """
    missing = "pkg_resources" not in sys.modules
    if missing:
        shim = types.ModuleType("pkg_resources")
        shim.resource_stream = _resource_stream  # type: ignore[attr-defined]
        sys.modules["pkg_resources"] = shim
    # schemainspect finds the caller of resource_text() with inspect.stack(), which reads the
    # source of every frame: over a second at import on a deep stack. Frames are all it uses.
    real_stack = inspect.stack
    inspect.stack = _frames_only  # type: ignore[assignment]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from migra import Migration
            from schemainspect import get_inspector
            from schemainspect.pg.obj import PROPS
    finally:
        inspect.stack = real_stack  # type: ignore[assignment]
        if missing:
            sys.modules.pop("pkg_resources", None)
    return Migration, get_inspector, PROPS


def _frames_only(context: int = 1) -> list[tuple[Any]]:
    """inspect.stack() without source lines: (frame,) for the caller and every frame above it."""
    out = []
    frame = sys._getframe(1)
    while frame is not None:
        out.append((frame,))
        frame = frame.f_back
    return out


Migration, get_inspector, PROPS = _import_migra()

from ..logic.compile import quote  # noqa: E402
from .connect import sa_engine  # noqa: E402

# Schemas finesse keeps its own bookkeeping in; never part of a diff.
INTERNAL_SCHEMAS = ("finesse",)


# Comments, which migra does not compare: (object kind, schema, name, column) -> text.
_COMMENTS_SQL = """
SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
            ELSE 'TABLE' END, n.nspname, c.relname, a.attname, d.description
  FROM pg_description d
  JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND (d.objsubid = 0 OR a.attname IS NOT NULL)
UNION ALL
SELECT 'TYPE', n.nspname, t.typname, NULL, d.description
  FROM pg_description d
  JOIN pg_type t ON d.classoid = 'pg_type'::regclass AND d.objoid = t.oid
  JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE t.typtype IN ('e', 'd')
"""

CommentKey = tuple[str, str, str, str | None]


@dataclass
class Inspection:
    """One database as migra sees it (plus its comments), limited to the schemas finesse manages."""

    inspected: Any
    schemas: tuple[str, ...]
    comments: dict[CommentKey, str]


def inspect_database(url: str, schemas: tuple[str, ...]) -> Inspection:
    keep = set(schemas) - set(INTERNAL_SCHEMAS)
    engine = sa_engine(url)
    try:
        with engine.connect() as conn:
            inspected = get_inspector(conn)
            comments = {(kind, schema, name, column): text
                        for kind, schema, name, column, text in conn.exec_driver_sql(_COMMENTS_SQL)
                        if schema in keep}
    finally:
        engine.dispose()
    for prop in PROPS.split():
        items = getattr(inspected, prop)
        setattr(inspected, prop, {k: v for k, v in items.items() if _schema_of(v) in keep})
    return Inspection(inspected, tuple(sorted(keep)), comments)


def _schema_of(obj: Any) -> str:
    return getattr(obj, "schema", None) or getattr(obj, "name", "")


def diff_statements(source: Inspection, target: Inspection) -> list[str]:
    """The statements that turn ``source`` into ``target``: migra's, then the comments migra misses."""
    migration = Migration(source.inspected, target.inspected)
    migration.set_safety(False)
    migration.add_all_changes(privileges=False)
    return [s.strip() for s in migration.statements if s and s.strip()] + comment_statements(source, target)


def _exists(target: Inspection, kind: str, schema: str, name: str, column: str | None) -> bool:
    i = target.inspected
    qualified = f"{quote(schema)}.{quote(name)}"
    if kind == "TYPE":
        return qualified in i.enums or qualified in getattr(i, "domains", {})
    rel = i.relations.get(qualified)
    return rel is not None and (column is None or column in rel.columns)


def comment_statements(source: Inspection, target: Inspection) -> list[str]:
    """COMMENT ON for every comment that differs, on objects present in ``target`` (sorted)."""
    out = []
    for key in sorted(set(source.comments) | set(target.comments), key=lambda k: tuple(x or "" for x in k)):
        old, new = source.comments.get(key), target.comments.get(key)
        kind, schema, name, column = key
        if old == new or not _exists(target, kind, schema, name, column):
            continue
        obj = f"{quote(schema)}.{quote(name)}" + (f".{quote(column)}" if column else "")
        text = "NULL" if new is None else "'" + new.replace("'", "''") + "'"
        out.append(f"comment on {'column' if column else kind.lower()} {obj} is {text};")
    return out


def column_types(inspection: Inspection) -> dict[tuple[str, str, str], str]:
    """(schema, table, column) -> the column's type as format_type() prints it."""
    out: dict[tuple[str, str, str], str] = {}
    for rel in inspection.inspected.relations.values():
        for col in rel.columns.values():
            out[(rel.schema, rel.name, col.name)] = col.dbtypestr
    return out


def enum_values(inspection: Inspection) -> dict[tuple[str, str], tuple[str, ...]]:
    return {(e.schema, e.name): tuple(e.elements) for e in inspection.inspected.enums.values()}
