"""Scratch databases for migration tests: empty, of the same kind as the test database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable

from sqlalchemy import create_engine, text

from contest.extensions import db


def fresh_database_url() -> tuple[str, Callable[[], object]]:
    """An empty database of the same kind as the test database, and a function to drop it."""
    url = db.engine.url
    if url.get_backend_name() == "postgresql":
        name = f"migr_{uuid.uuid4().hex[:10]}"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))

        def drop() -> None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

        return url.set(database=name).render_as_string(hide_password=False), drop
    path = f"/tmp/migr_{uuid.uuid4().hex[:10]}.sqlite3"
    return f"sqlite:///{path}", lambda: os.path.exists(path) and os.remove(path)
