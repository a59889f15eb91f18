"""The public library: what a program (and the ``finesse`` command) calls.

Every function takes a :class:`~finesse_schema.logic.config.Settings` and
keyword-only options, returns values, and raises a
:class:`~finesse_schema.core.errors.FinesseError` for anything a user can fix.
Nothing here prints or exits; progress goes to the callback the caller passes.

One module per job: project (settings, schema.yaml, the target database, the rules), planning (plan,
baseline, the stairway), running (apply, down, status), importing, checking (check and the audit trail),
generated (docs and generate), drift.
"""

import importlib
from typing import TYPE_CHECKING, Any

from ..core.errors import FinesseError, InputError, Location, Problem
from ..core.plan import Plan, PlanRefused

if TYPE_CHECKING:  # what the names are, for readers and type checkers; at run time each comes when first used
    from ..logic.check.audit import Report
    from ..logic.check.audit_config import table_subject
    from ..logic.config.settings import Settings, select_env
    from ..logic.check.live_rules import LIVE_RULES
    from ..logic.plan.online import OnlineMode
    from ..logic.plan.render_drift import Drift
    from ..logic.check.rules import Rule
    from .checking import audit_history, audit_prune, check, read_project_checks
    from .drift import drift
    from .generated import (DOCS_OWNED, GENERATE_OWNED, Generated, docs, docs_texts, generate, generate_texts,
                            write_generated)
    from .importing import ImportResult, import_database
    from .planning import PlanResult, baseline, plan, preflight, test_migrations
    from .project import Target, embedded_server, explain, json_schema, resolve_target, rules, schema_json_text
    from .schema_file import Progress, find_settings, load
    from .revisions import hash_revisions, new_revision, write_revision
    from .starting import Started, alembic_environment, init_project
    from .rebasing import Rebased, rebase
    from .workload import workload
    from .running import Status, apply, apply_script, down, preview_apply, stamp_revision, status

_WHERE = {  # name -> the module that defines it, imported on first use
    "DOCS_OWNED": ".generated", "Drift": "..logic.plan.render_drift", "GENERATE_OWNED": ".generated",
    "Generated": ".generated", "ImportResult": ".importing", "LIVE_RULES": "..logic.check.live_rules",
    "OnlineMode": "..logic.plan.online", "PlanResult": ".planning", "Progress": ".schema_file", "Rebased": ".rebasing",
    "Report": "..logic.check.audit", "Rule": "..logic.check.rules", "Settings": "..logic.config.settings",
    "Started": ".starting", "Status": ".running", "Target": ".project", "alembic_environment": ".starting",
    "apply": ".running", "apply_script": ".running", "audit_history": ".checking", "audit_prune": ".checking",
    "baseline": ".planning", "check": ".checking", "docs": ".generated", "docs_texts": ".generated",
    "down": ".running", "drift": ".drift", "embedded_server": ".project", "explain": ".project",
    "find_settings": ".schema_file", "generate": ".generated", "generate_texts": ".generated",
    "hash_revisions": ".revisions", "import_database": ".importing", "init_project": ".starting",
    "json_schema": ".project", "load": ".schema_file", "new_revision": ".revisions", "plan": ".planning",
    "preflight": ".planning", "preview_apply": ".running", "read_project_checks": ".checking",
    "rebase": ".rebasing", "resolve_target": ".project", "rules": ".project", "schema_json_text": ".project",
    "select_env": "..logic.config.settings", "stamp_revision": ".running", "status": ".running",
    "table_subject": "..logic.check.audit_config", "test_migrations": ".planning", "write_generated": ".generated",
    "write_revision": ".revisions", "workload": ".workload",
}


def __getattr__(name: str) -> Any:
    """Import the module that defines ``name`` when a caller first asks for it: ``finesse --version`` and
    ``--help`` load no database library, and each command only what it uses."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "DOCS_OWNED", "GENERATE_OWNED", "LIVE_RULES", "Drift", "FinesseError", "Generated", "ImportResult", "InputError",
    "Location", "OnlineMode", "Plan", "PlanRefused", "PlanResult", "Problem", "Progress", "Rebased", "Report", "Rule",
    "Settings", "Started", "Status", "Target", "alembic_environment", "apply", "apply_script", "audit_history",
    "audit_prune", "baseline", "check", "docs", "docs_texts", "down", "drift", "embedded_server", "explain",
    "find_settings", "generate", "generate_texts", "hash_revisions", "import_database", "init_project", "json_schema",
    "load", "new_revision", "plan", "preflight", "preview_apply", "read_project_checks", "rebase", "resolve_target",
    "rules", "schema_json_text", "select_env", "stamp_revision", "status", "table_subject", "test_migrations",
    "write_generated", "write_revision", "workload",
]
