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
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from ..core.errors import DatabaseError, FinesseError, InputError, Location, Problem, RefusedError
from ..logic.plan.branches import declared_revision
from ..logic.plan.render_online import PROGRESS_TABLE as ONLINE_STEPS  # steps of online revisions done so far
from .connect import error_text, mask_url, sa_engine
from .migration_lock import identify_session, locked

VERSION_SCHEMA = "finesse"
VERSION_TABLE = "alembic_version"
# the sha256 of each revision file as it was applied, written in the revision's transaction: finesse drift
# tells a revision edited after it ran somewhere
HASH_TABLE = f"{VERSION_SCHEMA}.revision_hashes"
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
    lock_wait_seconds: float = 30.0  # float("inf"): wait for the migration lock as long as it takes (--wait)


def _config(migrations_dir: Path) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    return cfg


def _duplicate_ids(versions: Path) -> None:
    """Two revision files with one id (two branches each wrote 0005): a located error naming both, before
    Alembic warns and then counts two heads."""
    seen: dict[str, Path] = {}
    problems = []
    for path in sorted(versions.glob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        found = declared_revision(text)
        if found is None:
            continue
        rev, line = found
        if rev in seen:
            first = seen[rev]
            problems.append(Problem(f"revision id {rev} is used twice: by {first.name} and by "
                                    f"{path.name}", Location(str(path), line), "",
                                    "two branches each wrote it: renumber the one not yet applied anywhere (its "
                                    "revision and its down_revision after the other), or delete it and run "
                                    "finesse plan again on top of the other"))
        else:
            seen[rev] = path
    if problems:
        raise InputError(problems)


def _script(migrations_dir: Path) -> ScriptDirectory:
    (migrations_dir / "versions").mkdir(parents=True, exist_ok=True)
    _duplicate_ids(migrations_dir / "versions")
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


def _bookkeeping(script: ScriptDirectory, done: list[str], progress: Progress) -> Callable[..., None]:
    """Alembic's on_version_apply: the hash of each revision file recorded (or forgotten) in the revision's
    own transaction, an online revision's done steps forgotten when it is reverted."""
    def on_apply(*, ctx, step, **_kw):  # type: ignore[no-untyped-def]
        rid = step.up_revision_id if step.is_upgrade else step.down_revision_ids[0] if step.down_revision_ids else "base"
        _record(ctx.connection, step.up_revision_id, script.get_revision(step.up_revision_id).path, step.is_upgrade)
        if not step.is_upgrade:  # a reverted revision leaves no done step behind, in the version's transaction
            _forget_steps(ctx.connection, step.up_revision_id)
        done.append(step.up_revision_id)
        progress(f"{'applied' if step.is_upgrade else 'reverted'} {step.up_revision_id} ({rid})")
    return on_apply


@contextmanager
def _session(conn, settings: RunSettings, command: str, progress: Progress) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The migration lock held, and the session's lock and statement timeouts set."""
    with _locked(conn, settings, command, progress):
        conn.exec_driver_sql("SELECT set_config('lock_timeout', %s, false), set_config('statement_timeout', %s, false)",
                             (settings.lock_timeout, settings.statement_timeout))
        conn.commit()
        yield


def _migrate(env, conn, on_apply: Callable[..., None]) -> None:  # type: ignore[no-untyped-def]
    """Run Alembic's migrations as finesse does: the version table in finesse, a transaction per revision."""
    env.configure(connection=conn, version_table_schema=VERSION_SCHEMA, version_table=VERSION_TABLE,
                  transaction_per_migration=True, on_version_apply=on_apply)
    with env.begin_transaction():
        env.run_migrations()


def _run(url: str, migrations_dir: Path, target: str, direction: str, settings: RunSettings,
         progress: Progress) -> list[str]:
    script = _script(migrations_dir)
    cfg = _config(migrations_dir)
    done: list[str] = []

    planned: list[str] = []

    def steps(rev, _context):  # type: ignore[no-untyped-def]
        found = script._upgrade_revs(target, rev) if direction == "up" else script._downgrade_revs(target, rev)
        planned.extend(s.revision.revision for s in found)
        return found

    on_apply = _bookkeeping(script, done, progress)

    engine = sa_engine(url)
    try:
        with engine.connect() as conn, _session(conn, settings, "apply" if direction == "up" else "down", progress):
            _check_online_progress(conn, script, direction)
            with EnvironmentContext(cfg, script, fn=steps, destination_rev=target) as env:
                _migrate(env, conn, on_apply)
    except CommandError as exc:
        raise InputError(Problem(str(exc), None, str(migrations_dir))) from None
    except (DatabaseError, InputError, RefusedError):
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
        failed = next((r for r in planned if r not in done), None)
        raise DatabaseError(_failure(script, failed, direction, exc) + applied) from None
    finally:
        engine.dispose()
    return done


_ADD_VALUE_RE = re.compile(r"^\s*(alter type .+? add value if not exists .+?);?\s*$", re.I | re.M)


def _failure(script: ScriptDirectory, revision: str | None, direction: str, exc: BaseException) -> str:
    """What failed (the revision, the statement, PostgreSQL's words), what stayed, and what to do."""
    statement = " ".join(str(getattr(exc, "statement", "") or "").split())
    text = ((f"revision {revision}" if revision else "the revision Alembic was running") +
            f" failed ({'upgrade' if direction == 'up' else 'downgrade'}) and was rolled back" + (f", at: {statement[:300]}" if statement else "") + f": {error_text(getattr(exc, 'orig', exc))}")
    stayed = []
    if revision is not None and direction == "up":
        try:
            source = Path(script.get_revision(revision).path).read_text(encoding="utf-8")
            upgrade = source.split("def downgrade", 1)[0]
            stayed = [" ".join(s.split()) for s in _ADD_VALUE_RE.findall(upgrade)]
        except (CommandError, OSError):
            pass
    if stayed:
        text += ("; the enum values it adds outside its transaction (PostgreSQL cannot use a value in the "
                 f"transaction that adds it) stay: {'; '.join(stayed)}. They are harmless, and apply adds them "
                 "IF NOT EXISTS, so running it again converges")
    return text + ". Fix the cause, then run finesse apply again"


def _steps_in_progress(conn) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """revision -> its last done step, for online revisions that stopped midway (the transaction it opens is
    closed: Alembic begins its own)."""
    try:
        if conn.exec_driver_sql("SELECT to_regclass(%s)", (ONLINE_STEPS,)).scalar() is None:
            return {}
        rows = conn.exec_driver_sql(f"SELECT revision, max(step) FROM {ONLINE_STEPS} GROUP BY 1 ORDER BY 1").fetchall()
        return {rev: step for rev, step in rows}
    finally:
        conn.commit()


def _check_online_progress(conn, script: ScriptDirectory, direction: str) -> None:  # type: ignore[no-untyped-def]
    """A partly applied online revision is the head: down refuses until apply has finished it (its done steps
    are not a revision down can revert), and apply refuses steps recorded for a revision that does not come
    next (they were done on a database that has been taken down since)."""
    stopped = _steps_in_progress(conn)
    if not stopped:
        return
    ctx = MigrationContext.configure(conn, opts={"version_table_schema": VERSION_SCHEMA,
                                                 "version_table": VERSION_TABLE})
    current = ctx.get_current_revision()
    conn.commit()
    described = ", ".join(f"{rev} (steps 1 to {step} done)" if step else f"{rev} (started, no step done)"
                          for rev, step in stopped.items())
    if direction == "down":
        raise RefusedError(f"online revision {described} stopped midway: it is the head, and down cannot revert "
                           "half of it; run finesse apply to finish it, then finesse down reverts it whole")
    stale = [rev for rev in stopped if _down_of(script, rev) != current]
    if stale:
        raise DatabaseError(f"{ONLINE_STEPS} records done steps of {', '.join(stale)}, which does not come next "
                            f"after the database's revision {current or '(none)'}; those steps were undone since. "
                            f"Delete them (DELETE FROM {ONLINE_STEPS} WHERE revision = '...') and apply again")


def _down_of(script: ScriptDirectory, revision: str) -> str | None:
    try:
        down = script.get_revision(revision).down_revision
    except CommandError:
        return "unknown"
    return down if isinstance(down, str) or down is None else None


def _forget_steps(conn, revision: str) -> None:  # type: ignore[no-untyped-def]
    if conn.exec_driver_sql("SELECT to_regclass(%s)", (ONLINE_STEPS,)).scalar() is not None:
        conn.exec_driver_sql(f"DELETE FROM {ONLINE_STEPS} WHERE revision = %s", (revision,))


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
def _locked(conn, settings: RunSettings, command: str, progress: Progress) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The version schema exists, the session says whose it is, and it holds finesse's migration lock."""
    identify_session(conn, command)
    conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {VERSION_SCHEMA}")
    conn.commit()
    with locked(conn, wait_seconds=settings.lock_wait_seconds, progress=progress):
        yield


@dataclass(frozen=True)
class AlembicRun:
    """What plain ``alembic`` was asked, as env.py sees it."""

    project_dir: Path  # where alembic.ini is (else the working directory)
    options: dict[str, str]  # -x key=value: url, env
    configured_url: str | None  # sqlalchemy.url in alembic.ini, when someone set one
    offline: bool  # --sql: write the script, connect to nothing
    direction: str  # "up" or "down" ("up" for commands that move nothing: current, history)
    start: str | None  # --sql's START:END, START
    destination: str | None


def _argument(read: Callable[[], object]) -> str | None:
    """A revision argument of the command, when it has one (``current`` has none)."""
    try:
        value = read()
    except (CommandError, KeyError):
        return None
    return value if isinstance(value, str) or value is None else ",".join(map(str, value))  # type: ignore[call-overload]


def _tell(message: str) -> None:
    if not message.startswith("applied ") and not message.startswith("reverted "):  # Alembic logs those itself
        print(f"finesse: {message}", file=sys.stderr)


def alembic_environment(context, work: Callable[[AlembicRun, Progress], tuple[str, RunSettings] | str]) -> None:  # type: ignore[no-untyped-def]
    """The body of a finesse project's env.py, so that plain ``alembic upgrade head``, ``downgrade -1`` and
    ``current`` run as finesse apply does: the database finesse would use (``work`` resolves it: a URL and
    the run's settings), the version table in finesse, a transaction per revision, the migration lock, the
    hashes recorded, online revisions resumable. Offline (``--sql``), ``work`` returns finesse's script,
    which is written where Alembic writes. finesse's errors are Alembic's one-line FAILED, never a
    traceback."""
    config = context.config
    cmd = getattr(getattr(config, "cmd_opts", None), "cmd", None)
    run = AlembicRun(Path(config.config_file_name).resolve().parent if config.config_file_name else Path.cwd(),
                     context.get_x_argument(as_dictionary=True), config.get_main_option("sqlalchemy.url") or None,
                     context.is_offline_mode(),
                     "down" if cmd and getattr(cmd[0], "__name__", "") == "downgrade" else "up",
                     _argument(context.get_starting_revision_argument), _argument(context.get_revision_argument))
    script, done = context.script, []  # type: ignore[var-annotated]
    try:
        resolved = work(run, _tell)
        if isinstance(resolved, str):
            (config.output_buffer or sys.stdout).write(resolved)
            return
        url, settings = resolved
        engine = sa_engine(url)
        try:
            with engine.connect() as conn, _session(conn, settings, "alembic", _tell):
                _check_online_progress(conn, script, run.direction)
                _migrate(context, conn, _bookkeeping(script, done, _tell))
        finally:
            engine.dispose()
    except CommandError:
        raise
    except FinesseError as exc:
        raise CommandError(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - a statement failed; its revision was rolled back
        applied = f" (completed before it: {', '.join(done)})" if done else ""
        raise CommandError(_failure(script, None, run.direction, exc) + applied) from None


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
        with engine.connect() as conn, _locked(conn, settings, "stamp", lambda _: None):
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


def revision_module(migrations_dir: Path, revision: str) -> tuple[str, object]:
    """(the first line of its docstring, the loaded module) of ``revision``: what a recording ``op`` replays."""
    sc = _script(migrations_dir).get_revision(revision)
    return ((sc.doc or "").strip().splitlines()[0] if sc.doc else ""), sc.module
