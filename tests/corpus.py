"""Material no one here wrote, run as its users would: migra's own cases (A to B and back) and real-world
schemas (import, re-plan, rebuild, down to empty).

A case passes when the database finesse builds dumps (``pg_dump --schema-only``, normalized, column order
kept) exactly as the one it was given.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path

from finesse_schema import api
from finesse_schema.core.errors import FinesseError
from finesse_schema.db.migra import INTERNAL_SCHEMAS
from finesse_schema.db.dump import dump_differences, dump_schema, restore_schema

from tests.conftest import make_settings
from tests.pg import fresh_database, query, run_sql

# contrib extensions the corpora create; a server that lacks them cannot run those cases
CONTRIB = ("citext", "hstore", "pg_trgm", "btree_gist", "pgcrypto", "unaccent")


def contrib_bin_dir() -> Path | None:
    """A folder of PostgreSQL server binaries whose installation has the contrib extensions (Debian's
    postgresql-NN), or None."""
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        share = Path(folder).parent.parent.parent.parent / "share" / "postgresql" / Path(folder).parent.name
        if (Path(folder) / "postgres").exists() and (share / "extension" / "citext.control").exists():
            return Path(folder)
    return None


def has_contrib(admin: str) -> bool:
    rows = query(admin, "SELECT name FROM pg_available_extensions WHERE name = ANY(%s)" % (
        "ARRAY[" + ", ".join(f"'{e}'" for e in CONTRIB) + "]"))
    return len(rows) == len(CONTRIB)


def corpus_dir() -> Path | None:
    """``shared/corpus`` beside the checkout, or ``FINESSE_CORPUS``; None when neither is there."""
    given = os.environ.get("FINESSE_CORPUS")
    for candidate in ([Path(given)] if given else []) + [Path(__file__).resolve().parents[2] / "shared" / "corpus"]:
        if candidate.is_dir():
            return candidate
    return None


def schema_dump(url: str) -> str:
    return dump_schema(url, exclude_schemas=INTERNAL_SCHEMAS)


def privilege_lines(url: str) -> list[str]:
    """The GRANT, REVOKE and ALTER DEFAULT PRIVILEGES lines of the database's dump (pg_dump writes those that
    differ from the defaults)."""
    return sorted(line for line in dump_schema(url, exclude_schemas=INTERNAL_SCHEMAS, privileges=True).splitlines()
                  if line.startswith(("GRANT ", "REVOKE ", "ALTER DEFAULT PRIVILEGES ")))


def differences(expected: str, actual: str, *, column_order: bool = True) -> list[str]:
    return dump_differences(expected, actual, limit=40, column_order=column_order)


@dataclass
class Outcome:
    """What one case did, step by step; ``problems`` is empty when it passed."""

    steps: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def fail(self, step: str, detail: str) -> "Outcome":
        self.problems.append(f"{step}: {detail}")
        return self


def a_to_b_and_back(admin: str, a_sql: str, b_sql: str, work: Path) -> Outcome:
    """migra's own test, as a finesse user lives it: import b into schema.yaml, plan it against a database
    built from a.sql, apply, compare with b's dump; then down, compare with a's dump."""
    out = Outcome()
    with fresh_database(admin, "a") as a, fresh_database(admin, "b") as b:
        run_sql(a, a_sql)
        run_sql(b, b_sql)
        start, goal = schema_dump(a), schema_dump(b)
        work.mkdir(parents=True, exist_ok=True)
        schema_path = work / "schema.yaml"
        try:
            imported = api.import_database(make_settings(work, schema_path, database_url=b, dev_url=admin))
        except FinesseError as exc:
            return out.fail("import b", str(exc))
        if not imported.exact:
            residual = [c.label for c in imported.residual.upgrade] if imported.residual else []
            out.fail("import b", f"not exact: {list(imported.not_exact) + residual}")
        out.steps.append(f"imported b ({len(imported.unsupported)} left out: "
                         f"{', '.join(str(u) for u in imported.unsupported)})")
        settings = make_settings(work, schema_path, database_url=a, dev_url=admin)
        try:
            plan = api.plan(settings, message="a to b", allow_destructive=True)
            out.steps.append(f"planned {len(plan.plan.upgrade)} changes")
            api.apply(settings)
        except FinesseError as exc:
            return out.fail("plan and apply", str(exc))
        # ADD COLUMN appends: a plan keeps every column, not their order (only rebuilding the table would)
        if diff := differences(goal, schema_dump(a), column_order=False):
            out.fail("after apply, the dump differs from b's", "\n".join(diff))
        try:
            api.down(settings, allow_destructive=True)
        except FinesseError as exc:
            return out.fail("down", str(exc))
        if diff := differences(start, schema_dump(a), column_order=False):
            out.fail("after down, the dump differs from a's", "\n".join(diff))
    return out



def load_with_psql(url: str, path: Path) -> None:
    """Load a SQL file as its project does: psql, stopping at the first error."""
    import subprocess

    from tests.pg import psql_path

    psql = psql_path()
    if psql is None:
        raise RuntimeError("no psql to load the schema with")
    done = subprocess.run([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(path), url], capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise RuntimeError(f"psql could not load {path.name}: {done.stderr.strip()[-2000:]}")


def rebuild_round_trip(admin: str, source_sql: Path, work: Path) -> Outcome:
    """A real-world schema, as its users would bring it under finesse: import it exactly, plan nothing
    against it, rebuild it from the YAML alone in an empty database (its dump equal to the source reloaded
    once, since PostgreSQL re-deparses a few expressions on reload), then down to empty."""
    out = Outcome()
    work.mkdir(parents=True, exist_ok=True)
    query(admin, "DO $$ BEGIN CREATE ROLE postgres NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    with fresh_database(admin, "src") as src, fresh_database(admin, "again") as again, \
            fresh_database(admin, "empty") as empty, fresh_database(admin, "rebuilt") as rebuilt:
        load_with_psql(src, source_sql)
        restore_schema(again, dump_schema(src, exclude_schemas=INTERNAL_SCHEMAS, privileges=True))
        reference, blank = schema_dump(again), schema_dump(empty)
        schema_path = work / "schema.yaml"
        try:
            imported = api.import_database(make_settings(work, schema_path, database_url=src, dev_url=admin))
        except FinesseError as exc:
            return out.fail("import", str(exc))
        out.steps.append(f"imported ({len(imported.unsupported)} left out)")
        if not imported.exact:
            residual = [c.label for c in imported.residual.upgrade] if imported.residual else []
            out.fail("import", f"not exact: {(list(imported.not_exact) + residual)[:20]}")
        for u in imported.unsupported:
            out.fail("import", f"left out: {u}")
        settings = make_settings(work, schema_path, database_url=rebuilt, dev_url=admin)
        try:
            api.plan(settings, message="rebuild")
            api.apply(settings)
        except FinesseError as exc:
            return out.fail("rebuild from the YAML", str(exc))
        if diff := differences(reference, schema_dump(rebuilt)):
            out.fail("the rebuilt dump differs from the source reloaded once", "\n".join(diff))
        if (want := privilege_lines(again)) != (got := privilege_lines(rebuilt)):
            out.fail("the rebuilt privileges differ from the source's", "\n".join(
                [f"-{line}" for line in want if line not in got] + [f"+{line}" for line in got if line not in want]))
        try:
            api.down(settings, allow_destructive=True)
        except FinesseError as exc:
            return out.fail("down", str(exc))
        if diff := differences(blank, schema_dump(rebuilt)):
            out.fail("after down, the database is not empty", "\n".join(diff))
    return out
