"""SQLite settings that make the embedded database behave like the production one.

SQLite lets one writer in at a time. A plain (deferred) `BEGIN` takes the write lock only at
the first write; when another connection writes in between, SQLite cannot wait for it (the
reader's snapshot would be stale) and answers "database is locked" at once, whatever
`busy_timeout` says. So a transaction that may write begins with `BEGIN IMMEDIATE`: it takes
the write lock up front, and a second writer waits for it (up to `busy_timeout`) instead of
failing. Pages that only read (GET and HEAD requests) begin a deferred transaction and, with
the write-ahead log, neither wait for writers nor hold them up.
"""

from flask import has_request_context, request
from sqlalchemy import Engine, event

# Long enough for the longest write transaction (a chunk of certificates issued at once)
# to finish while other writers queue behind it.
BUSY_TIMEOUT_MS = 15_000
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def configure_sqlite(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Enforce foreign keys, and take over transaction control from pysqlite so that
        # SAVEPOINTs and BEGIN work as SQLAlchemy expects (see SQLAlchemy's pysqlite notes).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # Readers see the last committed state while a writer works (an in-memory database
        # keeps its own journal mode: it has no file to log to).
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
        # SQLite's lower() folds ASCII only; names here are Kazakh and Russian Cyrillic, so
        # case-insensitive search uses Python's Unicode folding, as PostgreSQL does.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        only_reads = connection.get_execution_options().get("read_only") or _request_only_reads()
        connection.exec_driver_sql("BEGIN" if only_reads else "BEGIN IMMEDIATE")


def _request_only_reads() -> bool:
    """A GET page reads; everything else (a form sent, a background job, a command) may write."""
    return has_request_context() and request.method in READ_METHODS


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value
