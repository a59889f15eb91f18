"""Run the rules over the model and apply the configuration: selection, severities, exemptions. Pure."""

from __future__ import annotations

from dataclasses import dataclass, replace
from fnmatch import fnmatchcase

from ...core.errors import Location
from ...core.findings import Finding, Severity
from ...core.model import Schema
from .config import CheckConfig, Exemption
from .rules import RULES

EXEMPTION_WITHOUT_REASON = "FS001"


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    rules: tuple[str, ...]  # the codes that ran
    fail_on: Severity = Severity.ERROR
    exempted: int = 0

    @property
    def failed(self) -> bool:
        return any(f.severity >= self.fail_on for f in self.findings)


def _names(f: Finding) -> list[str]:
    schema, _, table = f.subject.partition(".")
    names = [f.subject] + ([table] if schema == "public" else [])
    marker = ".columns."
    if marker in f.path:
        column = f.path.split(marker, 1)[1].split(".")[0]
        names += [f"{n}.{column}" for n in list(names)]
    return names


def _exempt(f: Finding, exemptions: tuple[Exemption, ...]) -> bool:
    return any(e.reason and f.code.startswith(e.rule) and any(fnmatchcase(n, e.object) for n in _names(f))
               for e in exemptions)


def _configured(found, config: CheckConfig) -> tuple[list[Finding], int]:  # type: ignore[no-untyped-def]
    """Findings after the configuration's severities and exemptions, and how many were exempted."""
    overrides = dict(config.severity)
    kept, exempted = [], 0
    for f in found:
        if _exempt(f, config.exempt):
            exempted += 1
        else:
            kept.append(replace(f, severity=overrides.get(f.code, f.severity)))
    return kept, exempted


def with_findings(report: Report, found, codes: tuple[str, ...], config: CheckConfig) -> Report:  # type: ignore[no-untyped-def]
    """``report`` with more findings (of live rules or project checks), configured the same way."""
    kept, exempted = _configured([f for f in found if config.selects(f.code)], config)
    return Report(tuple(sorted(report.findings + tuple(kept))), report.rules + codes, report.fail_on,
                  report.exempted + exempted)


def audit_model(schema: Schema, config: CheckConfig = CheckConfig()) -> Report:
    """Every finding of the selected rules on ``schema``, after the configuration's severities and exemptions."""
    ran = [rule.code for rule in RULES if config.selects(rule.code)]
    found = [f for rule in RULES if rule.code in ran for f in rule.check(schema, config.options)]
    findings, exempted = _configured(found, config)
    for e in config.exempt:
        if not e.reason:
            findings.append(Finding(f"exemption {e.rule} {e.object}", EXEMPTION_WITHOUT_REASON,
                                    f"the exemption of {e.object} from {e.rule} gives no reason, so it does not apply",
                                    Severity.ERROR, 'add reason = "..." to it', Location(config.file),
                                    "tool.finesse.check.exempt", "exemption-without-reason"))
    return Report(tuple(sorted(findings)), tuple(ran), config.fail_on, exempted)
