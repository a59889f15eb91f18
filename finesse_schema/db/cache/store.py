"""Entries of finesse's cache: a value kept in a file named by the SHA-256 of everything that made it.

A key covers all the inputs of what it stands for, finesse's own code among them (its version, and the
path, size and modification time of every module, so that an edited checkout is another finesse), so an
entry can never be stale: a changed input is another key. Entries are written whole or not at all; one
that cannot be read is a miss and is removed; each kind keeps its KEEP most recently used entries. The
files are finesse's own, under the project's ``.finesse/cache/`` (which git ignores), and read by no one
else.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
import time
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Iterable

from ... import __version__
from ...core.collector import collector_paused

KEEP = 16
_PACKAGE = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=None)
def code_fingerprint() -> str:
    """finesse as it runs: its version, Python's, the libraries whose output an entry holds, and every module."""
    digest = hashlib.sha256(f"finesse {__version__}\0python {sys.version}\0".encode())
    for name in ("migra", "schemainspect", "sqlalchemy", "pyyaml", "pglast"):
        try:
            digest.update(f"{name} {metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} absent\0".encode())
    for path in sorted(_PACKAGE.rglob("*.py")):
        st = path.stat()
        digest.update(f"{path.relative_to(_PACKAGE)} {st.st_size} {st.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def cache_key(parts: Iterable[str]) -> str:
    """The SHA-256 of ``parts`` (each delimited) and of finesse itself."""
    digest = hashlib.sha256(code_fingerprint().encode())
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _entry(folder: Path, kind: str, key: str) -> Path:
    return folder / kind / f"{key}.pickle"


def read_entry(folder: Path, kind: str, key: str) -> object | None:
    """The value kept under ``key``, or None (a miss)."""
    path = _entry(folder, kind, key)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        with collector_paused():
            stored_key, value = pickle.loads(data)  # noqa: S301 - finesse's own file, named by its content's key
    except Exception:  # noqa: BLE001 - a damaged entry is a miss
        path.unlink(missing_ok=True)
        return None
    if stored_key != key:
        path.unlink(missing_ok=True)
        return None
    try:
        os.utime(path)  # recently used: kept longest
    except OSError:
        pass
    return value


def write_entry(folder: Path, kind: str, key: str, value: object) -> None:
    """Keep ``value`` under ``key``; a cache that cannot be written is no cache, not an error."""
    path = _entry(folder, kind, key)
    try:
        data = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        _prune(path.parent)
    except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
    for tmp in folder.glob(".tmp-*"):  # left by a process killed while writing (not one writing now)
        if time.time() - tmp.stat().st_mtime > 3600:
            tmp.unlink(missing_ok=True)
