"""The desired schema, materialized and inspected once: kept between runs, keyed by all that makes it.

Materializing schema.yaml in a scratch database, inspecting it and dumping it is the largest part of a
plan, a status or a drift check, and its result depends only on:

* the compiled DDL (every statement, in order) and the schemas and extension options it is read with;
* the server: its full version, the settings that change how it deparses and dumps (date and interval
  styles, time zone, float digits, encoding, locale, string constants...), the locale of template0
  (scratch databases are made from it), the extensions it can install and their default versions;
* the pg_dump that dumps it (its full version), and finesse, migra and schemainspect themselves.

The key is the SHA-256 of all of them, so an entry can never stand for anything else: a change to any
input is another key, and a miss. Entries are files under the project's ``.finesse/cache/desired/``
(local, like the embedded server's data: git ignores ``.finesse/``), written whole or not at all; an entry
that cannot be read is a miss and is removed. The newest KEEP entries are kept.
"""

from __future__ import annotations

import copy
import hashlib
import os
import pickle
import tempfile
import time
from dataclasses import replace
from importlib import metadata
from pathlib import Path

from .. import __version__
from ..logic.compile.compiler import Compiled
from .connect import connect, server_major
from .dump import pg_dump_version
from .migra import Inspection

FORMAT = 1  # bump when what an entry holds changes shape
KEEP = 16
# settings that change what the server deparses (defaults, checks, views, functions) or pg_dump writes
DEPARSING = ("DateStyle", "IntervalStyle", "TimeZone", "extra_float_digits", "bytea_output", "lc_collate",
             "lc_ctype", "lc_monetary", "lc_numeric", "server_encoding", "standard_conforming_strings",
             "default_toast_compression", "default_table_access_method", "default_with_oids", "search_path",
             "quote_all_identifiers", "backslash_quote", "array_nulls", "transform_null_equals")
# pg_database columns of template0 that change with time, not with what a new database is
_VOLATILE = ("oid", "datfrozenxid", "datminmxid", "datlastsysoid", "datacl", "datconnlimit", "datallowconn",
             "dathasloginevt")


def server_facts(admin_url: str) -> tuple[str, ...]:
    """What about the server decides what schema.yaml materializes, inspects and dumps as."""
    with connect(admin_url) as conn:
        version = conn.execute("SELECT version(), current_setting('server_version_num')").fetchone()
        settings = conn.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s) ORDER BY name",
                                (list(DEPARSING),)).fetchall()
        template = conn.execute("SELECT to_jsonb(d) - %s::text[] FROM pg_database d WHERE datname = 'template0'",
                                (list(_VOLATILE),)).fetchone()
        extensions = conn.execute("SELECT name, default_version FROM pg_available_extensions ORDER BY 1").fetchall()
        dump = pg_dump_version(server_major(conn))
    return (repr(version), repr(settings), repr(template), repr(extensions), dump)


def _tools() -> tuple[str, ...]:
    out = [f"finesse {__version__}"]
    for name in ("migra", "schemainspect", "sqlalchemy"):
        try:
            out.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name} absent")
    return tuple(out)


def desired_key(compiled: Compiled, schemas: tuple[str, ...], options: tuple[object, ...],
                facts: tuple[str, ...]) -> str:
    """The SHA-256 of everything the desired schema's inspection and dump depend on."""
    digest = hashlib.sha256()
    parts = (f"format {FORMAT}", *_tools(), repr(schemas), repr(options), *facts,
             *(d.sql for d in compiled.statements))
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _entry(folder: Path, key: str) -> Path:
    return folder / "desired" / f"{key}.pickle"


def cached_desired(folder: Path, key: str) -> tuple[Inspection, str] | None:
    """The inspection and dump stored under ``key``, or None (a miss)."""
    path = _entry(folder, key)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        stored_key, inspection, dump = pickle.loads(data)  # noqa: S301 - finesse's own file, keyed by content
    except Exception:  # noqa: BLE001 - a damaged entry is a miss
        path.unlink(missing_ok=True)
        return None
    if stored_key != key or not isinstance(inspection, Inspection) or not isinstance(dump, str):
        path.unlink(missing_ok=True)
        return None
    os.utime(path)  # recently used: kept longest
    return inspection, dump


def store_desired(folder: Path, key: str, inspection: Inspection, dump: str) -> None:
    """Keep the inspection and dump under ``key``; a cache that cannot be written is no cache (no error)."""
    detached = copy.copy(inspection.inspected)
    for live in ("c", "engine", "dialect"):  # the connection it was read through: not data
        if hasattr(detached, live):
            setattr(detached, live, None)
    try:
        data = pickle.dumps((key, replace(inspection, inspected=detached), dump), protocol=pickle.HIGHEST_PROTOCOL)
        path = _entry(folder, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        _prune(path.parent)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
    for tmp in folder.glob(".tmp-*"):  # left by a process killed while writing (not one writing now)
        if time.time() - tmp.stat().st_mtime > 3600:
            tmp.unlink(missing_ok=True)
