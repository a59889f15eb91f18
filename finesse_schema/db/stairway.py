"""The stairway test of a migrations folder: every revision up, down and up again, on a scratch database.

At each step the database is given a few rows (one or two per table, values made
from the column types, parents before children), so that a downgrade that loses
data it did not add shows up in the tables' checksums. The schema is compared by
pg_dump, the data by an ordered checksum per table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..core.errors import DatabaseError, InputError
from ..logic.sql.quoting import qualified, quote
from .connect import Error, connect
from .dump import dump_differences, dump_schema
from .migrations import RunSettings, downgrade, list_revisions, upgrade

Progress = Callable[[str], None]

_TABLES = """
SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY(%s) ORDER BY 1, 2"""

_COLUMNS = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typtype, a.atttypid::regtype::text,
       (SELECT format('(SELECT %%I FROM %%I.%%I LIMIT 1)', ra.attname, rn.nspname, rc.relname)
          FROM pg_constraint k JOIN pg_class rc ON rc.oid = k.confrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
          JOIN pg_attribute ra ON ra.attrelid = k.confrelid AND ra.attnum = k.confkey[1]
         WHERE k.contype = 'f' AND k.conrelid = a.attrelid AND k.conkey = ARRAY[a.attnum] LIMIT 1), a.attnotnull
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
  AND a.atthasdef IS FALSE AND a.attidentity = '' AND a.attgenerated = ''
ORDER BY a.attnum"""


def _value(column: str, type_sql: str, typtype: str, base: str, parent: str | None, table: str) -> str | None:
    """An SQL expression for a required column, or None when finesse cannot make one up."""
    if parent:
        return parent
    if typtype == "e":
        return f"(enum_range(NULL::{type_sql}))[1]"
    if base in ("smallint", "integer", "bigint", "numeric", "real", "double precision") or type_sql.startswith("numeric"):
        return f"(SELECT coalesce(max({column}), 0) + 1 FROM {table})::{type_sql}"
    if base in ("text", "character varying", "character", "citext") or type_sql.startswith(("character", "varchar")):
        return f"left(md5(random()::text), 8)::{type_sql}"
    defaults = {"uuid": "gen_random_uuid()", "boolean": "true", "date": "current_date", "jsonb": "'{}'::jsonb",
                "json": "'{}'::json", "timestamp with time zone": "now()", "timestamp without time zone": "now()",
                "time without time zone": "current_time::time", "inet": "'127.0.0.1'::inet", "bytea": "'\\x00'::bytea",
                "interval": "'1 day'::interval"}
    return defaults.get(base)


def seed_rows(url: str, schemas: tuple[str, ...], *, passes: int = 2) -> int:
    """Insert a row into every table that accepts one made up from its types (every column filled where a
    value can be made, so that data sections have something to move); return how many went in."""
    inserted = 0
    with connect(url, autocommit=False) as conn:
        # a deferred check (a constraint trigger, a deferrable key) judges each made-up row now, in its
        # savepoint, rather than all of them at commit
        conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
        tables = conn.execute(_TABLES, (list(schemas),)).fetchall()
        for _ in range(passes):  # the second pass reaches children whose parents were empty in the first
            for schema, name in tables:
                table = qualified(schema, name)
                cols = conn.execute(_COLUMNS, (table,)).fetchall()
                made = {c[0]: (_value(quote(c[0]), c[1], c[2], c[3], c[4], table), c[5]) for c in cols}
                if any(v is None and required for v, required in made.values()):
                    continue
                values = {c: v for c, (v, _) in made.items() if v is not None}
                sql = (f"INSERT INTO {table} ({', '.join(quote(c) for c in values)}) "
                       f"VALUES ({', '.join(values.values())})") if values else f"INSERT INTO {table} DEFAULT VALUES"
                try:
                    with conn.transaction():
                        conn.execute(sql)  # type: ignore[arg-type]
                    inserted += 1
                except Error:
                    pass  # a check or a unique key the made-up row does not satisfy: the table keeps what it has
        try:
            conn.commit()
        except Error as exc:
            raise DatabaseError(f"the rows made up for the stairway could not be committed: {exc}") from None
    return inserted


def table_checksums(url: str, schemas: tuple[str, ...], leave_out: dict[str, set[str]] | None = None) -> dict[str, str]:
    """An ordered checksum of every table's rows, by schema.table; ``leave_out`` names columns (or "*" for the
    whole table) not to compare."""
    leave_out = leave_out or {}
    out: dict[str, str] = {}
    with connect(url) as conn:
        for schema, name in conn.execute(_TABLES, (list(schemas),)).fetchall():
            key = f"{schema}.{name}"
            skip = leave_out.get(key, set())
            if "*" in skip:
                continue
            cols = [r[0] for r in conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
                "ORDER BY attname", (qualified(schema, name),)).fetchall() if r[0] not in skip]
            row_expr = "row(" + ", ".join(f"t.{quote(c)}" for c in cols) + ")::text" if cols else "''"
            row = conn.execute(f"SELECT count(*), md5(coalesce(string_agg({row_expr}, E'\\n' ORDER BY {row_expr}), "
                               f"'')) FROM {qualified(schema, name)} t").fetchone()  # type: ignore[arg-type]
            out[key] = f"{row[0]} rows {row[1]}"
    return out


@dataclass
class Stair:
    """What happened to one revision: up, down, up again."""

    revision: str
    message: str
    problems: list[str] = field(default_factory=list)
    seeded: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _destroys(path: Path) -> dict[str, set[str]]:
    """Columns (``*``: all) of each table whose data the revision's upgrade removes on purpose: the steps
    its comments mark DESTRUCTIVE (render_revision writes them as ``# <kind> <type> <name>: ...``)."""
    out: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        words = line.strip()[2:].split() if line.strip().endswith("# DESTRUCTIVE") else []
        if len(words) < 3:
            continue
        parts = words[2].rstrip(":").split(".")
        table = ".".join(parts[:2])
        out.setdefault(table, set()).add(parts[2] if words[1] == "column" and len(parts) > 2 else "*")
    return out


def _changed_lines(diff: list[str]) -> list[str]:
    """The lines of a unified diff that differ (expected first, with -), without its headers."""
    return [" ".join(line.split()) for line in diff if line[:1] in "+-" and line[:3] not in ("---", "+++")]


def walk_stairs(url: str, migrations_dir: Path, schemas: tuple[str, ...], *, settings: RunSettings = RunSettings(),
                progress: Progress = lambda _: None) -> list[Stair]:
    """Run the stairway on the empty database at ``url``; it ends at head."""
    stairs = []
    managed = tuple(s for s in schemas if s != "finesse")
    for rev in list_revisions(migrations_dir):
        stair = Stair(rev.id, rev.message)
        stairs.append(stair)
        try:
            stair.seeded = seed_rows(url, managed)
            lost = _destroys(rev.path)
            before_dump, before_data = dump_schema(url, only_schemas=managed), table_checksums(url, managed, lost)
            progress(f"{rev.id}: up")
            upgrade(url, migrations_dir, rev.id, settings=settings)
            after_dump = dump_schema(url, only_schemas=managed)
            progress(f"{rev.id}: down")
            downgrade(url, migrations_dir, rev.down or "base", settings=settings)
            back = _changed_lines(dump_differences(before_dump, dump_schema(url, only_schemas=managed)))
            if back:
                stair.problems.append("the downgrade does not return to the schema before the revision: "
                                      + "; ".join(back[:5]))
            data = table_checksums(url, managed, lost)
            for table, checksum in sorted(before_data.items()):
                if data.get(table) != checksum:
                    now = data.get(table)
                    counts = f"{checksum.split(' rows')[0]} rows before, {now.split(' rows')[0] if now else 'no table'} after"
                    stair.problems.append(f"{table}: the rows are not the same after up and down ({counts})")
            progress(f"{rev.id}: up again")
            upgrade(url, migrations_dir, rev.id, settings=settings)
            again = _changed_lines(dump_differences(after_dump, dump_schema(url, only_schemas=managed)))
            if again:
                stair.problems.append("up again does not give the same schema as the first up: " + "; ".join(again[:5]))
        except (DatabaseError, InputError) as exc:
            stair.problems.append(str(exc))
            break  # the revisions after it cannot be reached
    return stairs
