"""Alembic's entry point for this finesse project (written by finesse init).

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
