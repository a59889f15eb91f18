"""Scratch databases: created for one job, always dropped afterwards (also on error or Ctrl-C)."""

from __future__ import annotations

import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from ..core.errors import DatabaseError
from .connect import Error, composed, connect, error_text, identifier, literal, mask_url, with_database

PREFIX = "finesse_scratch_"


@dataclass(frozen=True)
class ScratchServer:
    """A server on which finesse may create and drop databases, and why it was chosen."""

    admin_url: str
    origin: str  # "target", "embedded" or "dev-url"

    def describe(self) -> str:
        return f"{self.origin} server {mask_url(self.admin_url)}"


def can_create_databases(url: str) -> bool:
    try:
        with connect(url) as conn:
            row = conn.execute("SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
            return bool(row and row[0])
    except DatabaseError:
        return False


def choose_scratch_server(live_url: str | None, dev_url: str | None,
                          embedded: Callable[[], str]) -> ScratchServer:
    """--dev-url when given; else the target server when we may create databases there; else embedded."""
    if dev_url:
        return ScratchServer(dev_url, "dev-url")
    if live_url and can_create_databases(live_url):
        return ScratchServer(live_url, "target")
    return ScratchServer(embedded(), "embedded")


def create_scratch_database(server: ScratchServer, purpose: str = "") -> tuple[str, str]:
    """Create an empty database on ``server``; return (name, URL). The caller must drop it."""
    name = f"{PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
    try:
        with connect(server.admin_url) as conn:
            conn.execute(composed("CREATE DATABASE {} TEMPLATE template0", identifier(name)))
            if purpose:
                conn.execute(composed("COMMENT ON DATABASE {} IS {}", identifier(name),
                                      literal(f"finesse scratch: {purpose}")))
    except Error as exc:
        raise DatabaseError(f"cannot create a scratch database on {server.describe()}: {error_text(exc)}") from None
    return name, with_database(server.admin_url, name)


@contextmanager
def scratch_database(server: ScratchServer, purpose: str = "") -> Iterator[str]:
    """Create an empty database on ``server``; yield its URL; drop it whatever happens."""
    name, url = create_scratch_database(server, purpose)
    try:
        yield url
    finally:
        drop_database(server.admin_url, name)


@contextmanager
def scratch_databases(server: ScratchServer, purposes: list[str]) -> Iterator[list[str]]:
    """Several scratch databases, created at once; all dropped whatever happens (also if one fails)."""
    with ThreadPoolExecutor(max_workers=max(1, len(purposes))) as pool:
        futures = [pool.submit(create_scratch_database, server, p) for p in purposes]
        created, failure = [], None
        for f in futures:
            try:
                created.append(f.result())
            except BaseException as exc:  # noqa: BLE001 - re-raised after the others are dropped
                failure = failure or exc
    try:
        if failure:
            raise failure
        yield [url for _, url in created]
    finally:
        with ThreadPoolExecutor(max_workers=max(1, len(created))) as pool:
            for f in [pool.submit(drop_database, server.admin_url, name) for name, _ in created]:
                f.result()


def drop_database(admin_url: str, name: str) -> None:
    with connect(admin_url) as conn:
        conn.execute(composed("DROP DATABASE IF EXISTS {} WITH (FORCE)", identifier(name)))
