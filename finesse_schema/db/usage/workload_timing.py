"""finesse workload, the database edge: each query's answer compared on two databases, and its time measured
in the server, side by side (bench/workload.py measures the shop the same way).

The time is the server's alone: the query runs in a loop inside a PL/pgSQL function (its plan cached as a
prepared statement's is, every row read), so no round trip and no parsing are counted. The sides are
interleaved, each taking each place of a round in turn (the first place ran up to 25 percent faster
here), and the median of the runs is kept. The control side is the before query timed again (on a copy
of the before database, or the before database itself): the A/A spread that tells noise from a change.
"""

from __future__ import annotations

import re
import statistics
import time
from decimal import Decimal
from typing import Callable

from ...logic.check.workload import QueryTiming
from ..connect import Error, connect, error_text

Progress = Callable[[str], None]
_OUTER_LIMIT = re.compile(r"\s+LIMIT\s+\d+(\s+OFFSET\s+\d+)?\s*$", re.I)


def _norm(value: object) -> object:
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return Decimal(value).normalize()  # 45 (bigint) and 45 (numeric) are the same number
    if isinstance(value, (dict, list)):
        return repr(value)  # json: Python objects (duplicate keys read as jsonb reads them: the last wins)
    return value


def rows(conn, sql: str) -> list[tuple]:  # type: ignore[no-untyped-def,type-arg]
    return [tuple(_norm(v) for v in r) for r in conn.execute(sql).fetchall()]


def same_answer(before, after, a: str, b: str) -> str:  # type: ignore[no-untyped-def]
    """'same rows', or 'same rows up to the order it leaves open' (LIMIT without an ORDER BY that decides:
    as many rows, each one of the other side's full answer), or what differs. The full answer (without the
    outer LIMIT) is compared as a multiset."""
    full_a, full_b = rows(before, _OUTER_LIMIT.sub("", a)), rows(after, _OUTER_LIMIT.sub("", b))
    if sorted(map(repr, full_a)) != sorted(map(repr, full_b)):
        return f"different rows ({len(full_a)} before, {len(full_b)} after)"
    got_a, got_b = rows(before, a), rows(after, b)
    if got_a == got_b:
        return "same rows"
    if len(got_a) == len(got_b) and all(r in full_a for r in got_b):
        return "same rows up to the order it leaves open"
    return "different limited rows"


def server_loop(conn, name: str, sql: str, loops: int) -> str:  # type: ignore[no-untyped-def]
    """A temporary function that runs ``sql`` ``loops`` times in the server; its name."""
    fn = f"pg_temp.finesse_workload_{re.sub(r'[^a-z0-9_]', '_', name.lower())}"
    conn.execute(f"CREATE OR REPLACE FUNCTION {fn}() RETURNS bigint LANGUAGE plpgsql AS $finesse$ "  # type: ignore[arg-type]
                 f"DECLARE n bigint := 0; r record; BEGIN FOR i IN 1..{loops} LOOP FOR r IN {sql} LOOP n := n + 1; "
                 "END LOOP; END LOOP; RETURN n; END $finesse$")
    return fn


def execution_ms(conn, fn: str, loops: int) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    conn.execute(f"SELECT {fn}()").fetchone()  # type: ignore[arg-type]
    return (time.perf_counter() - start) * 1000 / loops


def loops_for(conn, sql: str, target_seconds: float = 0.02) -> int:  # type: ignore[no-untyped-def]
    """How many runs make one measurement take about ``target_seconds``."""
    start = time.perf_counter()
    rows(conn, sql)
    return max(1, min(2000, int(target_seconds / max(time.perf_counter() - start, 1e-5))))


def use_search_path(conn, search_path: str | None) -> None:  # type: ignore[no-untyped-def]
    """Resolve the queries' names as the application does (finesse's sessions use public alone)."""
    if search_path:
        conn.execute("SELECT set_config('search_path', %s, false)", (search_path,))


def time_workload(before_url: str, after_url: str, control_url: str, before: dict[str, str], after: dict[str, str],
                  *, runs: int = 15, search_path: str | None = None,
                  progress: Progress = lambda _: None) -> list[QueryTiming]:
    """Each query's answer on both sides and its server time (median of ``runs``) on before, after and the
    control, every session with ``search_path`` (the application's, when it is not public). A query that
    fails on a side is reported as a different answer, with PostgreSQL's error."""
    out = []
    with connect(before_url) as b, connect(after_url) as a, connect(control_url) as c:
        for conn in (b, a, c):
            use_search_path(conn, search_path)
        for name, sql in before.items():
            other = after.get(name, sql)
            try:
                answer = same_answer(b, a, sql, other)
            except Error as exc:
                out.append(QueryTiming(name, 0.0, 0.0, 0.0, f"fails: {error_text(exc)}"))
                continue
            loops = loops_for(b, sql)
            sides = [(b, server_loop(b, name, sql, loops)), (a, server_loop(a, name, other, loops)),
                     (c, server_loop(c, name + "_control", sql, loops))]
            for conn, fn in sides:  # warm the caches
                execution_ms(conn, fn, loops)
            times: list[list[float]] = [[], [], []]
            for run in range(runs):
                order = list(range(3))[run % 3:] + list(range(3))[:run % 3]
                for i in order:
                    times[i].append(execution_ms(sides[i][0], sides[i][1], loops))
            t = QueryTiming(name, *(statistics.median(x) for x in times), answer)
            progress(f"{name}: {t.before_ms:.3f} -> {t.after_ms:.3f} ms ({t.ratio:.2f}x; A/A {t.spread:.2f}); "
                     f"{answer}")
            out.append(t)
    return out
