"""migra and schemainspect: the only package that imports them.

* ``loader``: their import, with a stand-in for pkg_resources and a cheap inspect.stack;
* ``patches``: the SQL schemainspect writes wrongly, fixed on its classes once;
* ``diff``: one database inspected (``inspect_database``), the statements from one to another
  (``diff_statements``), with what migra misses added from db/gaps.py and its neighbours.
"""

from .diff import (INTERNAL_SCHEMAS, Inspection, column_types, diff_statements, enum_values, generated_columns,
                   inspect_database, live_names)

__all__ = ["INTERNAL_SCHEMAS", "Inspection", "column_types", "diff_statements", "enum_values", "generated_columns",
           "inspect_database", "live_names"]
