"""Uploaded files on disk, kept in step with the database transaction.

Files live outside the database, so they follow the unit of work by hand: a file written
during a transaction that is rolled back is removed again, and a file a change retires (a
replaced cover, a replaced entry file) is removed only once that change is committed.
Every file sits in an "area" folder under `UPLOAD_DIR` with a random name."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

_WRITTEN = "files_written"
_RETIRED = "files_retired"


def area_dir(area: str) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / area


def random_name(suffix: str) -> str:
    """An unguessable file name: nothing of the user's own name reaches the disk."""
    return secrets.token_urlsafe(16) + suffix


def write(session: Session | scoped_session[Any], area: str, suffix: str, save: Callable[[Path], object]) -> str:
    """Create a new file in `area` by calling `save(path)`; returns its name."""
    return write_as(session, area, random_name(suffix), save)


def write_as(session: Session | scoped_session[Any], area: str, name: str, save: Callable[[Path], object]) -> str:
    """Create the file `name` (random, chosen by the caller: the sizes of one picture share a
    stem) in `area` by calling `save(path)`."""
    session.connection()  # make sure a transaction is open, so that a rollback will clean up
    directory = area_dir(area)
    directory.mkdir(parents=True, exist_ok=True)
    session.info.setdefault(_WRITTEN, set()).add((area, name))  # before saving: a half-written file goes too
    save(directory / name)
    return name


def write_bytes(session: Session | scoped_session[Any], area: str, suffix: str, data: bytes) -> str:
    return write(session, area, suffix, lambda path: path.write_bytes(data))


def retire(session: Session | scoped_session[Any], area: str, name: str | None) -> None:
    """Remove a file once (and only if) the current transaction commits."""
    if name:
        session.info.setdefault(_RETIRED, set()).add((area, name))


def path_of(area: str, name: str) -> Path:
    """The path of a stored file; a name with folders or dots in front never reaches the disk."""
    if not name or Path(name).name != name or name.startswith("."):
        raise FileNotFoundError(name)
    return area_dir(area) / name


def _remove(files: set[tuple[str, str]]) -> None:
    for area, name in files:
        (area_dir(area) / name).unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a SAVEPOINT was released; the real commit is yet to come
        return
    session.info.pop(_WRITTEN, None)
    _remove(session.info.pop(_RETIRED, set()))


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is not None:  # only a SAVEPOINT was rolled back
        return
    session.info.pop(_RETIRED, None)
    _remove(session.info.pop(_WRITTEN, set()))
