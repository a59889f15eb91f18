"""Ctrl-C (SIGINT) or SIGTERM in the middle of a plan: scratch databases are removed, nothing is written."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.pg import query

SCHEMA = "tables:\n" + "".join(
    f"  t{i}:\n    columns:\n      id: {{type: integer, primary_key: true}}\n      v: text\n"
    f"    indexes: [[v]]\n" for i in range(300))


def _scratch(admin: str) -> list[str]:
    return [r[0] for r in query(admin, "SELECT datname FROM pg_database WHERE datname LIKE 'finesse_scratch_%'")]


@pytest.mark.parametrize("delay", [0.0, 0.3, 1.0], ids=["creating", "materializing", "verifying"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_plan_leaves_nothing(sig: int, delay: float, tmp_path: Path, live_db: str,
                                         pg_admin: str) -> None:
    (tmp_path / "schema.yaml").write_text(SCHEMA)
    (tmp_path / "pyproject.toml").write_text(f'[tool.finesse]\ndatabase_url = "{live_db}"\ndev_url = "{pg_admin}"\n')
    proc = subprocess.Popen([sys.executable, "-m", "finesse_schema.cli", "--project", str(tmp_path), "plan"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not _scratch(pg_admin):  # wait until the plan is under way
        assert proc.poll() is None and time.monotonic() < deadline, "plan finished before it could be interrupted"
        time.sleep(0.02)
    time.sleep(delay)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the plan finished before the signal arrived")
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    assert _scratch(pg_admin) == []
    assert not list((tmp_path / "migrations" / "versions").glob("*.py"))
    assert query(live_db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]
