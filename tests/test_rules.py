"""The rules of finesse check, each driven by its fixture folder tests/fixtures/rules/<CODE>/.

bad.yaml must give exactly the findings expected.yaml lists (code and line);
good.yaml must give none of that rule. Renderers are golden files over one report
(tests/fixtures/check_report/; --update-golden rewrites them).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from finesse_schema.cli import main
from finesse_schema.core.errors import InputError
from finesse_schema.core.findings import Severity
from finesse_schema.logic.check.audit import audit_model
from finesse_schema.logic.check.config import CheckConfig, read_check_config
from finesse_schema.logic.schema.load import load_schema_text
from finesse_schema.logic.check.render_findings import RENDERERS
from finesse_schema.logic.check.rules import RULES, Registry

from tests.conftest import FIXTURES

RULE_DIRS = sorted(p for p in (FIXTURES / "rules").iterdir() if p.is_dir())
CODES = tuple(r.code for r in RULES)


def _findings(path: Path, config: CheckConfig = CheckConfig()):  # type: ignore[no-untyped-def]
    return audit_model(load_schema_text(path.read_text(encoding="utf-8"), path.name), config).findings


def test_every_rule_has_a_fixture_and_documents_bad_and_good() -> None:
    assert sorted(d.name for d in RULE_DIRS) == sorted(CODES)
    for r in RULES:
        assert r.doc.startswith(f"{r.code} {r.name}:"), r.code
        assert "Bad::" in r.doc and "Good::" in r.doc, r.code


@pytest.mark.parametrize("case", RULE_DIRS, ids=[d.name for d in RULE_DIRS])
def test_rule_case(case: Path) -> None:
    code = case.name
    expected = sorted((e["code"], e["line"]) for e in yaml.safe_load((case / "expected.yaml").read_text()))
    bad = [(f.code, f.location.line if f.location else 0) for f in _findings(case / "bad.yaml") if f.code == code]
    assert sorted(bad) == expected
    assert [f for f in _findings(case / "good.yaml") if f.code == code] == []


def test_registry_refuses_a_duplicate_code() -> None:
    rule = next(iter(RULES))
    with pytest.raises(ValueError, match="two rules have the code"):
        Registry(rule, rule)


def _config(table: dict) -> CheckConfig:
    return read_check_config(table, "pyproject.toml", CODES)


def test_configuration_selects_ignores_overrides_and_exempts() -> None:
    bad = FIXTURES / "rules" / "FS104" / "bad.yaml"
    assert {f.code for f in _findings(bad, _config({"select": ["FS104"]}))} == {"FS104"}
    assert "FS104" not in {f.code for f in _findings(bad, _config({"ignore": ["FS104"]}))}
    raised = _findings(bad, _config({"select": ["FS10"], "severity": {"FS101": "error"}}))
    assert all(f.severity == Severity.ERROR for f in raised if f.code == "FS101")
    exempted = _findings(bad, _config({"select": ["FS104"], "exempt": [
        {"rule": "FS104", "object": "orders.stripe_charge_id", "reason": "Stripe's id, not ours"}]}))
    assert [f.path for f in exempted] == ["tables.orders.columns.user_id"]
    unexplained = _findings(bad, _config({"select": ["FS104"], "exempt": [
        {"rule": "FS104", "object": "orders.*"}]}))
    assert {f.code for f in unexplained} == {"FS104", "FS001"}  # no reason: it does not apply, and is a finding


def test_configuration_mistakes_are_input_errors() -> None:
    with pytest.raises(InputError) as err:
        _config({"select": ["FS999"], "fail_on": "fatal", "severty": {}})
    text = str(err.value)
    assert "no rule has a code starting with 'FS999'" in text and "fatal" in text and "did you mean 'severity'" in text


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_renderer_golden(fmt: str, update_golden: bool) -> None:
    report = audit_model(load_schema_text((FIXTURES / "rules" / "FS105" / "bad.yaml").read_text(), "schema.yaml"))
    text = RENDERERS[fmt](report)
    golden = FIXTURES / "check_report" / f"report.{ {'text': 'txt', 'markdown': 'md', 'junit': 'xml'}.get(fmt, fmt) }"
    if update_golden or not golden.exists():
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    if fmt in ("json", "sarif"):
        json.loads(text)
    if fmt == "junit":
        assert ET.fromstring(text).get("failures") == "0"  # warnings only: nothing at error


def test_cli_check_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    (tmp_path / "pyproject.toml").write_text("[tool.finesse]\n")
    (tmp_path / "schema.yaml").write_text((FIXTURES / "rules" / "FS107" / "good.yaml").read_text())
    assert runner.invoke(main, ["--project", str(tmp_path), "check"]).exit_code == 0
    (tmp_path / "schema.yaml").write_text((FIXTURES / "rules" / "FS107" / "bad.yaml").read_text())
    result = runner.invoke(main, ["--project", str(tmp_path), "check", "--format", "sarif"])
    assert result.exit_code == 1 and json.loads(result.output)["runs"][0]["results"][0]["ruleId"] == "FS107"
    (tmp_path / "pyproject.toml").write_text('[tool.finesse.check]\nignore = ["FS107"]\n')
    assert runner.invoke(main, ["--project", str(tmp_path), "check"]).exit_code == 0
    (tmp_path / "pyproject.toml").write_text('[tool.finesse.check]\nignore = ["XX1"]\n')
    result = runner.invoke(main, ["--project", str(tmp_path), "check"])
    assert result.exit_code == 2 and "no rule has a code starting with 'XX1'" in result.output
    assert "Bad::" in runner.invoke(main, ["explain", "fs110"]).output
    assert "Bad::" in runner.invoke(main, ["explain", "FS201"]).output  # a rule of the data
    assert runner.invoke(main, ["explain", "FS999"]).exit_code == 2
    assert "FS111" in runner.invoke(main, ["rules"]).output
