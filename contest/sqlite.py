"""SQLite settings that make the embedded database behave like the production one."""

from sqlalchemy import Engine, event


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
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
        # SQLite's lower() folds ASCII only; names here are Kazakh and Russian Cyrillic, so
        # case-insensitive search uses Python's Unicode folding, as PostgreSQL does.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN")


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value
