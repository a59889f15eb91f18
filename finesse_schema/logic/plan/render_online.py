"""The upgrade of an online plan -> revision text that runs step by step and can be resumed.

Each step commits on its own, so no lock is held longer than one statement.
A step records itself in ``finesse.online_steps`` in the same transaction
(steps that cannot run in a transaction, concurrent index builds, record
themselves after and are idempotent), so a run that dies midway is completed
by running apply again: done steps are skipped. When the last step is done,
the records are removed together with Alembic's version update.

A step whose lock is not granted within lock_timeout (the session's, which
``finesse apply --lock-timeout`` sets) is rolled back and retried with
exponential back-off; every wait a writer sees is bounded by that timeout.
The helpers are written into the revision, so it needs only alembic to run.
"""

from __future__ import annotations

from typing import Callable

from ...core.plan import Change, Plan

PROGRESS_TABLE = "finesse.online_steps"

HELPERS = '''
_RETRIES = {retries}  # attempts after the first when a lock is not granted in time
_BACKOFF = 0.2  # seconds before the first retry; doubled after each
_DEFAULT_LOCK_TIMEOUT = "{lock_timeout}"  # used when the session sets none
_RETRYABLE = ("55P03", "40P01")  # lock_not_available, deadlock_detected


def _sql(sql: str, params: tuple = ()) -> object:
    conn = op.get_bind()
    if params:
        return conn.exec_driver_sql(sql, params)
    return conn.exec_driver_sql(sql, execution_options={{"no_parameters": True}})


def _start() -> str:
    """Make the table of done steps and record the start (step 0); return the lock_timeout each step gets."""
    _sql("CREATE TABLE IF NOT EXISTS {progress} (revision text, step integer, done_at timestamptz NOT NULL "
         "DEFAULT now(), PRIMARY KEY (revision, step))")
    _sql("INSERT INTO {progress} (revision, step) VALUES (%s, 0) ON CONFLICT DO NOTHING", (revision,))
    current = _sql("SHOW lock_timeout").scalar()
    return current if current not in (None, "0") else _DEFAULT_LOCK_TIMEOUT


def _step(number: int, sql: str, *, lock_timeout: str, transaction: bool = True, index: tuple = ()) -> None:
    """Run step ``number`` unless a previous run did; retry with back-off while its lock is not granted."""
    if _sql("SELECT 1 FROM {progress} WHERE revision = %s AND step = %s", (revision, number)).first():
        return
    marked = f"/* finesse {{revision}} step {{number}} */ {{sql}}"
    for attempt in range(_RETRIES + 1):
        try:
            if index:  # a concurrent build that failed leaves an invalid index behind: drop it first
                leftover = _sql("SELECT format('DROP INDEX CONCURRENTLY IF EXISTS %%I.%%I', n.nspname, c.relname) "
                                "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n "
                                "ON n.oid = c.relnamespace WHERE NOT i.indisvalid AND n.nspname = %s "
                                "AND c.relname = %s", index).scalar()
                if leftover:
                    _sql(leftover)
            if transaction:
                _sql("BEGIN")
                _sql("SELECT set_config('lock_timeout', %s, true)", (lock_timeout,))
                _sql(marked)
                _sql("INSERT INTO {progress} (revision, step) VALUES (%s, %s)", (revision, number))
                _sql("COMMIT")
            else:
                _sql("SELECT set_config('lock_timeout', %s, false)", (lock_timeout,))
                _sql(marked)
                _sql("INSERT INTO {progress} (revision, step) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                     (revision, number))
            return
        except Exception as exc:
            if transaction:
                _sql("ROLLBACK")
            code = getattr(getattr(exc, "orig", None), "sqlstate", None)
            if code not in _RETRYABLE or attempt == _RETRIES:
                raise
            time.sleep(_BACKOFF * 2 ** attempt * (0.5 + random.random()))


def _data_step(number: int) -> None:
    """Run data_upgrade() in one transaction, recorded like a step."""
    if _sql("SELECT 1 FROM {progress} WHERE revision = %s AND step = %s", (revision, number)).first():
        return
    _sql("BEGIN")
    try:
        data_upgrade()
        _sql("INSERT INTO {progress} (revision, step) VALUES (%s, %s)", (revision, number))
        _sql("COMMIT")
    except Exception:
        _sql("ROLLBACK")
        raise


def _finish() -> None:
    """Every step is done: forget them, in the transaction that records the revision."""
    _sql("DELETE FROM {progress} WHERE revision = %s", (revision,))
'''


def online_helpers(*, retries: int, lock_timeout: str) -> str:
    return HELPERS.format(retries=retries, lock_timeout=lock_timeout, progress=PROGRESS_TABLE)


def online_upgrade(plan: Plan, data_at: int, comment: Callable[[Change], str], literal: Callable[[str], str]) -> str:
    """The body of upgrade(): one ``_step`` call per change, under its ``comment``, and the data section as
    a step of its own (in one transaction) before change ``data_at``."""
    lines = ["    with op.get_context().autocommit_block():  # each step commits on its own",
             "        lock_timeout = _start()"]
    n = 0
    for i, c in enumerate(plan.upgrade + (None,)):
        if i == data_at:
            n += 1
            lines.append(f"        # the data section (below) runs here, in one transaction\n        _data_step({n})")
        if c is None:
            break
        n += 1
        lines.append(f"        {comment(c)}\n        _step({n}, {literal(c.sql)}, lock_timeout=lock_timeout{_options(c)})")
    lines.append("    _finish()")
    return "\n".join(lines) + "\n"


def _options(c: Change) -> str:
    if c.transactional:
        return ""
    if c.object_type == "index":
        schema, _, name = c.object_name.partition(".")
        return f", transaction=False, index=({schema!r}, {name!r})"
    return ", transaction=False"


__all__ = ["online_helpers", "online_upgrade", "PROGRESS_TABLE"]
