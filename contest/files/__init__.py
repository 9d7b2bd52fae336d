"""The file store: every file the site keeps (entry files, contest covers, news photos,
certificate PDFs and ZIPs) goes through this module, kept in step with the database transaction.

`FILE_STORE` chooses where the bytes live:
- `local` (the embedded default): folders under `UPLOAD_DIR` on this machine's disk
  (contest.files.local). Files live outside the database, so they follow the unit of work by
  hand: a file written during a transaction that is rolled back is removed again, and a file a
  change retires (a replaced cover, a replaced entry file) is removed only once that change
  is committed.
- `database`: rows of the database itself (contest.files.database), which every app server
  behind the proxy reaches. A file is written and removed by the same transaction as the
  change it belongs to, so a rollback takes both back.

Every file sits in an "area" (entries, news, contests, certificates) under a random name."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any, BinaryIO, Protocol

from flask import Flask, Response, abort, current_app
from sqlalchemy.orm import Session, scoped_session

CHUNK_SIZE = 1024 * 1024  # what is read or written at once; never a whole file

AnySession = Session | scoped_session[Any]


class FileStore(Protocol):
    """Where files live. `create` and `remove` follow `session`'s transaction (see above)."""

    def create(self, session: AnySession, area: str, name: str) -> AbstractContextManager[BinaryIO]:
        """A writable binary stream for the new file `name`; the file is complete once the
        context ends."""

    def remove(self, session: AnySession, area: str, name: str) -> None:
        """Remove the file once (and only if) the transaction commits."""

    def exists(self, area: str, name: str) -> bool: ...

    def size(self, area: str, name: str) -> int:
        """The file's size in bytes; FileNotFoundError when there is none."""

    def chunks(self, area: str, name: str) -> Iterator[bytes]:
        """The file's bytes, at most CHUNK_SIZE at a time; FileNotFoundError when there is none."""

    def send(self, area: str, name: str, *, mimetype: str | None, download_name: str | None,
             max_age: int | None, conditional: bool) -> Response:
        """The file as a response (FileNotFoundError when there is none): an attachment called
        `download_name` if one is given, else shown inline; its type guessed from `name`
        unless `mimetype` says it."""

    def check(self) -> None:
        """Raise when the store cannot take a new file now (asked by /readyz)."""


STORES = ("local", "database")


def init_app(app: Flask) -> None:
    if app.config["FILE_STORE"] not in STORES:
        raise RuntimeError(f"FILE_STORE={app.config['FILE_STORE']!r} is not known; use one of {', '.join(STORES)}.")


def store() -> FileStore:
    """The store the configuration chooses."""
    if current_app.config["FILE_STORE"] == "database":
        from contest.files.database import DatabaseFileStore

        return DatabaseFileStore()
    from contest.files.local import LocalFileStore

    return LocalFileStore.configured()


def random_name(suffix: str) -> str:
    """An unguessable file name: nothing of the user's own name reaches the store."""
    return secrets.token_urlsafe(16) + suffix


def check_name(name: str) -> str:
    """`name` if it can be a stored file's name; one with folders or dots in front never reaches a store."""
    if not name or "/" in name or "\\" in name or name.startswith(".") or len(name) > 100:
        raise FileNotFoundError(name)
    return name


def write(session: AnySession, area: str, suffix: str, save: Callable[[BinaryIO], object]) -> str:
    """Create a new file in `area` by calling `save(stream)`; returns its name."""
    return write_as(session, area, random_name(suffix), save)


def write_as(session: AnySession, area: str, name: str, save: Callable[[BinaryIO], object]) -> str:
    """Create the file `name` (random, chosen by the caller: the sizes of one picture share a
    stem) in `area` by calling `save(stream)`."""
    with store().create(session, area, check_name(name)) as stream:
        save(stream)
    return name


def write_bytes(session: AnySession, area: str, suffix: str, data: bytes) -> str:
    return write(session, area, suffix, lambda stream: stream.write(data))


def copy_from(session: AnySession, area: str, suffix: str, source: BinaryIO) -> str:
    """A new file in `area` with the bytes of `source`, copied CHUNK_SIZE at a time."""

    def save(stream: BinaryIO) -> None:
        while block := source.read(CHUNK_SIZE):
            stream.write(block)

    return write(session, area, suffix, save)


def retire(session: AnySession, area: str, name: str | None) -> None:
    """Remove a file once (and only if) the current transaction commits."""
    if name:
        store().remove(session, area, check_name(name))


def send(area: str, name: str | None, *, mimetype: str | None = None, download_name: str | None = None,
         max_age: int | None = None, conditional: bool = True) -> Response:
    """The stored file as a response, streamed from the store; 404 when there is no such file."""
    try:
        return store().send(area, check_name(name or ""), mimetype=mimetype, download_name=download_name,
                            max_age=max_age, conditional=conditional)
    except FileNotFoundError:
        abort(404)
