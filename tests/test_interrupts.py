"""Ctrl-C (SIGINT) or SIGTERM in the middle of a plan: scratch databases are removed, nothing is written."""

from __future__ import annotations

import signal
import socket
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
    proc = subprocess.Popen([sys.executable, "-m", "finesse_schema", "--project", str(tmp_path), "plan"],
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


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.15, 0.3, 0.6])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_while_starting_up_gives_one_line_and_130(sig: int, delay: float, tmp_path: Path) -> None:
    """Any moment of start-up (imports, reading settings, connecting) included: no traceback. The database is
    a socket on this machine that never answers, so the last moments are spent connecting.

    The signals are blocked while Python itself starts (its site imports run before any line of finesse, and
    a signal there is Python's to report): one sent then waits, and finesse's first line receives it."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections complete in the kernel and are never answered
    port = silent.getsockname()[1]
    (tmp_path / "schema.yaml").write_text("tables: {}\n")
    (tmp_path / "pyproject.toml").write_text(f'[tool.finesse]\ndatabase_url = "postgresql://nobody@127.0.0.1:{port}/x"\n')
    proc = subprocess.Popen([sys.executable, "-m", "finesse_schema", "--project", str(tmp_path), "status"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT,
                                                                                        signal.SIGTERM}))
    time.sleep(delay)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    silent.close()
    assert "Traceback" not in err, err
    assert proc.returncode == 130, (proc.returncode, err)
    assert len(err.strip().splitlines()) == 1 and err.strip().startswith("interrupted"), err


def test_scratch_databases_of_a_killed_plan_are_dropped_by_the_next_run(tmp_path: Path, live_db: str,
                                                                      pg_admin: str) -> None:
    """SIGKILL leaves no chance to clean up; the scratch databases' names say whose they are, and the next run on
    this host drops those whose owner is gone (and none of a live run's)."""
    (tmp_path / "schema.yaml").write_text(SCHEMA)
    (tmp_path / "pyproject.toml").write_text(f'[tool.finesse]\ndatabase_url = "{live_db}"\ndev_url = "{pg_admin}"\n')
    proc = subprocess.Popen([sys.executable, "-m", "finesse_schema", "--project", str(tmp_path), "plan"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not _scratch(pg_admin):
        assert proc.poll() is None and time.monotonic() < deadline, "plan finished before it could be killed"
        time.sleep(0.02)
    proc.kill()
    proc.communicate(timeout=60)
    left = _scratch(pg_admin)
    assert left and all(f"_{proc.pid}_" in name for name in left)
    query(pg_admin, "CREATE DATABASE finesse_scratch_00000000_1_1_abc")  # another host's: not ours to drop
    try:
        (tmp_path / "schema.yaml").write_text("tables: {}\n")
        status = subprocess.run([sys.executable, "-m", "finesse_schema", "--project", str(tmp_path), "status",
                                 "-q"], capture_output=True, text=True, timeout=120)
        assert status.returncode in (0, 1), status.stderr
        assert _scratch(pg_admin) == ["finesse_scratch_00000000_1_1_abc"]
    finally:
        query(pg_admin, "DROP DATABASE IF EXISTS finesse_scratch_00000000_1_1_abc")
