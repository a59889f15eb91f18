"""finesse workload: the project's named queries timed on two databases, their answers compared."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import InputError, Location, Problem
from ..db.connect import normalize_url
from ..db.usage.workload_timing import time_workload
from ..logic.check.workload import WorkloadVerdict, parse_workload
from ..logic.config.settings import Settings
from .project import resolve_target
from .schema_file import Progress, display, quiet


def _queries(path: Path, settings: Settings) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(Problem(f"no workload file at {display(path, settings)}", Location(str(path)), "",
                                 "write the queries as workload.sql does (-- name: NAME above each), or set "
                                 "file under [tool.finesse.workload]")) from None
    return parse_workload(text, display(path, settings))


def workload(settings: Settings, *, after: str, before: str | None = None, control: str | None = None,
             file: Path | None = None, after_file: Path | None = None, runs: int | None = None,
             max_slower: float | None = None, search_path: str | None = None,
             progress: Progress = quiet) -> WorkloadVerdict:
    """Time the workload's queries on ``before`` (default: the project's database) and ``after`` (a copy
    migrated by the plan, a staging database), server-side and interleaved, with the before queries timed
    again on ``control`` (default: before itself) for the A/A spread; compare every answer as a multiset.
    The verdict fails where a query is slower by more than ``max_slower`` times its spread, or answers
    differently. ``search_path`` (default: the configured one) is the application's, on every side: the
    old application's queries through a compatibility schema. Nothing is written to either database
    (temporary functions only)."""
    config = settings.workload
    before_q = _queries(file or settings.project_dir / config.file, settings)
    after_path = after_file or (settings.project_dir / config.after_file if config.after_file else None)
    after_q = _queries(after_path, settings) if after_path else before_q
    missing = [n for n in before_q if n not in after_q]
    if missing:
        raise InputError(Problem(f"the after queries lack {', '.join(missing)}", None, "after_file",
                                 "give both files the same query names"))
    before_url = normalize_url(before) if before else resolve_target(settings).url
    after_url = normalize_url(after)
    progress(f"timing {len(before_q)} queries, {runs or config.runs} runs each, before and after")
    timings = time_workload(before_url, after_url, normalize_url(control) if control else before_url, before_q,
                            after_q, runs=runs or config.runs, search_path=search_path or config.search_path,
                            progress=progress)
    return WorkloadVerdict(tuple(timings), max_slower or config.max_slower)
