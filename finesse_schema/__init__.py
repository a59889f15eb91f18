"""finesse: schema-as-code for PostgreSQL.

The public library surface lives in :mod:`finesse_schema.api`; the ``finesse``
command is a thin skin over it (:mod:`finesse_schema.cli`).
"""

__version__ = "0.1.0"
