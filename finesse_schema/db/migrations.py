"""Alembic revisions: list, apply, revert, and read the database's current revision.
The only module that imports alembic.

finesse keeps Alembic's version table in its own schema (``finesse.alembic_version``)
so that schema diffs never see it. Each revision runs in its own transaction,
together with its version-table update: a failing statement rolls back both.
Runs are serialised by an advisory lock and bounded by lock_timeout and
statement_timeout.
"""

from __future__ import annotations

import hashlib
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from ..core.errors import DatabaseError, InputError, Problem
from ..logic.plan.render_online import PROGRESS_TABLE as ONLINE_STEPS  # steps of online revisions done so far
from .connect import error_text, mask_url, sa_engine

VERSION_SCHEMA = "finesse"
VERSION_TABLE = "alembic_version"
# the sha256 of each revision file as it was applied, written in the revision's transaction: finesse drift
# tells a revision edited after it ran somewhere
HASH_TABLE = f"{VERSION_SCHEMA}.revision_hashes"
LOCK_KEY = 0x66696E6573  # "fines": one advisory lock for every finesse run on a database
_HASH_RE = re.compile(r'^schema_hash\s*=\s*"([^"]*)"', re.M)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Revision:
    id: str
    down: str | None
    message: str
    path: Path
    schema_hash: str


@dataclass(frozen=True)
class RunSettings:
    lock_timeout: str = "5s"
    statement_timeout: str = "15min"
    lock_wait_seconds: float = 30.0


def _config(migrations_dir: Path) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    return cfg


def _script(migrations_dir: Path) -> ScriptDirectory:
    (migrations_dir / "versions").mkdir(parents=True, exist_ok=True)
    try:
        return ScriptDirectory.from_config(_config(migrations_dir))
    except CommandError as exc:
        raise InputError(Problem(f"cannot read migrations: {exc}", None, str(migrations_dir))) from None


def list_revisions(migrations_dir: Path) -> list[Revision]:
    """Every revision from the first to the head, in order."""
    script = _script(migrations_dir)
    try:
        heads = script.get_heads()
        if len(heads) > 1:
            raise InputError(Problem(f"migrations have {len(heads)} heads ({', '.join(sorted(heads))})",
                                     None, str(migrations_dir), "merge them into one line of revisions"))
        revs = list(script.walk_revisions())
    except CommandError as exc:
        raise InputError(Problem(f"cannot read migrations: {exc}", None, str(migrations_dir))) from None
    out = []
    for sc in reversed(revs):
        text = Path(sc.path).read_text(encoding="utf-8")
        h = _HASH_RE.search(text)
        down = sc.down_revision if isinstance(sc.down_revision, str) or sc.down_revision is None else None
        out.append(Revision(sc.revision, down, (sc.doc or "").strip(), Path(sc.path), h.group(1) if h else ""))
    return out


def current_revision(url: str) -> str | None:
    engine = sa_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"version_table_schema": VERSION_SCHEMA,
                                                         "version_table": VERSION_TABLE})
            return ctx.get_current_revision()
    except Exception as exc:  # noqa: BLE001 - any driver error means we cannot tell
        raise DatabaseError(f"cannot read the current revision of {mask_url(url)}: "
                            f"{error_text(getattr(exc, 'orig', None) or exc)}") from None
    finally:
        engine.dispose()


def _run(url: str, migrations_dir: Path, target: str, direction: str, settings: RunSettings,
         progress: Progress) -> list[str]:
    script = _script(migrations_dir)
    cfg = _config(migrations_dir)
    done: list[str] = []

    def steps(rev, _context):  # type: ignore[no-untyped-def]
        if direction == "up":
            return script._upgrade_revs(target, rev)
        return script._downgrade_revs(target, rev)

    def on_apply(*, ctx, step, **_kw):  # type: ignore[no-untyped-def]
        rid = step.up_revision_id if step.is_upgrade else step.down_revision_ids[0] if step.down_revision_ids else "base"
        _record(ctx.connection, step.up_revision_id, script.get_revision(step.up_revision_id).path, step.is_upgrade)
        done.append(step.up_revision_id)
        progress(f"{'applied' if step.is_upgrade else 'reverted'} {step.up_revision_id} ({rid})")

    engine = sa_engine(url)
    try:
        with engine.connect() as conn, _locked(conn, settings):
            conn.exec_driver_sql("SELECT set_config('lock_timeout', %s, false), set_config('statement_timeout', %s, false)",
                                 (settings.lock_timeout, settings.statement_timeout))
            conn.commit()
            with EnvironmentContext(cfg, script, fn=steps, destination_rev=target) as env:
                env.configure(connection=conn, version_table_schema=VERSION_SCHEMA, version_table=VERSION_TABLE,
                              transaction_per_migration=True, on_version_apply=on_apply)
                with env.begin_transaction():
                    env.run_migrations()
    except CommandError as exc:
        raise InputError(Problem(str(exc), None, str(migrations_dir))) from None
    except (DatabaseError, InputError):
        raise
    except Exception as exc:  # noqa: BLE001 - a statement failed; its revision was rolled back
        applied = f" (completed before it: {', '.join(done)})" if done else ""
        stopped = online_progress(url) if direction == "up" else {}
        if stopped:
            parts = "; ".join(f"{rev}: " + (f"steps {', '.join(map(str, steps[1:]))} done" if steps[1:] else
                                             "no step done") for rev, steps in stopped.items())
            raise DatabaseError(f"an online revision stopped midway{applied} ({parts}); the steps done stay done, "
                                f"and running apply again continues from the next one: "
                                f"{error_text(getattr(exc, 'orig', exc))}") from None
        raise DatabaseError(f"revision failed and was rolled back{applied}: {error_text(getattr(exc, 'orig', exc))}") from None
    finally:
        engine.dispose()
    return done


def file_hash(path: str | Path) -> str:
    return "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _record(conn, revision: str, path: str, applied: bool) -> None:  # type: ignore[no-untyped-def]
    """Record (or, reverted, forget) the hash of ``revision``'s file, on ``conn``'s open transaction."""
    conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {HASH_TABLE} (revision text PRIMARY KEY, sha256 text NOT NULL, "
                         "applied_at timestamptz NOT NULL DEFAULT now())")
    conn.exec_driver_sql(f"DELETE FROM {HASH_TABLE} WHERE revision = %s", (revision,))
    if applied:
        conn.exec_driver_sql(f"INSERT INTO {HASH_TABLE} (revision, sha256) VALUES (%s, %s)", (revision, file_hash(path)))


def recorded_hashes(url: str) -> dict[str, str] | None:
    """revision -> the sha256 of its file when it was applied here; None when nothing was recorded (a database
    migrated before finesse recorded them)."""
    engine = sa_engine(url)
    try:
        with engine.connect() as conn:
            if conn.exec_driver_sql("SELECT to_regclass(%s)", (HASH_TABLE,)).scalar() is None:
                return None
            return dict(conn.exec_driver_sql(f"SELECT revision, sha256 FROM {HASH_TABLE}").fetchall())  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - any driver error means we cannot tell
        raise DatabaseError(f"cannot read the recorded revisions of {mask_url(url)}: "
                            f"{error_text(getattr(exc, 'orig', None) or exc)}") from None
    finally:
        engine.dispose()


def online_progress(url: str) -> dict[str, list[int]]:
    """The steps of online revisions that are done while their revision is not recorded yet."""
    engine = sa_engine(url)
    try:
        with engine.connect() as conn:
            if conn.exec_driver_sql("SELECT to_regclass(%s)", (ONLINE_STEPS,)).scalar() is None:
                return {}
            rows = conn.exec_driver_sql(f"SELECT revision, step FROM {ONLINE_STEPS} ORDER BY 1, 2").fetchall()
    except Exception:  # noqa: BLE001 - only for the message; the original error is what matters
        return {}
    finally:
        engine.dispose()
    out: dict[str, list[int]] = {}
    for rev, step in rows:
        out.setdefault(rev, []).append(step)
    return out


@contextmanager
def _locked(conn, settings: RunSettings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The version schema exists and this session holds finesse's advisory lock; released (after a
    rollback of anything left open) whatever happens."""
    conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {VERSION_SCHEMA}")
    conn.commit()
    _advisory_lock(conn, settings)
    try:
        yield
    finally:
        if conn.in_transaction():
            conn.rollback()
        conn.exec_driver_sql("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
        conn.commit()


def _advisory_lock(conn, settings: RunSettings) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + settings.lock_wait_seconds
    while True:
        got = conn.exec_driver_sql("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).scalar()
        conn.commit()
        if got:
            return
        if time.monotonic() > deadline:
            raise DatabaseError("another finesse run holds the migration lock on this database; try again later")
        time.sleep(0.5)


def upgrade(url: str, migrations_dir: Path, target: str = "head", *, settings: RunSettings = RunSettings(),
            progress: Progress = lambda _: None) -> list[str]:
    """Apply pending revisions up to ``target``; return the ids applied."""
    return _run(url, migrations_dir, target, "up", settings, progress)


def downgrade(url: str, migrations_dir: Path, target: str = "-1", *, settings: RunSettings = RunSettings(),
              progress: Progress = lambda _: None) -> list[str]:
    """Revert revisions down to ``target`` (default: the last one); return the ids reverted."""
    return _run(url, migrations_dir, target, "down", settings, progress)


def stamp(url: str, migrations_dir: Path, revision: str, *, settings: RunSettings = RunSettings()) -> None:
    """Record ``revision`` as applied on the database at ``url`` without running it (for a baseline)."""
    script = _script(migrations_dir)
    engine = sa_engine(url)
    try:
        with engine.connect() as conn, _locked(conn, settings):
            ctx = MigrationContext.configure(conn, opts={"version_table_schema": VERSION_SCHEMA,
                                                         "version_table": VERSION_TABLE})
            ctx.stamp(script, revision)
            for rev in script.iterate_revisions(revision, "base"):  # recorded as applied: so are the ones before
                _record(conn, rev.revision, rev.path, True)
            conn.commit()
    except CommandError as exc:
        raise InputError(Problem(str(exc), None, str(migrations_dir))) from None
    finally:
        engine.dispose()
