"""schema.yaml text -> validated model. Pure: the caller reads the file."""

from __future__ import annotations

import hashlib

from ...core.errors import InputError
from ...core.model import Schema
from .reader import read_schema
from .validate import validate_schema
from .yaml_source import parse_yaml


def schema_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_schema_text(text: str, file: str = "schema.yaml", *, lint_codes: tuple[str, ...] | None = None) -> Schema:
    """Parse, read and validate; raise InputError naming file, line, column and YAML path. ``lint_codes``: the
    lint codes a suppression may name (the plan layer's; None takes any)."""
    root = parse_yaml(text, file)
    schema = read_schema(root, source=file, source_hash=schema_hash(text), lint_codes=lint_codes)
    problems = validate_schema(schema)
    if problems:
        raise InputError(problems)
    return schema
