"""pg_dump --schema-only: copy a live schema into a scratch database, and compare schemas textually.

pg_dump must be at least as new as the server; the newest suitable binary among
the embedded server's, the Debian/RPM layouts and PATH is used.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from functools import lru_cache
from typing import Iterator

from ..core.errors import DatabaseError
from .connect import connect, libpq_arguments, mask_secrets, mask_url, server_major
from ..logic.sql.expressions import canonical_query
from ..logic.sql.quoting import number_options, sql_literal
from .embedded import embedded_bin_dir


def _version(binary: str) -> int:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False).stdout
    m = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(m.group(1)) if m else 0


@lru_cache(maxsize=None)
def _candidates() -> tuple[tuple[int, str], ...]:
    found: set[str] = set()
    bundled = embedded_bin_dir()
    if bundled:
        found.add(str(bundled / "pg_dump"))
    found.update(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))
    found.update(glob.glob("/usr/pgsql-*/bin/pg_dump"))
    on_path = shutil.which("pg_dump")
    if on_path:
        found.add(on_path)
    return tuple(sorted((_version(b), b) for b in found if os.access(b, os.X_OK)))


def pg_dump_for(major: int) -> str:
    """The pg_dump binary closest to (and not older than) server version ``major``."""
    fits = [(v, b) for v, b in _candidates() if v >= major]
    if not fits:
        have = ", ".join(f"{b} ({v})" for v, b in _candidates()) or "none"
        raise DatabaseError(f"no pg_dump of version {major} or newer found (have: {have}); "
                            "install the PostgreSQL client of the server's version")
    return min(fits)[1]


@lru_cache(maxsize=None)
def pg_dump_version(major: int) -> str:
    """The pg_dump used for a server of version ``major``, with its full version (what it writes depends on it)."""
    binary = pg_dump_for(major)
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return f"{binary}: {out}"


def dump_schema(url: str, exclude_schemas: tuple[str, ...] = (), only_schemas: tuple[str, ...] = (),
                privileges: bool = False) -> str:
    """The schema-only SQL dump of the database at ``url`` (no owners; no privileges unless ``privileges``)."""
    with connect(url) as conn:
        major = server_major(conn)
    args = [pg_dump_for(major), "--schema-only", "--no-owner", "--quote-all-identifiers"]
    args += [] if privileges else ["--no-privileges"]
    for s in exclude_schemas:
        args += ["--exclude-schema", s]
    for s in only_schemas:
        args += ["--schema", s]
    with libpq_arguments(url) as (conninfo, env):
        proc = subprocess.run([*args, "--dbname", conninfo], capture_output=True, text=True, check=False, env=env)
    if proc.returncode != 0:
        raise DatabaseError(f"pg_dump of {mask_url(url)} failed: {mask_secrets(proc.stderr.strip(), url)}")
    return proc.stdout


_EXTENSION_RE = re.compile(r'^(CREATE EXTENSION IF NOT EXISTS ("(?:[^"]|"")+") WITH SCHEMA "(?:[^"]|"")+");$')


def restore_schema(url: str, dump: str, extension_versions: dict[str, str] | None = None) -> None:
    """Run a plain schema dump in the database at ``url`` (psql meta-commands are dropped). pg_dump leaves out
    extension versions; ``extension_versions`` puts them back (a copy has the versions of its original)."""
    versions = extension_versions or {}

    def line_of(line: str) -> str:
        m = _EXTENSION_RE.match(line)
        name = m.group(2)[1:-1].replace('""', '"') if m else None
        return f"{m.group(1)} VERSION {sql_literal(versions[name])};" if m and name in versions else line  # type: ignore[union-attr]

    with connect(url, autocommit=False) as conn:
        for chunk in _object_chunks([line_of(line) for line in sql_lines(dump)]):
            conn.execute(chunk)  # type: ignore[arg-type]
            conn.commit()


def sql_lines(dump: str) -> list[str]:
    """A plain dump's lines without psql's meta-commands (pg_dump's \\restrict lines carry a random key)."""
    return [line for line in dump.splitlines() if not line.startswith("\\")]


# pg_dump's header above each object; nothing else in a dump is a comment line of this shape
_OBJECT_HEADER = re.compile(r"^-- (?:Data for )?Name: .*; Type: .*; Schema: ")
OBJECTS_PER_TRANSACTION = 400  # each holds a lock until its transaction ends (see materialize.CHUNK)


def _object_chunks(lines: list[str]) -> Iterator[str]:
    """The dump's text in pieces of at most OBJECTS_PER_TRANSACTION objects, cut at pg_dump's object headers."""
    chunk: list[str] = []
    objects = 0
    for line in lines:
        if _OBJECT_HEADER.match(line):
            objects += 1
            if objects > OBJECTS_PER_TRANSACTION and chunk:
                yield "\n".join(chunk)
                chunk, objects = [], 1
        chunk.append(line)
    if chunk:
        yield "\n".join(chunk)


# PostgreSQL 18 names NOT NULL constraints; schema.yaml does not (a renamed table's keep their old names)
_NOT_NULL_NAME_RE = re.compile(r' CONSTRAINT "(?:[^"]|"")+" NOT NULL')


def normalize_dump(dump: str, *, column_order: bool = False) -> tuple[str, ...]:
    """A dump's lines without comments, settings and blank lines, with the columns of each CREATE TABLE
    sorted (ADD COLUMN appends, so column order is not compared unless ``column_order``; nor the order of
    column comments, which follows it) and each view's query
    written back from its parse tree (PostgreSQL re-deparses some on reload); the names of NOT NULL
    constraints (PostgreSQL 18) are left out. A proof compares the same dump more than once (the live
    schema's: whether a database stands in for it, then against the downgrade): the last few are kept."""
    return _normalized(dump, column_order)


_N_DISTINCT_RE = re.compile(r"\b(n_distinct(?:_inherited)?)=(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)")


@lru_cache(maxsize=4)
def _normalized(dump: str, column_order: bool) -> tuple[str, ...]:
    keep: list[str] = []
    block: list[str] | None = None
    query: list[str] | None = None  # a view's query: compared as PostgreSQL parses it, not by its layout
    for line in dump.splitlines():
        if not line.strip() or line.startswith(("--", "\\", "SET ", "SELECT pg_catalog.set_config")):
            continue
        line = line.rstrip()
        if " NOT NULL" in line and "CONSTRAINT" in line:
            line = _NOT_NULL_NAME_RE.sub(" NOT NULL", line)
        if "SET (n_distinct" in line:  # a distinct count by value: PostgreSQL keeps the text it was set with
            line = _N_DISTINCT_RE.sub(lambda m: number_options([(m[1], float(m[2]))]), line)
        if query is not None:
            query.append(line)
            if line.endswith(";"):
                text = "\n".join(query)
                tail = " WITH NO DATA;" if text.endswith("WITH NO DATA;") else ";"
                keep.append(canonical_query(text[: -len(tail)]) + tail)
                query = None
            continue
        if block is not None:
            if line.startswith(")"):
                keep += block if column_order else sorted(block)
                keep.append(line)
                block = None
            else:
                block.append(line.rstrip(","))
            continue
        keep.append(line)
        if line.startswith("CREATE TABLE ") and line.endswith("("):
            block = []
        elif line.startswith(("CREATE VIEW ", "CREATE MATERIALIZED VIEW ")) and line.endswith(" AS"):
            query = []
    return tuple(keep if column_order else _column_comments_sorted(keep))


def _column_comments_sorted(lines: list[str]) -> list[str]:
    """pg_dump writes a table's column comments in column order: each run of them sorted, as the columns are."""
    out: list[str] = []
    run: list[str] = []
    for line in [*lines, ""]:
        if line.startswith("COMMENT ON COLUMN "):
            run.append(line)
            continue
        out += sorted(run)
        run = []
        out.append(line)
    return out[:-1]


def dump_differences(expected: str, actual: str, limit: int = 30, *, column_order: bool = False) -> list[str]:
    """The lines in which two schema dumps differ (a unified diff, normalized), at most ``limit``."""
    import difflib

    before = normalize_dump(expected, column_order=column_order)
    after = normalize_dump(actual, column_order=column_order)
    if before == after:
        return []
    return list(difflib.unified_diff(before, after, "expected", "after the plan", lineterm="", n=1))[:limit]
