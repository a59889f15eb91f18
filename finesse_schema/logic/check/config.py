"""``[tool.finesse.check]``: which rules run, how severe they are, what is exempt and why. Pure.

    [tool.finesse.check]
    select = ["FS1"]                 # codes or code prefixes (default: every rule)
    ignore = ["FS111"]
    fail_on = "error"
    live_statement_timeout = "30s"   # per live query; sample_above_rows = 5000000 samples larger tables
    [tool.finesse.check.references]  # where a column's name does not say what it references
    "order_details.product_id" = "variants.id"                # the severity at which finesse check exits 1
    max_cascade_tables = 3
    [tool.finesse.check.severity]
    FS109 = "error"
    [[tool.finesse.check.exempt]]
    rule = "FS104"
    object = "payment_sheets.uid"    # table, table.column, schema.table(.column); * and ? match
    reason = "the payment provider's id, not ours"
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, fields

from ...core.errors import InputError, Location, Problem
from ...core.findings import Severity
from .rules.registry import RuleOptions

KEYS = ("select", "ignore", "fail_on", "severity", "exempt", "references", "live_statement_timeout",
        "sample_above_rows", "checks_dir") + tuple(f.name for f in fields(RuleOptions))


@dataclass(frozen=True)
class Exemption:
    rule: str
    object: str
    reason: str = ""


@dataclass(frozen=True)
class CheckConfig:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: Severity = Severity.ERROR
    severity: tuple[tuple[str, Severity], ...] = ()
    exempt: tuple[Exemption, ...] = ()
    options: RuleOptions = field(default_factory=RuleOptions)
    file: str = "pyproject.toml"
    references: tuple[tuple[str, str], ...] = ()  # "table.column" -> "parent.column" where the name misleads
    live_statement_timeout: str = "30s"
    sample_above_rows: int = 5_000_000
    checks_dir: str = "checks"

    def selects(self, code: str) -> bool:
        """Whether ``code`` runs: select (codes or prefixes; empty means all) minus ignore."""
        chosen = not self.select or any(code.startswith(p) for p in self.select)
        return chosen and not any(code.startswith(p) for p in self.ignore)


def unknown_settings(table: dict, keys: tuple[str, ...], file: str, prefix: str) -> list[Problem]:
    """A problem for each key of ``table`` (the TOML table ``prefix``) that is not one of ``keys``, with the
    nearest one it may have meant."""
    out = []
    for key in table:
        if key not in keys:
            close = difflib.get_close_matches(key, keys, n=1)
            out.append(Problem(f"unknown setting '{key}'", Location(file), f"{prefix}.{key}",
                               f"did you mean '{close[0]}'?" if close else f"one of {', '.join(keys)}"))
    return out


def read_check_config(table: dict, file: str, known_codes: tuple[str, ...]) -> CheckConfig:
    """The check configuration from the ``[tool.finesse.check]`` table; InputError lists every mistake."""
    problems: list[Problem] = unknown_settings(table, KEYS, file, "tool.finesse.check")
    where = Location(file)

    def bad(key: str, message: str, hint: str = "") -> None:
        problems.append(Problem(message, where, f"tool.finesse.check.{key}", hint))

    def codes(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            bad(key, f"{key} must be a list of rule codes")
            return ()
        for v in value:
            if not v.upper().startswith("FP") and not any(c.startswith(v.upper()) for c in known_codes):
                bad(key, f"no rule has a code starting with '{v}'", "finesse rules lists them")
        return tuple(v.upper() for v in value)

    def severity(key: str, value: object) -> Severity:
        try:
            return Severity.parse(str(value))
        except KeyError:
            bad(key, f"severity '{value}' is not one of info, warning, error")
            return Severity.ERROR

    overrides = []
    for code, value in (table.get("severity") or {}).items():
        if code.upper() not in known_codes:
            bad("severity", f"no rule has the code '{code}'", "finesse rules lists them")
        overrides.append((code.upper(), severity(f"severity.{code}", value)))
    exempt = []
    for i, item in enumerate(table.get("exempt") or []):
        if not isinstance(item, dict) or not item.get("rule") or not item.get("object"):
            bad(f"exempt[{i}]", "an exemption needs rule and object (and a reason)")
            continue
        exempt.append(Exemption(str(item["rule"]).upper(), str(item["object"]), str(item.get("reason") or "").strip()))
    option_values = {}
    for f in fields(RuleOptions):
        if f.name in table:
            value = table[f.name]
            default = getattr(RuleOptions(), f.name)
            if isinstance(default, tuple):
                value = tuple(value) if isinstance(value, list) else None
            if value is None or not isinstance(value, type(default)):
                bad(f.name, f"{f.name} must be a {type(default).__name__}")
                continue
            option_values[f.name] = value
    references = table.get("references") or {}
    if not isinstance(references, dict) or not all(isinstance(v, str) and v.count(".") >= 1
                                                   for v in references.values()):
        bad("references", 'references maps "table.column" to "parent_table.column"')
        references = {}
    timeout = table.get("live_statement_timeout", "30s")
    sample_above = table.get("sample_above_rows", 5_000_000)
    if not isinstance(sample_above, int) or isinstance(sample_above, bool) or sample_above < 1:
        bad("sample_above_rows", "sample_above_rows must be a positive whole number")
        sample_above = 5_000_000
    config = CheckConfig(codes("select"), codes("ignore"), severity("fail_on", table.get("fail_on", "error")),
                         tuple(overrides), tuple(exempt), RuleOptions(**option_values), file,
                         tuple(sorted(references.items())), str(timeout), sample_above,
                         str(table.get("checks_dir", "checks")))
    if problems:
        raise InputError(problems)
    return config
