"""Project settings from ``[tool.finesse]`` in pyproject.toml. Pure: the caller reads the file.

Recognised keys (all optional)::

    [tool.finesse]
    schema = "schema.yaml"            # the declared schema
    migrations = "migrations"         # Alembic script directory (revisions in versions/)
    generated = "generated"           # where finesse docs and finesse generate write
    title = "Shop database"           # the title of finesse docs (default: the project folder's name)
    database_url_env = "FINESSE_DATABASE_URL"   # environment variable holding the live database URL
    database_url = "postgresql://app@db/app"    # or the URL itself (prefer the variable: no passwords in files)
    dev_url = "postgresql://postgres@localhost/postgres"  # server for scratch databases
    lock_timeout = "5s"
    statement_timeout = "15min"
    online_above_rows = 100000        # plans that lock a bigger table for a scan run online (finesse plan --online)
    lock_retries = 5                  # an online step whose lock is not granted in lock_timeout is retried

    [tool.finesse.env.production]     # a named database, chosen with --env production
    url_env = "PRODUCTION_DATABASE_URL"   # or url = "..."; also dev_url, lock_timeout, statement_timeout

``[tool.finesse.check]`` is read by :mod:`..check.config`, ``[tool.finesse.audit]`` by :mod:`..check.audit_config`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from ...core.errors import InputError, Location, Problem
from ..check.audit_config import AuditConfig, read_audit_config
from ..check.config import CheckConfig, read_check_config, unknown_settings
from ..plan.lint import LINT_RULES
from ..check.live_rules import LIVE_RULES
from ..check.rules import RULES

ALL_CODES = tuple(r.code for r in RULES) + tuple(LIVE_RULES) + tuple(r.code for r in LINT_RULES) + ("FS001",)

KEYS = ("schema", "migrations", "generated", "title", "database_url", "database_url_env", "dev_url", "lock_timeout", "statement_timeout",
        "online_above_rows", "lock_retries", "check", "audit", "env", "workload")
ENV_KEYS = ("url", "url_env", "dev_url", "lock_timeout", "statement_timeout")
INT_KEYS = ("online_above_rows", "lock_retries")


@dataclass(frozen=True)
class WorkloadConfig:
    """``[tool.finesse.workload]``: the named queries finesse workload times, and when it fails."""

    file: str = "workload.sql"
    after_file: str | None = None  # the same names, as the after database's schema asks them (default: file)
    runs: int = 15
    max_slower: float = 1.25  # fail when a query is slower by more than this times its A/A spread
    search_path: str | None = None  # the application's search_path, on every side (e.g. "legacy, public")


@dataclass(frozen=True)
class Settings:
    project_dir: Path
    schema_path: Path
    migrations_path: Path
    database_url: str | None = None
    generated_path: Path | None = None  # default: <project>/generated
    title: str | None = None  # of the documentation (default: the project folder's name)
    database_url_env: str = "FINESSE_DATABASE_URL"
    dev_url: str | None = None
    lock_timeout: str = "5s"
    statement_timeout: str = "15min"
    online_above_rows: int = 100_000
    lock_retries: int = 5
    check: CheckConfig = field(default_factory=CheckConfig)
    audit: AuditConfig = field(default_factory=AuditConfig)
    url_env_configured: bool = False  # database_url_env set in pyproject (or by --env): it must then be set
    environments: dict[str, dict[str, str]] = field(default_factory=dict)  # [tool.finesse.env.NAME]
    env: str | None = None  # the one chosen with --env
    workload: WorkloadConfig = field(default_factory=lambda: WorkloadConfig())
    file: str = "pyproject.toml"

    @property
    def generated_dir(self) -> Path:
        return self.generated_path or self.project_dir / "generated"

    @property
    def embedded_dir(self) -> Path:
        return self.project_dir / ".finesse" / "pgdata"

    @property
    def cache_dir(self) -> Path:
        """finesse's cache (db/cache/: schema.yaml compiled, the desired schema, proofs), local like the embedded
        server's data."""
        return self.project_dir / ".finesse" / "cache"


def read_settings(pyproject_text: str | None, project_dir: Path, file: str = "pyproject.toml") -> Settings:
    """Settings from the text of pyproject.toml (None when there is none): defaults for what it leaves out."""
    table: dict = {}
    if pyproject_text:
        try:
            data = tomllib.loads(pyproject_text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(Problem(f"invalid TOML: {exc}", Location(file))) from None
        table = data.get("tool", {}).get("finesse", {})
    problems = unknown_settings(table, KEYS, file, "tool.finesse")
    for key, value in table.items():
        if key not in KEYS or key in ("check", "audit", "env", "workload"):
            continue
        elif key in INT_KEYS:
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                problems.append(Problem(f"setting '{key}' must be a whole number, 0 or more", Location(file),
                                        f"tool.finesse.{key}"))
        elif not isinstance(value, str):
            problems.append(Problem(f"setting '{key}' must be a string", Location(file), f"tool.finesse.{key}"))
    check_table, audit_table = table.get("check", {}), table.get("audit", {})
    for name, sub in (("check", check_table), ("audit", audit_table)):
        if not isinstance(sub, dict):
            problems.append(Problem(f"[tool.finesse.{name}] must be a table", Location(file), f"tool.finesse.{name}"))
    check_table = check_table if isinstance(check_table, dict) else {}
    audit_table = audit_table if isinstance(audit_table, dict) else {}
    environments = _environments(table.get("env", {}), file, problems)
    workload = _workload(table.get("workload", {}), file, problems)
    if problems:
        raise InputError(problems)
    return Settings(
        project_dir=project_dir,
        schema_path=project_dir / table.get("schema", "schema.yaml"),
        migrations_path=project_dir / table.get("migrations", "migrations"),
        generated_path=project_dir / table.get("generated", "generated"),
        title=table.get("title"),
        database_url=table.get("database_url"),
        database_url_env=table.get("database_url_env", "FINESSE_DATABASE_URL"),
        dev_url=table.get("dev_url"),
        lock_timeout=table.get("lock_timeout", "5s"),
        statement_timeout=table.get("statement_timeout", "15min"),
        online_above_rows=table.get("online_above_rows", 100_000),
        lock_retries=table.get("lock_retries", 5),
        check=read_check_config(check_table, file, ALL_CODES),
        audit=read_audit_config(audit_table, file),
        url_env_configured="database_url_env" in table,
        environments=environments,
        workload=workload,
        file=file,
    )


_NAME = r'\s*("[^"]+"|[A-Za-z_][A-Za-z0-9_$]*|\$user)\s*'
_SEARCH_PATH = re.compile(rf"{_NAME}(,{_NAME})*")


def _workload(table: object, file: str, problems: list[Problem]) -> WorkloadConfig:
    where = "tool.finesse.workload"
    if not isinstance(table, dict):
        problems.append(Problem(f"[{where}] must be a table", Location(file), where))
        return WorkloadConfig()
    problems.extend(unknown_settings(table, ("file", "after_file", "runs", "max_slower", "search_path"), file, where))
    search_path = table.get("search_path")
    if search_path is not None and not (isinstance(search_path, str) and _SEARCH_PATH.fullmatch(search_path)):
        problems.append(Problem("search_path must be schema names separated by commas, as in \"legacy, public\"",
                                Location(file), f"{where}.search_path"))
        search_path = None
    for key in ("file", "after_file"):
        if key in table and not isinstance(table[key], str):
            problems.append(Problem(f"{key} must be a path (a string)", Location(file), f"{where}.{key}"))
    runs, slower = table.get("runs", 15), table.get("max_slower", 1.25)
    if not isinstance(runs, int) or isinstance(runs, bool) or runs < 1:
        problems.append(Problem("runs must be a whole number, 1 or more", Location(file), f"{where}.runs"))
        runs = 15
    if not isinstance(slower, (int, float)) or isinstance(slower, bool) or slower < 1:
        problems.append(Problem("max_slower must be a number, 1 or more", Location(file), f"{where}.max_slower"))
        slower = 1.25
    return WorkloadConfig(str(table.get("file", "workload.sql")), table.get("after_file"), runs, float(slower),
                          search_path)


def _environments(table: object, file: str, problems: list[Problem]) -> dict[str, dict[str, str]]:
    """``[tool.finesse.env.NAME]`` tables: each names its database by ``url`` or ``url_env``."""
    if not isinstance(table, dict):
        problems.append(Problem("[tool.finesse.env] must hold one table per environment", Location(file),
                                "tool.finesse.env"))
        return {}
    out = {}
    for name, env in table.items():
        where = f"tool.finesse.env.{name}"
        if not isinstance(env, dict):
            problems.append(Problem(f"[{where}] must be a table", Location(file), where))
            continue
        problems.extend(unknown_settings(env, ENV_KEYS, file, where))
        wrong = [k for k, v in env.items() if k in ENV_KEYS and not isinstance(v, str)]
        problems.extend(Problem(f"setting '{k}' must be a string", Location(file), f"{where}.{k}") for k in wrong)
        if ("url" in env) == ("url_env" in env):
            problems.append(Problem(f"environment '{name}' needs exactly one of url and url_env", Location(file),
                                    where, "url_env names the environment variable that holds the URL"))
        out[name] = {k: v for k, v in env.items() if k in ENV_KEYS and isinstance(v, str)}
    return out


def select_env(settings: Settings, name: str) -> Settings:
    """``settings`` with the environment ``name`` chosen: its database, scratch server and timeouts."""
    env = settings.environments.get(name)
    if env is None:
        known = ", ".join(sorted(settings.environments)) or "none"
        raise InputError(Problem(f"no environment '{name}' in [tool.finesse.env] (there are: {known})",
                                 Location(settings.file), f"tool.finesse.env.{name}",
                                 "declare it as [tool.finesse.env." + name + "] with url_env = \"...\""))
    return replace(settings, env=name, database_url=env.get("url"),
                   database_url_env=env.get("url_env", settings.database_url_env),
                   url_env_configured="url_env" in env, dev_url=env.get("dev_url", settings.dev_url),
                   lock_timeout=env.get("lock_timeout", settings.lock_timeout),
                   statement_timeout=env.get("statement_timeout", settings.statement_timeout))
