"""The desired schema, materialized and inspected once: kept between runs, keyed by all that makes it.

Materializing schema.yaml in a scratch database, inspecting it and dumping it is the largest part of a
plan, a status or a drift check, and its result depends only on:

* the compiled DDL (every statement, in order) and the schemas and extension options it is read with;
* the server: its full version, the settings that change how it deparses and dumps (date and interval
  styles, time zone, float digits, encoding, locale, string constants...), the locale of template0
  (scratch databases are made from it), the extensions it can install and their default versions;
* the pg_dump that dumps it (its full version), and finesse itself with migra and schemainspect.

The key is the SHA-256 of all of them (db/cache/store.py), so an entry can never stand for anything else:
a change to any input is another key, and a miss.

A plan's proof on a copy of the live schema is kept the same way: under the desired schema's key, the
SHA-256 of the live schema's dump and every statement of the plan. A plan proved on that very live
schema is not proved again (``finesse plan --dry-run``, then ``finesse plan``).
"""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

from ...core.plan import Plan
from ...logic.compile.compiler import Compiled
from .store import cache_key, read_entry, write_entry
from ..connect import connect, server_major
from ..dump import pg_dump_version
from ..migra import Inspection

KIND = "desired-v1"  # another shape of entry is another kind
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


def desired_key(compiled: Compiled, schemas: tuple[str, ...], options: tuple[object, ...],
                facts: tuple[str, ...]) -> str:
    """The SHA-256 of everything the desired schema's inspection and dump depend on."""
    return cache_key((repr(schemas), repr(options), *facts, *(d.sql for d in compiled.statements)))


def cached_desired(folder: Path, key: str) -> tuple[Inspection, str] | None:
    """The inspection and dump stored under ``key``, or None (a miss)."""
    value = read_entry(folder, KIND, key)
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], Inspection)
            and isinstance(value[1], str)):
        return None
    return value  # type: ignore[return-value]


def store_desired(folder: Path, key: str, inspection: Inspection, dump: str) -> None:
    """Keep the inspection and dump under ``key`` (without the connection they were read through)."""
    detached = copy.copy(inspection.inspected)
    for live in ("c", "engine", "dialect"):
        if hasattr(detached, live):
            setattr(detached, live, None)
    write_entry(folder, KIND, key, (replace(inspection, inspected=detached), dump))


PROOF = "proved-v1"


def proof_key(desired: str, live: str, plan: Plan) -> str:
    """What a plan's proof on a copy depends on: the desired schema (its key), the live schema (the SHA-256 of
    its dump, db/live_copy.py) and the plan itself, every statement as it runs."""
    steps = [f"{c.transactional}:{c.sql}" for c in plan.upgrade] + ["downgrade"] + \
        [f"{c.transactional}:{c.sql}" for c in plan.downgrade]
    return cache_key(("proof", desired, live, repr(plan.online), *steps))


def proved_before(folder: Path, key: str) -> bool:
    return read_entry(folder, PROOF, key) is True


def record_proof(folder: Path, key: str) -> None:
    write_entry(folder, PROOF, key, True)
