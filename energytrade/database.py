"""One in-memory DuckDB database per process, which the store's queries share.

Opening a DuckDB database costs about 10 ms; a connection to an open one almost nothing. A report asks the
store several questions (the clean table, Eurostat's grade table, ...), each on its own connection to this
process's database (:func:`connection`), so the database is opened once.
"""

from __future__ import annotations

import os
import threading

import duckdb

_DATABASE: tuple[int, duckdb.DuckDBPyConnection] | None = None
_LOCK = threading.Lock()


def connection() -> duckdb.DuckDBPyConnection:
    """A new connection to this process's in-memory DuckDB database; close it when done (``with``).

    Each connection is the caller's own: what it registers, creates as a temporary table or sets is seen
    by no other, and threads each take their own. A forked child (the report's workers) opens a database
    of its own instead of using its parent's.

    >>> with connection() as con:
    ...     con.sql("SELECT 40 + 2").fetchall()
    [(42,)]
    """
    global _DATABASE
    with _LOCK:
        if _DATABASE is None or _DATABASE[0] != os.getpid():
            _DATABASE = (os.getpid(), duckdb.connect(database=":memory:"))
        return _DATABASE[1].cursor()


def close() -> None:
    """Close this process's database (the next :func:`connection` opens a new one). Called before the
    process forks: a child forked while a DuckDB database is open in its parent hangs in DuckDB."""
    global _DATABASE
    with _LOCK:
        if _DATABASE is not None:
            if _DATABASE[0] == os.getpid():
                _DATABASE[1].close()
            _DATABASE = None


os.register_at_fork(before=close)
