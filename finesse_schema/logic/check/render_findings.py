"""A Report -> text for people (grouped by table) or for CI: JSON, JUnit XML, SARIF 2.1.0, Markdown. Pure."""

from __future__ import annotations

import json
from itertools import groupby
from xml.sax.saxutils import escape, quoteattr

from ...core.findings import Finding, Severity
from .audit import Report
from .live_rules import LIVE_RULES
from .rules import RULES


def _rule(code: str) -> tuple[str, Severity, str]:
    """(name, default severity, summary) of a rule of the model or of the data; project checks have none."""
    r = RULES.get(code)
    if r is not None:
        return r.name, r.severity, r.summary
    return LIVE_RULES.get(code, ("", Severity.WARNING, ""))

FORMATS = ("text", "json", "junit", "sarif", "markdown")


def _where(f: Finding) -> str:
    return " ".join(p for p in (str(f.location) if f.location else "", f.path) if p)


def _counts(report: Report) -> str:
    n = {s: sum(1 for f in report.findings if f.severity == s) for s in Severity}
    return (f"{len(report.findings)} finding(s): {n[Severity.ERROR]} error(s), {n[Severity.WARNING]} warning(s), "
            f"{n[Severity.INFO]} info" + (f"; {report.exempted} exempted" if report.exempted else ""))


def render_text(report: Report) -> str:
    out = []
    for subject, items in groupby(report.findings, key=lambda f: f.subject):
        out.append(subject)
        for f in items:
            out.append(f"  {f.code} {str(f.severity):7} {f.message}")
            out.append(f"        at {_where(f)}" + (f"; fix: {f.hint}" if f.hint else ""))
    verdict = "FAILED" if report.failed else "passed"
    out.append(f"{_counts(report)}. {verdict} (fails at {report.fail_on}; {len(report.rules)} rules ran)")
    return "\n".join(out) + "\n"


def _as_dict(f: Finding) -> dict:
    return {"code": f.code, "rule": f.name, "severity": str(f.severity), "subject": f.subject, "message": f.message,
            "hint": f.hint, "file": f.location.file if f.location else None,
            "line": f.location.line if f.location else None, "column": f.location.column if f.location else None,
            "path": f.path}


def render_json(report: Report) -> str:
    return json.dumps({"failed": report.failed, "fail_on": str(report.fail_on), "rules": list(report.rules),
                       "exempted": report.exempted, "findings": [_as_dict(f) for f in report.findings]},
                      indent=2, sort_keys=True) + "\n"


def render_markdown(report: Report) -> str:
    out = ["# finesse check", "", _counts(report) + ".", ""]
    if report.findings:
        out += ["| severity | code | subject | finding | where | fix |", "|---|---|---|---|---|---|"]
        cell = lambda s: s.replace("|", "\\|").replace("\n", " ")  # noqa: E731
        out += [f"| {f.severity} | {f.code} | {cell(f.subject)} | {cell(f.message)} | {cell(_where(f))} | "
                f"{cell(f.hint)} |" for f in report.findings]
    return "\n".join(out) + "\n"


def render_junit(report: Report) -> str:
    """One test case per rule that ran; a rule fails with one <failure> per finding at or above fail_on."""
    cases, failures = [], 0
    for code in report.rules:
        rule_name = _rule(code)[0]
        found = [f for f in report.findings if f.code == code]
        failing = [f for f in found if f.severity >= report.fail_on]
        failures += bool(failing)
        body = "".join(f"<failure message={quoteattr(f'{f.subject}: {f.message}')} type={quoteattr(str(f.severity))}>"
                       f"{escape(_where(f))}</failure>" for f in failing)
        body += "".join(f"<system-out>{escape(f'{f.severity} {f.subject}: {f.message} ({_where(f)})')}</system-out>"
                        for f in found if f.severity < report.fail_on)
        name = quoteattr(f"{code} {rule_name}".strip())
        cases.append(f'  <testcase classname="finesse.check" name={name}>{body}</testcase>')
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="finesse check" tests="{len(report.rules)}" '
            f'failures="{failures}">\n' + "\n".join(cases) + "\n</testsuite>\n")


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render_sarif(report: Report) -> str:
    rules = [{"id": r.code, "name": r.name, "shortDescription": {"text": r.summary},
              "fullDescription": {"text": r.doc}, "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]}}
             for r in RULES if r.code in report.rules]
    rules += [{"id": code, "name": _rule(code)[0] or code, "shortDescription": {"text": _rule(code)[2] or code},
               "defaultConfiguration": {"level": _SARIF_LEVEL[_rule(code)[1]]}}
              for code in report.rules if RULES.get(code) is None]
    results = []
    for f in report.findings:
        result: dict = {"ruleId": f.code, "level": _SARIF_LEVEL[f.severity],
                        "message": {"text": f"{f.subject}: {f.message}" + (f" Fix: {f.hint}" if f.hint else "")}}
        if f.location:
            region = {"startLine": f.location.line, "startColumn": f.location.column} if f.location.line else {}
            result["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": f.location.file},
                                                         **({"region": region} if region else {})}}]
        results.append(result)
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "finesse", "informationUri": "https://github.com/finesse",
                                         "rules": rules}}, "results": results}]}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "junit": render_junit, "sarif": render_sarif,
             "markdown": render_markdown}
