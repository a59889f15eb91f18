"""schema.yaml loaded and compiled once per content (issue 21).

Reading, validating and compiling schema.yaml is a pure function of its text (and of the name its errors
give it, and of finesse): plan, status and drift keep the result under the SHA-256 of those
(db/cache/store.py) and read it back while nothing changed. Only a schema that loads is kept, so an error
is found, and located, afresh every time.
"""

from __future__ import annotations

from ..core.collector import collector_paused
from ..core.model import Schema
from ..db.cache.store import cache_key, read_entry, write_entry
from ..logic.compile.compiler import Compiled, compile_schema
from ..logic.config.settings import Settings
from ..logic.plan.lint import LINT_RULES
from .project import cache_folder
from .schema_file import Progress, quiet, read_schema_file, schema_from_text

KIND = "compiled-v1"


def load_compiled(settings: Settings, progress: Progress = quiet) -> tuple[Schema, Compiled]:
    """schema.yaml as the model and as the DDL that builds it: from the cache when its text is as it was."""
    text, name = read_schema_file(settings, progress)
    folder = cache_folder(settings)
    key = cache_key(("schema.yaml", name, text, *(r.code for r in LINT_RULES)))
    kept = read_entry(folder, KIND, key) if folder else None
    if isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[0], Schema) and isinstance(kept[1], Compiled):
        return kept
    schema = schema_from_text(text, name)
    with collector_paused():
        compiled = compile_schema(schema)
    if folder:
        write_entry(folder, KIND, key, (schema, compiled))
    return schema, compiled
