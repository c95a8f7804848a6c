"""The hub's PostgreSQL: a pool of connections (psycopg 3) that outlives a server restart.

Every connection handed out is checked first, so after PostgreSQL restarts the pool drops
the dead ones and opens new ones; a transaction that loses its connection midway is rolled
back by the server and raises `DatabaseUnavailable`, which the web layer answers with 503
(the box keeps its events and sends them again: nothing is lost).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.rows import tuple_row
from psycopg_pool import ConnectionPool, PoolTimeout

log = logging.getLogger("xephang.hub")


class DatabaseUnavailable(RuntimeError):
    """PostgreSQL cannot be reached now (down, restarting, or the pool is exhausted)."""


def _configure(conn: psycopg.Connection[Any]) -> None:
    # Times are compared and stored as instants; UTC keeps the text in logs unambiguous.
    conn.execute("SET TIME ZONE 'UTC'")
    conn.commit()


class Database:
    """A pool of connections to one PostgreSQL database.

    >>> # db = Database("postgresql:///xephang_hub")
    >>> # with db.transaction() as conn: conn.execute("SELECT 1")
    """

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 8,
                 timeout: float = 10.0) -> None:
        self.url = url
        self.pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            url, min_size=min_size, max_size=max_size, timeout=timeout, open=False,
            configure=_configure, check=ConnectionPool.check_connection,
            kwargs={"row_factory": tuple_row, "connect_timeout": 5},
            name="xephang-hub")

    def open(self) -> Database:
        self.pool.open(wait=False)
        return self

    def close(self) -> None:
        self.pool.close()

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        """Lend a checked connection; the caller runs its own transactions on it."""
        try:
            with self.pool.connection() as conn:
                yield conn
        except PoolTimeout as exc:
            raise DatabaseUnavailable(str(exc)) from exc
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailable(str(exc)) from exc

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[Any]]:
        """Run the block in one transaction: committed at the end, rolled back on error."""
        with self.connection() as conn:
            with conn.transaction():
                yield conn

    def connect(self, *, autocommit: bool = False) -> psycopg.Connection[Any]:
        """Open a connection of its own, outside the pool (listeners, long maintenance)."""
        try:
            conn = psycopg.connect(self.url, autocommit=autocommit, row_factory=tuple_row,
                                   connect_timeout=5)
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailable(str(exc)) from exc
        conn.execute("SET TIME ZONE 'UTC'")
        if not autocommit:
            conn.commit()
        return conn

    def reachable(self) -> bool:
        """Tell whether a query gets an answer now."""
        try:
            with self.transaction() as conn:
                conn.execute("SELECT 1")
            return True
        except DatabaseUnavailable:
            return False


__all__ = ["Database", "DatabaseUnavailable"]
