"""The rules over the model, registered explicitly: adding a rule is adding a module and a line here."""

from __future__ import annotations

from . import (cascade_blast_radius, explicit_on_delete, foreign_key_types, id_columns_have_foreign_keys,
               indexed_foreign_keys, jsonb_not_json, naming_convention, redundant_indexes, redundant_parent_copy,
               table_without_primary_key, timestamp_with_time_zone, uuid_primary_key)
from .registry import Registry, Rule, RuleOptions

RULES = Registry(
    uuid_primary_key.RULE,
    explicit_on_delete.RULE,
    indexed_foreign_keys.RULE,
    id_columns_have_foreign_keys.RULE,
    redundant_parent_copy.RULE,
    redundant_indexes.RULE,
    table_without_primary_key.RULE,
    jsonb_not_json.RULE,
    timestamp_with_time_zone.RULE,
    cascade_blast_radius.RULE,
    naming_convention.RULE,
    foreign_key_types.RULE,
)

__all__ = ["RULES", "Registry", "Rule", "RuleOptions"]
