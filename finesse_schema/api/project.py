"""The project finesse works in: its settings, its schema.yaml, the database it targets, the rules."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import InputError, Location, Problem
from ..db.connect import mask_url, normalize_url
from ..db.embedded import (embedded_database_url, embedded_server_pid, embedded_server_url,
                           stop_embedded_server)
from ..db.migrations import RunSettings
from ..db.scratch import ScratchServer, choose_scratch_server
from ..logic.config.settings import Settings
from ..logic.schema.jsonschema import schema_json_schema
from ..logic.plan.lint import LINT_RULES
from .schema_file import require_project
from ..logic.check.live_rules import LIVE_DOCS, LIVE_RULES
from ..logic.check.rules import RULES, Rule

@dataclass(frozen=True)
class Target:
    """The live database finesse works on, and where that URL came from."""

    url: str
    origin: str  # "option", "pyproject", "environment NAME", "$VARIABLE", "embedded"

    def describe(self) -> str:
        if self.origin == "embedded":
            return "the embedded database at .finesse/ (no database configured)"
        return f"{mask_url(self.url)} ({self.origin})"


def resolve_target(settings: Settings, database_url: str | None = None, *, starting: bool = False) -> Target:
    """--database-url, else the chosen --env's database, else database_url in pyproject, else the environment
    variable, else (where the project configures no database at all) the embedded server. A configured
    source that is missing (a variable pyproject or the environment names, unset) is an error naming it,
    never a silent switch to the embedded server. Outside a project this is an error (``starting``: the
    command makes the project, as import does)."""
    if not starting:
        require_project(settings)
    where = f"environment {settings.env}" if settings.env else "pyproject"
    if database_url:
        return Target(normalize_url(database_url), "option")
    if settings.database_url:
        return Target(normalize_url(settings.database_url), where)
    env = os.environ.get(settings.database_url_env)
    if env:
        return Target(normalize_url(env), f"${settings.database_url_env}" + (f", environment {settings.env}"
                                                                              if settings.env else ""))
    if settings.url_env_configured:
        table = f"tool.finesse.env.{settings.env}" if settings.env else "tool.finesse"
        raise InputError(Problem(f"${settings.database_url_env} is not set, and [{table}] names it as the database",
                                 Location(settings.file), f"{table}.url_env" if settings.env else
                                 f"{table}.database_url_env",
                                 f"export {settings.database_url_env}=postgresql://..., or pass --database-url"))
    return Target(embedded_database_url(settings.embedded_dir), "embedded")

def scratch_server(settings: Settings, target: Target, dev_url: str | None) -> ScratchServer:
    dev = dev_url or settings.dev_url
    return choose_scratch_server(target.url, normalize_url(dev) if dev else None,
                                 lambda: embedded_server_url(settings.embedded_dir))

def cache_folder(settings: Settings) -> Path | None:
    """Where plan, status and drift keep what does not change between runs (db/cache/); None when
    FINESSE_NO_CACHE is set (to measure, or to rule the cache out: an entry is keyed by all that makes it, so
    it is never stale)."""
    return None if os.environ.get("FINESSE_NO_CACHE") else settings.cache_dir


def run_settings(settings: Settings, lock_timeout: str | None, statement_timeout: str | None, *,
                 wait: bool = False) -> RunSettings:
    return RunSettings(lock_timeout or settings.lock_timeout, statement_timeout or settings.statement_timeout,
                       **({"lock_wait_seconds": float("inf")} if wait else {}))

def rules() -> list[Rule]:
    """Every rule over the model and over plans, by code."""
    return list(RULES) + list(LINT_RULES)  # type: ignore[arg-type]


def explain(code: str) -> Rule:
    """The rule with ``code``; InputError naming the codes there are when there is none."""
    found = RULES.get(code) or LINT_RULES.get(code)  # type: ignore[assignment]
    if found is None and code.upper() in LIVE_RULES:
        name, severity, summary = LIVE_RULES[code.upper()]
        doc = f"{code.upper()} {name}: {summary} (finesse check --live).\n\n{LIVE_DOCS[code.upper()]}"
        return Rule(code.upper(), name, severity, summary, lambda *_: iter(()), doc)
    if found is None:
        raise InputError(Problem(f"no rule has the code '{code}'", None, "", "finesse rules lists them"))
    return found


def json_schema() -> dict:
    """The JSON Schema of schema.yaml (for editors and CI validation)."""
    return schema_json_schema()


def schema_json_text() -> str:
    """The JSON Schema as finesse writes it beside schema.yaml (finesse-schema.json)."""
    return json.dumps(schema_json_schema(), indent=2, sort_keys=True) + "\n"


def embedded_server(settings: Settings, *, stop: bool = False) -> tuple[Path, int | None]:
    """(the embedded server's folder, its pid or None when it is not running); ``stop`` stops it first (its
    data stays). Nothing is started or created."""
    require_project(settings)
    if stop and embedded_server_pid(settings.embedded_dir) is not None:
        stop_embedded_server(settings.embedded_dir)
    return settings.embedded_dir, embedded_server_pid(settings.embedded_dir)
