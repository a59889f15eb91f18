"""The public library: what a program (and the ``finesse`` command) calls.

Every function takes a :class:`~finesse_schema.logic.config.Settings` and
keyword-only options, returns values, and raises a
:class:`~finesse_schema.core.errors.FinesseError` for anything a user can fix.
Nothing here prints or exits; progress goes to the callback the caller passes.

One module per job: project (settings, schema.yaml, the target database, the rules), planning (plan,
baseline, the stairway), running (apply, down, status), importing, checking (check and the audit trail),
generated (docs and generate), drift.
"""

from ..core.errors import FinesseError, InputError, Location, Problem
from ..core.plan import Plan, PlanRefused
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
from .project import (Progress, Target, embedded_server, explain, find_settings, json_schema, load, resolve_target,
                      rules, schema_json_text)
from .revisions import hash_revisions, new_revision, write_revision
from .starting import Started, alembic_environment, init_project
from .rebasing import Rebased, rebase
from .running import Status, apply, apply_script, down, preview_apply, stamp_revision, status

__all__ = [
    "DOCS_OWNED", "GENERATE_OWNED", "LIVE_RULES", "Drift", "FinesseError", "Generated", "ImportResult", "InputError",
    "Location", "OnlineMode", "Plan", "PlanRefused", "PlanResult", "Problem", "Progress", "Rebased", "Report", "Rule",
    "Settings", "Started", "Status", "Target", "alembic_environment", "apply", "apply_script", "audit_history",
    "audit_prune", "baseline", "check", "docs", "docs_texts", "down", "drift", "embedded_server", "explain",
    "find_settings", "generate", "generate_texts", "hash_revisions", "import_database", "init_project", "json_schema",
    "load", "new_revision", "plan", "preflight", "preview_apply", "read_project_checks", "rebase", "resolve_target",
    "rules", "schema_json_text", "select_env", "stamp_revision", "status", "table_subject", "test_migrations",
    "write_generated", "write_revision",
]
