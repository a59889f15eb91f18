"""The files ``finesse init`` writes into a new project, as text: the [tool.finesse] table, a schema.yaml
to start from, Alembic's env.py and alembic.ini (so that plain ``alembic`` runs the revisions as finesse
does), and the .gitignore line for the embedded database."""

from __future__ import annotations

SCHEMA_JSON = "finesse-schema.json"
LANGUAGE_SERVER_LINE = f"# yaml-language-server: $schema=./{SCHEMA_JSON}"
GITIGNORE_LINE = ".finesse/"


def pyproject_table(title: str) -> str:
    return f'''[tool.finesse]
schema = "schema.yaml"
migrations = "migrations"
title = {_toml_string(title)}
# No database configured: finesse uses the embedded PostgreSQL under .finesse/ (started on first use,
# stopped with finesse server stop). For a real one, name it in an environment and pass --env NAME:
# [tool.finesse.env.production]
# url_env = "PRODUCTION_DATABASE_URL"
# lock_timeout = "3s"
'''


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


STARTER_SCHEMA = f"""{LANGUAGE_SERVER_LINE}
#
# The database as it should be. Edit it, then `finesse plan -m "what changes"` writes the reviewed,
# reversible revision into migrations/, and `finesse apply` runs it. For example:
#
# tables:
#   customers:
#     columns:
#       id: {{type: bigint, identity: always, primary_key: true}}
#       email: {{type: text, nullable: false, unique: true}}
#       created_at: {{type: timestamptz, nullable: false, default: now()}}
tables: {{}}
"""

ENV_PY = '''"""Alembic's entry point for this finesse project (written by finesse init).

Plain `alembic upgrade head`, `alembic downgrade -1` and `alembic current` run the revisions exactly
as `finesse apply` does: on the database finesse would use (-x url=postgresql://..., -x env=NAME for
[tool.finesse.env.NAME], else pyproject.toml and $FINESSE_DATABASE_URL, else the embedded database),
with the version table in the finesse schema, one transaction per revision, the migration lock, and
online revisions resumable. `alembic upgrade START:head --sql` writes finesse's offline script.
Write revisions with finesse plan (or finesse new), not alembic revision.
"""

from logging.config import fileConfig

from alembic import context

from finesse_schema.api import alembic_environment

if context.config.config_file_name is not None:
    fileConfig(context.config.config_file_name, disable_existing_loggers=False)

alembic_environment(context)
'''


def alembic_ini(migrations: str) -> str:
    return f"""# Alembic's settings for this finesse project (written by finesse init): plain `alembic` commands
# run the revisions in {migrations}/ as `finesse apply` does ({migrations}/env.py hands them to finesse).
# The database is the one finesse would use; choose another with -x env=NAME or -x url=postgresql://...

[alembic]
script_location = %(here)s/{migrations}
prepend_sys_path = .
path_separator = os

[loggers]
keys = root,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""
