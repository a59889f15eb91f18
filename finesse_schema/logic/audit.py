"""Run the rules over the model and apply the configuration: selection, severities, exemptions. Pure."""

from __future__ import annotations

from dataclasses import dataclass, replace
from fnmatch import fnmatchcase

from ..core.errors import Location
from ..core.findings import Finding, Severity
from ..core.model import Schema
from .check_config import CheckConfig, Exemption
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


def audit_model(schema: Schema, config: CheckConfig = CheckConfig()) -> Report:
    """Every finding of the selected rules on ``schema``, after the configuration's severities and exemptions."""
    overrides = dict(config.severity)
    findings, exempted, ran = [], 0, []
    for rule in RULES:
        if not config.selects(rule.code):
            continue
        ran.append(rule.code)
        for f in rule.check(schema, config.options):
            if _exempt(f, config.exempt):
                exempted += 1
                continue
            findings.append(replace(f, severity=overrides.get(f.code, f.severity)))
    for e in config.exempt:
        if not e.reason:
            findings.append(Finding(f"exemption {e.rule} {e.object}", EXEMPTION_WITHOUT_REASON,
                                    f"the exemption of {e.object} from {e.rule} gives no reason, so it does not apply",
                                    Severity.ERROR, 'add reason = "..." to it', Location(config.file),
                                    "tool.finesse.check.exempt", "exemption-without-reason"))
    return Report(tuple(sorted(findings)), tuple(ran), config.fail_on, exempted)
