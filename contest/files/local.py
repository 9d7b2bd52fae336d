"""Files on this machine's disk, in folders under `UPLOAD_DIR` (the embedded default).

The disk knows nothing of the database's transactions, so the session remembers what it wrote
and what it retired: a rollback removes the files it wrote (a half-written one too), a commit
removes the files it retired."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from flask import Response, current_app, send_file
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from contest.files import CHUNK_SIZE, AnySession, check_name

_WRITTEN = "files_written"
_RETIRED = "files_retired"


class LocalFileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def configured(cls) -> LocalFileStore:
        return cls(Path(current_app.config["UPLOAD_DIR"]))

    def check(self) -> None:
        """The folder exists and takes a new file."""
        self.root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=self.root, prefix=".readyz-"):
            pass

    def path(self, area: str, name: str) -> Path:
        return self.root / area / check_name(name)

    @contextmanager
    def create(self, session: AnySession, area: str, name: str) -> Iterator[BinaryIO]:
        session.connection()  # make sure a transaction is open, so that a rollback will clean up
        path = self.path(area, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        session.info.setdefault(_WRITTEN, set()).add(path)  # before writing: a half-written file goes too
        with open(path, "wb") as stream:
            yield stream

    def remove(self, session: AnySession, area: str, name: str) -> None:
        session.info.setdefault(_RETIRED, set()).add(self.path(area, name))

    def exists(self, area: str, name: str) -> bool:
        return self.path(area, name).is_file()

    def size(self, area: str, name: str) -> int:
        return self.path(area, name).stat().st_size

    def chunks(self, area: str, name: str) -> Iterator[bytes]:
        with open(self.path(area, name), "rb") as stream:
            while block := stream.read(CHUNK_SIZE):
                yield block

    def send(self, area: str, name: str, *, mimetype: str | None, download_name: str | None,
             max_age: int | None, conditional: bool) -> Response:
        path = self.path(area, name)
        if not path.is_file():
            raise FileNotFoundError(name)
        return send_file(path, mimetype=mimetype, as_attachment=download_name is not None,
                         download_name=download_name, max_age=max_age, conditional=conditional)


def _remove(paths: set[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


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
